module

public import SpectralUniversality.AdamClass

/-!
# Theorem Candidate 1 (paper §3) in a precise, true form for the §9 model

Let `δ = adamDrift α λ σ e r − sgdDrift (α/σ) λ σ e` be the deviation of the Adam drift from the
class drift (SGD at `α̃ = α/σ`), with `r > 0`, `r² = λ²e + σ²`. The exact identity
(`adamDrift_sub_sgdDrift_eq`) is

  `δ = 2αλe (r − σ)/(σ r) − α²λ²e / r²`

(from `δ = 2αλe(1/σ − 1/r) + α²σ²(1/r² − 1/σ²)` and `r² − σ² = λ²e`). With `σ ≤ r`,
`1/r ≤ 1/σ` and `r − σ = λ²e/(r + σ) ≤ λ²e/(2σ)`, for `α ≥ 0`,
`λ ≥ 0`, `e ≥ 0`, `σ > 0` (`driftDeviation_mem`):

  `−α²λ²e/σ² ≤ δ ≤ αλ³e²/σ³`,

and also `δ ≤ 2αλe/σ` (`driftDeviation_le_linear`). With `0 ≤ λ_k ≤ λ₁`, `0 ≤ e_k ≤ E`
(`‖e‖∞ ≤ E`) and weights `λ_k² ≤ w_k`: `|δ_k| ≤ C w_k E` with `C = αλ₁E/σ³ + α²/σ²`
(`spectral_universality`); with `w_k = λ_k²`, `|δ_k| ≤ C λ_k² ‖e‖∞` (`perturbation_bound`).
For a power law `λ_k ≤ C_λ k^(−s)` this is `O(k^(−2s))`, stronger than the paper's
`k^(−(s+1)/2)` for every `s > 1/3` (in particular for the paper's `s > 1`).

What is NOT proved and where the paper is wrong:

* The paper's hypotheses (A1)–(A3) are not used and not needed in the diagonal §9 model; the
  statement is proved for that model only, not for general optimizers or losses.
* The comparison drift must be the SGD drift at the rescaled rate `α̃ = α/σ`; the paper's `f_s`
  "independent of the optimizer" is only true up to that within-class constant.
* §4 step 2 bounds the perturbation by `Cβ/λ_k`. For positive non-increasing `λ_k` this bound is
  non-decreasing in `k` (`seedStepTwoBound_le_succ`, strictly increasing for strictly
  decreasing `λ_k` and `Cβ > 0`: `seedStepTwoBound_lt_succ`), so it cannot yield the claimed
  decay in `k`; the bound proved here comes instead from the explicit `r − σ = λ²e/(r + σ)`.
-/

@[expose] public section

set_option linter.unusedSectionVars false

namespace SpectralUniversality

variable {F : Type} [Lean.Grind.Field F] [LE F] [LT F] [Std.LawfulOrderLT F] [Std.IsLinearOrder F]
  [Lean.Grind.OrderedRing F]

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



private theorem divLeDiv {x d d' : F} (hx : 0 ≤ x) (hd' : 0 < d') (hdd : d' ≤ d) :
    x / d ≤ x / d' := by
  have hd : 0 < d := by grind
  have h1 : x / d' - x / d = x * (d - d') * (d * d')⁻¹ := by grind
  have h2 := invPos (mulPos hd hd')
  have h3 := mulNonneg (mulNonneg hx (by grind : (0 : F) ≤ d - d')) (leOfLt h2)
  grind

private theorem mulLeMul {a b c d : F} (ha : 0 ≤ a) (hab : a ≤ b) (hc : 0 ≤ c) (hcd : c ≤ d) :
    a * c ≤ b * d := by
  have h1 := mulNonneg (by grind : (0 : F) ≤ b - a) hc
  have h2 := mulNonneg (by grind : (0 : F) ≤ b) (by grind : (0 : F) ≤ d - c)
  grind

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
  α : F
  σ : F
  lam : Nat → F
  e : Nat → F
  r : Nat → F
  r_pos : ∀ k, 0 < r k
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

/-- **Theorem Candidate 1, §9 model, in a true and sharper form.** For every Adam profile with
`α ≥ 0`, `σ > 0`, `0 ≤ λ_k ≤ λ₁`, `0 ≤ e_k ≤ E` (`‖e‖∞ ≤ E`) and weights `λ_k² ≤ w_k`, the Adam
drift deviates from the class drift (SGD at `α̃ = α/σ`) by at most `C w_k E` in both directions,
`C = αλ₁E/σ³ + α²/σ²`. -/
theorem spectral_universality (p : AdamProfile F) (lam1 E : F) (w : Nat → F) (hα : 0 ≤ p.α)
    (hσ : 0 < p.σ) (hlam : ∀ k, 0 ≤ p.lam k ∧ p.lam k ≤ lam1) (he : ∀ k, 0 ≤ p.e k ∧ p.e k ≤ E)
    (hw : ∀ k, p.lam k ^ 2 ≤ w k) (k : Nat) :
    -(perturbationConstant p.α lam1 p.σ E * w k * E)
        ≤ adamDrift p.α (p.lam k) p.σ (p.e k) (p.r k) - sgdDrift (classRate p.α p.σ) (p.lam k) p.σ (p.e k) ∧
      adamDrift p.α (p.lam k) p.σ (p.e k) (p.r k) - sgdDrift (classRate p.α p.σ) (p.lam k) p.σ (p.e k)
        ≤ perturbationConstant p.α lam1 p.σ E * w k * E :=
  driftDeviation_le_weight (p.mode k) lam1 E (w k) hα (hlam k).1 (hlam k).2 (he k).1 (he k).2 hσ
    (hw k)

/-- The headline with the sharpest weight `w_k = λ_k²`: `|δ_k| ≤ C λ_k² ‖e‖∞`. -/
theorem perturbation_bound (p : AdamProfile F) (lam1 E : F) (hα : 0 ≤ p.α)
    (hσ : 0 < p.σ) (hlam : ∀ k, 0 ≤ p.lam k ∧ p.lam k ≤ lam1) (he : ∀ k, 0 ≤ p.e k ∧ p.e k ≤ E)
    (k : Nat) :
    -(perturbationConstant p.α lam1 p.σ E * p.lam k ^ 2 * E)
        ≤ adamDrift p.α (p.lam k) p.σ (p.e k) (p.r k) - sgdDrift (classRate p.α p.σ) (p.lam k) p.σ (p.e k) ∧
      adamDrift p.α (p.lam k) p.σ (p.e k) (p.r k) - sgdDrift (classRate p.α p.σ) (p.lam k) p.σ (p.e k)
        ≤ perturbationConstant p.α lam1 p.σ E * p.lam k ^ 2 * E :=
  spectral_universality p lam1 E (fun k => p.lam k ^ 2) hα hσ hlam he (fun _ => by grind) k

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

/-- **The seed's literal Theorem Candidate 1 forces all drifts to agree where its bound vanishes.**
It asks for one class drift `f`, the same for every optimizer, within `B` of each optimizer's drift,
with `B = C k^(−(s+1)/2) ‖e‖∞`, which is `0` at `‖e‖∞ = 0`. Wherever `B ≤ 0`, the drifts of any two
optimizers, here `dS` and `dA`, must then be equal. -/
theorem seedBound_forces_equal_drifts (dS dA f B : F) (hS1 : dS - f ≤ B) (hS2 : f - dS ≤ B)
    (hA1 : dA - f ≤ B) (hA2 : f - dA ≤ B) (hB : B ≤ 0) : dS = dA := by
  grind

/-- **…and they do not agree.** At zero energy SGD's drift is `α²σ²` and the Adam class drift (SGD at
`α/σ`) is `α²`; they differ whenever `α ≠ 0` and `σ² ≠ 1`. With `seedBound_forces_equal_drifts`, no
optimizer-independent `f` satisfies the seed's bound: the class drift must carry the within-class
constant `α̃`, as `spectral_universality` does. -/
theorem sgdDrift_zero_ne_classDrift_zero {α σ : F} (lam : F) (hα : α ≠ 0) (hσ : σ ≠ 0)
    (hσ1 : σ ^ 2 ≠ 1) : sgdDrift α lam σ 0 ≠ sgdDrift (classRate α σ) lam σ 0 := by
  unfold sgdDrift classRate
  intro h
  have h1 : α ^ 2 * (σ ^ 2 - 1) = 0 := by grind
  have h2 : 0 < α ^ 2 := Lean.Grind.OrderedRing.sq_pos hα
  have h3 : σ ^ 2 - 1 = (α ^ 2)⁻¹ * (α ^ 2 * (σ ^ 2 - 1)) := by grind
  grind

example : sgdDrift (1 : Rat) 1 2 0 ≠ sgdDrift (classRate 1 2) 1 2 0 :=
  sgdDrift_zero_ne_classDrift_zero 1 (by grind) (by grind) (by grind)

example : (1 : Rat) / 2 < 1 / 1 := seedStepTwoBound_lt_succ (by grind) (by grind) (by grind)

/-- A concrete `Rat` profile: `α = 1/10`, `σ = 3`, `λ_k = 1`, `e_k = 0`, `r_k = 3`. -/
def ratProfile : AdamProfile Rat where
  α := 1 / 10
  σ := 3
  lam := fun _ => 1
  e := fun _ => 0
  r := fun _ => 3
  r_pos := fun _ => by grind
  r_sq := fun _ => by grind

example (k : Nat) :
    -(perturbationConstant ratProfile.α 1 ratProfile.σ 1 * ratProfile.lam k ^ 2 * 1)
        ≤ adamDrift ratProfile.α (ratProfile.lam k) ratProfile.σ (ratProfile.e k) (ratProfile.r k)
          - sgdDrift (classRate ratProfile.α ratProfile.σ) (ratProfile.lam k) ratProfile.σ (ratProfile.e k) ∧
      adamDrift ratProfile.α (ratProfile.lam k) ratProfile.σ (ratProfile.e k) (ratProfile.r k)
          - sgdDrift (classRate ratProfile.α ratProfile.σ) (ratProfile.lam k) ratProfile.σ (ratProfile.e k)
        ≤ perturbationConstant ratProfile.α 1 ratProfile.σ 1 * ratProfile.lam k ^ 2 * 1 :=
  perturbation_bound ratProfile 1 1 (by simp only [ratProfile]; grind) (by simp only [ratProfile]; grind)
    (fun _ => by simp only [ratProfile]; grind) (fun _ => by simp only [ratProfile]; grind) k

end SpectralUniversality

end
