module

public import SpectralUniversality.Basic
public import SpectralUniversality.AdamClass

/-!
# Theorem Candidate 1 (paper §3) for the §9 model: true in the seed's shape, false as read literally

Let `δ = adamDrift α λ σ e r − sgdDrift (α/σ) λ σ e` be the deviation of the Adam drift from the
class drift (SGD at Adam's class rate `α̃ = α/σ`), with `r > 0`, `r² = λ²e + σ²`. The exact identity
(`adamDrift_sub_sgdDrift_eq`) is

  `δ = 2αλe (r − σ)/(σ r) − α²λ²e / r²`

(from `δ = 2αλe(1/σ − 1/r) + α²σ²(1/r² − 1/σ²)` and `r² − σ² = λ²e`). With `σ ≤ r`,
`1/r ≤ 1/σ` and `r − σ = λ²e/(r + σ) ≤ λ²e/(2σ)`, for `α ≥ 0`, `λ ≥ 0`, `e ≥ 0`, `σ > 0`
(`driftDeviation_mem`):

  `−α²λ²e/σ² ≤ δ ≤ αλ³e²/σ³`,

and also `δ ≤ 2αλe/σ` (`driftDeviation_le_linear`).

**For the §9 model the seed's Theorem Candidate 1 HOLDS in its own shape once the class drift uses
Adam's rate `α̃ = α/σ`.** With `0 ≤ λ_k ≤ Λ`, `0 ≤ e_k ≤ E` (`‖e‖∞ ≤ E`):

* `perturbation_bound_seedShape`: `|δ_k| ≤ C λ_k E` with the `E`-free constant
  `C = seedShapeConstant α Λ σ = 2α/σ + α²Λ/σ²`, i.e. linear in `‖e‖∞`, as the seed states;
* `perturbation_bound_powerLaw`: if moreover `λ_k k^s ≤ C_λ` (`s ≥ 1`), then
  `δ_k² k^(s+1) ≤ (C C_λ E)²` — the seed's rate `|δ_k| ≤ C' k^(−(s+1)/2) ‖e‖∞`, squared so that
  no root is needed.

A refinement, not a strengthening: `spectral_universality` / `perturbation_bound` give
`|δ_k| ≤ C' w_k E` (`w_k ≥ λ_k²`, resp. `w_k = λ_k²`) with `C' = perturbationConstant α Λ σ E
= αΛE/σ³ + α²/σ²`. Its constant depends on `E`, so that bound is *quadratic* in `‖e‖∞`; it decays
faster in `k` (`λ_k²`) but is not of the seed's form and does not imply it for large `E`.

**Read literally, the candidate is false** (`not_exists_optimizerFree_classDrift`): there is no
single `f(λ, e)`, independent of the optimizer, within `C·b·‖e‖∞` of the drift of SGD at every
stable rate, whatever the constants `C` and weights `b` (even chosen per optimizer). At `‖e‖∞ = 0`
the bound is `0`, while SGD's zero-energy drift `a²σ²` depends on its rate `a`. The same-base-rate
SGD/Adam pair is refuted separately (`not_exists_classDrift_sgd_adam_sameRate`, and the two-step
form `seedBound_forces_equal_drifts` + `sgdDrift_zero_ne_classDrift_zero`). So the class drift must
carry the within-class rate, as above.

What is NOT proved and where the paper is wrong:

* The paper's hypotheses (A1)–(A3) are not used and not needed in the diagonal §9 model; the
  statement is proved for that model only, not for general optimizers or losses.
* §4 step 2 bounds the perturbation by `Cβ/λ_k`. For positive non-increasing `λ_k` this bound is
  non-decreasing in `k` (`seedStepTwoBound_le_succ`, strictly increasing for strictly
  decreasing `λ_k` and `Cβ > 0`: `seedStepTwoBound_lt_succ`), so it cannot yield the claimed
  decay in `k`; the bounds proved here come instead from the explicit `r − σ = λ²e/(r + σ)`.

Every main theorem has a `Rat` instance at the end, on `ratProfile` (`λ_k = 1/(k+1)`,
`e_k = (k+2)²/(k+3)²`, `σ = 1/2`: all energies and curvatures non-zero, a power law with `s = 1`)
or on the Pythagorean mode `ratAdamMode` (`λ = 1`, `σ = 4`, `e = 9`, `r = 5`); the refutations are
instantiated at `σ = 2`.
-/

@[expose] public section

set_option linter.unusedSectionVars false

namespace SpectralUniversality

variable {F : Type} [Lean.Grind.Field F] [LE F] [LT F] [Std.LawfulOrderLT F] [Std.IsLinearOrder F]
  [Lean.Grind.OrderedRing F]

/-- Upper bound on the Adam-vs-class drift deviation: `α λ³ e² / σ³`. -/
def driftDeviationUpper (α lam σ e : F) : F := α * lam ^ 3 * e ^ 2 / σ ^ 3

/-- Magnitude of the lower bound on the drift deviation: `α² λ² e / σ²`. -/
def driftDeviationLower (α lam σ e : F) : F := α ^ 2 * lam ^ 2 * e / σ ^ 2

/-- Linear-in-`e` upper bound on the drift deviation: `2 α λ e / σ`. -/
def driftDeviationLinear (α lam σ e : F) : F := 2 * α * lam * e / σ

/-- The constant `C = αλ₁E/σ³ + α²/σ²` of the uniform bound (`lam1` bounds all `λ_k`, `e` is
the sup-norm bound `E` on the energies). -/
def perturbationConstant (α lam1 σ e : F) : F := α * lam1 * e / σ ^ 3 + α ^ 2 / σ ^ 2

/-- The drift deviation `δ = adamDrift − sgdDrift(α̃)`, written through `r`:
`δ = 2αλe (r − σ)/(σ r) − α²λ²e/r²`. -/
theorem adamDrift_sub_sgdDrift_eq (m : AdamMode F) (hσ : 0 < m.σ) :
    adamDrift m.α m.lam m.σ m.e m.r - sgdDrift (classRate m.α m.σ) m.lam m.σ m.e
      = 2 * m.α * m.lam * m.e * (m.r - m.σ) * m.σ⁻¹ * m.r⁻¹
        - m.α ^ 2 * m.lam ^ 2 * m.e * m.r⁻¹ * m.r⁻¹ := by
  have hr := m.r_pos
  have hsq := m.r_sq
  have h1 : m.r * m.r⁻¹ = 1 := by grind
  have h2 : m.σ * m.σ⁻¹ = 1 := by grind
  unfold adamDrift adamRate sgdDrift classRate
  grind

/-- `r ≥ σ` for every Adam mode with `λ²e ≥ 0`. -/
theorem AdamMode.σ_le_r (m : AdamMode F) (hσ : 0 < m.σ) (hle : 0 ≤ m.lam ^ 2 * m.e) :
    m.σ ≤ m.r := by
  have hr := m.r_pos
  have hsq := m.r_sq
  have h : m.r < m.σ ∨ m.σ ≤ m.r := by grind
  rcases h with h | h
  · have := mulPos (a := m.σ - m.r) (b := m.r + m.σ) (by grind) (by grind)
    grind
  · exact h

/-- **Two-sided drift bound (per mode).** For `α ≥ 0`, `λ ≥ 0`, `e ≥ 0`, `σ > 0`:
`−α²λ²e/σ² ≤ δ ≤ αλ³e²/σ³`, where `δ = adamDrift − sgdDrift(α/σ)`. -/
theorem driftDeviation_mem (m : AdamMode F) (hα : 0 ≤ m.α) (hlam : 0 ≤ m.lam) (he : 0 ≤ m.e)
    (hσ : 0 < m.σ) :
    -driftDeviationLower m.α m.lam m.σ m.e
        ≤ adamDrift m.α m.lam m.σ m.e m.r - sgdDrift (classRate m.α m.σ) m.lam m.σ m.e ∧
      adamDrift m.α m.lam m.σ m.e m.r - sgdDrift (classRate m.α m.σ) m.lam m.σ m.e
        ≤ driftDeviationUpper m.α m.lam m.σ m.e := by
  rw [adamDrift_sub_sgdDrift_eq m hσ]
  have hr := m.r_pos
  have hsq := m.r_sq
  have hri : m.r * m.r⁻¹ = 1 := by grind
  have hσi : m.σ * m.σ⁻¹ = 1 := by grind
  have hu := leOfLt (invPos hr)
  have hv := leOfLt (invPos hσ)
  have hl2 : 0 ≤ m.lam ^ 2 := by
    have := mulNonneg hlam hlam
    grind
  have hl2e : 0 ≤ m.lam ^ 2 * m.e := mulNonneg hl2 he
  have hσr := m.σ_le_r hσ hl2e
  have hd : (0 : F) ≤ m.r - m.σ := by grind
  -- `r⁻¹ ≤ σ⁻¹`
  have huv : m.r⁻¹ ≤ m.σ⁻¹ := by
    have h1 : m.σ⁻¹ - m.r⁻¹ = (m.r - m.σ) * m.σ⁻¹ * m.r⁻¹ := by grind
    have := mulNonneg (mulNonneg hd hv) hu
    grind
  -- `2(r − σ) ≤ λ²e σ⁻¹`
  have hdd : (m.r - m.σ) * (2 * m.σ) ≤ m.lam ^ 2 * m.e := by
    have h1 : (m.r - m.σ) * (m.r + m.σ) = m.lam ^ 2 * m.e := by grind
    have := mulNonneg hd hd
    grind
  have hdiff : 2 * (m.r - m.σ) ≤ m.lam ^ 2 * m.e * m.σ⁻¹ := by
    have h1 := mulLeMulLeft hdd hv
    have h2 : m.σ⁻¹ * ((m.r - m.σ) * (2 * m.σ)) = 2 * (m.r - m.σ) := by grind
    have h3 : m.σ⁻¹ * (m.lam ^ 2 * m.e) = m.lam ^ 2 * m.e * m.σ⁻¹ := by grind
    grind
  -- the prefactor `K = αλe σ⁻¹ ≥ 0`
  have hK : 0 ≤ m.α * m.lam * m.e * m.σ⁻¹ := by
    have := mulNonneg (mulNonneg (mulNonneg hα hlam) he) hv
    grind
  have hd2 : (0 : F) ≤ 2 * (m.r - m.σ) := by grind
  have hT1 := mulLeMul hd2 hdiff hu huv
  have hT1' := mulLeMulLeft hT1 hK
  have hT10 := mulNonneg hK (mulNonneg hd2 hu)
  -- second term
  have hY : 0 ≤ m.α ^ 2 * m.lam ^ 2 * m.e := by
    have := mulNonneg (mulNonneg (mulNonneg hα hα) hl2) he
    grind
  have hT2 := mulLeMulLeft (mulLeMul hu huv hu huv) hY
  have hT20 := mulNonneg hY (mulNonneg hu hu)
  have hU : driftDeviationUpper m.α m.lam m.σ m.e
      = m.α * m.lam * m.e * m.σ⁻¹ * (m.lam ^ 2 * m.e * m.σ⁻¹ * m.σ⁻¹) := by
    unfold driftDeviationUpper
    have : m.σ ≠ 0 := by grind
    grind
  have hL : driftDeviationLower m.α m.lam m.σ m.e
      = m.α ^ 2 * m.lam ^ 2 * m.e * (m.σ⁻¹ * m.σ⁻¹) := by
    unfold driftDeviationLower
    have : m.σ ≠ 0 := by grind
    grind
  rw [hU, hL]
  constructor
  · grind
  · grind

/-- **Linear-in-`e` upper bound:** `δ ≤ 2αλe/σ` for `α, λ, e ≥ 0`, `σ > 0`. -/
theorem driftDeviation_le_linear (m : AdamMode F) (hα : 0 ≤ m.α) (hlam : 0 ≤ m.lam)
    (he : 0 ≤ m.e) (hσ : 0 < m.σ) :
    adamDrift m.α m.lam m.σ m.e m.r - sgdDrift (classRate m.α m.σ) m.lam m.σ m.e
      ≤ driftDeviationLinear m.α m.lam m.σ m.e := by
  have hr := m.r_pos
  have hsq := m.r_sq
  have h1 : m.r ≠ 0 := by grind
  have h2 : m.σ ≠ 0 := by grind
  have hid : adamDrift m.α m.lam m.σ m.e m.r - sgdDrift (classRate m.α m.σ) m.lam m.σ m.e
      = driftDeviationLinear m.α m.lam m.σ m.e - 2 * m.α * m.lam * m.e * m.r⁻¹
        - m.α ^ 2 * m.lam ^ 2 * m.e * (m.r ^ 2)⁻¹ := by
    unfold adamDrift adamRate sgdDrift classRate driftDeviationLinear
    grind
  have hl2 : 0 ≤ m.lam ^ 2 := by
    have := mulNonneg hlam hlam
    grind
  have hrp : 0 < m.r ^ 2 := by
    have := mulPos hr hr
    grind
  have h3 := mulNonneg (mulNonneg (mulNonneg hα hlam) he) (leOfLt (invPos hr))
  have h4 := mulNonneg (mulNonneg (mulNonneg (mulNonneg hα hα) hl2) he) (leOfLt (invPos hrp))
  rw [hid]
  grind

/-- **Uniform bound with weights.** If `λ² ≤ w`, `0 ≤ λ ≤ λ₁`, `0 ≤ e ≤ E`, `α ≥ 0`, `σ > 0`, then
`−C w E ≤ δ ≤ C w E` with `C = αλ₁E/σ³ + α²/σ²`. -/
theorem driftDeviation_le_weight (m : AdamMode F) (lam1 E w : F) (hα : 0 ≤ m.α)
    (hlam : 0 ≤ m.lam) (hlam1 : m.lam ≤ lam1) (he : 0 ≤ m.e) (hE : m.e ≤ E) (hσ : 0 < m.σ)
    (hw : m.lam ^ 2 ≤ w) :
    -(perturbationConstant m.α lam1 m.σ E * w * E)
        ≤ adamDrift m.α m.lam m.σ m.e m.r - sgdDrift (classRate m.α m.σ) m.lam m.σ m.e ∧
      adamDrift m.α m.lam m.σ m.e m.r - sgdDrift (classRate m.α m.σ) m.lam m.σ m.e
        ≤ perturbationConstant m.α lam1 m.σ E * w * E := by
  have ⟨hlo, hhi⟩ := driftDeviation_mem m hα hlam he hσ
  have hl2 : 0 ≤ m.lam ^ 2 := by
    have := mulNonneg hlam hlam
    grind
  have hσ3 : 0 < m.σ ^ 3 := by
    have := mulPos (mulPos hσ hσ) hσ
    grind
  have hσ2 : 0 < m.σ ^ 2 := by
    have := mulPos hσ hσ
    grind
  have hi3 := leOfLt (invPos hσ3)
  have hi2 := leOfLt (invPos hσ2)
  -- upper: α λ³ e² / σ³ ≤ (α/σ³) (w λ₁ E) E
  have p1 := mulLeMul hl2 hw hlam hlam1
  have p2 := mulLeMul (mulNonneg hl2 hlam) p1 he hE
  have p3 := mulLeMul (mulNonneg (mulNonneg hl2 hlam) he) p2 he hE
  have q1 := mulLeMulLeft p3 (mulNonneg hα hi3)
  -- lower: α² λ² e / σ² ≤ (α²/σ²) w E
  have p4 := mulLeMul hl2 hw he hE
  have q2 := mulLeMulLeft p4 (mulNonneg (mulNonneg hα hα) hi2)
  have hw0 : 0 ≤ w := by grind
  have hE0 : 0 ≤ E := by grind
  have r1 := mulNonneg (mulNonneg (mulNonneg (mulNonneg hα hα) hi2) hw0) hE0
  have r2 := mulNonneg (mulNonneg (mulNonneg (mulNonneg (mulNonneg hα (by grind : (0:F) ≤ lam1)) hE0) hi3) hw0) hE0
  unfold driftDeviationUpper at hhi
  unfold driftDeviationLower at hlo
  unfold perturbationConstant
  constructor
  · grind
  · grind

/-- The seed's profile of Adam modes: base rate `α`, noise `σ`, curvatures `lam k`, energies
`e k`, preconditioners `r k` with `r k > 0`, `(r k)² = (lam k)² e k + σ²`. -/
structure AdamProfile (F : Type) [Lean.Grind.Field F] [LE F] [LT F] [Std.LawfulOrderLT F]
    [Std.IsLinearOrder F] [Lean.Grind.OrderedRing F] where
  /-- base learning rate -/
  α : F
  /-- gradient-noise scale -/
  σ : F
  /-- curvature of mode `k` -/
  lam : Nat → F
  /-- energy of mode `k` -/
  e : Nat → F
  /-- the preconditioner `√v̂` of mode `k` -/
  r : Nat → F
  /-- the preconditioners are positive -/
  r_pos : ∀ k, 0 < r k
  /-- each preconditioner squares to its second moment -/
  r_sq : ∀ k, r k ^ 2 = lam k ^ 2 * e k + σ ^ 2

/-- Mode `k` of a profile. -/
def AdamProfile.mode (p : AdamProfile F) (k : Nat) : AdamMode F where
  α := p.α
  lam := p.lam k
  σ := p.σ
  e := p.e k
  r := p.r k
  r_pos := p.r_pos k
  r_sq := p.r_sq k

/-- **Theorem Candidate 1, §9 model, weighted refinement.** For every Adam profile with
`α ≥ 0`, `σ > 0`, `0 ≤ λ_k ≤ λ₁`, `0 ≤ e_k ≤ E` (`‖e‖∞ ≤ E`) and weights `λ_k² ≤ w_k`, the Adam
drift deviates from the class drift (SGD at `α̃ = α/σ`) by at most `C w_k E` in both directions,
`C = αλ₁E/σ³ + α²/σ²`. The constant depends on `E`, so the bound is quadratic in `‖e‖∞`: a
refinement in the `k`-decay, not a strengthening of the seed's linear-in-`‖e‖∞` form (that form is
`perturbation_bound_seedShape`). -/
theorem spectral_universality (p : AdamProfile F) (lam1 E : F) (w : Nat → F) (hα : 0 ≤ p.α)
    (hσ : 0 < p.σ) (hlam : ∀ k, 0 ≤ p.lam k ∧ p.lam k ≤ lam1) (he : ∀ k, 0 ≤ p.e k ∧ p.e k ≤ E)
    (hw : ∀ k, p.lam k ^ 2 ≤ w k) (k : Nat) :
    -(perturbationConstant p.α lam1 p.σ E * w k * E)
        ≤ adamDrift p.α (p.lam k) p.σ (p.e k) (p.r k) - sgdDrift (classRate p.α p.σ) (p.lam k) p.σ (p.e k) ∧
      adamDrift p.α (p.lam k) p.σ (p.e k) (p.r k) - sgdDrift (classRate p.α p.σ) (p.lam k) p.σ (p.e k)
        ≤ perturbationConstant p.α lam1 p.σ E * w k * E :=
  driftDeviation_le_weight (p.mode k) lam1 E (w k) hα (hlam k).1 (hlam k).2 (he k).1 (he k).2 hσ
    (hw k)

/-- The weighted refinement with the sharpest weight `w_k = λ_k²`: `|δ_k| ≤ C λ_k² E` with
`C = αλ₁E/σ³ + α²/σ²` (`E`-dependent, so quadratic in `‖e‖∞`; compare
`perturbation_bound_seedShape`). -/
theorem perturbation_bound (p : AdamProfile F) (lam1 E : F) (hα : 0 ≤ p.α)
    (hσ : 0 < p.σ) (hlam : ∀ k, 0 ≤ p.lam k ∧ p.lam k ≤ lam1) (he : ∀ k, 0 ≤ p.e k ∧ p.e k ≤ E)
    (k : Nat) :
    -(perturbationConstant p.α lam1 p.σ E * p.lam k ^ 2 * E)
        ≤ adamDrift p.α (p.lam k) p.σ (p.e k) (p.r k) - sgdDrift (classRate p.α p.σ) (p.lam k) p.σ (p.e k) ∧
      adamDrift p.α (p.lam k) p.σ (p.e k) (p.r k) - sgdDrift (classRate p.α p.σ) (p.lam k) p.σ (p.e k)
        ≤ perturbationConstant p.α lam1 p.σ E * p.lam k ^ 2 * E :=
  spectral_universality p lam1 E (fun k => p.lam k ^ 2) hα hσ hlam he (fun _ => by grind) k

/-! ### Theorem Candidate 1 in the seed's shape -/

/-- The `E`-free constant of Theorem Candidate 1 in the seed's shape: `2α/σ + α²Λ/σ²` (`Lam = Λ`
bounds every curvature). -/
def seedShapeConstant (α Lam σ : F) : F := 2 * α / σ + α ^ 2 * Lam / σ ^ 2

/-- **Theorem Candidate 1 in the seed's own shape (§9 model).** For every Adam profile with `α ≥ 0`,
`σ > 0`, `0 ≤ λ_k ≤ Λ` and `0 ≤ e_k ≤ E` (`‖e‖∞ ≤ E`), the Adam drift of mode `k` is within
`C λ_k E` of the class drift (SGD at `α̃ = α/σ`), in both directions, with the `E`-free constant
`C = seedShapeConstant α Λ σ = 2α/σ + α²Λ/σ²`: linear in `‖e‖∞`, as the seed states. -/
theorem perturbation_bound_seedShape (p : AdamProfile F) (Lam E : F) (hα : 0 ≤ p.α)
    (hσ : 0 < p.σ) (hlam : ∀ k, 0 ≤ p.lam k ∧ p.lam k ≤ Lam) (he : ∀ k, 0 ≤ p.e k ∧ p.e k ≤ E)
    (k : Nat) :
    -(seedShapeConstant p.α Lam p.σ * p.lam k * E)
        ≤ adamDrift p.α (p.lam k) p.σ (p.e k) (p.r k) - sgdDrift (classRate p.α p.σ) (p.lam k) p.σ (p.e k) ∧
      adamDrift p.α (p.lam k) p.σ (p.e k) (p.r k) - sgdDrift (classRate p.α p.σ) (p.lam k) p.σ (p.e k)
        ≤ seedShapeConstant p.α Lam p.σ * p.lam k * E := by
  have hup := driftDeviation_le_linear (p.mode k) hα (hlam k).1 (he k).1 hσ
  have hlo := (driftDeviation_mem (p.mode k) hα (hlam k).1 (he k).1 hσ).1
  simp only [AdamProfile.mode] at hup hlo
  unfold driftDeviationLinear at hup
  unfold driftDeviationLower at hlo
  unfold seedShapeConstant
  have hl0 := (hlam k).1
  have hlL := (hlam k).2
  have he0 := (he k).1
  have heE := (he k).2
  have hσne : p.σ ≠ 0 := by grind
  have hv := leOfLt (invPos hσ)
  have hσ2 : 0 < p.σ ^ 2 := by
    have := mulPos hσ hσ
    grind
  have hv2 := leOfLt (invPos hσ2)
  have hL0 : 0 ≤ Lam := by grind
  have hE0 : 0 ≤ E := by grind
  -- upper: `2αλe/σ ≤ 2αλE/σ`, and the second part of the constant is `≥ 0`
  have hc : 0 ≤ 2 * p.α * p.lam k * p.σ⁻¹ := by
    have := mulNonneg (mulNonneg hα hl0) hv
    grind
  have hA := mulLeMulLeft heE hc
  have hB := mulNonneg (mulNonneg (mulNonneg (mulNonneg (mulNonneg hα hα) hL0) hv2) hl0) hE0
  -- lower: `α²λ²e/σ² ≤ α²ΛλE/σ²`, and the first part of the constant is `≥ 0`
  have hle := mulLeMulLeft heE hl0
  have hD := mulLeMul hl0 hlL (mulNonneg hl0 he0) hle
  have hD' := mulLeMulLeft hD (mulNonneg (mulNonneg hα hα) hv2)
  have hC := mulNonneg hc hE0
  constructor
  · grind
  · grind

section PowerLaw

attribute [local instance] Lean.Grind.Semiring.natCast

private theorem one_le_natCast {k : Nat} (hk : 1 ≤ k) : (1 : F) ≤ (k : F) := by
  obtain ⟨j, rfl⟩ : ∃ j, k = j + 1 := ⟨k - 1, by omega⟩
  have := (Lean.Grind.OrderedRing.natCast_nonneg : (0 : F) ≤ (j : F))
  have := Lean.Grind.Semiring.natCast_succ (α := F) j
  grind

private theorem one_le_pow {x : F} (hx : 1 ≤ x) : ∀ n : Nat, 1 ≤ x ^ n
  | 0 => by
    have := Lean.Grind.Semiring.pow_zero x
    grind
  | n + 1 => by
    have ih := one_le_pow hx n
    have := mulLeMul (by grind : (0 : F) ≤ 1) ih (by grind : (0 : F) ≤ 1) hx
    have := Lean.Grind.Semiring.pow_succ x n
    grind

private theorem pow_le_pow_of_le {x : F} (hx : 1 ≤ x) {a b : Nat} (hab : a ≤ b) :
    x ^ a ≤ x ^ b := by
  obtain ⟨d, rfl⟩ : ∃ d, b = a + d := ⟨b - a, by omega⟩
  have h1 := one_le_pow hx d
  have h2 := one_le_pow hx a
  have h3 := mulLeMulLeft h1 (by grind : (0 : F) ≤ x ^ a)
  have h4 := Lean.Grind.Semiring.pow_add x a d
  grind

/-- **Theorem Candidate 1 with the seed's power-law rate (§9 model).** If the curvatures follow a
power law `λ_k k^s ≤ C_λ` for all `k ≥ 1` (`s ≥ 1`), then for every mode `k ≥ 1`

  `δ_k² · k^(s+1) ≤ (C C_λ E)²`,   `C = seedShapeConstant α Λ σ`,

i.e. `|δ_k| ≤ C C_λ k^(−(s+1)/2) ‖e‖∞`, the seed's rate, in squared form (a field has no roots).
It follows from `perturbation_bound_seedShape`, `λ_k ≤ C_λ k^(−s)` and `k^(s+1) ≤ k^(2s)`. -/
theorem perturbation_bound_powerLaw (p : AdamProfile F) (Lam E Clam : F) (s : Nat) (hs : 1 ≤ s)
    (hα : 0 ≤ p.α) (hσ : 0 < p.σ) (hlam : ∀ k, 0 ≤ p.lam k ∧ p.lam k ≤ Lam)
    (he : ∀ k, 0 ≤ p.e k ∧ p.e k ≤ E) (hpow : ∀ k : Nat, 1 ≤ k → p.lam k * (k : F) ^ s ≤ Clam)
    (k : Nat) (hk : 1 ≤ k) :
    (adamDrift p.α (p.lam k) p.σ (p.e k) (p.r k)
        - sgdDrift (classRate p.α p.σ) (p.lam k) p.σ (p.e k)) ^ 2 * (k : F) ^ (s + 1)
      ≤ (seedShapeConstant p.α Lam p.σ * Clam * E) ^ 2 := by
  obtain ⟨hlo, hhi⟩ := perturbation_bound_seedShape p Lam E hα hσ hlam he k
  have hp := hpow k hk
  have hl0 := (hlam k).1
  generalize adamDrift p.α (p.lam k) p.σ (p.e k) (p.r k)
    - sgdDrift (classRate p.α p.σ) (p.lam k) p.σ (p.e k) = δ at hlo hhi ⊢
  generalize seedShapeConstant p.α Lam p.σ = K at hlo hhi ⊢
  generalize p.lam k = l at hlo hhi hp hl0 ⊢
  have hx1 := one_le_natCast (F := F) hk
  generalize (k : F) = x at hx1 hp ⊢
  have hxs1 := one_le_pow hx1 (s + 1)
  have hxs : 0 ≤ x ^ s := by
    have := one_le_pow hx1 s
    grind
  have hmono : x ^ (s + 1) ≤ x ^ s * x ^ s := by
    have := pow_le_pow_of_le hx1 (show s + 1 ≤ s + s by omega)
    have := Lean.Grind.Semiring.pow_add x s s
    grind
  -- `δ² ≤ (K λ E)²` from `−KλE ≤ δ ≤ KλE`
  have hd : δ * δ ≤ (K * l * E) * (K * l * E) := by
    have := mulNonneg (by grind : 0 ≤ K * l * E - δ) (by grind : 0 ≤ K * l * E + δ)
    grind
  have h1 := mulLeMulLeft hd (by grind : (0 : F) ≤ x ^ (s + 1))
  -- `λ² k^(s+1) ≤ λ² k^(2s) = (λ k^s)² ≤ C_λ²`
  have hq0 : 0 ≤ l * x ^ s := mulNonneg hl0 hxs
  have hq := mulLeMul hq0 hp hq0 hp
  have hl2 := mulLeMulLeft hmono (mulNonneg hl0 hl0)
  have h2 := mulLeMulLeft (by grind : l * l * x ^ (s + 1) ≤ Clam * Clam) (sqNonneg (K * E))
  grind

end PowerLaw

/-- **The seed's §4 step 2 bound cannot give decay.** For positive, non-increasing curvatures
`0 < λ_{k+1} ≤ λ_k` and `Cβ ≥ 0`, the bound `b_k = Cβ/λ_k` is non-decreasing in `k`. -/
theorem seedStepTwoBound_le_succ {Cβ lamk lamk1 : F} (hC : 0 ≤ Cβ) (hpos : 0 < lamk1)
    (hmono : lamk1 ≤ lamk) : Cβ / lamk ≤ Cβ / lamk1 :=
  divLeDiv hC hpos hmono

/-- Strictly: for strictly decreasing positive curvatures and `Cβ > 0`, `b_k` strictly grows. -/
theorem seedStepTwoBound_lt_succ {Cβ lamk lamk1 : F} (hC : 0 < Cβ) (hpos : 0 < lamk1)
    (hmono : lamk1 < lamk) : Cβ / lamk < Cβ / lamk1 := by
  have hk : 0 < lamk := by grind
  have h1 : Cβ / lamk1 - Cβ / lamk = Cβ * (lamk - lamk1) * (lamk * lamk1)⁻¹ := by grind
  have h2 := invPos (mulPos hk hpos)
  have h3 := mulPos (mulPos hC (by grind : (0 : F) < lamk - lamk1)) h2
  grind

/-! ### The literal reading refuted -/

/-- **The literal reading of Theorem Candidate 1 is false, with the seed's quantifiers.**
The seed asks for one class drift `f_s(λ, e)`, independent of the optimizer, and a constant `C`
with `|drift_opt(λ_k, e_k) − f_s(λ_k, e_k)| ≤ C b_k ‖e‖∞` for every optimizer of the class. Refuted
here in a stronger form: for `σ ≠ 0` there is no `f : F → F → F` such that SGD at *every* positive
rate `a`, with constants `C` and weights `b(λ)` that may even be chosen per rate, satisfies
`|sgdDrift a λ σ e − f λ e| ≤ C b(λ) E` for all stable modes (`λ > 0`, `aλ < 2`) and all energies
`0 ≤ e ≤ E` (`E` plays `‖e‖∞`). At `e = E = 0` the bound is `0`, but SGD's drift there is `a²σ²`,
different for `a = 1/2` and `a = 1`. Since SGD at different rates lies in one class, no choice of
within-class constants rescues an optimizer-free `f`: the class drift must carry the rate
(`perturbation_bound_seedShape` uses `α̃ = α/σ`). With SGD at `α̃ = α/σ` the SGD and Adam drifts do
agree at `e = 0` (both `α²`; `adamDrift_eq_sgdDrift_of_noiseDominated`). -/
theorem not_exists_optimizerFree_classDrift {σ : F} (hσ : σ ≠ 0) :
    ¬ ∃ f : F → F → F, ∀ a : F, 0 < a → ∃ (C : F) (b : F → F), ∀ lam e E : F,
        0 < lam → a * lam < 2 → 0 ≤ e → e ≤ E →
          sgdDrift a lam σ e - f lam e ≤ C * b lam * E ∧
            f lam e - sgdDrift a lam σ e ≤ C * b lam * E := by
  rintro ⟨f, hf⟩
  obtain ⟨C1, b1, h1⟩ := hf (1 / 2) (by grind)
  obtain ⟨C2, b2, h2⟩ := hf 1 (by grind)
  have k1 := h1 1 0 0 (by grind) (by grind) (by grind) (by grind)
  have k2 := h2 1 0 0 (by grind) (by grind) (by grind) (by grind)
  have hs := sqPos hσ
  unfold sgdDrift at k1 k2
  grind

/-- **The seed's literal Theorem Candidate 1 forces all drifts to agree where its bound vanishes.**
It asks for one class drift `f`, the same for every optimizer, within `B` of each optimizer's drift,
with `B = C k^(−(s+1)/2) ‖e‖∞`, which is `0` at `‖e‖∞ = 0`. Wherever `B ≤ 0`, the drifts of any two
optimizers, here `dS` and `dA`, must then be equal. (The quantified form is
`not_exists_optimizerFree_classDrift`.) -/
theorem seedBound_forces_equal_drifts (dS dA f B : F) (hS1 : dS - f ≤ B) (hS2 : f - dS ≤ B)
    (hA1 : dA - f ≤ B) (hA2 : f - dA ≤ B) (hB : B ≤ 0) : dS = dA := by
  grind

/-- **…and they do not agree.** At zero energy SGD's drift is `α²σ²` and the Adam class drift (SGD at
`α/σ`) is `α²`; they differ whenever `α ≠ 0` and `σ² ≠ 1`. With `seedBound_forces_equal_drifts`, no
optimizer-independent `f` satisfies the seed's bound for SGD and Adam at the same base rate
(quantified form: `not_exists_classDrift_sgd_adam_sameRate`): the class drift must carry the
within-class constant `α̃`, as `perturbation_bound_seedShape` does. -/
theorem sgdDrift_zero_ne_classDrift_zero {α σ : F} (lam : F) (hα : α ≠ 0) (hσ : σ ≠ 0)
    (hσ1 : σ ^ 2 ≠ 1) : sgdDrift α lam σ 0 ≠ sgdDrift (classRate α σ) lam σ 0 := by
  unfold sgdDrift classRate
  intro h
  have h1 : α ^ 2 * (σ ^ 2 - 1) = 0 := by grind
  have h2 : 0 < α ^ 2 := Lean.Grind.OrderedRing.sq_pos hα
  have h3 : σ ^ 2 - 1 = (α ^ 2)⁻¹ * (α ^ 2 * (σ ^ 2 - 1)) := by grind
  grind

/-- **The same-base-rate SGD/Adam pair refuted.** For `α ≠ 0`, `σ > 0`, `σ² ≠ 1` there is no
`f : F → F → F`, constant `C` and weight `b` such that, for every genuine Adam mode with base rate
`α` and noise `σ` (any `λ ≥ 0`, `e ≥ 0`, any `E ≥ e`), both SGD at rate `α` and Adam at base rate
`α` stay within `C b(λ) E` of `f λ e`. At `e = 0` (so `r = σ`) SGD's drift is `α²σ²` and Adam's is
`α²`. With SGD at the class rate `α̃ = α/σ` instead, the two agree at `e = 0`: this refutes
"one `f` for both optimizers at the same base rate", not the class statement. -/
theorem not_exists_classDrift_sgd_adam_sameRate {α σ : F} (hα : α ≠ 0) (hσ : 0 < σ)
    (hσ1 : σ ^ 2 ≠ 1) :
    ¬ ∃ (f : F → F → F) (C : F) (b : F → F), ∀ m : AdamMode F, m.α = α → m.σ = σ →
        0 ≤ m.lam → 0 ≤ m.e → ∀ E : F, m.e ≤ E →
          (sgdDrift α m.lam σ m.e - f m.lam m.e ≤ C * b m.lam * E ∧
            f m.lam m.e - sgdDrift α m.lam σ m.e ≤ C * b m.lam * E) ∧
          (adamDrift α m.lam σ m.e m.r - f m.lam m.e ≤ C * b m.lam * E ∧
            f m.lam m.e - adamDrift α m.lam σ m.e m.r ≤ C * b m.lam * E) := by
  rintro ⟨f, C, b, h⟩
  let m : AdamMode F :=
    { α := α, lam := 1, σ := σ, e := 0, r := σ, r_pos := hσ, r_sq := by grind }
  have hm := h m rfl rfl (by show (0 : F) ≤ 1; grind) (by show (0 : F) ≤ 0; grind) 0
    (by show (0 : F) ≤ 0; grind)
  have hA : adamDrift α 1 σ 0 σ = sgdDrift (classRate α σ) 1 σ 0 :=
    adamDrift_eq_sgdDrift_of_noiseDominated _ _ _ _ _ rfl
  have hne := sgdDrift_zero_ne_classDrift_zero (1 : F) hα (by grind) hσ1
  change ((sgdDrift α 1 σ 0 - f 1 0 ≤ C * b 1 * 0 ∧ f 1 0 - sgdDrift α 1 σ 0 ≤ C * b 1 * 0) ∧
      (adamDrift α 1 σ 0 σ - f 1 0 ≤ C * b 1 * 0 ∧ f 1 0 - adamDrift α 1 σ 0 σ ≤ C * b 1 * 0)) at hm
  grind

/-! ### `Rat` instances -/

/-- A concrete `Rat` profile with a genuine power-law spectrum and non-zero energies: `α = 1/10`,
`σ = 1/2`, `λ_k = 1/(k+1)` (so `λ_k ≤ 1` and `λ_k k ≤ 1`: `s = 1`, `C_λ = 1`),
`e_k = (k+2)²/(k+3)² ∈ (0, 1]`, `r_k = ((k+2)² + 1)/(2(k+1)(k+3))`. The preconditioner identity is
`4u + (u − 1)² = (u + 1)²` with `u = (k+2)²`, `(k+1)(k+3) = u − 1`. -/
def ratProfile : AdamProfile Rat where
  α := 1 / 10
  σ := 1 / 2
  lam := fun k => 1 / ((k : Rat) + 1)
  e := fun k => ((k : Rat) + 2) ^ 2 / ((k : Rat) + 3) ^ 2
  r := fun k => (((k : Rat) + 2) ^ 2 + 1) / (2 * ((k : Rat) + 1) * ((k : Rat) + 3))
  r_pos := fun k => by
    have h0 := (Lean.Grind.OrderedRing.natCast_nonneg : (0 : Rat) ≤ (k : Rat))
    have hn : (0 : Rat) < ((k : Rat) + 2) ^ 2 + 1 := by
      have := sqNonneg ((k : Rat) + 2)
      grind
    have hd : (0 : Rat) < 2 * ((k : Rat) + 1) * ((k : Rat) + 3) :=
      mulPos (mulPos (by grind) (by grind)) (by grind)
    have := mulPos hn (invPos hd)
    grind
  r_sq := fun k => by
    have h0 := (Lean.Grind.OrderedRing.natCast_nonneg : (0 : Rat) ≤ (k : Rat))
    have h1 : (k : Rat) + 1 ≠ 0 := by grind
    have h3 : (k : Rat) + 3 ≠ 0 := by grind
    grind

private theorem ratDivLeOne {x d : Rat} (hd : 0 < d) (hxd : x ≤ d) : x / d ≤ 1 := by
  have := mulLeMulLeft hxd (leOfLt (invPos hd))
  grind

private theorem ratProfile_lam_mem (k : Nat) : 0 ≤ ratProfile.lam k ∧ ratProfile.lam k ≤ 1 := by
  show 0 ≤ 1 / ((k : Rat) + 1) ∧ 1 / ((k : Rat) + 1) ≤ 1
  have h0 := (Lean.Grind.OrderedRing.natCast_nonneg : (0 : Rat) ≤ (k : Rat))
  have := invPos (by grind : (0 : Rat) < (k : Rat) + 1)
  exact ⟨by grind, ratDivLeOne (by grind) (by grind)⟩

private theorem ratProfile_e_mem (k : Nat) : 0 ≤ ratProfile.e k ∧ ratProfile.e k ≤ 1 := by
  show 0 ≤ ((k : Rat) + 2) ^ 2 / ((k : Rat) + 3) ^ 2 ∧ ((k : Rat) + 2) ^ 2 / ((k : Rat) + 3) ^ 2 ≤ 1
  have h0 := (Lean.Grind.OrderedRing.natCast_nonneg : (0 : Rat) ≤ (k : Rat))
  have hd : (0 : Rat) < ((k : Rat) + 3) ^ 2 := by
    have := mulPos (by grind : (0 : Rat) < (k : Rat) + 3) (by grind : (0 : Rat) < (k : Rat) + 3)
    grind
  have hn := sqNonneg ((k : Rat) + 2)
  have := mulNonneg (by grind : (0 : Rat) ≤ ((k : Rat) + 2) ^ 2) (leOfLt (invPos hd))
  exact ⟨by grind, ratDivLeOne hd (by grind)⟩

-- the energies are genuinely non-zero: `e_0 = 4/9`, `λ_0 = 1`
example : ratProfile.e 0 = 4 / 9 ∧ ratProfile.lam 0 = 1 := by
  simp only [ratProfile]
  grind

-- the vanishing bound `B = 0` pins both drifts to `f`
example : (2 : Rat) = 2 :=
  seedBound_forces_equal_drifts 2 2 2 0 (by grind) (by grind) (by grind) (by grind) (by grind)

example : sgdDrift (1 : Rat) 1 2 0 ≠ sgdDrift (classRate 1 2) 1 2 0 :=
  sgdDrift_zero_ne_classDrift_zero 1 (by grind) (by grind) (by grind)

example : (1 : Rat) / 2 < 1 / 1 := seedStepTwoBound_lt_succ (by grind) (by grind) (by grind)

example : (1 : Rat) / 2 ≤ 1 / 1 := seedStepTwoBound_le_succ (by grind) (by grind) (by grind)

-- the literal reading refuted over `Rat` with `σ = 2`: the witnesses are SGD at rates `1/2` and
-- `1` on the mode `λ = 1`, stable (`aλ < 2`), with zero-energy drifts `1 ≠ 4`
example : ¬ ∃ f : Rat → Rat → Rat, ∀ a : Rat, 0 < a → ∃ (C : Rat) (b : Rat → Rat), ∀ lam e E : Rat,
    0 < lam → a * lam < 2 → 0 ≤ e → e ≤ E →
      sgdDrift a lam 2 e - f lam e ≤ C * b lam * E ∧ f lam e - sgdDrift a lam 2 e ≤ C * b lam * E :=
  not_exists_optimizerFree_classDrift (by grind)

example : sgdDrift (1 / 2 : Rat) 1 2 0 = 1 ∧ sgdDrift (1 : Rat) 1 2 0 = 4 := by
  unfold sgdDrift
  grind

-- the same-base-rate pair over `Rat`: `α = 1`, `σ = 2` (`σ² = 4 ≠ 1`)
example : ¬ ∃ (f : Rat → Rat → Rat) (C : Rat) (b : Rat → Rat), ∀ m : AdamMode Rat, m.α = 1 →
    m.σ = 2 → 0 ≤ m.lam → 0 ≤ m.e → ∀ E : Rat, m.e ≤ E →
      (sgdDrift 1 m.lam 2 m.e - f m.lam m.e ≤ C * b m.lam * E ∧
        f m.lam m.e - sgdDrift 1 m.lam 2 m.e ≤ C * b m.lam * E) ∧
      (adamDrift 1 m.lam 2 m.e m.r - f m.lam m.e ≤ C * b m.lam * E ∧
        f m.lam m.e - adamDrift 1 m.lam 2 m.e m.r ≤ C * b m.lam * E) :=
  not_exists_classDrift_sgd_adam_sameRate (by grind) (by grind) (by grind)

-- the two-sided per-mode bounds on the Pythagorean mode `α = 18/5, λ = 1, σ = 4, e = 9, r = 5`
example : -driftDeviationLower ratAdamMode.α ratAdamMode.lam ratAdamMode.σ ratAdamMode.e
        ≤ adamDrift ratAdamMode.α ratAdamMode.lam ratAdamMode.σ ratAdamMode.e ratAdamMode.r
          - sgdDrift (classRate ratAdamMode.α ratAdamMode.σ) ratAdamMode.lam ratAdamMode.σ ratAdamMode.e ∧
      adamDrift ratAdamMode.α ratAdamMode.lam ratAdamMode.σ ratAdamMode.e ratAdamMode.r
          - sgdDrift (classRate ratAdamMode.α ratAdamMode.σ) ratAdamMode.lam ratAdamMode.σ ratAdamMode.e
        ≤ driftDeviationUpper ratAdamMode.α ratAdamMode.lam ratAdamMode.σ ratAdamMode.e :=
  driftDeviation_mem ratAdamMode (by simp only [ratAdamMode]; grind) (by simp only [ratAdamMode]; grind)
    (by simp only [ratAdamMode]; grind) (by simp only [ratAdamMode]; grind)

-- the exact deviation identity, `r ≥ σ`, and the linear bound on the same mode (`λ²e = 9 ≠ 0`)
example := adamDrift_sub_sgdDrift_eq ratAdamMode (by simp only [ratAdamMode]; grind)

example : ratAdamMode.σ ≤ ratAdamMode.r :=
  ratAdamMode.σ_le_r (by simp only [ratAdamMode]; grind) (by simp only [ratAdamMode]; grind)

example : adamDrift ratAdamMode.α ratAdamMode.lam ratAdamMode.σ ratAdamMode.e ratAdamMode.r
      - sgdDrift (classRate ratAdamMode.α ratAdamMode.σ) ratAdamMode.lam ratAdamMode.σ ratAdamMode.e
    ≤ driftDeviationLinear ratAdamMode.α ratAdamMode.lam ratAdamMode.σ ratAdamMode.e :=
  driftDeviation_le_linear ratAdamMode (by simp only [ratAdamMode]; grind)
    (by simp only [ratAdamMode]; grind) (by simp only [ratAdamMode]; grind)
    (by simp only [ratAdamMode]; grind)

-- the weighted bound on that mode with `λ₁ = 1`, `E = 9`, weight `w = 2 ≥ λ² = 1`
example := driftDeviation_le_weight ratAdamMode 1 9 2 (by simp only [ratAdamMode]; grind)
  (by simp only [ratAdamMode]; grind) (by simp only [ratAdamMode]; grind)
  (by simp only [ratAdamMode]; grind) (by simp only [ratAdamMode]; grind)
  (by simp only [ratAdamMode]; grind) (by simp only [ratAdamMode]; grind)

-- the deviation there is `-891/625`, non-zero
example : adamDrift ratAdamMode.α ratAdamMode.lam ratAdamMode.σ ratAdamMode.e ratAdamMode.r
    - sgdDrift (classRate ratAdamMode.α ratAdamMode.σ) ratAdamMode.lam ratAdamMode.σ ratAdamMode.e
      = -891 / 625 := by
  simp only [ratAdamMode, adamDrift, adamRate, sgdDrift, classRate]
  grind

-- the weighted refinement on `ratProfile` (`λ₁ = 1`, `E = 1`)
example (k : Nat) :
    -(perturbationConstant ratProfile.α 1 ratProfile.σ 1 * ratProfile.lam k ^ 2 * 1)
        ≤ adamDrift ratProfile.α (ratProfile.lam k) ratProfile.σ (ratProfile.e k) (ratProfile.r k)
          - sgdDrift (classRate ratProfile.α ratProfile.σ) (ratProfile.lam k) ratProfile.σ (ratProfile.e k) ∧
      adamDrift ratProfile.α (ratProfile.lam k) ratProfile.σ (ratProfile.e k) (ratProfile.r k)
          - sgdDrift (classRate ratProfile.α ratProfile.σ) (ratProfile.lam k) ratProfile.σ (ratProfile.e k)
        ≤ perturbationConstant ratProfile.α 1 ratProfile.σ 1 * ratProfile.lam k ^ 2 * 1 :=
  perturbation_bound ratProfile 1 1 (by simp only [ratProfile]; grind) (by simp only [ratProfile]; grind)
    ratProfile_lam_mem ratProfile_e_mem k

-- the weighted refinement on `ratProfile` with the weight `w_k = 1 ≥ λ_k²`
example := spectral_universality ratProfile 1 1 (fun _ => 1) (by simp only [ratProfile]; grind)
  (by simp only [ratProfile]; grind) ratProfile_lam_mem ratProfile_e_mem
  (fun k => by
    have := ratProfile_lam_mem k
    have := mulLeMul this.1 this.2 this.1 this.2
    grind)

-- the seed's shape on `ratProfile` (`Λ = 1`, `E = 1`): `C = 2/5 + 1/25`
example (k : Nat) :
    -(seedShapeConstant ratProfile.α 1 ratProfile.σ * ratProfile.lam k * 1)
        ≤ adamDrift ratProfile.α (ratProfile.lam k) ratProfile.σ (ratProfile.e k) (ratProfile.r k)
          - sgdDrift (classRate ratProfile.α ratProfile.σ) (ratProfile.lam k) ratProfile.σ (ratProfile.e k) ∧
      adamDrift ratProfile.α (ratProfile.lam k) ratProfile.σ (ratProfile.e k) (ratProfile.r k)
          - sgdDrift (classRate ratProfile.α ratProfile.σ) (ratProfile.lam k) ratProfile.σ (ratProfile.e k)
        ≤ seedShapeConstant ratProfile.α 1 ratProfile.σ * ratProfile.lam k * 1 :=
  perturbation_bound_seedShape ratProfile 1 1 (by simp only [ratProfile]; grind)
    (by simp only [ratProfile]; grind) ratProfile_lam_mem ratProfile_e_mem k

example : seedShapeConstant (ratProfile.α) 1 ratProfile.σ = 11 / 25 := by
  simp only [ratProfile, seedShapeConstant]
  grind

section PowerLawExample

attribute [local instance] Lean.Grind.Semiring.natCast

private theorem ratProfile_powerLaw (k : Nat) (_hk : 1 ≤ k) :
    ratProfile.lam k * (k : Rat) ^ 1 ≤ 1 := by
  show 1 / ((k : Rat) + 1) * (k : Rat) ^ 1 ≤ 1
  have h0 := (Lean.Grind.OrderedRing.natCast_nonneg : (0 : Rat) ≤ (k : Rat))
  have := ratDivLeOne (x := (k : Rat)) (d := (k : Rat) + 1) (by grind) (by grind)
  grind

-- the seed's power-law rate on `ratProfile` (`s = 1`, `C_λ = 1`): `δ_k² k² ≤ (11/25)²`
example (k : Nat) (hk : 1 ≤ k) :
    (adamDrift ratProfile.α (ratProfile.lam k) ratProfile.σ (ratProfile.e k) (ratProfile.r k)
        - sgdDrift (classRate ratProfile.α ratProfile.σ) (ratProfile.lam k) ratProfile.σ
          (ratProfile.e k)) ^ 2 * (k : Rat) ^ (1 + 1)
      ≤ (seedShapeConstant ratProfile.α 1 ratProfile.σ * 1 * 1) ^ 2 :=
  perturbation_bound_powerLaw ratProfile 1 1 1 1 (by omega) (by simp only [ratProfile]; grind)
    (by simp only [ratProfile]; grind) ratProfile_lam_mem ratProfile_e_mem ratProfile_powerLaw k hk

end PowerLawExample

end SpectralUniversality

end
