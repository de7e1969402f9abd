module

public import SpectralUniversality.Basic
public import SpectralUniversality.ModeDynamics

/-!
# Stochastic runs: the SGD energy law as a theorem (paper §9.1, §10 step 5, §5.3)

`ModeDynamics.SgdEnergyRun` takes the energy recursion `e_{t+1} = (1 − αλ)² e_t + α²σ²` as a field.
Here it is derived from the parameter dynamics `θ_{t+1} = (1 − αλ)θ_t − αξ_t` and the noise facts.

**How expectation is modelled (no Mathlib, no measure theory).** A `SecondOrderModel F` is a type `V`
of random quantities with addition, scaling by `F`, a linear mean `E[X]` (`mean`) and a symmetric,
bilinear, positive semidefinite second-moment form `E[XY]` (`cov`). This is all that the second moments
of a linear recursion use. The other natural encoding, random quantities `Ω → F` with a linear `E`
on *all* of them, cannot carry a concrete example: a linear functional that can be written down on all
of `Ω → F` without measure theory is a finite combination of point evaluations, and a finite sample
space carries only finitely many orthogonal noises of variance `σ² ≠ 0`. The second-order model
has a concrete instance with infinitely many orthogonal noises, `listModel`: random quantities are
finite coefficient lists over an orthonormal family `(1, ζ, ξ₀/σ, ξ₁/σ, …)` (a constant, a centred unit
variable for the initial condition, then the noises), `E[XY] = Σ xᵢ yᵢ` and `E[X] = x₀`, i.e. the
Gaussian Hilbert space of the run.

Proved here, over any ordered field:

* `SgdRun.energy_step`: `E[θ_{t+1}²] = (1 − αλ)² E[θ_t²] + α²σ²` from the update law,
  `E[θ_t ξ_t] = 0` and `E[ξ_t²] = σ²`; hence `SgdRun.toSgdEnergyRun`, so every theorem of
  `ModeDynamics` (fixed point, closed form, stability window, §9.1) applies to every stochastic run;
* `SgdRun.lagOneCov_eq`: `E[θ_{t+1}θ_t] = (1 − αλ) E[θ_t²]`, the lag-one autocovariance from which
  §10 step 5 reads the contraction `γ̂`; `SgdRun.mean_step`: the mean contracts by `1 − αλ`;
* heavy ball (§5.3), `θ_{t+1} = θ_t − α(λθ_t + ξ_t) + μ(θ_t − θ_{t−1})`: with `a = 1 + μ − αλ`, the joint
  recursion of `P_t = E[θ_t²]` and `Q_t = E[θ_tθ_{t−1}]` (`HeavyBallRun.secondMoment_step`),
  its fixed point `P* = ασ²(1+μ)/(λ(1−μ)(2(1+μ) − αλ))`, `Q* = aP*/(1+μ)`
  (`heavyBallFixedPoint_isFixedPoint`), `P* > 0` in the window (`heavyBallFixedPoint_pos`),
  `P*` at `μ = 0` is the SGD fixed point (`heavyBallFixedPoint_zero`), and the mean recursion
  `m_{t+2} = a m_{t+1} − μ m_t` (`HeavyBallRun.mean_step`);
* the stability window of the mean dynamics (Schur–Cohn/Jury for `z² − az + μ`): for real roots
  (`z² − az + μ = (z − r₁)(z − r₂)`), both roots lie in `(−1, 1)` iff
  `−1 < μ < 1 ∧ 0 < αλ < 2(1+μ)` (`heavyBallMean_stable_iff`); for a complex pair `u ± iv`
  (`v ≠ 0`, so `a² < 4μ`), the squared modulus is `μ` and it is `< 1` iff the same conditions hold
  (`heavyBallMean_stable_iff_complex`); `HeavyBallRun.mean_factor_pow` ties the roots to the run,
  `m_{t+1} − r₂m_t = r₁^t (m_1 − r₂m_0)`. A field has no square roots, so the two cases are stated
  with the roots as data. The window includes `−1 < μ < 0`; for the paper's `μ ≥ 0` it is
  `0 ≤ μ < 1 ∧ 0 < αλ < 2(1+μ)`.

Of the noise facts, the one-step laws use `E[ξ_t²] = σ²` and `E[θ_sξ_t] = 0` (the mean laws use
`E[ξ_t] = 0`); whiteness `E[ξ_tξ_s] = 0` is carried as a field (it is what makes `E[θ_sξ_t] = 0` hold
for an actual run) and is verified in the concrete model, but no theorem here needs it.

Concrete runs: `listSgdRun` and `listHeavyBallRun` build a run in `listModel` for any parameters and
initial condition `θ₀ = m₀ + s₀ζ`; at `Rat` (`ratSgdRun`: `α = 1/10, λ = 2, σ = 3, θ₀ = 1 + 2ζ`;
`ratHeavyBallRun`: the same with `μ = 1/2`) every noise fact holds for all `t`, `σ ≠ 0`, and the
energies are computed (`E[θ₀²] = 5`, `E[θ₁²] = 329/100`), so no example below is vacuous.
-/

@[expose] public section

set_option linter.unusedSectionVars false

namespace SpectralUniversality

