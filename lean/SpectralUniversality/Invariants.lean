module

public import SpectralUniversality.Basic
public import SpectralUniversality.ModeDynamics
public import SpectralUniversality.AdamClass

/-!
# What makes a class: invariants and within-class constants (paper §9.2, §10)

Proved here, over any ordered field:

* `sgdContinuousSteadyState_eq_mul`, `sgdContinuousSteadyState_div`: two members of one class
  (continuous drifts with rates `α`, `α̃`) have steady-state profiles whose ratio is `α/α̃` at
  every mode, i.e. independent of `k` — so they share the spectral exponent `s`;
* **a finding about the paper (§9.2):** for the EXACT discrete recursion
  (`ModeDynamics.sgdFixedPoint`) the ratio is `(α/α̃)(2 − α̃λ_k)/(2 − αλ_k)`
  (`sgdFixedPoint_eq_discreteSteadyStateRatio_mul`), and it takes the same value at two different curvatures only if
  `α = α̃` (`eq_of_discreteSteadyStateRatio_eq`). So "same profile up to a constant" holds for the
  continuous-time idealisation the paper writes down, not for the discrete dynamics it starts
  from; the discrepancy is of relative order `αλ_k`, largest at the top modes;
* `lsSlope_add_const`: the least-squares slope of `(x_k, y_k)`, `k < n` (paper §10 step 3, fitted
  on `y_k = log ê_k`) is unchanged when a constant is added to every `y_k`; hence `ŝ` cannot
  distinguish within-class constants (a factor `c` on all energies is `+log c` on all `y_k`).
  Finite sums are a recursive `sumTo` with linearity lemmas `sumTo_add`, `sumTo_mul_left`, `sumTo_neg`,
  congruence `sumTo_congr`, positivity `sumTo_nonneg` and the exchange of a double sum `sumTo_comm`
  (used by `SpectralTransfer` and `ShellEnergy`);
* `contractionRate_le_contractionRate`, `contractionRate_lt_contractionRate`: contraction rates
  keep the order of the curvatures across modes; `contractionRate_div`: two class members'
  rates have the `k`-free ratio `α̃/α`.
-/

@[expose] public section

set_option linter.unusedSectionVars false

namespace SpectralUniversality

variable {F : Type} [Lean.Grind.Field F] [LE F] [LT F] [Std.LawfulOrderLT F] [Std.IsLinearOrder F]
  [Lean.Grind.OrderedRing F]

/-- Finite sum `f 0 + … + f (n-1)`. -/
def sumTo (f : Nat → F) : Nat → F
  | 0 => 0
  | n + 1 => sumTo f n + f n

/-- Least-squares slope of the points `(x k, y k)`, `k < n`:
`(n Σxy − Σx Σy) / (n Σx² − (Σx)²)`, with `n` written as `Σ 1`. -/
def lsSlope (x y : Nat → F) (n : Nat) : F :=
  (sumTo (fun _ => 1) n * sumTo (fun k => x k * y k) n - sumTo x n * sumTo y n) /
    (sumTo (fun _ => 1) n * sumTo (fun k => x k * x k) n - sumTo x n * sumTo x n)

/-- Sums are additive. -/
theorem sumTo_add (f g : Nat → F) (n : Nat) :
    sumTo (fun k => f k + g k) n = sumTo f n + sumTo g n := by
  induction n with
  | zero => simp only [sumTo]; grind
  | succ m ih => simp only [sumTo]; grind

/-- Constants factor out of sums. -/
theorem sumTo_mul_left (c : F) (f : Nat → F) (n : Nat) :
    sumTo (fun k => c * f k) n = c * sumTo f n := by
  induction n with
  | zero => simp only [sumTo]; grind
  | succ m ih => simp only [sumTo]; grind

/-- Sums only see the terms below `n`. -/
theorem sumTo_congr {f g : Nat → F} {n : Nat} (h : ∀ k, k < n → f k = g k) :
    sumTo f n = sumTo g n := by
  induction n with
  | zero => rfl
  | succ m ih =>
    simp only [sumTo]
    rw [ih (fun k hk => h k (by omega)), h m (by omega)]

/-- A sum of nonnegative terms is nonnegative. -/
theorem sumTo_nonneg {f : Nat → F} {n : Nat} (h : ∀ k, k < n → 0 ≤ f k) : 0 ≤ sumTo f n := by
  induction n with
  | zero => simp only [sumTo]; grind
  | succ m ih =>
    simp only [sumTo]
    have := ih (fun k hk => h k (by omega))
    have := h m (by omega)
    grind

