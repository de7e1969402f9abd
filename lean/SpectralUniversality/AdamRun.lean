module

public import SpectralUniversality.Basic
public import SpectralUniversality.PerturbationBound

/-!
# A real Adam run in the §9 model, and the noise-dominated regime (paper §9.1)

`AdamRun` is the seed's §9 Adam model over time on one mode: base rate `α`, curvature `λ`, noise `σ`,
energies `e t`, preconditioners `r t > 0` with `(r t)² = λ² e t + σ²`, and the update law

  `e (t+1) = (1 − (α/r_t) λ)² e t + (α/r_t)² σ²`,

SGD's energy step (`sgdEnergyStep`) at Adam's effective rate `α/r_t` (`adamRate`).

Proved here, over any ordered field, for every run and every step `t`:

* `AdamRun.driftDeviation_le_noiseDominated`: in the noise-dominated regime `λ² e_t ≤ ε σ²`,
  `|adamDrift − sgdDrift(α̃)| ≤ ε (α̃ λ e_t + α²)`, `α̃ = α/σ` — the paper's §9.1 "Adam ≈ SGD at
  `α̃`" with an explicit constant `c(ε) = ε → 0`;
* `AdamRun.energyStep_deviation_le_noiseDominated`: the same for the discrete step, the run's
  actual `e (t+1)` against SGD's step at `α̃`: `|e (t+1) − sgdEnergyStep α̃ λ σ (e t)| ≤
  ε (α̃ λ e_t + 2α²)`.

`ratAdamRun` is a stationary `Rat` run (`α = 18/5`, `λ = 1`, `σ = 4`, `e_t = 9`, `r_t = 5`) on which
both theorems are instantiated with `ε = 9/16` (`λ² e = 9 = ε σ²`, the regime boundary, with `e ≠ 0`).
-/

@[expose] public section

set_option linter.unusedSectionVars false

namespace SpectralUniversality

variable {F : Type} [Lean.Grind.Field F] [LE F] [LT F] [Std.LawfulOrderLT F] [Std.IsLinearOrder F]
  [Lean.Grind.OrderedRing F]

/-- A run of Adam (β₁ = 0, the seed's §9 model) on one mode, seen through its energy: base rate `α`,
curvature `lam`, noise scale `σ`, energies `e t`, preconditioners `r t = √(λ² e t + σ²)` carried as
data, and the energy update law at Adam's effective rate `α / r t`. -/
structure AdamRun (F : Type) [Lean.Grind.Field F] [LE F] [LT F] [Std.LawfulOrderLT F]
    [Std.IsLinearOrder F] [Lean.Grind.OrderedRing F] where
  /-- base learning rate -/
  α : F
  /-- curvature (Hessian eigenvalue) of the mode -/
  lam : F
  /-- gradient-noise scale -/
  σ : F
  /-- mode energy at step `t` -/
  e : Nat → F
  /-- the preconditioner `√v̂` at step `t` -/
  r : Nat → F
  /-- the preconditioner is positive -/
  r_pos : ∀ t, 0 < r t
  /-- the preconditioner squares to the second moment `λ² e_t + σ²` -/
  r_sq : ∀ t, r t ^ 2 = lam ^ 2 * e t + σ ^ 2
  /-- the Adam energy update law: SGD's energy step at the effective rate `α / r t` -/
  step : ∀ t, e (t + 1) = sgdEnergyStep (adamRate α (r t)) lam σ (e t)

/-- The Adam mode of a run at step `t`. -/
def AdamRun.mode (run : AdamRun F) (t : Nat) : AdamMode F where
  α := run.α
  lam := run.lam
  σ := run.σ
  e := run.e t
  r := run.r t
  r_pos := run.r_pos t
  r_sq := run.r_sq t

/-- The regime hypothesis `λ² e ≤ ε σ²` divided by `σ²`: `λ² e σ⁻² ≤ ε`. -/
private theorem noiseQuotient_le {lam e σ ε : F} (hσ : 0 < σ) (hnoise : lam ^ 2 * e ≤ ε * σ ^ 2) :
    lam ^ 2 * e * (σ ^ 2)⁻¹ ≤ ε := by
  have hσ2 : 0 < σ ^ 2 := by
    have := mulPos hσ hσ
    grind
  have h1 := mulLeMulLeft hnoise (leOfLt (invPos hσ2))
  have h2 : (σ ^ 2)⁻¹ * (ε * σ ^ 2) = ε := by grind
  have h3 : (σ ^ 2)⁻¹ * (lam ^ 2 * e) = lam ^ 2 * e * (σ ^ 2)⁻¹ := by grind
  grind

/-- **Adam ≈ SGD at the class rate, quantitatively (paper §9.1).** For every Adam run and every step
`t` with `α ≥ 0`, `λ ≥ 0`, `e_t ≥ 0`, `σ > 0`, in the noise-dominated regime `λ² e_t ≤ ε σ²`
(`ε ≥ 0`), the Adam drift is within `ε (α̃ λ e_t + α²)` of the SGD drift at `α̃ = α/σ`, in both
directions. The constant is `c(ε) = ε → 0` as the regime tightens: `δ ≤ αλ³e²/σ³ = (α̃λe)(λ²e/σ²)
≤ ε α̃λe` and `δ ≥ −α²λ²e/σ² ≥ −ε α²`. -/
theorem AdamRun.driftDeviation_le_noiseDominated (run : AdamRun F) (t : Nat) {ε : F}
    (hα : 0 ≤ run.α) (hlam : 0 ≤ run.lam) (he : 0 ≤ run.e t) (hσ : 0 < run.σ) (hε : 0 ≤ ε)
    (hnoise : run.lam ^ 2 * run.e t ≤ ε * run.σ ^ 2) :
    -(ε * (classRate run.α run.σ * run.lam * run.e t + run.α ^ 2))
        ≤ adamDrift run.α run.lam run.σ (run.e t) (run.r t)
          - sgdDrift (classRate run.α run.σ) run.lam run.σ (run.e t) ∧
      adamDrift run.α run.lam run.σ (run.e t) (run.r t)
          - sgdDrift (classRate run.α run.σ) run.lam run.σ (run.e t)
        ≤ ε * (classRate run.α run.σ * run.lam * run.e t + run.α ^ 2) := by
  have ⟨hlo, hhi⟩ := driftDeviation_mem (run.mode t) hα hlam he hσ
  simp only [AdamRun.mode] at hlo hhi
  unfold driftDeviationLower at hlo
  unfold driftDeviationUpper at hhi
  have hq := noiseQuotient_le hσ hnoise
  have hσne : run.σ ≠ 0 := by grind
  have hU : run.α * run.lam ^ 3 * run.e t ^ 2 / run.σ ^ 3
      = run.α * run.σ⁻¹ * run.lam * run.e t * (run.lam ^ 2 * run.e t * (run.σ ^ 2)⁻¹) := by grind
  have hL : run.α ^ 2 * run.lam ^ 2 * run.e t / run.σ ^ 2
      = run.α * run.α * (run.lam ^ 2 * run.e t * (run.σ ^ 2)⁻¹) := by grind
  rw [hU] at hhi
  rw [hL] at hlo
  have hcr : classRate run.α run.σ * run.lam * run.e t = run.α * run.σ⁻¹ * run.lam * run.e t := by
    unfold classRate
    grind
  have hsq : run.α ^ 2 = run.α * run.α := by grind
  rw [hcr, hsq]
  generalize adamDrift run.α run.lam run.σ (run.e t) (run.r t)
    - sgdDrift (classRate run.α run.σ) run.lam run.σ (run.e t) = δ at hlo hhi ⊢
  have hv := leOfLt (invPos hσ)
  -- `α̃ λ e ≥ 0` and `α² ≥ 0`
  have hK : 0 ≤ run.α * run.σ⁻¹ * run.lam * run.e t :=
    mulNonneg (mulNonneg (mulNonneg hα hv) hlam) he
  have hα2 := sqNonneg run.α
  -- upper: `(α̃ λ e)(λ² e σ⁻²) ≤ (α̃ λ e) ε`
  have h1 := mulLeMulLeft hq hK
  -- lower: `α² (λ² e σ⁻²) ≤ α² ε`
  have h2 := mulLeMulLeft hq hα2
  have h3 := mulNonneg hε hK
  have h4 := mulNonneg hε hα2
  constructor
  · grind
  · grind

/-- **The discrete step, too.** For every Adam run and step `t`, under the hypotheses of
`AdamRun.driftDeviation_le_noiseDominated`, the run's next energy is within `ε (α̃ λ e_t + 2α²)` of
SGD's energy step at the class rate `α̃ = α/σ`, in both directions (`c(ε) = ε → 0` again). The
step difference is `δ + λ² e_t (β² − α̃²)` with `β = α/r_t ∈ [0, α̃]`, and `λ² e_t α̃² ≤ ε α²`. -/
theorem AdamRun.energyStep_deviation_le_noiseDominated (run : AdamRun F) (t : Nat) {ε : F}
    (hα : 0 ≤ run.α) (hlam : 0 ≤ run.lam) (he : 0 ≤ run.e t) (hσ : 0 < run.σ) (hε : 0 ≤ ε)
    (hnoise : run.lam ^ 2 * run.e t ≤ ε * run.σ ^ 2) :
    -(ε * (classRate run.α run.σ * run.lam * run.e t + 2 * run.α ^ 2))
        ≤ run.e (t + 1) - sgdEnergyStep (classRate run.α run.σ) run.lam run.σ (run.e t) ∧
      run.e (t + 1) - sgdEnergyStep (classRate run.α run.σ) run.lam run.σ (run.e t)
        ≤ ε * (classRate run.α run.σ * run.lam * run.e t + 2 * run.α ^ 2) := by
  have ⟨hlo, hhi⟩ := run.driftDeviation_le_noiseDominated t hα hlam he hσ hε hnoise
  have hstep := run.step t
  have hr := run.r_pos t
  have hσne : run.σ ≠ 0 := by grind
  -- the step difference is the drift difference plus `λ² e (β² − α̃²)`
  have hid : run.e (t + 1) - sgdEnergyStep (classRate run.α run.σ) run.lam run.σ (run.e t)
      = (adamDrift run.α run.lam run.σ (run.e t) (run.r t)
          - sgdDrift (classRate run.α run.σ) run.lam run.σ (run.e t))
        + run.lam ^ 2 * run.e t * (adamRate run.α (run.r t) ^ 2 - classRate run.α run.σ ^ 2) := by
    rw [hstep]
    unfold sgdEnergyStep adamDrift sgdDrift
    grind
  rw [hid]
  generalize adamDrift run.α run.lam run.σ (run.e t) (run.r t)
    - sgdDrift (classRate run.α run.σ) run.lam run.σ (run.e t) = δ at hlo hhi ⊢
  -- `0 ≤ β ≤ α̃`
  have hl2e : 0 ≤ run.lam ^ 2 * run.e t := mulNonneg (by have := sqNonneg run.lam; grind) he
  have hσr : run.σ ≤ run.r t := (run.mode t).σ_le_r hσ hl2e
  have hβ : adamRate run.α (run.r t) ≤ classRate run.α run.σ := divLeDiv hα hσ hσr
  have hβ0 : 0 ≤ adamRate run.α (run.r t) := by
    have := mulNonneg hα (leOfLt (invPos hr))
    unfold adamRate
    grind
  have hβ2 := mulLeMul hβ0 hβ hβ0 hβ
  have hb2 := sqNonneg (adamRate run.α (run.r t))
  -- `λ² e α̃² = α² (λ² e σ⁻²) ≤ ε α²`
  have hq := noiseQuotient_le hσ hnoise
  have hα2 := sqNonneg run.α
  have hA := mulLeMulLeft hq hα2
  have hAid : run.lam ^ 2 * run.e t * classRate run.α run.σ ^ 2
      = run.α * run.α * (run.lam ^ 2 * run.e t * (run.σ ^ 2)⁻¹) := by
    unfold classRate
    grind
  have hP := mulLeMulLeft (by grind : adamRate run.α (run.r t) ^ 2 ≤ classRate run.α run.σ ^ 2) hl2e
  have hP0 := mulLeMulLeft (by grind : 0 ≤ adamRate run.α (run.r t) ^ 2) hl2e
  have hK : 0 ≤ classRate run.α run.σ * run.lam * run.e t := by
    have := mulNonneg (mulNonneg (mulNonneg hα (leOfLt (invPos hσ))) hlam) he
    unfold classRate
    grind
  have h4 := mulNonneg hε hα2
  have h5 := mulNonneg hε hK
  constructor
  · grind
  · grind

/-! ### A `Rat` run -/

/-- A stationary `Rat` Adam run: `α = 18/5`, `λ = 1`, `σ = 4`, `e_t = 9`, `r_t = 5`
(`r² = 25 = λ²e + σ²`). The effective rate is `β = α/r = 18/25` and the step is stationary:
`(1 − β)² · 9 + β² · 16 = 441/625 + 5184/625 = 9`. -/
def ratAdamRun : AdamRun Rat where
  α := 18 / 5
  lam := 1
  σ := 4
  e := fun _ => 9
  r := fun _ => 5
  r_pos := fun _ => by grind
  r_sq := fun _ => by grind
  step := fun _ => by
    unfold sgdEnergyStep adamRate
    grind

-- the noise-dominated drift bound with `ε = 9/16` (`λ²e = 9 = ε σ²`), at every step `t`
example (t : Nat) :
    -((9 / 16 : Rat) * (classRate ratAdamRun.α ratAdamRun.σ * ratAdamRun.lam * ratAdamRun.e t
        + ratAdamRun.α ^ 2))
        ≤ adamDrift ratAdamRun.α ratAdamRun.lam ratAdamRun.σ (ratAdamRun.e t) (ratAdamRun.r t)
          - sgdDrift (classRate ratAdamRun.α ratAdamRun.σ) ratAdamRun.lam ratAdamRun.σ (ratAdamRun.e t) ∧
      adamDrift ratAdamRun.α ratAdamRun.lam ratAdamRun.σ (ratAdamRun.e t) (ratAdamRun.r t)
          - sgdDrift (classRate ratAdamRun.α ratAdamRun.σ) ratAdamRun.lam ratAdamRun.σ (ratAdamRun.e t)
        ≤ (9 / 16 : Rat) * (classRate ratAdamRun.α ratAdamRun.σ * ratAdamRun.lam * ratAdamRun.e t
          + ratAdamRun.α ^ 2) :=
  ratAdamRun.driftDeviation_le_noiseDominated t (by simp only [ratAdamRun]; grind)
    (by simp only [ratAdamRun]; grind) (by simp only [ratAdamRun]; grind)
    (by simp only [ratAdamRun]; grind) (by grind) (by simp only [ratAdamRun]; grind)

-- the one-step energy version on the same run
example (t : Nat) :
    -((9 / 16 : Rat) * (classRate ratAdamRun.α ratAdamRun.σ * ratAdamRun.lam * ratAdamRun.e t
        + 2 * ratAdamRun.α ^ 2))
        ≤ ratAdamRun.e (t + 1)
          - sgdEnergyStep (classRate ratAdamRun.α ratAdamRun.σ) ratAdamRun.lam ratAdamRun.σ (ratAdamRun.e t) ∧
      ratAdamRun.e (t + 1)
          - sgdEnergyStep (classRate ratAdamRun.α ratAdamRun.σ) ratAdamRun.lam ratAdamRun.σ (ratAdamRun.e t)
        ≤ (9 / 16 : Rat) * (classRate ratAdamRun.α ratAdamRun.σ * ratAdamRun.lam * ratAdamRun.e t
          + 2 * ratAdamRun.α ^ 2) :=
  ratAdamRun.energyStep_deviation_le_noiseDominated t (by simp only [ratAdamRun]; grind)
    (by simp only [ratAdamRun]; grind) (by simp only [ratAdamRun]; grind)
    (by simp only [ratAdamRun]; grind) (by grind) (by simp only [ratAdamRun]; grind)

-- the deviations there are genuinely non-zero: drift `-891/625`, step `9 − 1305/100 = -81/20`
example (t : Nat) :
    adamDrift ratAdamRun.α ratAdamRun.lam ratAdamRun.σ (ratAdamRun.e t) (ratAdamRun.r t)
        - sgdDrift (classRate ratAdamRun.α ratAdamRun.σ) ratAdamRun.lam ratAdamRun.σ (ratAdamRun.e t)
      = -891 / 625 ∧
    ratAdamRun.e (t + 1)
        - sgdEnergyStep (classRate ratAdamRun.α ratAdamRun.σ) ratAdamRun.lam ratAdamRun.σ (ratAdamRun.e t)
      = -81 / 20 := by
  simp only [ratAdamRun, adamDrift, adamRate, sgdDrift, classRate, sgdEnergyStep]
  grind

end SpectralUniversality

end
