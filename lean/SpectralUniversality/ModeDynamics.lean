module

public import SpectralUniversality.Basic

/-!
# Per-mode SGD energy dynamics on a quadratic loss (paper §2, §9.1)

For the quadratic loss `L(θ) = ½ θᵀHθ`, `H = diag(λ_k)`, with gradient noise of variance `σ²`,
one SGD step on mode `k` is `θ ↦ (1 - αλ)θ - αξ`, so the mode energy `e = E[θ²]` obeys the
exact discrete recursion

  `e_{t+1} = (1 - αλ)² e_t + α²σ²`            (`sgdEnergyStep`).

Proved here, over any ordered field `F` (so for `Rat` below and for `ℝ` downstream):

* the exact discrete fixed point `e* = ασ² / (λ(2 - αλ))` (`sgdFixedPoint_isFixedPoint`) and its
  uniqueness (`eq_sgdFixedPoint_of_isFixedPoint`);
* the closed form `e_t - e* = ((1 - αλ)²)^t (e_0 - e*)` for every run
  (`sgdEnergy_sub_fixedPoint_eq_pow`);
* contraction exactly when `0 < αλ < 2` (`sgdContraction_lt_one_iff`): then the squared distance
  to `e*` strictly decreases (`sgdEnergy_sqDist_lt_of_stable`); for `αλ < 0` or `αλ > 2` it strictly
  grows (`sgdEnergy_sqDist_gt_of_unstable`) whenever `e_t ≠ e*`;
* the marginal cases `αλ = 0` and `αλ = 2`: the contraction factor is exactly `1`, there is no
  fixed point when `α ≠ 0` and `σ ≠ 0` (`sgdEnergyStep_ne_self_of_marginal`), and the energy grows
  linearly, by exactly `α²σ²` per step (`sgdEnergy_succ_sub_of_marginal`);
* the continuous-time drift `de/dt = -2αλe + α²σ²` of the paper (§9.1), its steady state
  `ασ²/(2λ)` (`sgdDrift_continuousSteadyState`), and the exact gap between the discrete and the
  continuous steady states, `α²σ²/(2(2 - αλ))` (`sgdFixedPoint_sub_continuousSteadyState`).
  The one-step increment of the discrete recursion is the drift plus `α²λ²e`
  (`sgdEnergyStep_sub_self`), which is where the gap comes from.

Note on the paper: §9.1 writes only the continuous-time drift and its steady state
`e* = ασ²/(2λ)`. The recursion it starts from (`θ_{t+1} = (1 - αλ)θ_t - αξ_t`) has the different
steady state `ασ²/(λ(2 - αλ))`; the two agree only to first order in `αλ`. Both scale as `1/λ`
for fixed `αλ → 0`, but the discrete one does not have the exact profile `∝ 1/λ_k` across modes.
-/

@[expose] public section

set_option linter.unusedSectionVars false

namespace SpectralUniversality

section ClosedForms

variable {F : Type} [Lean.Grind.Field F] [LE F] [LT F] [Std.LawfulOrderLT F] [Std.IsLinearOrder F]
  [Lean.Grind.OrderedRing F]

/-- One SGD step of the mode energy: `e ↦ (1 - αλ)² e + α²σ²` (paper §9.1, discrete time). -/
def sgdEnergyStep (α lam σ e : F) : F := (1 - α * lam) ^ 2 * e + α ^ 2 * σ ^ 2

/-- The per-step contraction factor `(1 - αλ)²` of the SGD energy recursion. -/
def sgdContraction (α lam : F) : F := (1 - α * lam) ^ 2

/-- The exact fixed point `ασ² / (λ(2 - αλ))` of the discrete SGD energy recursion. -/
def sgdFixedPoint (α lam σ : F) : F := α * σ ^ 2 / (lam * (2 - α * lam))

/-- The continuous-time SGD drift `de/dt = -2αλe + α²σ²` (paper §9.1). -/
def sgdDrift (α lam σ e : F) : F := -2 * α * lam * e + α ^ 2 * σ ^ 2

/-- The steady state `ασ²/(2λ)` of the continuous-time drift (paper §9.1). -/
def sgdContinuousSteadyState (α lam σ : F) : F := α * σ ^ 2 / (2 * lam)

