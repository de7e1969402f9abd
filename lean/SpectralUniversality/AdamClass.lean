module

public import SpectralUniversality.Basic
public import SpectralUniversality.ModeDynamics

/-!
# The Adam model of paper §9 and the within-class constants (§2.2, §9.1, §9.2)

Adam on mode `k` is modelled (paper §9.1) as SGD with the per-mode effective rate `α/r`, where
`r = √v̂ = √(λ²e + σ²)`. A field has no square root, so `r` is carried as data with `r > 0` and
`r² = λ²e + σ²` (`AdamMode`).

Proved here, over any ordered field:

* `adamDrift_eq_sgdDrift_adamRate`: the Adam drift is the SGD drift at rate `α/r`, exactly, for
  every `r` (this is the model's definition unfolded);
* `adamDrift_eq_sgdDrift_of_noiseDominated`: a substitution lemma — *if* `r = σ`, the Adam drift is
  the SGD drift at the class rate `α̃ = α/σ`. Its premise is not a regime but a degenerate point:
  for a genuine mode (`r² = λ²e + σ²`, `σ > 0`) it holds exactly when `λ²e = 0`
  (`AdamMode.r_eq_σ_of_noiseDominated`), i.e. zero curvature or zero energy. The paper's §9.1
  "≈" is made quantitative elsewhere: `driftDeviation_mem` (module `PerturbationBound`) bounds the
  deviation for every mode, and `AdamRun.driftDeviation_le_noiseDominated` (module `AdamRun`)
  bounds it by `ε·(α̃λe + α²)` along an Adam run in the regime `λ²e ≤ ε σ²`;
* the within-class constants as definitions with their identities: `classRate` (`α̃ = α/σ`),
  `contractionRate` (`γ_k = 2α̃λ_k`, `sgdDrift_eq_contractionRate`), `noiseRatio`
  (`η = σ²/λ₁²`, `noiseRatio_mul_sq`), and `classRate_sq_mul_sq` (`α̃²σ² = α²`: at the class
  rate the injected noise no longer depends on `σ`).

The `Rat` instances use the Pythagorean mode `λ = 1`, `σ = 4`, `e = 9`, `r = 5`
(`λ²e + σ² = 25`), where `r ≠ σ`, and the flat mode `λ = 0`, `e = 5`, `r = σ = 3`, the honest
(non-`e = 0`) case of `r = σ`.
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

/-- Adam's drift is the SGD drift at the effective rate `α/r`. -/
theorem adamDrift_eq_sgdDrift_adamRate (α lam σ e r : F) :
    adamDrift α lam σ e r = sgdDrift (adamRate α r) lam σ e := by
  unfold adamDrift sgdDrift
  grind

/-- **Substitution lemma (paper §9.1's identity at `r = σ`).** If the preconditioner is replaced by
`σ`, the Adam drift equals the SGD drift with the rescaled rate `α̃ = α/σ`. For a genuine Adam mode
(`r² = λ²e + σ²`, `σ > 0`) the premise `r = σ` forces `λ²e = 0` (`AdamMode.r_eq_σ_of_noiseDominated`
is the converse direction), so this is not a statement about the noise-dominated *regime*; the
quantitative regime statement is `AdamRun.driftDeviation_le_noiseDominated`. -/
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

/-- For every Adam mode with `λ²e = 0` and `σ > 0`, the drift is the SGD drift at `α̃` (the
substitution lemma `adamDrift_eq_sgdDrift_of_noiseDominated` applied to a genuine mode). -/
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

/-! ### `Rat` instances -/

/-- A concrete `Rat` Adam mode with non-zero curvature and energy: `α = 18/5`, `λ = 1`, `σ = 4`,
`e = 9`, `r = 5` (`r² = 25 = λ²e + σ²`). Its effective rate is `α/r = 18/25`, its class rate
`α/σ = 9/10`. -/
def ratAdamMode : AdamMode Rat where
  α := 18 / 5
  lam := 1
  σ := 4
  e := 9
  r := 5
  r_pos := by grind
  r_sq := by grind

/-- A flat `Rat` Adam mode: zero curvature, energy `5`, so `r = σ = 3` honestly (`0²·5 + 3² = 3²`). -/
def ratFlatAdamMode : AdamMode Rat where
  α := 1 / 10
  lam := 0
  σ := 3
  e := 5
  r := 3
  r_pos := by grind
  r_sq := by grind

-- the drift is SGD's at the effective rate `α/r = 18/25`, for a mode with `λ²e = 9 ≠ 0`
example : adamDrift ratAdamMode.α ratAdamMode.lam ratAdamMode.σ ratAdamMode.e ratAdamMode.r
    = sgdDrift (adamRate ratAdamMode.α ratAdamMode.r) ratAdamMode.lam ratAdamMode.σ ratAdamMode.e :=
  adamDrift_eq_sgdDrift_adamRate _ _ _ _ _

-- …and for that mode it is NOT SGD's drift at the class rate: `-2916/625 ≠ -81/25`
example : adamDrift ratAdamMode.α ratAdamMode.lam ratAdamMode.σ ratAdamMode.e ratAdamMode.r
    ≠ sgdDrift (classRate ratAdamMode.α ratAdamMode.σ) ratAdamMode.lam ratAdamMode.σ ratAdamMode.e := by
  simp only [ratAdamMode, adamDrift, adamRate, sgdDrift, classRate]
  grind

example : adamDrift ratAdamMode.α ratAdamMode.lam ratAdamMode.σ ratAdamMode.e ratAdamMode.r
    = -2916 / 625 := by
  simp only [ratAdamMode, adamDrift, adamRate]
  grind

-- the substitution lemma at an honest `r = σ`: the flat mode, `e = 5`
example : adamDrift (1 / 10 : Rat) 0 3 5 3 = sgdDrift (classRate (1 / 10) 3) 0 3 5 :=
  adamDrift_eq_sgdDrift_of_noiseDominated _ _ _ _ _ rfl

example : ratFlatAdamMode.r = ratFlatAdamMode.σ :=
  ratFlatAdamMode.r_eq_σ_of_noiseDominated (by simp only [ratFlatAdamMode]; grind)
    (by simp only [ratFlatAdamMode]; grind)

example : adamDrift ratFlatAdamMode.α ratFlatAdamMode.lam ratFlatAdamMode.σ ratFlatAdamMode.e
      ratFlatAdamMode.r
    = sgdDrift (classRate ratFlatAdamMode.α ratFlatAdamMode.σ) ratFlatAdamMode.lam ratFlatAdamMode.σ
      ratFlatAdamMode.e :=
  ratFlatAdamMode.adamDrift_eq_sgdDrift_classRate (by simp only [ratFlatAdamMode]; grind)
    (by simp only [ratFlatAdamMode]; grind)

example : sgdDrift (classRate (18 / 5 : Rat) 4) 1 4 9
    = -contractionRate (classRate (18 / 5) 4) 1 * 9 + classRate (18 / 5) 4 ^ 2 * 4 ^ 2 :=
  sgdDrift_eq_contractionRate _ _ _ _

example : classRate (18 / 5 : Rat) 4 ^ 2 * 4 ^ 2 = (18 / 5) ^ 2 := classRate_sq_mul_sq _ _ (by grind)

example : 0 < classRate (18 / 5 : Rat) 4 := classRate_pos (by grind) (by grind)

example : 0 < contractionRate (9 / 10 : Rat) 1 := contractionRate_pos (by grind) (by grind)

example : noiseRatio (4 : Rat) 1 * 1 ^ 2 = 4 ^ 2 := noiseRatio_mul_sq _ _ (by grind)

example : sgdContinuousSteadyState (classRate (18 / 5 : Rat) 4) 1 4 = 18 / 5 * 4 / (2 * 1) :=
  sgdContinuousSteadyState_classRate _ _ _ (by grind)

end SpectralUniversality

end