/-- Negation factors out of sums. -/
theorem sumTo_neg (f : Nat → F) (n : Nat) : sumTo (fun k => -f k) n = -sumTo f n := by
  induction n with
  | zero => simp only [sumTo]; grind
  | succ m ih => simp only [sumTo]; grind

/-- The sum of zeros is zero. -/
theorem sumTo_zero (n : Nat) : sumTo (fun _ => (0 : F)) n = 0 := by
  induction n with
  | zero => simp only [sumTo]
  | succ m ih => simp only [sumTo]; grind

/-- Finite double sums can be exchanged. -/
theorem sumTo_comm (f : Nat → Nat → F) (m n : Nat) :
    sumTo (fun i => sumTo (fun j => f i j) n) m = sumTo (fun j => sumTo (fun i => f i j) m) n := by
  induction m with
  | zero =>
    simp only [sumTo]
    exact (sumTo_zero n).symm
  | succ m ih =>
    simp only [sumTo]
    rw [ih]
    exact (sumTo_add (fun j => sumTo (fun i => f i j) m) (fun j => f m j) n).symm

/-- Sum of `x k (y k + c)`: the shift contributes `c Σx`. -/
theorem sumTo_mul_add_const (x y : Nat → F) (c : F) (n : Nat) :
    sumTo (fun k => x k * (y k + c)) n = sumTo (fun k => x k * y k) n + c * sumTo x n := by
  induction n with
  | zero => simp only [sumTo]; grind
  | succ m ih => simp only [sumTo]; grind

/-- Sum of `y k + c`: the shift contributes `c n`, with `n = Σ 1`. -/
theorem sumTo_add_const (y : Nat → F) (c : F) (n : Nat) :
    sumTo (fun k => y k + c) n = sumTo y n + c * sumTo (fun _ => (1 : F)) n := by
  induction n with
  | zero => simp only [sumTo]; grind
  | succ m ih => simp only [sumTo]; grind

/-- **`ŝ` cannot see within-class constants.** The least-squares slope is unchanged when a
constant is added to every `y k` (e.g. `log e_k ↦ log e_k + log c`). -/
theorem lsSlope_add_const (x y : Nat → F) (c : F) (n : Nat) :
    lsSlope x (fun k => y k + c) n = lsSlope x y n := by
  have h1 := sumTo_mul_add_const x y c n
  have h2 := sumTo_add_const y c n
  simp only [lsSlope]
  rw [h1, h2]
  grind

/-- **Continuous steady states of one class are proportional, with a `k`-free factor:**
`e*(α, λ) = (α/α̃) e*(α̃, λ)` for every `λ`. -/
theorem sgdContinuousSteadyState_eq_mul (α αt lam σ : F) (hαt : αt ≠ 0) :
    sgdContinuousSteadyState α lam σ = α / αt * sgdContinuousSteadyState αt lam σ := by
  unfold sgdContinuousSteadyState
  grind

/-- The ratio of the continuous steady-state profiles of two class members is `α/α̃` at every
mode, hence independent of `k`. -/
theorem sgdContinuousSteadyState_div (α αt lam σ : F) (hαt : αt ≠ 0) (hlam : lam ≠ 0)
    (hσ : σ ≠ 0) :
    sgdContinuousSteadyState α lam σ / sgdContinuousSteadyState αt lam σ = α / αt := by
  rw [sgdContinuousSteadyState_eq_mul α αt lam σ hαt]
  have h : sgdContinuousSteadyState αt lam σ ≠ 0 := by
    unfold sgdContinuousSteadyState
    intro h0
    have h3 : αt * σ ^ 2 = 0 := by
      have := congrArg (· * (2 * lam)) h0
      simp only at this
      grind
    have h4 : αt * (σ * σ) ≠ 0 := by
      intro h5
      have := eqZeroOfMul (a := αt * σ) (b := σ) (by grind) hσ
      have := eqZeroOfMul (a := αt) (b := σ) (by grind) hσ
      exact hαt this
    grind
  grind

/-- The ratio of the DISCRETE steady states of SGD at rates `α` and `α̃` at curvature `λ`:
`(α/α̃)(2 − α̃λ)/(2 − αλ)`. -/
def discreteSteadyStateRatio (α αt lam : F) : F := α / αt * ((2 - αt * lam) / (2 - α * lam))