/-- Discrete minus continuous steady state: `α²σ² / (2(2 - αλ))`. -/
def steadyStateGap (α lam σ : F) : F := α ^ 2 * σ ^ 2 / (2 * (2 - α * lam))

end ClosedForms

/-- A run of SGD on one mode of a quadratic loss, seen through its energy: learning rate `α`,
curvature `lam`, noise scale `σ`, energies `e t`, and the update law as a field. -/
structure SgdEnergyRun (F : Type) [Lean.Grind.Field F] [LE F] [LT F] [Std.LawfulOrderLT F]
    [Std.IsLinearOrder F] [Lean.Grind.OrderedRing F] where
  /-- learning rate -/
  α : F
  /-- curvature (Hessian eigenvalue) of the mode -/
  lam : F
  /-- gradient-noise scale -/
  σ : F
  /-- mode energy at step `t` -/
  e : Nat → F
  /-- the SGD energy update law -/
  step : ∀ t, e (t + 1) = sgdEnergyStep α lam σ (e t)

section Theorems

variable {F : Type} [Lean.Grind.Field F] [LE F] [LT F] [Std.LawfulOrderLT F] [Std.IsLinearOrder F]
  [Lean.Grind.OrderedRing F]

/-- Distance to the fixed point contracts by exactly `(1 - αλ)²` in one step. -/
theorem sgdEnergyStep_sub_fixedPoint (α lam σ e : F) (hlam : lam ≠ 0) (hstable : α * lam ≠ 2) :
    sgdEnergyStep α lam σ e - sgdFixedPoint α lam σ
      = sgdContraction α lam * (e - sgdFixedPoint α lam σ) := by
  unfold sgdEnergyStep sgdFixedPoint sgdContraction
  have h2 : 2 - α * lam ≠ 0 := by grind
  grind

/-- `ασ²/(λ(2 - αλ))` is a fixed point of the SGD energy step (for `λ ≠ 0`, `αλ ≠ 2`). -/
theorem sgdFixedPoint_isFixedPoint (α lam σ : F) (hlam : lam ≠ 0) (hstable : α * lam ≠ 2) :
    sgdEnergyStep α lam σ (sgdFixedPoint α lam σ) = sgdFixedPoint α lam σ := by
  have := sgdEnergyStep_sub_fixedPoint α lam σ (sgdFixedPoint α lam σ) hlam hstable
  grind

/-- The fixed point is unique when `α ≠ 0`, `λ ≠ 0` and `αλ ≠ 2`. -/
theorem eq_sgdFixedPoint_of_isFixedPoint {α lam σ e : F} (hα : α ≠ 0) (hlam : lam ≠ 0)
    (hstable : α * lam ≠ 2) (hfix : sgdEnergyStep α lam σ e = e) :
    e = sgdFixedPoint α lam σ := by
  have h := sgdEnergyStep_sub_fixedPoint α lam σ e hlam hstable
  have hx : α * lam ≠ 0 := by
    intro h0
    have := sqPos hα
    have := sqPos hlam
    have := mulPos (a := α * α) (b := lam * lam) (by assumption) (by assumption)
    grind
  have h1 : 1 - sgdContraction α lam ≠ 0 := by
    unfold sgdContraction
    intro h0
    have h3 : α * lam * (2 - α * lam) = 0 := by grind
    have h4 : (α * lam) * (2 - α * lam) ≠ 0 := by
      have hy : 2 - α * lam ≠ 0 := by grind
      have := sqPos hx
      have := sqPos hy
      have := mulPos (a := α * lam * (α * lam)) (b := (2 - α * lam) * (2 - α * lam))
        (by assumption) (by assumption)
      grind
    exact h4 h3
  have h5 : (1 - sgdContraction α lam) * (e - sgdFixedPoint α lam σ) = 0 := by grind
  have h6 : e - sgdFixedPoint α lam σ = 0 := by
    have h7 := congrArg (fun x => (1 - sgdContraction α lam)⁻¹ * x) h5
    simp only at h7
    grind
  grind

