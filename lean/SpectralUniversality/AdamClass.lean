module

public import SpectralUniversality.ModeDynamics

/-!
# The Adam model of paper §9 and the within-class constants (§2.2, §9.1, §9.2)

Adam on mode `k` is modelled (paper §9.1) as SGD with the per-mode effective rate `α/r`, where
`r = √v̂ = √(λ²e + σ²)`. A field has no square root, so `r` is carried as data with `r > 0` and
`r² = λ²e + σ²` (`AdamMode`).

Proved here, over any ordered field:

* `adamDrift_eq_sgdDrift_adamRate`: the Adam drift is the SGD drift at rate `α/r`, exactly;
* `adamDrift_eq_sgdDrift_of_noiseDominated`: in the noise-dominated limit `r = σ` it is exactly
  the SGD drift at the class rate `α̃ = α/σ` (the paper's §9.1 claim, which the paper states
  with `≈`); `AdamMode.r_eq_σ_of_noiseDominated`: `r = σ` holds exactly iff the curvature term
  `λ²e` vanishes, so away from `e = 0` the identity is only approximate — how approximate is
  quantified in `PerturbationBound`;
* the within-class constants as definitions with their identities: `classRate` (`α̃ = α/σ`),
  `contractionRate` (`γ_k = 2α̃λ_k`, `sgdDrift_eq_contractionRate`), `noiseRatio`
  (`η = σ²/λ₁²`, `noiseRatio_mul_sq`), and `classRate_sq_mul_sq` (`α̃²σ² = α²`: at the class
  rate the injected noise no longer depends on `σ`).
-/

@[expose] public section

set_option linter.unusedSectionVars false

namespace SpectralUniversality

variable {F : Type} [Lean.Grind.Field F] [LE F] [LT F] [Std.LawfulOrderLT F] [Std.IsLinearOrder F]
  [Lean.Grind.OrderedRing F]


/-- Adam's effective per-mode learning rate `α / r`, where `r = √(λ²e + σ²)` (paper §9.1). -/
def adamRate (α r : F) : F := α / r

/-- Adam's per-mode energy drift `-2(α/r)λe + (α/r)²σ²` (paper §9.1). -/
def adamDrift (α lam σ e r : F) : F := -2 * adamRate α r * lam * e + adamRate α r ^ 2 * σ ^ 2

/-- The within-class rate `α̃ = α/σ` that Adam shares with SGD (paper §9.1). -/
def classRate (α σ : F) : F := α / σ

/-- The per-mode contraction rate `γ_k = 2α̃λ_k` (paper §2.2, §9.2). -/
def contractionRate (αt lam : F) : F := 2 * αt * lam

/-- The noise ratio `η = σ²/λ₁²` (paper §2.2, §9.2). -/
def noiseRatio (σ lam1 : F) : F := σ ^ 2 / lam1 ^ 2

/-- One Adam mode in the §9 model: the preconditioner `r` is carried with `r > 0` and
`r² = λ²e + σ²` (a field has no square root). -/
structure AdamMode (F : Type) [Lean.Grind.Field F] [LE F] [LT F] [Std.LawfulOrderLT F]
    [Std.IsLinearOrder F] [Lean.Grind.OrderedRing F] where
  /-- base learning rate -/
  α : F
  /-- curvature of the mode -/
  lam : F
  /-- gradient-noise scale -/
  σ : F
  /-- mode energy -/
  e : F
  /-- the preconditioner `√v̂` -/
  r : F
  /-- the preconditioner is positive -/
  r_pos : 0 < r
  /-- the preconditioner squares to the second moment `λ²e + σ²` -/
  r_sq : r ^ 2 = lam ^ 2 * e + σ ^ 2

private theorem mulPos {a b : F} (ha : 0 < a) (hb : 0 < b) : 0 < a * b := by
  first
  | exact Lean.Grind.OrderedRing.mul_pos ha hb
  | (have h := Lean.Grind.OrderedRing.mul_lt_mul_of_pos_left hb ha; grind)

private theorem mulNonneg {a b : F} (ha : 0 ≤ a) (hb : 0 ≤ b) : 0 ≤ a * b := by
  first
  | exact Lean.Grind.OrderedRing.mul_nonneg ha hb
  | (have h := mulLeMulLeft hb ha; grind)

private theorem invPos {a : F} (h : 0 < a) : 0 < a⁻¹ := by
  have h1 : a * a⁻¹ = 1 := by grind
  have h2 : a⁻¹ < 0 ∨ a⁻¹ = 0 ∨ 0 < a⁻¹ := by grind
  rcases h2 with h2 | h2 | h2
  · have := mulPos h (by grind : 0 < -a⁻¹)
    grind
  · rw [h2] at h1
    grind
  · exact h2

private theorem leOfLt {a b : F} (h : a < b) : a ≤ b := by grind

private theorem mulLeMulLeft {a b c : F} (h : a ≤ b) (hc : 0 ≤ c) : c * a ≤ c * b := by
  have := mulNonneg hc (by grind : (0 : F) ≤ b - a)
  grind

private theorem eqZeroOfMul {a b : F} (h : a * b = 0) (hb : b ≠ 0) : a = 0 := by
  have h2 : a = a * b * b⁻¹ := by grind
  grind

