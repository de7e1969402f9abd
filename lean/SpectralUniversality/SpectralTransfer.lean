module

public import SpectralUniversality.Basic
public import SpectralUniversality.Invariants

/-!
# The spectral transfer identity and the participation ratio (companion seed 001)

Seed 001 relates three exponents of one layer: the curvature exponent `α` (`h_k ∝ σ_k^α`, the Hessian's
curvature along the gradient's `k`-th singular direction against its singular value), the gradient
rank-decay `γ` (`σ_k ∝ k^(−γ)`) and the Hessian decay exponent `s` (`h_k ∝ k^(−s)`). It calls `s = αγ`
algebraic; here it is, for the least-squares fits the numerics use (`Invariants.lsSlope`):

* `lsSlope_affine`: on exactly affine data `y_k = a x_k + b` the fitted slope is `a`;
* `lsSlope_congr_right`: the fit only sees the points `k < n`;
* `lsSlope_comp_affine` (the identity): if `log h_k = α log σ_k + c` and `log σ_k = −γ log k + c'` for
  `k < n`, the slope of `log h_k` on `log k` is `−αγ`, i.e. `s = αγ`. Its empirical content, that `α` and `γ`
  fitted on independent data recover `s`, is measured in `numerics/transfer.py`, not proved;
* `sumTo_sq_le_sq_sumTo`, `one_le_participationRatio`: for nonnegative curvatures
  `Σλ_k² ≤ (Σλ_k)²`, so the participation ratio `PR = (Σλ)²/Σλ²` is at least one. Its upper bound
  `ζ(s)²/ζ(2s)` for `λ_k = k^(−s)` is analytic (SymPy, `theory/transfer.py`).
-/

@[expose] public section

set_option linter.unusedSectionVars false

namespace SpectralUniversality

variable {F : Type} [Lean.Grind.Field F] [LE F] [LT F] [Std.LawfulOrderLT F] [Std.IsLinearOrder F]
  [Lean.Grind.OrderedRing F]

/-- The least-squares slope only depends on the points `k < n`. -/
theorem lsSlope_congr_right {x y y' : Nat → F} {n : Nat} (h : ∀ k, k < n → y k = y' k) :
    lsSlope x y n = lsSlope x y' n := by
  have h1 : sumTo (fun k => x k * y k) n = sumTo (fun k => x k * y' k) n :=
    sumTo_congr (fun k hk => by rw [h k hk])
  have h2 : sumTo y n = sumTo y' n := sumTo_congr h
  simp only [lsSlope]
  rw [h1, h2]

/-- On exactly affine data `y_k = a x_k + b` (with non-constant `x`, i.e. a nonzero denominator) the
least-squares slope is `a`. -/
theorem lsSlope_affine (x : Nat → F) (a b : F) (n : Nat)
    (hden : sumTo (fun _ => 1) n * sumTo (fun k => x k * x k) n - sumTo x n * sumTo x n ≠ 0) :
    lsSlope x (fun k => a * x k + b) n = a := by
  have h1 : sumTo (fun k => x k * (a * x k + b)) n = sumTo (fun k => x k * (a * x k)) n + b * sumTo x n :=
    sumTo_mul_add_const x (fun k => a * x k) b n
  have h2 : sumTo (fun k => a * x k + b) n = sumTo (fun k => a * x k) n + b * sumTo (fun _ => (1 : F)) n :=
    sumTo_add_const (fun k => a * x k) b n
  have h3 : sumTo (fun k => x k * (a * x k)) n = a * sumTo (fun k => x k * x k) n := by
    have h3a : sumTo (fun k => x k * (a * x k)) n = sumTo (fun k => a * (x k * x k)) n :=
      sumTo_congr (fun k _ => by grind)
    rw [h3a]
    exact sumTo_mul_left a (fun k => x k * x k) n
  have h4 : sumTo (fun k => a * x k) n = a * sumTo x n := sumTo_mul_left a x n
  simp only [lsSlope]
  rw [h1, h2, h3, h4]
  grind

/-- **Spectral transfer identity `s = αγ`.** If the curvature along the `k`-th gradient singular direction
is a power of the singular value, `log h_k = α log σ_k + c`, and the singular values decay as a power of
the index, `log σ_k = −γ log k + c'` (for `k < n`, with non-constant `log k`), then the least-squares slope
of `log h_k` on `log k` is `−αγ`. -/
theorem lsSlope_comp_affine (logk logσ logh : Nat → F) (α γ c c' : F) (n : Nat)
    (hσ : ∀ k, k < n → logσ k = -γ * logk k + c') (hh : ∀ k, k < n → logh k = α * logσ k + c)
    (hden : sumTo (fun _ => 1) n * sumTo (fun k => logk k * logk k) n - sumTo logk n * sumTo logk n ≠ 0) :
    lsSlope logk logh n = -(α * γ) := by
  have h : lsSlope logk logh n = lsSlope logk (fun k => -(α * γ) * logk k + (α * c' + c)) n :=
    lsSlope_congr_right (fun k hk => by rw [hh k hk, hσ k hk]; grind)
  rw [h]
  exact lsSlope_affine logk _ _ n hden

/-- Participation ratio `(Σ_{k<n} λ_k)² / Σ_{k<n} λ_k²` of a spectrum: the effective number of directions
that carry the curvature. -/
noncomputable def participationRatio (lam : Nat → F) (n : Nat) : F :=
  sumTo lam n ^ 2 / sumTo (fun k => lam k ^ 2) n

/-- For nonnegative terms the sum of squares is at most the square of the sum. -/
theorem sumTo_sq_le_sq_sumTo {lam : Nat → F} {n : Nat} (hnonneg : ∀ k, k < n → 0 ≤ lam k) :
    sumTo (fun k => lam k ^ 2) n ≤ sumTo lam n ^ 2 := by
  induction n with
  | zero => simp only [sumTo]; grind
  | succ m ih =>
    simp only [sumTo]
    have h1 := ih (fun k hk => hnonneg k (by omega))
    have h2 := sumTo_nonneg (f := lam) (n := m) (fun k hk => hnonneg k (by omega))
    have h3 := hnonneg m (by omega)
    have h4 := mulNonneg h2 h3
    grind

/-- **At least one direction.** A nonnegative, not identically zero spectrum has participation ratio `≥ 1`. -/
theorem one_le_participationRatio {lam : Nat → F} {n : Nat} (hnonneg : ∀ k, k < n → 0 ≤ lam k)
    (hpos : 0 < sumTo (fun k => lam k ^ 2) n) : 1 ≤ participationRatio lam n := by
  unfold participationRatio
  have h := sumTo_sq_le_sq_sumTo hnonneg
  have hq : sumTo (fun k => lam k ^ 2) n * (sumTo (fun k => lam k ^ 2) n)⁻¹ = 1 := by grind
  have hinv : 0 < (sumTo (fun k => lam k ^ 2) n)⁻¹ := invPos hpos
  have := mulNonneg
    (by grind : (0 : F) ≤ sumTo lam n ^ 2 - sumTo (fun k => lam k ^ 2) n)
    (by grind : (0 : F) ≤ (sumTo (fun k => lam k ^ 2) n)⁻¹)
  grind

example : lsSlope (fun k => (k : Rat)) (fun k => -(2 * 3) * (k : Rat) + 1) 3 = -(2 * 3) :=
  lsSlope_comp_affine (fun k => (k : Rat)) (fun k => -3 * (k : Rat)) _ 2 3 1 0 3
    (fun k _ => by grind) (fun k _ => by grind)
    (by simp only [sumTo]; grind)

end SpectralUniversality

end