/-- **Closed form.** For every SGD run with `λ ≠ 0`, `αλ ≠ 2`:
`e_t - e* = ((1 - αλ)²)^t (e_0 - e*)`. -/
theorem sgdEnergy_sub_fixedPoint_eq_pow (run : SgdEnergyRun F) (hlam : run.lam ≠ 0)
    (hstable : run.α * run.lam ≠ 2) (t : Nat) :
    run.e t - sgdFixedPoint run.α run.lam run.σ
      = sgdContraction run.α run.lam ^ t * (run.e 0 - sgdFixedPoint run.α run.lam run.σ) := by
  induction t with
  | zero => grind
  | succ n ih =>
    rw [run.step n, sgdEnergyStep_sub_fixedPoint _ _ _ _ hlam hstable, ih]
    grind

/-- The contraction factor is a square, hence nonnegative. -/
theorem sgdContraction_nonneg (α lam : F) : 0 ≤ sgdContraction α lam := by
  unfold sgdContraction
  have := sqNonneg (1 - α * lam)
  grind

/-- Stable step sizes contract: `0 < αλ < 2 → (1 - αλ)² < 1`. -/
theorem sgdContraction_lt_one {α lam : F} (hpos : 0 < α * lam) (hstable : α * lam < 2) :
    sgdContraction α lam < 1 := by
  unfold sgdContraction
  have := mulPos (a := α * lam) (b := 2 - α * lam) hpos (by grind)
  grind

/-- Outside the stable window the factor is at least one: `αλ ≤ 0 ∨ 2 ≤ αλ → 1 ≤ (1 - αλ)²`. -/
theorem one_le_sgdContraction {α lam : F} (h : α * lam ≤ 0 ∨ 2 ≤ α * lam) :
    1 ≤ sgdContraction α lam := by
  unfold sgdContraction
  rcases h with h | h
  · have := mulNonneg (a := -(α * lam)) (b := 2 - α * lam) (by grind) (by grind)
    grind
  · have := mulNonneg (a := α * lam) (b := α * lam - 2) (by grind) (by grind)
    grind

/-- Strictly unstable step sizes expand: `αλ < 0 ∨ 2 < αλ → 1 < (1 - αλ)²`. -/
theorem one_lt_sgdContraction {α lam : F} (h : α * lam < 0 ∨ 2 < α * lam) :
    1 < sgdContraction α lam := by
  unfold sgdContraction
  rcases h with h | h
  · have := mulPos (a := -(α * lam)) (b := 2 - α * lam) (by grind) (by grind)
    grind
  · have := mulPos (a := α * lam) (b := α * lam - 2) (by grind) (by grind)
    grind

/-- **Contraction exactly in the stable window:** `(1 - αλ)² < 1 ↔ 0 < αλ < 2`. -/
theorem sgdContraction_lt_one_iff {α lam : F} :
    sgdContraction α lam < 1 ↔ 0 < α * lam ∧ α * lam < 2 := by
  constructor
  · intro h
    have h' : ¬ (α * lam ≤ 0 ∨ 2 ≤ α * lam) := fun h2 => by
      have := one_le_sgdContraction h2
      grind
    grind
  · intro ⟨h1, h2⟩
    exact sgdContraction_lt_one h1 h2

/-- In the stable window the squared distance to `e*` strictly decreases (if nonzero). -/
theorem sgdEnergy_sqDist_lt_of_stable (run : SgdEnergyRun F) (hpos : 0 < run.α * run.lam)
    (hstable : run.α * run.lam < 2) (t : Nat)
    (hne : run.e t ≠ sgdFixedPoint run.α run.lam run.σ) :
    (run.e (t + 1) - sgdFixedPoint run.α run.lam run.σ) ^ 2
      < (run.e t - sgdFixedPoint run.α run.lam run.σ) ^ 2 := by
  have hlam : run.lam ≠ 0 := by
    intro h0
    rw [h0] at hpos
    grind
  have hstep := sgdEnergyStep_sub_fixedPoint run.α run.lam run.σ (run.e t) hlam (by grind)
  rw [← run.step t] at hstep
  rw [hstep]
  have hc0 := sgdContraction_nonneg run.α run.lam
  have hc1 := sgdContraction_lt_one hpos hstable
  have hcc := mulNonneg hc0 (by grind : (0 : F) ≤ 1 - sgdContraction run.α run.lam)
  have hd := sqPos (a := run.e t - sgdFixedPoint run.α run.lam run.σ) (by grind)
  have := mulPos (a := 1 - sgdContraction run.α run.lam * sgdContraction run.α run.lam)
    (b := (run.e t - sgdFixedPoint run.α run.lam run.σ) * (run.e t - sgdFixedPoint run.α run.lam run.σ))
    (by grind) hd
  grind

