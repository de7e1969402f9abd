module

/-!
# Order facts over a generic ordered field

The library is stated over any field `F` that `grind` accepts as an ordered field (the instance list
below). `grind` does linear order reasoning and field identities, but not nonlinear order facts
(`0 < a → 0 < b → 0 < a * b`) or inequalities through division; the lemmas here supply those, once,
for every other module.
-/

@[expose] public section

set_option linter.unusedSectionVars false

namespace SpectralUniversality

variable {F : Type} [Lean.Grind.Field F] [LE F] [LT F] [Std.LawfulOrderLT F] [Std.IsLinearOrder F]
  [Lean.Grind.OrderedRing F]

/-- A product of positives is positive. -/
theorem mulPos {a b : F} (ha : 0 < a) (hb : 0 < b) : 0 < a * b :=
  Lean.Grind.OrderedRing.mul_pos ha hb

/-- A product of nonnegatives is nonnegative. -/
theorem mulNonneg {a b : F} (ha : 0 ≤ a) (hb : 0 ≤ b) : 0 ≤ a * b :=
  Lean.Grind.OrderedRing.mul_nonneg ha hb

/-- Strict order gives weak order. -/
theorem leOfLt {a b : F} (h : a < b) : a ≤ b := by grind

/-- Multiplying on the left by a nonnegative number keeps `≤`. -/
theorem mulLeMulLeft {a b c : F} (h : a ≤ b) (hc : 0 ≤ c) : c * a ≤ c * b := by
  have := mulNonneg hc (by grind : (0 : F) ≤ b - a)
  grind

/-- Products of nonnegative bounds: `0 ≤ a ≤ b`, `0 ≤ c ≤ d → a c ≤ b d`. -/
theorem mulLeMul {a b c d : F} (ha : 0 ≤ a) (hab : a ≤ b) (hc : 0 ≤ c) (hcd : c ≤ d) :
    a * c ≤ b * d := by
  have h1 := mulNonneg (by grind : (0 : F) ≤ b - a) hc
  have h2 := mulNonneg (by grind : (0 : F) ≤ b) (by grind : (0 : F) ≤ d - c)
  grind

/-- The square of a nonzero number is positive. -/
theorem sqPos {a : F} (ha : a ≠ 0) : 0 < a * a := by
  have h : a < 0 ∨ 0 < a := by grind
  rcases h with h | h
  · have := mulPos (a := -a) (b := -a) (by grind) (by grind)
    grind
  · exact mulPos h h

/-- Squares are nonnegative. -/
theorem sqNonneg (a : F) : 0 ≤ a * a := by
  have h : a < 0 ∨ a = 0 ∨ 0 < a := by grind
  rcases h with h | h | h
  · have := mulPos (a := -a) (b := -a) (by grind) (by grind)
    grind
  · have h0 : a * a = 0 * a := by rw [h]
    grind
  · have := mulPos h h
    grind

/-- The inverse of a positive number is positive. -/
theorem invPos {a : F} (h : 0 < a) : 0 < a⁻¹ := by
  have h1 : a * a⁻¹ = 1 := by grind
  have h2 : a⁻¹ < 0 ∨ a⁻¹ = 0 ∨ 0 < a⁻¹ := by grind
  rcases h2 with h2 | h2 | h2
  · have := mulPos h (by grind : 0 < -a⁻¹)
    grind
  · rw [h2] at h1
    grind
  · exact h2

/-- Cancellation: `a b = 0`, `b ≠ 0 → a = 0`. -/
theorem eqZeroOfMul {a b : F} (h : a * b = 0) (hb : b ≠ 0) : a = 0 := by
  have h2 : a = a * b * b⁻¹ := by grind
  grind

/-- Dividing by a larger positive number gives less: `0 ≤ x`, `0 < d' ≤ d → x/d ≤ x/d'`. -/
theorem divLeDiv {x d d' : F} (hx : 0 ≤ x) (hd' : 0 < d') (hdd : d' ≤ d) : x / d ≤ x / d' := by
  have hd : 0 < d := by grind
  have h1 : x / d' - x / d = x * (d - d') * (d * d')⁻¹ := by grind
  have h2 := invPos (mulPos hd hd')
  have h3 := mulNonneg (mulNonneg hx (by grind : (0 : F) ≤ d - d')) (leOfLt h2)
  grind

example : (0 : Rat) < (1 / 2) * 3 := mulPos (by grind) (by grind)

example : (0 : Rat) < (2 / 3)⁻¹ := invPos (by grind)

example : (1 : Rat) / 3 ≤ 1 / 2 := divLeDiv (by grind) (by grind) (by grind)

end SpectralUniversality

end