/-- A second-order model of random quantities: a type `V` with addition and scaling, a linear mean
`mean X = E[X]` and a symmetric bilinear positive semidefinite second moment `cov X Y = E[XY]`. -/
structure SecondOrderModel (F : Type) [Lean.Grind.Field F] [LE F] [LT F] [Std.LawfulOrderLT F]
    [Std.IsLinearOrder F] [Lean.Grind.OrderedRing F] where
  /-- the random quantities -/
  V : Type
  /-- sum of random quantities -/
  add : V → V → V
  /-- scaling a random quantity by a constant -/
  smul : F → V → V
  /-- expectation `E[X]` -/
  mean : V → F
  /-- second moment `E[XY]` -/
  cov : V → V → F
  /-- `E[X + Y] = E[X] + E[Y]` -/
  mean_add : ∀ X Y, mean (add X Y) = mean X + mean Y
  /-- `E[cX] = c E[X]` -/
  mean_smul : ∀ (c : F) X, mean (smul c X) = c * mean X
  /-- `E[(X + Y)Z] = E[XZ] + E[YZ]` -/
  cov_add_left : ∀ X Y Z, cov (add X Y) Z = cov X Z + cov Y Z
  /-- `E[(cX)Z] = c E[XZ]` -/
  cov_smul_left : ∀ (c : F) X Z, cov (smul c X) Z = c * cov X Z
  /-- `E[XY] = E[YX]` -/
  cov_comm : ∀ X Y, cov X Y = cov Y X
  /-- `E[X²] ≥ 0` -/
  cov_self_nonneg : ∀ X, 0 ≤ cov X X

/-- A stochastic SGD run on one mode of a quadratic loss: learning rate `α`, curvature `lam`, noise
scale `σ`, parameters `θ t` and noises `ξ t` in a second-order model `M`, the update law
`θ_{t+1} = (1 − αλ)θ_t − αξ_t`, and the noise facts as fields. -/
structure SgdRun (F : Type) [Lean.Grind.Field F] [LE F] [LT F] [Std.LawfulOrderLT F]
    [Std.IsLinearOrder F] [Lean.Grind.OrderedRing F] where
  /-- the model of random quantities -/
  M : SecondOrderModel F
  /-- learning rate -/
  α : F
  /-- curvature of the mode -/
  lam : F
  /-- gradient-noise scale -/
  σ : F
  /-- the parameter at step `t` -/
  θ : Nat → M.V
  /-- the gradient noise at step `t` -/
  ξ : Nat → M.V
  /-- the SGD update `θ_{t+1} = (1 − αλ)θ_t − αξ_t` -/
  update : ∀ t, θ (t + 1) = M.add (M.smul (1 - α * lam) (θ t)) (M.smul (-α) (ξ t))
  /-- centred noise: `E[ξ_t] = 0` -/
  noise_mean : ∀ t, M.mean (ξ t) = 0
  /-- noise variance: `E[ξ_t²] = σ²` -/
  noise_var : ∀ t, M.cov (ξ t) (ξ t) = σ ^ 2
  /-- fresh noise: `E[θ_t ξ_t] = 0` -/
  noise_indep : ∀ t, M.cov (θ t) (ξ t) = 0
  /-- white noise: `E[ξ_t ξ_s] = 0` for `s < t` -/
  noise_white : ∀ s t, s < t → M.cov (ξ t) (ξ s) = 0

/-- A stochastic heavy-ball run (paper §5.3): `θ_{t+1} = θ_t − α(λθ_t + ξ_t) + μ(θ_t − θ_{t−1})`,
indexed from `θ 0`, `θ 1` (initial data) as `θ_{t+2} = (1 + μ − αλ)θ_{t+1} − μθ_t − αξ_{t+1}`. -/
structure HeavyBallRun (F : Type) [Lean.Grind.Field F] [LE F] [LT F] [Std.LawfulOrderLT F]
    [Std.IsLinearOrder F] [Lean.Grind.OrderedRing F] where
  /-- the model of random quantities -/
  M : SecondOrderModel F
  /-- learning rate -/
  α : F
  /-- curvature of the mode -/
  lam : F
  /-- gradient-noise scale -/
  σ : F
  /-- momentum -/
  μ : F
  /-- the parameter at step `t` -/
  θ : Nat → M.V
  /-- the gradient noise at step `t` -/
  ξ : Nat → M.V
  /-- the heavy-ball update, collected: `θ_{t+2} = (1 + μ − αλ)θ_{t+1} − μθ_t − αξ_{t+1}` -/
  update : ∀ t, θ (t + 2) =
    M.add (M.add (M.smul (1 + μ - α * lam) (θ (t + 1))) (M.smul (-μ) (θ t))) (M.smul (-α) (ξ (t + 1)))
  /-- centred noise: `E[ξ_t] = 0` -/
  noise_mean : ∀ t, M.mean (ξ t) = 0
  /-- noise variance: `E[ξ_t²] = σ²` -/
  noise_var : ∀ t, M.cov (ξ t) (ξ t) = σ ^ 2
  /-- causality: `E[θ_s ξ_t] = 0` for `s ≤ t` -/
  noise_indep : ∀ s t, s ≤ t → M.cov (θ s) (ξ t) = 0
  /-- white noise: `E[ξ_t ξ_s] = 0` for `s < t` -/
  noise_white : ∀ s t, s < t → M.cov (ξ t) (ξ s) = 0

section Theorems

variable {F : Type} [Lean.Grind.Field F] [LE F] [LT F] [Std.LawfulOrderLT F] [Std.IsLinearOrder F]
  [Lean.Grind.OrderedRing F]

/-- `E[X(Y + Z)] = E[XY] + E[XZ]`. -/
theorem SecondOrderModel.cov_add_right (M : SecondOrderModel F) (X Y Z : M.V) :
    M.cov X (M.add Y Z) = M.cov X Y + M.cov X Z := by
  rw [M.cov_comm, M.cov_add_left, M.cov_comm Y, M.cov_comm Z]

/-- `E[X(cZ)] = c E[XZ]`. -/
theorem SecondOrderModel.cov_smul_right (M : SecondOrderModel F) (c : F) (X Z : M.V) :
    M.cov X (M.smul c Z) = c * M.cov X Z := by
  rw [M.cov_comm, M.cov_smul_left, M.cov_comm Z]

/-- The energy `E[θ_t²]` of an SGD run. -/
def SgdRun.energy (r : SgdRun F) (t : Nat) : F := r.M.cov (r.θ t) (r.θ t)