/-- Outside the closed stable window (`αλ < 0` or `αλ > 2`) the squared distance to `e*` strictly
grows (if nonzero). -/
theorem sgdEnergy_sqDist_gt_of_unstable (run : SgdEnergyRun F) (hlam : run.lam ≠ 0)
    (h : run.α * run.lam < 0 ∨ 2 < run.α * run.lam) (t : Nat)
    (hne : run.e t ≠ sgdFixedPoint run.α run.lam run.σ) :
    (run.e t - sgdFixedPoint run.α run.lam run.σ) ^ 2
      < (run.e (t + 1) - sgdFixedPoint run.α run.lam run.σ) ^ 2 := by
  have hstep := sgdEnergyStep_sub_fixedPoint run.α run.lam run.σ (run.e t) hlam (by grind)
  rw [← run.step t] at hstep
  rw [hstep]
  have hc1 := one_lt_sgdContraction h
  have hd := sqPos (a := run.e t - sgdFixedPoint run.α run.lam run.σ) (by grind)
  have hcc := mulPos (a := sgdContraction run.α run.lam - 1)
    (b := sgdContraction run.α run.lam + 1) (by grind) (by grind)
  have := mulPos (a := sgdContraction run.α run.lam * sgdContraction run.α run.lam - 1)
    (b := (run.e t - sgdFixedPoint run.α run.lam run.σ) * (run.e t - sgdFixedPoint run.α run.lam run.σ))
    (by grind) hd
  grind

/-- At the marginal values `αλ = 0` and `αλ = 2` the contraction factor is exactly one. -/
theorem sgdContraction_eq_one_of_marginal {α lam : F} (h : α * lam = 0 ∨ α * lam = 2) :
    sgdContraction α lam = 1 := by
  unfold sgdContraction
  rcases h with h | h <;> grind

/-- At `αλ = 0` or `αλ = 2`, with `α ≠ 0` and `σ ≠ 0`, the SGD energy step has no fixed point. -/
theorem sgdEnergyStep_ne_self_of_marginal {α lam σ : F} (h : α * lam = 0 ∨ α * lam = 2)
    (hα : α ≠ 0) (hσ : σ ≠ 0) (e : F) : sgdEnergyStep α lam σ e ≠ e := by
  have hc := sgdContraction_eq_one_of_marginal h
  unfold sgdContraction at hc
  unfold sgdEnergyStep
  have h1 := sqPos hα
  have h2 := sqPos hσ
  have := mulPos h1 h2
  grind

/-- At `αλ = 0` or `αλ = 2` every run grows by exactly `α²σ²` per step. -/
theorem sgdEnergy_succ_sub_of_marginal (run : SgdEnergyRun F)
    (h : run.α * run.lam = 0 ∨ run.α * run.lam = 2) (t : Nat) :
    run.e (t + 1) - run.e t = run.α ^ 2 * run.σ ^ 2 := by
  have hc := sgdContraction_eq_one_of_marginal h
  unfold sgdContraction at hc
  rw [run.step t]
  unfold sgdEnergyStep
  grind

/-- The continuous-time drift vanishes at `ασ²/(2λ)` (for `λ ≠ 0`). -/
theorem sgdDrift_continuousSteadyState (α lam σ : F) (hlam : lam ≠ 0) :
    sgdDrift α lam σ (sgdContinuousSteadyState α lam σ) = 0 := by
  unfold sgdDrift sgdContinuousSteadyState
  grind

/-- The continuous drift is linear relaxation towards its steady state at rate `2αλ`. -/
theorem sgdDrift_eq_mul_sub (α lam σ e : F) (hlam : lam ≠ 0) :
    sgdDrift α lam σ e = -2 * α * lam * (e - sgdContinuousSteadyState α lam σ) := by
  unfold sgdDrift sgdContinuousSteadyState
  grind