/-- Adam's drift is the SGD drift at the effective rate `α/r`. -/
theorem adamDrift_eq_sgdDrift_adamRate (α lam σ e r : F) :
    adamDrift α lam σ e r = sgdDrift (adamRate α r) lam σ e := by
  unfold adamDrift sgdDrift
  grind

/-- **Paper §9.1, exactly.** In the noise-dominated limit `r = σ` the Adam drift equals the SGD
drift with the rescaled rate `α̃ = α/σ`. -/
theorem adamDrift_eq_sgdDrift_of_noiseDominated (α lam σ e r : F) (hr : r = σ) :
    adamDrift α lam σ e r = sgdDrift (classRate α σ) lam σ e := by
  subst hr
  unfold adamDrift adamRate sgdDrift classRate
  grind

/-- The preconditioner equals `σ` exactly when the curvature term vanishes (`λ²e = 0`). -/
theorem AdamMode.r_eq_σ_of_noiseDominated (m : AdamMode F) (hσ : 0 < m.σ)
    (hnoise : m.lam ^ 2 * m.e = 0) : m.r = m.σ := by
  have h1 : (m.r - m.σ) * (m.r + m.σ) = 0 := by
    have := m.r_sq
    grind
  have h2 : m.r + m.σ ≠ 0 := by
    have := m.r_pos
    grind
  have := eqZeroOfMul h1 h2
  grind

/-- For every Adam mode with `λ²e = 0` and `σ > 0`, the drift is the SGD drift at `α̃`. -/
theorem AdamMode.adamDrift_eq_sgdDrift_classRate (m : AdamMode F) (hσ : 0 < m.σ)
    (hnoise : m.lam ^ 2 * m.e = 0) :
    adamDrift m.α m.lam m.σ m.e m.r = sgdDrift (classRate m.α m.σ) m.lam m.σ m.e :=
  adamDrift_eq_sgdDrift_of_noiseDominated _ _ _ _ _ (m.r_eq_σ_of_noiseDominated hσ hnoise)

/-- The SGD drift at rate `α̃` is relaxation at rate `γ = 2α̃λ` plus noise injection `α̃²σ²`. -/
theorem sgdDrift_eq_contractionRate (αt lam σ e : F) :
    sgdDrift αt lam σ e = -contractionRate αt lam * e + αt ^ 2 * σ ^ 2 := by
  unfold sgdDrift contractionRate
  grind

/-- At the class rate the injected noise `α̃²σ²` equals `α²`: it no longer depends on `σ`. -/
theorem classRate_sq_mul_sq (α σ : F) (hσ : σ ≠ 0) : classRate α σ ^ 2 * σ ^ 2 = α ^ 2 := by
  unfold classRate
  grind

/-- The noise ratio recovers `σ²` from `λ₁²`. -/
theorem noiseRatio_mul_sq (σ lam1 : F) (hlam1 : lam1 ≠ 0) : noiseRatio σ lam1 * lam1 ^ 2 = σ ^ 2 := by
  unfold noiseRatio
  grind

/-- The class rate is positive for positive `α`, `σ`. -/
theorem classRate_pos {α σ : F} (hα : 0 < α) (hσ : 0 < σ) : 0 < classRate α σ := by
  unfold classRate
  have := mulPos hα (invPos hσ)
  grind

/-- Contraction rates are positive for positive `α̃`, `λ`. -/
theorem contractionRate_pos {αt lam : F} (hαt : 0 < αt) (hlam : 0 < lam) :
    0 < contractionRate αt lam := by
  unfold contractionRate
  have := mulPos hαt hlam
  grind

/-- The steady state of the class drift at `α̃ = α/σ` is `α σ / (2λ)`. -/
theorem sgdContinuousSteadyState_classRate (α lam σ : F) (hσ : σ ≠ 0) :
    sgdContinuousSteadyState (classRate α σ) lam σ = α * σ / (2 * lam) := by
  unfold sgdContinuousSteadyState classRate
  grind

example : adamDrift (1 / 10 : Rat) 2 3 5 3 = sgdDrift (classRate (1 / 10) 3) 2 3 5 :=
  adamDrift_eq_sgdDrift_of_noiseDominated _ _ _ _ _ rfl

example : classRate (1 / 10 : Rat) 3 ^ 2 * 3 ^ 2 = (1 / 10) ^ 2 := classRate_sq_mul_sq _ _ (by grind)

example : 0 < contractionRate (1 / 10 : Rat) 2 := contractionRate_pos (by grind) (by grind)

example : noiseRatio (3 : Rat) 2 * 2 ^ 2 = 3 ^ 2 := noiseRatio_mul_sq _ _ (by grind)

/-- A concrete noise-dominated `Rat` Adam mode (`e = 0`). -/
def ratAdamMode : AdamMode Rat where
  α := 1 / 10
  lam := 2
  σ := 3
  e := 0
  r := 3
  r_pos := by grind
  r_sq := by grind

example : adamDrift ratAdamMode.α ratAdamMode.lam ratAdamMode.σ ratAdamMode.e ratAdamMode.r
    = sgdDrift (classRate ratAdamMode.α ratAdamMode.σ) ratAdamMode.lam ratAdamMode.σ ratAdamMode.e :=
  ratAdamMode.adamDrift_eq_sgdDrift_classRate (by simp only [ratAdamMode]; grind)
    (by simp only [ratAdamMode]; grind)

end SpectralUniversality

end