/-- **The SGD energy law, proved:** `E[θ_{t+1}²] = (1 − αλ)² E[θ_t²] + α²σ²`. -/
theorem SgdRun.energy_step (r : SgdRun F) (t : Nat) :
    r.energy (t + 1) = (1 - r.α * r.lam) ^ 2 * r.energy t + r.α ^ 2 * r.σ ^ 2 := by
  unfold SgdRun.energy
  rw [r.update t]
  simp only [r.M.cov_add_left, r.M.cov_add_right, r.M.cov_smul_left, r.M.cov_smul_right]
  rw [r.M.cov_comm (r.ξ t) (r.θ t), r.noise_indep t, r.noise_var t]
  grind

/-- Every stochastic SGD run is an `SgdEnergyRun` with energies `e_t = E[θ_t²]`; the update law of
the energies is proved (`SgdRun.energy_step`), not assumed. -/
def SgdRun.toSgdEnergyRun (r : SgdRun F) : SgdEnergyRun F where
  α := r.α
  lam := r.lam
  σ := r.σ
  e := r.energy
  step := fun t => by
    unfold sgdEnergyStep
    exact r.energy_step t

/-- **Lag-one autocovariance (§10 step 5):** `E[θ_{t+1}θ_t] = (1 − αλ) E[θ_t²]`. -/
theorem SgdRun.lagOneCov_eq (r : SgdRun F) (t : Nat) :
    r.M.cov (r.θ (t + 1)) (r.θ t) = (1 - r.α * r.lam) * r.energy t := by
  unfold SgdRun.energy
  rw [r.update t]
  simp only [r.M.cov_add_left, r.M.cov_smul_left]
  rw [r.M.cov_comm (r.ξ t) (r.θ t), r.noise_indep t]
  grind

/-- The mean of an SGD run contracts by `1 − αλ`: `E[θ_{t+1}] = (1 − αλ) E[θ_t]`. -/
theorem SgdRun.mean_step (r : SgdRun F) (t : Nat) :
    r.M.mean (r.θ (t + 1)) = (1 - r.α * r.lam) * r.M.mean (r.θ t) := by
  rw [r.update t]
  simp only [r.M.mean_add, r.M.mean_smul]
  rw [r.noise_mean t]
  grind

/-- The second moment `P_t = E[θ_t²]` of a heavy-ball run. -/
def HeavyBallRun.P (r : HeavyBallRun F) (t : Nat) : F := r.M.cov (r.θ t) (r.θ t)

/-- The lag-one covariance `Q_{t+1} = E[θ_{t+1}θ_t]` of a heavy-ball run (indexed by `t`). -/
def HeavyBallRun.lagCov (r : HeavyBallRun F) (t : Nat) : F := r.M.cov (r.θ (t + 1)) (r.θ t)

/-- **Heavy-ball second moments.** With `a = 1 + μ − αλ`, `P_t = E[θ_t²]`, `Q_{t+1} = E[θ_{t+1}θ_t]`:
`P_{t+2} = a²P_{t+1} − 2aμQ_{t+1} + μ²P_t + α²σ²` and `Q_{t+2} = aP_{t+1} − μQ_{t+1}`. -/
theorem HeavyBallRun.secondMoment_step (r : HeavyBallRun F) (t : Nat) :
    r.P (t + 2) = (1 + r.μ - r.α * r.lam) ^ 2 * r.P (t + 1)
        - 2 * (1 + r.μ - r.α * r.lam) * r.μ * r.lagCov t + r.μ ^ 2 * r.P t + r.α ^ 2 * r.σ ^ 2 ∧
      r.lagCov (t + 1) = (1 + r.μ - r.α * r.lam) * r.P (t + 1) - r.μ * r.lagCov t := by
  have h1 := r.noise_indep (t + 1) (t + 1) (Nat.le_refl _)
  have h0 := r.noise_indep t (t + 1) (Nat.le_succ _)
  have hv := r.noise_var (t + 1)
  constructor
  · unfold HeavyBallRun.P HeavyBallRun.lagCov
    rw [r.update t]
    simp only [r.M.cov_add_left, r.M.cov_add_right, r.M.cov_smul_left, r.M.cov_smul_right]
    rw [r.M.cov_comm (r.ξ (t + 1)) (r.θ (t + 1)), r.M.cov_comm (r.ξ (t + 1)) (r.θ t),
      r.M.cov_comm (r.θ t) (r.θ (t + 1)), h1, h0, hv]
    grind
  · unfold HeavyBallRun.P HeavyBallRun.lagCov
    show r.M.cov (r.θ (t + 2)) (r.θ (t + 1)) = _
    rw [r.update t]
    simp only [r.M.cov_add_left, r.M.cov_smul_left]
    rw [r.M.cov_comm (r.ξ (t + 1)) (r.θ (t + 1)), r.M.cov_comm (r.θ t) (r.θ (t + 1)), h1]
    grind

/-- The mean of a heavy-ball run follows `m_{t+2} = (1 + μ − αλ) m_{t+1} − μ m_t`. -/
theorem HeavyBallRun.mean_step (r : HeavyBallRun F) (t : Nat) :
    r.M.mean (r.θ (t + 2)) = (1 + r.μ - r.α * r.lam) * r.M.mean (r.θ (t + 1)) - r.μ * r.M.mean (r.θ t) := by
  rw [r.update t]
  simp only [r.M.mean_add, r.M.mean_smul]
  rw [r.noise_mean (t + 1)]
  grind

/-- The heavy-ball stationary second moment `P* = ασ²(1+μ)/(λ(1−μ)(2(1+μ) − αλ))`. -/
def heavyBallFixedPoint (α lam σ μ : F) : F :=
  α * σ ^ 2 * (1 + μ) / (lam * (1 - μ) * (2 * (1 + μ) - α * lam))

/-- The heavy-ball stationary lag-one covariance `Q* = (1 + μ − αλ)P*/(1 + μ)`. -/
def heavyBallFixedLagCov (α lam σ μ : F) : F :=
  (1 + μ - α * lam) * heavyBallFixedPoint α lam σ μ / (1 + μ)

