module

public import SpectralUniversality.Basic
public import SpectralUniversality.ModeDynamics

/-!
# Gradient descent on a quadratic: which mode sets the rate (companion seed 004, Step 1)

Noise-free gradient descent with step `η` on `L(θ) = ½ θᵀHθ`, `H = diag(λ_k)`, multiplies mode `k`'s energy
by `(1 − ηλ_k)²` per step: it is `ModeDynamics.sgdEnergyStep` at `σ = 0`
(`sgdEnergyStep_noiseless`), so the per-mode contraction factor is `sgdContraction η λ_k` and stability
holds exactly when `0 < ηλ_k < 2` (`ModeDynamics.sgdContraction_lt_one_iff`, not re-proved here).

Proved here, over any ordered field:

* `sgdContraction_sub_sgdContraction`: `(1 − ηa)² − (1 − ηb)² = η(b − a)(2 − η(a + b))`;
* `sgdContraction_lt_sgdContraction_iff`: for `η > 0`, `a < b`, the curvature-`b` mode contracts more slowly
  than the curvature-`a` mode exactly when `η(a + b) > 2`;
* `sgdContraction_le_of_endpoints`: on `[λ_min, λ_max]` the factor is largest at an end, so the global rate
  is `max((1 − ηλ_min)², (1 − ηλ_max)²)`;
* `sgdContraction_optimalStep_left`, `sgdContraction_optimalStep_right`: at `η = 2/(λ_min + λ_max)` both
  ends contract by `((κ − 1)/(κ + 1))²` with `κ = λ_max/λ_min` (written `((b − a)/(b + a))²`).

**A finding about the seed (004, Step 1).** It states `‖θ_t − θ*‖² ≤ (1 − ηλ_min)^{2t}‖θ_0 − θ*‖²` for
`η < 2/λ_max`. By `sgdContraction_lt_sgdContraction_iff` this fails for every stable step with
`η > 2/(λ_min + λ_max)`: then the top mode is the slow one. `exists_stable_sgdContraction_lt` exhibits it
at `η = 1`, `λ_min = 1/2`, `λ_max = 7/4` (`ηλ_max < 2`, yet `(1 − ηλ_max)² = 9/16 > 1/4 = (1 − ηλ_min)²`).
-/

@[expose] public section

set_option linter.unusedSectionVars false

namespace SpectralUniversality

variable {F : Type} [Lean.Grind.Field F] [LE F] [LT F] [Std.LawfulOrderLT F] [Std.IsLinearOrder F]
  [Lean.Grind.OrderedRing F]

private theorem sqLe {x y : F} (hx : 0 ≤ x) (hxy : x ≤ y) : x ^ 2 ≤ y ^ 2 := by
  have := mulLeMul hx hxy hx hxy
  grind

/-- Gradient descent is the noise-free SGD energy step: `e ↦ (1 − ηλ)² e`. -/
theorem sgdEnergyStep_noiseless (η lam e : F) : sgdEnergyStep η lam 0 e = sgdContraction η lam * e := by
  unfold sgdEnergyStep sgdContraction
  grind

/-- The gap between two modes' contraction factors: `(1 − ηa)² − (1 − ηb)² = η(b − a)(2 − η(a + b))`. -/
theorem sgdContraction_sub_sgdContraction (η a b : F) :
    sgdContraction η a - sgdContraction η b = η * (b - a) * (2 - η * (a + b)) := by
  unfold sgdContraction
  grind

/-- **Which mode is slowest.** For a positive step and curvatures `a < b`, the curvature-`b` mode contracts
more slowly exactly when `η(a + b) > 2`. -/
theorem sgdContraction_lt_sgdContraction_iff {η a b : F} (hη : 0 < η) (hab : a < b) :
    sgdContraction η a < sgdContraction η b ↔ 2 < η * (a + b) := by
  have hd := sgdContraction_sub_sgdContraction η a b
  have hp : 0 < η * (b - a) := mulPos hη (by grind)
  constructor
  · intro h
    rcases (by grind : 2 < η * (a + b) ∨ 0 ≤ 2 - η * (a + b)) with h2 | h2
    · exact h2
    · have := mulNonneg (by grind : (0 : F) ≤ η * (b - a)) h2
      grind
  · intro h
    have := mulPos hp (by grind : (0 : F) < η * (a + b) - 2)
    grind

/-- **The slowest mode is an extreme one.** For `η ≥ 0` and `a ≤ λ ≤ b`, any bound on the contraction
factors at `a` and at `b` bounds it at `λ`. -/
theorem sgdContraction_le_of_endpoints {η a b lam r : F} (hη : 0 ≤ η) (hal : a ≤ lam) (hlb : lam ≤ b)
    (ha : sgdContraction η a ≤ r) (hb : sgdContraction η b ≤ r) : sgdContraction η lam ≤ r := by
  unfold sgdContraction at *
  have h1 : η * a ≤ η * lam := mulLeMulLeft hal hη
  have h2 : η * lam ≤ η * b := mulLeMulLeft hlb hη
  rcases (by grind : (0 : F) ≤ 1 - η * lam ∨ 1 - η * lam < 0) with hx | hx
  · have := sqLe hx (by grind : 1 - η * lam ≤ 1 - η * a)
    grind
  · have := sqLe (by grind : (0 : F) ≤ -(1 - η * lam)) (by grind : -(1 - η * lam) ≤ -(1 - η * b))
    grind

/-- At the step `η = 2/(a + b)` the smallest curvature contracts by `((b − a)/(b + a))²`. -/
theorem sgdContraction_optimalStep_left {a b : F} (ha : 0 < a) (hb : 0 < b) :
    sgdContraction (2 / (a + b)) a = ((b - a) / (b + a)) ^ 2 := by
  unfold sgdContraction
  have : a + b ≠ 0 := by grind
  grind

/-- At the step `η = 2/(a + b)` the largest curvature contracts by the same `((b − a)/(b + a))²`. -/
theorem sgdContraction_optimalStep_right {a b : F} (ha : 0 < a) (hb : 0 < b) :
    sgdContraction (2 / (a + b)) b = ((b - a) / (b + a)) ^ 2 := by
  unfold sgdContraction
  have : a + b ≠ 0 := by grind
  grind

/-- **The seed's Step 1 rate `(1 − ηλ_min)²` is not the rate.** A stable step (`0 < ηλ_max < 2`) at which
the top mode contracts more slowly than the bottom one: `η = 1`, `λ_min = 1/2`, `λ_max = 7/4`. -/
theorem exists_stable_sgdContraction_lt :
    ∃ η a b : Rat, 0 < a ∧ a < b ∧ 0 < η * b ∧ η * b < 2 ∧ sgdContraction η a < sgdContraction η b :=
  ⟨1, 1 / 2, 7 / 4, by grind, by grind, by grind, by grind,
    (sgdContraction_lt_sgdContraction_iff (by grind) (by grind)).mpr (by grind)⟩

end SpectralUniversality

end