/-- One discrete step moves the energy by the continuous drift plus `α²λ²e`. -/
theorem sgdEnergyStep_sub_self (α lam σ e : F) :
    sgdEnergyStep α lam σ e - e = sgdDrift α lam σ e + α ^ 2 * lam ^ 2 * e := by
  unfold sgdEnergyStep sgdDrift
  grind

/-- **Gap between the steady states:** discrete minus continuous equals `α²σ²/(2(2 - αλ))`. -/
theorem sgdFixedPoint_sub_continuousSteadyState (α lam σ : F) (hlam : lam ≠ 0)
    (hstable : α * lam ≠ 2) :
    sgdFixedPoint α lam σ - sgdContinuousSteadyState α lam σ = steadyStateGap α lam σ := by
  unfold sgdFixedPoint sgdContinuousSteadyState steadyStateGap
  have h2 : 2 - α * lam ≠ 0 := by grind
  grind

/-- In the stable window with `α, σ ≠ 0` the discrete steady state lies strictly above the
continuous one. -/
theorem sgdContinuousSteadyState_lt_sgdFixedPoint {α lam σ : F} (hlam : lam ≠ 0)
    (hstable : α * lam < 2) (hα : α ≠ 0) (hσ : σ ≠ 0) :
    sgdContinuousSteadyState α lam σ < sgdFixedPoint α lam σ := by
  have h := sgdFixedPoint_sub_continuousSteadyState α lam σ hlam (by grind)
  unfold steadyStateGap at h
  have h1 := sqPos hα
  have h2 := sqPos hσ
  have h3 := mulPos h1 h2
  have h4 : 0 < 2 * (2 - α * lam) := by grind
  have h6 := invPos h4
  have h7 := mulPos (a := α ^ 2 * σ ^ 2) (b := (2 * (2 - α * lam))⁻¹) (by grind) h6
  grind

end Theorems

/-! ### `Rat` instances of the main theorems -/

example : sgdEnergyStep (1 / 10 : Rat) 2 3 (sgdFixedPoint (1 / 10) 2 3) = sgdFixedPoint (1 / 10) 2 3 :=
  sgdFixedPoint_isFixedPoint _ _ _ (by grind) (by grind)

example : sgdContraction (1 / 10 : Rat) 2 < 1 := sgdContraction_lt_one (by grind) (by grind)

example : 1 < sgdContraction (3 : Rat) 1 := one_lt_sgdContraction (by grind)

example : sgdFixedPoint (1 / 10 : Rat) 2 3 - sgdContinuousSteadyState (1 / 10) 2 3
    = steadyStateGap (1 / 10) 2 3 :=
  sgdFixedPoint_sub_continuousSteadyState _ _ _ (by grind) (by grind)

example : sgdDrift (1 / 10 : Rat) 2 3 (sgdContinuousSteadyState (1 / 10) 2 3) = 0 :=
  sgdDrift_continuousSteadyState _ _ _ (by grind)

example : sgdEnergyStep (1 : Rat) 2 1 5 ≠ 5 := sgdEnergyStep_ne_self_of_marginal (by grind) (by grind) (by grind) _

/-- Energies of a concrete `Rat` run: `α = 1/10`, `λ = 2`, `σ = 3`, started at `e_0 = 0`. -/
def ratEnergy : Nat → Rat
  | 0 => 0
  | t + 1 => sgdEnergyStep (1 / 10) 2 3 (ratEnergy t)

/-- The run of `ratEnergy` packaged with its update law. -/
def ratRun : SgdEnergyRun Rat where
  α := 1 / 10
  lam := 2
  σ := 3
  e := ratEnergy
  step := fun _ => rfl

example (t : Nat) : ratRun.e t - sgdFixedPoint ratRun.α ratRun.lam ratRun.σ
    = sgdContraction ratRun.α ratRun.lam ^ t * (ratRun.e 0 - sgdFixedPoint ratRun.α ratRun.lam ratRun.σ) :=
  sgdEnergy_sub_fixedPoint_eq_pow ratRun (by simp only [ratRun]; grind) (by simp only [ratRun]; grind) t

end SpectralUniversality

end