/-- **Heavy-ball fixed point.** For `λ ≠ 0`, `μ ≠ ±1`, `αλ ≠ 2(1+μ)`, the pair `(P*, Q*)` is a fixed
point of the second-moment recursion of `HeavyBallRun.secondMoment_step` (with `a = 1 + μ − αλ`). -/
theorem heavyBallFixedPoint_isFixedPoint (α lam σ μ : F) (hlam : lam ≠ 0) (hμ1 : μ ≠ 1)
    (hμm1 : μ ≠ -1) (hnotEdge : α * lam ≠ 2 * (1 + μ)) :
    heavyBallFixedPoint α lam σ μ
        = (1 + μ - α * lam) ^ 2 * heavyBallFixedPoint α lam σ μ
          - 2 * (1 + μ - α * lam) * μ * heavyBallFixedLagCov α lam σ μ
          + μ ^ 2 * heavyBallFixedPoint α lam σ μ + α ^ 2 * σ ^ 2 ∧
      heavyBallFixedLagCov α lam σ μ
        = (1 + μ - α * lam) * heavyBallFixedPoint α lam σ μ - μ * heavyBallFixedLagCov α lam σ μ := by
  have h1 : 1 - μ ≠ 0 := by grind
  have h2 : 1 + μ ≠ 0 := by grind
  have h3 : 2 * (1 + μ) - α * lam ≠ 0 := by grind
  have hd : lam * (1 - μ) * (2 * (1 + μ) - α * lam) ≠ 0 := by
    intro h0
    exact hlam (eqZeroOfMul (eqZeroOfMul h0 h3) h1)
  have hP : heavyBallFixedPoint α lam σ μ * (lam * (1 - μ) * (2 * (1 + μ) - α * lam))
      = α * σ ^ 2 * (1 + μ) := by
    unfold heavyBallFixedPoint
    grind
  unfold heavyBallFixedLagCov
  generalize heavyBallFixedPoint α lam σ μ = P at hP ⊢
  have hP' : P * (1 - μ) * (α * lam) * (2 * (1 + μ) - α * lam) = α ^ 2 * σ ^ 2 * (1 + μ) := by
    have := congrArg (α * ·) hP
    simp only at this
    grind
  constructor
  · have h4 : ((1 + μ - α * lam) ^ 2 * P - 2 * (1 + μ - α * lam) * μ * ((1 + μ - α * lam) * P / (1 + μ))
        + μ ^ 2 * P + α ^ 2 * σ ^ 2 - P) * (1 + μ) = 0 := by
      grind
    have := eqZeroOfMul h4 h2
    grind
  · grind

/-- At `μ = 0` the heavy-ball fixed point is the SGD fixed point `ασ²/(λ(2 − αλ))`. -/
theorem heavyBallFixedPoint_zero (α lam σ : F) :
    heavyBallFixedPoint α lam σ 0 = sgdFixedPoint α lam σ := by
  unfold heavyBallFixedPoint sgdFixedPoint
  grind

/-- In the window (`α, λ > 0`, `−1 < μ < 1`, `αλ < 2(1+μ)`) with `σ ≠ 0`, `P* > 0`. -/
theorem heavyBallFixedPoint_pos {α lam σ μ : F} (hα : 0 < α) (hlam : 0 < lam) (hμlo : -1 < μ)
    (hμhi : μ < 1) (hstable : α * lam < 2 * (1 + μ)) (hσ : σ ≠ 0) :
    0 < heavyBallFixedPoint α lam σ μ := by
  unfold heavyBallFixedPoint
  have hn : 0 < α * σ ^ 2 * (1 + μ) := by
    have := mulPos (mulPos hα (sqPos hσ)) (by grind : (0 : F) < 1 + μ)
    grind
  have hd : 0 < lam * (1 - μ) * (2 * (1 + μ) - α * lam) :=
    mulPos (mulPos hlam (by grind)) (by grind)
  have := mulPos hn (invPos hd)
  grind

/-- Schur–Cohn for real roots: if `z² − az + μ = (z − r₁)(z − r₂)`, both roots lie in `(−1, 1)` iff
`μ < 1` and `|a| < 1 + μ`. -/
theorem realRoots_stable_iff {a μ r₁ r₂ : F} (hsum : r₁ + r₂ = a) (hprod : r₁ * r₂ = μ) :
    ((-1 < r₁ ∧ r₁ < 1) ∧ (-1 < r₂ ∧ r₂ < 1)) ↔ (μ < 1 ∧ -(1 + μ) < a ∧ a < 1 + μ) := by
  constructor
  · intro ⟨⟨h1, h2⟩, h3, h4⟩
    have p1 := mulPos (by grind : (0 : F) < 1 - r₁) (by grind : (0 : F) < 1 - r₂)
    have p2 := mulPos (by grind : (0 : F) < 1 + r₁) (by grind : (0 : F) < 1 + r₂)
    have p3 := mulPos (by grind : (0 : F) < 1 - r₁) (by grind : (0 : F) < 1 + r₂)
    have p4 := mulPos (by grind : (0 : F) < 1 + r₁) (by grind : (0 : F) < 1 - r₂)
    grind
  · intro ⟨h1, h2, h3⟩
    -- `(1 − r₁)(1 − r₂) = 1 − a + μ > 0` and `(1 + r₁)(1 + r₂) = 1 + a + μ > 0`
    have q1 : 0 < (1 - r₁) * (1 - r₂) := by grind
    have q2 : 0 < (1 + r₁) * (1 + r₂) := by grind
    have key : ∀ x y : F, x + y = a → x * y = μ → 0 < (1 - x) * (1 - y) → 0 < (1 + x) * (1 + y) →
        -1 < x ∧ x < 1 := by
      intro x y hxy hp q1 q2
      constructor
      · rcases (by grind : -1 < x ∨ x ≤ -1) with hx | hx
        · exact hx
        · rcases (by grind : y < -1 ∨ -1 ≤ y) with hy | hy
          · have := mulNonneg (by grind : (0 : F) ≤ -1 - x) (by grind : (0 : F) ≤ -1 - y)
            grind
          · have := mulNonneg (by grind : (0 : F) ≤ -(1 + x)) (by grind : (0 : F) ≤ 1 + y)
            grind
      · rcases (by grind : x < 1 ∨ 1 ≤ x) with hx | hx
        · exact hx
        · rcases (by grind : 1 < y ∨ y ≤ 1) with hy | hy
          · have := mulNonneg (by grind : (0 : F) ≤ x - 1) (by grind : (0 : F) ≤ y - 1)
            grind
          · have := mulNonneg (by grind : (0 : F) ≤ x - 1) (by grind : (0 : F) ≤ 1 - y)
            grind
    exact ⟨key r₁ r₂ hsum hprod q1 q2,
      key r₂ r₁ (by grind) (by grind) (by grind) (by grind)⟩