/-- The discrete steady states of SGD at rates `α`, `α̃` are related by the factor
`discreteSteadyStateRatio α α̃ λ`. -/
theorem sgdFixedPoint_eq_discreteSteadyStateRatio_mul (α αt lam σ : F) (hαt : αt ≠ 0)
    (hlam : lam ≠ 0) (hstable : α * lam ≠ 2) (hstablet : αt * lam ≠ 2) :
    sgdFixedPoint α lam σ = discreteSteadyStateRatio α αt lam * sgdFixedPoint αt lam σ := by
  unfold sgdFixedPoint discreteSteadyStateRatio
  have h1 : 2 - α * lam ≠ 0 := by grind
  have h2 : 2 - αt * lam ≠ 0 := by grind
  grind

/-- **A finding about paper §9.2:** for the exact discrete recursion, the steady-state ratio of
two rates `α ≠ α̃` is NOT mode-independent: if it takes the same value at two different
curvatures `λ₁ ≠ λ₂`, then `α = α̃`. -/
theorem eq_of_discreteSteadyStateRatio_eq {α αt lamj lamk : F} (hα : α ≠ 0) (hαt : αt ≠ 0)
    (hj : α * lamj ≠ 2) (hk : α * lamk ≠ 2) (hne : lamj ≠ lamk)
    (h : discreteSteadyStateRatio α αt lamj = discreteSteadyStateRatio α αt lamk) : α = αt := by
  unfold discreteSteadyStateRatio at h
  have hyj : 2 - α * lamj ≠ 0 := by grind
  have hyk : 2 - α * lamk ≠ 0 := by grind
  have hA : α / αt ≠ 0 := by
    intro h0
    have h5 : α = α / αt * αt := by grind
    rw [h0] at h5
    grind
  have h6 : (2 - αt * lamj) / (2 - α * lamj) = (2 - αt * lamk) / (2 - α * lamk) := by
    have := congrArg (fun x => (α / αt)⁻¹ * x) h
    simp only at this
    grind
  have h7 : (2 - αt * lamj) * (2 - α * lamk) = (2 - αt * lamk) * (2 - α * lamj) := by
    have := congrArg (fun x => x * ((2 - α * lamj) * (2 - α * lamk))) h6
    simp only at this
    grind
  have h8 : (α - αt) * (lamj - lamk) = 0 := by grind
  have := eqZeroOfMul h8 (by grind)
  grind

/-- Contraction rates keep the order of the curvatures: `λ_j ≤ λ_k → γ_j ≤ γ_k` for `α̃ ≥ 0`. -/
theorem contractionRate_le_contractionRate {αt lamj lamk : F} (hαt : 0 ≤ αt)
    (h : lamj ≤ lamk) : contractionRate αt lamj ≤ contractionRate αt lamk := by
  unfold contractionRate
  have := mulNonneg (a := 2 * αt) (b := lamk - lamj) (by grind) (by grind)
  grind

/-- Strict version: `λ_j < λ_k → γ_j < γ_k` for `α̃ > 0`. -/
theorem contractionRate_lt_contractionRate {αt lamj lamk : F} (hαt : 0 < αt)
    (h : lamj < lamk) : contractionRate αt lamj < contractionRate αt lamk := by
  unfold contractionRate
  have := mulPos (a := 2 * αt) (b := lamk - lamj) (by grind) (by grind)
  grind

/-- Two class members' contraction rates have the mode-independent ratio `α̃/α`. -/
theorem contractionRate_div (α αt lam : F) (hα : α ≠ 0) (hlam : lam ≠ 0) :
    contractionRate αt lam / contractionRate α lam = αt / α := by
  unfold contractionRate
  grind

example : lsSlope (fun k => (k : Rat)) (fun k => (k : Rat) * 2 + 5) 4
    = lsSlope (fun k => (k : Rat)) (fun k => (k : Rat) * 2) 4 :=
  lsSlope_add_const _ _ _ _

example : contractionRate (1 / 10 : Rat) 1 ≤ contractionRate (1 / 10) 2 :=
  contractionRate_le_contractionRate (by grind) (by grind)

example : sgdContinuousSteadyState (1 / 10 : Rat) 2 3 / sgdContinuousSteadyState (1 / 5) 2 3
    = (1 / 10) / (1 / 5) :=
  sgdContinuousSteadyState_div _ _ _ _ (by grind) (by grind) (by grind)

example : discreteSteadyStateRatio (1 / 10 : Rat) (1 / 5) 1 ≠ discreteSteadyStateRatio (1 / 10) (1 / 5) 2 :=
  fun h => by
    have := eq_of_discreteSteadyStateRatio_eq (by grind) (by grind) (by grind) (by grind) (by grind) h
    grind

end SpectralUniversality

end