/-- **Stability window of the heavy-ball mean dynamics, real roots.** If the characteristic polynomial
`z² − (1 + μ − αλ)z + μ` of `m_{t+2} = (1 + μ − αλ)m_{t+1} − μm_t` factors as `(z − r₁)(z − r₂)`, both
roots lie in `(−1, 1)` (every mean trajectory contracts to `0`) iff `−1 < μ < 1` and `0 < αλ < 2(1+μ)`. -/
theorem heavyBallMean_stable_iff {α lam μ r₁ r₂ : F} (hsum : r₁ + r₂ = 1 + μ - α * lam)
    (hprod : r₁ * r₂ = μ) :
    ((-1 < r₁ ∧ r₁ < 1) ∧ (-1 < r₂ ∧ r₂ < 1)) ↔
      (-1 < μ ∧ μ < 1 ∧ 0 < α * lam ∧ α * lam < 2 * (1 + μ)) := by
  rw [realRoots_stable_iff hsum hprod]
  grind

/-- **Stability window of the heavy-ball mean dynamics, complex roots.** If the roots of
`z² − (1 + μ − αλ)z + μ` are a complex pair `u ± iv` with `v ≠ 0` (i.e. `2u = 1 + μ − αλ`,
`u² + v² = μ`, so the discriminant is `−4v² < 0`), their squared modulus `u² + v²` is `< 1` iff
`−1 < μ < 1` and `0 < αλ < 2(1+μ)`. -/
theorem heavyBallMean_stable_iff_complex {α lam μ u v : F} (hv : v ≠ 0)
    (hre : 2 * u = 1 + μ - α * lam) (hmod : u ^ 2 + v ^ 2 = μ) :
    u ^ 2 + v ^ 2 < 1 ↔ (-1 < μ ∧ μ < 1 ∧ 0 < α * lam ∧ α * lam < 2 * (1 + μ)) := by
  have hv2 := sqPos hv
  have h1 := sqNonneg (1 - u)
  have h2 := sqNonneg (1 + u)
  have hu := sqNonneg u
  constructor
  · intro h
    grind
  · intro h
    grind

/-- **Roots drive the mean.** If `z² − (1 + μ − αλ)z + μ = (z − r₁)(z − r₂)`, the mean `m_t = E[θ_t]` of a
heavy-ball run satisfies `m_{t+1} − r₂m_t = r₁^t (m_1 − r₂m_0)`: the factorisation behind
`heavyBallMean_stable_iff`. -/
theorem HeavyBallRun.mean_factor_pow (r : HeavyBallRun F) {r₁ r₂ : F}
    (hsum : r₁ + r₂ = 1 + r.μ - r.α * r.lam) (hprod : r₁ * r₂ = r.μ) (t : Nat) :
    r.M.mean (r.θ (t + 1)) - r₂ * r.M.mean (r.θ t)
      = r₁ ^ t * (r.M.mean (r.θ 1) - r₂ * r.M.mean (r.θ 0)) := by
  induction t with
  | zero => grind
  | succ k ih =>
    have h := r.mean_step k
    rw [show k + 1 + 1 = k + 2 from rfl, h]
    have h2 : (1 + r.μ - r.α * r.lam) * r.M.mean (r.θ (k + 1)) - r.μ * r.M.mean (r.θ k)
        - r₂ * r.M.mean (r.θ (k + 1)) = r₁ * (r.M.mean (r.θ (k + 1)) - r₂ * r.M.mean (r.θ k)) := by
      rw [← hsum, ← hprod]
      grind
    rw [h2, ih]
    grind

/-! ### A concrete second-order model: coefficient lists over an orthonormal family -/

/-- Sum of coefficient lists (missing entries are `0`). -/
def lAdd : List F → List F → List F
  | [], ys => ys
  | x :: xs, [] => x :: xs
  | x :: xs, y :: ys => (x + y) :: lAdd xs ys

/-- Scaling a coefficient list. -/
def lSmul (c : F) : List F → List F
  | [] => []
  | x :: xs => (c * x) :: lSmul c xs

/-- Mean: the coefficient of the constant `1` (entry `0`; the other basis elements are centred). -/
def lMean : List F → F
  | [] => 0
  | x :: _ => x

/-- Second moment `E[XY] = Σ xᵢ yᵢ` over the orthonormal family. -/
def lCov : List F → List F → F
  | [], _ => 0
  | _ :: _, [] => 0
  | x :: xs, y :: ys => x * y + lCov xs ys

/-- `E[(X + Y)Z] = E[XZ] + E[YZ]` in the list model. -/
theorem lCov_add_left (X Y Z : List F) : lCov (lAdd X Y) Z = lCov X Z + lCov Y Z := by
  induction X generalizing Y Z with
  | nil => simp only [lAdd, lCov]; grind
  | cons x xs ih =>
    cases Y with
    | nil => cases Z <;> simp only [lAdd, lCov] <;> grind
    | cons y ys =>
      cases Z with
      | nil => simp only [lAdd, lCov]; grind
      | cons z zs => simp only [lAdd, lCov]; rw [ih]; grind

/-- `E[(cX)Z] = c E[XZ]` in the list model. -/
theorem lCov_smul_left (c : F) (X Z : List F) : lCov (lSmul c X) Z = c * lCov X Z := by
  induction X generalizing Z with
  | nil => simp only [lSmul, lCov]; grind
  | cons x xs ih =>
    cases Z with
    | nil => simp only [lSmul, lCov]; grind
    | cons z zs => simp only [lSmul, lCov]; rw [ih]; grind

/-- `E[XY] = E[YX]` in the list model. -/
theorem lCov_comm (X Y : List F) : lCov X Y = lCov Y X := by
  induction X generalizing Y with
  | nil => cases Y <;> simp only [lCov]
  | cons x xs ih =>
    cases Y with
    | nil => simp only [lCov]
    | cons y ys => simp only [lCov]; rw [ih]; grind

/-- `E[X²] = Σ xᵢ² ≥ 0` in the list model. -/
theorem lCov_self_nonneg (X : List F) : 0 ≤ lCov X X := by
  induction X with
  | nil => simp only [lCov]; grind
  | cons x xs ih =>
    simp only [lCov]
    have := sqNonneg x
    grind

/-- The mean is additive in the list model. -/
theorem lMean_add (X Y : List F) : lMean (lAdd X Y) = lMean X + lMean Y := by
  cases X <;> cases Y <;> simp only [lAdd, lMean] <;> grind

/-- The mean is homogeneous in the list model. -/
theorem lMean_smul (c : F) (X : List F) : lMean (lSmul c X) = c * lMean X := by
  cases X <;> simp only [lSmul, lMean] <;> grind

/-- The coefficient-list model: `V = List F`, `E[XY] = Σ xᵢ yᵢ`, `E[X] = x₀`. -/
def listModel : SecondOrderModel F where
  V := List F
  add := lAdd
  smul := lSmul
  mean := lMean
  cov := lCov
  mean_add := lMean_add
  mean_smul := lMean_smul
  cov_add_left := lCov_add_left
  cov_smul_left := lCov_smul_left
  cov_comm := lCov_comm
  cov_self_nonneg := lCov_self_nonneg

/-- The sum is as long as the longer summand. -/
theorem lAdd_length (xs ys : List F) : (lAdd xs ys).length = max xs.length ys.length := by
  induction xs generalizing ys with
  | nil => simp [lAdd]
  | cons x xs ih =>
    cases ys with
    | nil => simp [lAdd]
    | cons y ys => simp only [lAdd, List.length_cons, ih]; omega

/-- Scaling keeps the length. -/
theorem lSmul_length (c : F) (xs : List F) : (lSmul c xs).length = xs.length := by
  induction xs with
  | nil => simp [lSmul]
  | cons x xs ih => simp [lSmul, ih]

/-- `σ` times basis element `n`: `n` zero coefficients, then `σ`. -/
def lUnit (σ : F) : Nat → List F
  | 0 => [σ]
  | n + 1 => 0 :: lUnit σ n

/-- Basis element `n` has `n + 1` coefficients. -/
theorem lUnit_length (σ : F) (n : Nat) : (lUnit σ n).length = n + 1 := by
  induction n with
  | zero => simp [lUnit]
  | succ k ih => simp [lUnit, ih]

/-- A list of length `≤ n` is orthogonal to basis element `n`. -/
theorem lCov_lUnit (X : List F) (σ : F) (n : Nat) (h : X.length ≤ n) : lCov X (lUnit σ n) = 0 := by
  induction X generalizing n with
  | nil => simp only [lCov]
  | cons x xs ih =>
    cases n with
    | zero => simp at h
    | succ k =>
      simp only [lUnit, lCov]
      rw [ih k (by simp at h; omega)]
      grind

/-- `E[(σ eₙ)²] = σ²`. -/
theorem lCov_lUnit_self (σ : F) (n : Nat) : lCov (lUnit σ n) (lUnit σ n) = σ ^ 2 := by
  induction n with
  | zero => simp only [lUnit, lCov]; grind
  | succ k ih => simp only [lUnit, lCov]; rw [ih]; grind

/-- The noise `ξ_t = σ · (basis element t + 2)`. -/
def listNoise (σ : F) (t : Nat) : List F := lUnit σ (t + 2)

/-- `ξ_t` has `t + 3` coefficients. -/
theorem listNoise_length (σ : F) (t : Nat) : (listNoise σ t).length = t + 3 := by
  simp [listNoise, lUnit_length]

/-- The noise is centred: `E[ξ_t] = 0`. -/
theorem lMean_listNoise (σ : F) (t : Nat) : lMean (listNoise σ t) = 0 := by
  simp only [listNoise, lUnit, lMean]

/-- The noise has variance `σ²`. -/
theorem lCov_listNoise_self (σ : F) (t : Nat) : lCov (listNoise σ t) (listNoise σ t) = σ ^ 2 :=
  lCov_lUnit_self σ (t + 2)

/-- Distinct noises are orthogonal: `E[ξ_tξ_s] = 0` for `s < t`. -/
theorem lCov_listNoise_white (σ : F) {s t : Nat} (h : s < t) :
    lCov (listNoise σ t) (listNoise σ s) = 0 := by
  rw [lCov_comm]
  exact lCov_lUnit _ _ _ (by rw [listNoise_length]; omega)

/-- SGD parameters in the list model, from `θ₀ = m₀ · 1 + s₀ ζ`. -/
def listSgdθ (α lam σ m₀ s₀ : F) : Nat → List F
  | 0 => [m₀, s₀]
  | t + 1 => lAdd (lSmul (1 - α * lam) (listSgdθ α lam σ m₀ s₀ t)) (lSmul (-α) (listNoise σ t))

/-- `θ_t` has `t + 2` coefficients, so it is orthogonal to `ξ_t` and every later noise. -/
theorem listSgdθ_length (α lam σ m₀ s₀ : F) (t : Nat) : (listSgdθ α lam σ m₀ s₀ t).length = t + 2 := by
  induction t with
  | zero => simp [listSgdθ]
  | succ k ih => simp only [listSgdθ, lAdd_length, lSmul_length, listNoise_length, ih]; omega

/-- A concrete stochastic SGD run for any parameters: every noise fact holds for all `t`. -/
def listSgdRun (α lam σ m₀ s₀ : F) : SgdRun F where
  M := listModel
  α := α
  lam := lam
  σ := σ
  θ := listSgdθ α lam σ m₀ s₀
  ξ := listNoise σ
  update := fun _ => rfl
  noise_mean := fun t => lMean_listNoise σ t
  noise_var := fun t => lCov_listNoise_self σ t
  noise_indep := fun t => lCov_lUnit _ σ (t + 2) (by rw [listSgdθ_length]; omega)
  noise_white := fun _ _ h => lCov_listNoise_white σ h

/-- Heavy-ball parameters in the list model, from `θ₀ = m₀ · 1 + s₀ ζ` and the SGD first step
`θ₁ = (1 − αλ)θ₀ − αξ₀`. -/
def listHbθ (α lam σ μ m₀ s₀ : F) : Nat → List F
  | 0 => [m₀, s₀]
  | 1 => lAdd (lSmul (1 - α * lam) [m₀, s₀]) (lSmul (-α) (listNoise σ 0))
  | t + 2 => lAdd (lAdd (lSmul (1 + μ - α * lam) (listHbθ α lam σ μ m₀ s₀ (t + 1)))
      (lSmul (-μ) (listHbθ α lam σ μ m₀ s₀ t))) (lSmul (-α) (listNoise σ (t + 1)))

/-- Heavy-ball `θ_t` has `t + 2` coefficients, so it is orthogonal to `ξ_t` and every later noise. -/
theorem listHbθ_length (α lam σ μ m₀ s₀ : F) : ∀ t, (listHbθ α lam σ μ m₀ s₀ t).length = t + 2
  | 0 => by simp [listHbθ]
  | 1 => by simp only [listHbθ, lAdd_length, lSmul_length, listNoise_length]; simp
  | t + 2 => by
    simp only [listHbθ, lAdd_length, lSmul_length, listNoise_length,
      listHbθ_length α lam σ μ m₀ s₀ t, listHbθ_length α lam σ μ m₀ s₀ (t + 1)]
    omega

/-- A concrete stochastic heavy-ball run for any parameters: every noise fact holds for all `t`. -/
def listHeavyBallRun (α lam σ μ m₀ s₀ : F) : HeavyBallRun F where
  M := listModel
  α := α
  lam := lam
  σ := σ
  μ := μ
  θ := listHbθ α lam σ μ m₀ s₀
  ξ := listNoise σ
  update := fun _ => rfl
  noise_mean := fun t => lMean_listNoise σ t
  noise_var := fun t => lCov_listNoise_self σ t
  noise_indep := fun s t h =>
    lCov_lUnit _ σ (t + 2) (by rw [listHbθ_length]; omega)
  noise_white := fun _ _ h => lCov_listNoise_white σ h

end Theorems

/-! ### `Rat` instances: concrete runs with `σ ≠ 0` and nonzero energies -/

/-- SGD over `Rat`: `α = 1/10`, `λ = 2`, `σ = 3`, `θ₀ = 1 + 2ζ`. -/
def ratSgdRun : SgdRun Rat := listSgdRun (1 / 10) 2 3 1 2

/-- Heavy ball over `Rat`: `α = 1/10`, `λ = 2`, `σ = 3`, `μ = 1/2`, `θ₀ = 1 + 2ζ`. -/
def ratHeavyBallRun : HeavyBallRun Rat := listHeavyBallRun (1 / 10) 2 3 (1 / 2) 1 2

example : ratSgdRun.σ ≠ 0 := by show (3 : Rat) ≠ 0; grind

/-- The initial energy of `ratSgdRun` is `E[(1 + 2ζ)²] = 5`. -/
theorem ratSgdRun_energy_zero : ratSgdRun.energy 0 = 5 := by
  show lCov [(1 : Rat), 2] [1, 2] = 5
  simp only [lCov]
  grind

/-- The energy after one step, from the law: `(4/5)² · 5 + (1/10)² · 9 = 329/100`. -/
theorem ratSgdRun_energy_one : ratSgdRun.energy 1 = 329 / 100 := by
  rw [ratSgdRun.energy_step 0, ratSgdRun_energy_zero]
  show (1 - (1 / 10 : Rat) * 2) ^ 2 * 5 + (1 / 10) ^ 2 * 3 ^ 2 = 329 / 100
  grind

/-- The same energy computed directly in the model: `θ₁ = (4/5, 8/5, −3/10)`. -/
example : ratSgdRun.energy 1 = 329 / 100 := by
  show lCov (lAdd (lSmul (1 - (1 / 10 : Rat) * 2) [1, 2]) (lSmul (-(1 / 10)) [0, 0, 3]))
    (lAdd (lSmul (1 - (1 / 10 : Rat) * 2) [1, 2]) (lSmul (-(1 / 10)) [0, 0, 3])) = 329 / 100
  simp only [lSmul, lAdd, lCov]
  grind

example (t : Nat) : ratSgdRun.energy (t + 1)
    = (1 - ratSgdRun.α * ratSgdRun.lam) ^ 2 * ratSgdRun.energy t + ratSgdRun.α ^ 2 * ratSgdRun.σ ^ 2 :=
  ratSgdRun.energy_step t

/-- Every `ModeDynamics` theorem applies: the closed form for the concrete stochastic run. -/
example (t : Nat) : ratSgdRun.toSgdEnergyRun.e t - sgdFixedPoint (1 / 10) 2 3
    = sgdContraction (1 / 10) 2 ^ t * (5 - sgdFixedPoint (1 / 10) 2 3) := by
  have h := sgdEnergy_sub_fixedPoint_eq_pow ratSgdRun.toSgdEnergyRun
    (by show (2 : Rat) ≠ 0; grind) (by show (1 / 10 : Rat) * 2 ≠ 2; grind) t
  have h0 : ratSgdRun.toSgdEnergyRun.e 0 = 5 := ratSgdRun_energy_zero
  rw [h0] at h
  exact h

example : ratSgdRun.M.cov (ratSgdRun.θ 1) (ratSgdRun.θ 0) = 4 := by
  rw [ratSgdRun.lagOneCov_eq 0, ratSgdRun_energy_zero]
  show (1 - (1 / 10 : Rat) * 2) * 5 = 4
  grind

example (t : Nat) : ratHeavyBallRun.P (t + 2)
      = (3 / 2 - 1 / 5 : Rat) ^ 2 * ratHeavyBallRun.P (t + 1)
        - 2 * (3 / 2 - 1 / 5) * (1 / 2) * ratHeavyBallRun.lagCov t + (1 / 2) ^ 2 * ratHeavyBallRun.P t
        + (1 / 10) ^ 2 * 3 ^ 2 := by
  rw [(ratHeavyBallRun.secondMoment_step t).1]
  show (1 + 1 / 2 - 1 / 10 * 2 : Rat) ^ 2 * ratHeavyBallRun.P (t + 1)
        - 2 * (1 + 1 / 2 - 1 / 10 * 2) * (1 / 2) * ratHeavyBallRun.lagCov t + (1 / 2) ^ 2 * ratHeavyBallRun.P t
        + (1 / 10) ^ 2 * 3 ^ 2 = _
  grind

example : ratHeavyBallRun.P 0 = 5 := by
  show lCov [(1 : Rat), 2] [1, 2] = 5
  simp only [lCov]
  grind

example : heavyBallFixedPoint (1 / 10 : Rat) 2 3 (1 / 2) = 27 / 56 := by
  unfold heavyBallFixedPoint
  grind

example := heavyBallFixedPoint_isFixedPoint (1 / 10 : Rat) 2 3 (1 / 2)
  (by grind) (by grind) (by grind) (by grind)

example : 0 < heavyBallFixedPoint (1 / 10 : Rat) 2 3 (1 / 2) :=
  heavyBallFixedPoint_pos (by grind) (by grind) (by grind) (by grind) (by grind) (by grind)

/-- Real roots `1/2, 1/4`: `μ = 1/8`, `a = 3/4`, `αλ = 3/8` (`α = 3/16`, `λ = 2`): stable. -/
example : (-1 < (1 / 2 : Rat) ∧ (1 / 2 : Rat) < 1) ∧ (-1 < (1 / 4 : Rat) ∧ (1 / 4 : Rat) < 1) :=
  (heavyBallMean_stable_iff (α := 3 / 16) (lam := 2) (μ := 1 / 8) (by grind) (by grind)).mpr
    ⟨by grind, by grind, by grind, by grind⟩

/-- Real roots `2, 1/4` (`μ = 1/2`, `αλ = 1 + 1/2 − 9/4 < 0`): the window fails, so does stability. -/
example : ¬ ((-1 < (2 : Rat) ∧ (2 : Rat) < 1) ∧ (-1 < (1 / 4 : Rat) ∧ (1 / 4 : Rat) < 1)) := by
  rw [heavyBallMean_stable_iff (α := -3 / 8) (lam := 2) (μ := 1 / 2) (by grind) (by grind)]
  grind

/-- Complex roots `1/2 ± i/2`: `μ = 1/2`, `a = 1`, `αλ = 1/2` (`α = 1/4`, `λ = 2`): stable. -/
example : (1 / 2 : Rat) ^ 2 + (1 / 2) ^ 2 < 1 :=
  (heavyBallMean_stable_iff_complex (α := 1 / 4) (lam := 2) (μ := 1 / 2) (by grind) (by grind)
    (by grind)).mpr ⟨by grind, by grind, by grind, by grind⟩

/-- Heavy ball over `Rat` with real roots `1/2, 1/4`: `α = 3/16`, `λ = 2`, `σ = 3`, `μ = 1/8`. -/
def ratHeavyBallRunReal : HeavyBallRun Rat := listHeavyBallRun (3 / 16) 2 3 (1 / 8) 1 2

example (t : Nat) : ratHeavyBallRunReal.M.mean (ratHeavyBallRunReal.θ (t + 1))
      - 1 / 4 * ratHeavyBallRunReal.M.mean (ratHeavyBallRunReal.θ t)
    = (1 / 2) ^ t * (ratHeavyBallRunReal.M.mean (ratHeavyBallRunReal.θ 1)
      - 1 / 4 * ratHeavyBallRunReal.M.mean (ratHeavyBallRunReal.θ 0)) :=
  ratHeavyBallRunReal.mean_factor_pow (by show (1 / 2 : Rat) + 1 / 4 = 1 + 1 / 8 - 3 / 16 * 2; grind)
    (by show (1 / 2 : Rat) * (1 / 4) = 1 / 8; grind) t

/-- Its mean starts at `E[θ₀] = 1` and `E[θ₁] = (1 − αλ) · 1 = 5/8` (the noise is centred). -/
example : ratHeavyBallRunReal.M.mean (ratHeavyBallRunReal.θ 1) = 5 / 8 := by
  show lMean (lAdd (lSmul (1 - (3 / 16 : Rat) * 2) [1, 2]) (lSmul (-(3 / 16)) (lUnit 3 2))) = 5 / 8
  simp only [lUnit, lSmul, lAdd, lMean]
  grind

end SpectralUniversality

end
