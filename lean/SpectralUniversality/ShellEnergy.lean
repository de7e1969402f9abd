module

public import SpectralUniversality.Basic
public import SpectralUniversality.Invariants

/-!
# Within-shell couplings do not change a shell's energy (companion seed 002)

Seed 002 writes the training error in the instantaneous eigenbasis of `M(t) = J Jᵀ` and groups modes into
logarithmic spectral shells. In that basis a shell's coefficients obey
`ċ_k = −d_k c_k + Σ_j Ω_kj c_j + u_k`: dissipation `d_k = μ_k ≥ 0`, couplings `Ω` inside the shell from the
rotation of the eigenbasis (skew-symmetric, `Ω_kj = ⟨u_k, u̇_j⟩ = −Ω_jk`, because the basis stays
orthonormal) and the drive `u_k` from modes outside the shell. The seed's claim that "microscopic
interactions within each shell cancel identically at the energy level" is, on finite sums:

* `quadForm_eq_zero_of_skew`: `xᵀ A x = 0` for skew-symmetric `A` (entries with indices `< n`);
* `shellEnergyRate_eq`: the shell energy rate `Σ_k c_k ċ_k` is `−Σ d_k c_k² + Σ c_k u_k`, dissipation plus
  the exchange with other shells, whatever the within-shell couplings;
* `shellEnergyRate_le`: with `d_k ≥ 0` the shell energy can only grow through the other shells.

The numerics (`numerics/shells.py`) measure the same balance along training.
-/

@[expose] public section

set_option linter.unusedSectionVars false

namespace SpectralUniversality

variable {F : Type} [Lean.Grind.Field F] [LE F] [LT F] [Std.LawfulOrderLT F] [Std.IsLinearOrder F]
  [Lean.Grind.OrderedRing F]

/-- The quadratic form `xᵀ A x = Σ_{i<n} x_i (Σ_{j<n} A_ij x_j)`. -/
noncomputable def quadForm (A : Nat → Nat → F) (x : Nat → F) (n : Nat) : F :=
  sumTo (fun i => x i * sumTo (fun j => A i j * x j) n) n

/-- `xᵀ A x` as a double sum of `x_i A_ij x_j`. -/
theorem quadForm_eq_double (A : Nat → Nat → F) (x : Nat → F) (n : Nat) :
    quadForm A x n = sumTo (fun i => sumTo (fun j => x i * A i j * x j) n) n := by
  unfold quadForm
  exact sumTo_congr (fun i _ => by
    rw [← sumTo_mul_left]
    exact sumTo_congr (fun j _ => by grind))

/-- **Skew-symmetric couplings carry no energy:** `xᵀ A x = 0` when `A_ij = −A_ji` for `i, j < n`. -/
theorem quadForm_eq_zero_of_skew (A : Nat → Nat → F) (x : Nat → F) (n : Nat)
    (hskew : ∀ i j, i < n → j < n → A i j = -A j i) : quadForm A x n = 0 := by
  rw [quadForm_eq_double]
  have hswap := sumTo_comm (fun i j => x i * A i j * x j) n n
  have hneg : sumTo (fun j => sumTo (fun i => x i * A i j * x j) n) n
      = sumTo (fun j => -sumTo (fun i => x j * A j i * x i) n) n :=
    sumTo_congr (fun j hj => by
      rw [← sumTo_neg]
      exact sumTo_congr (fun i hi => by rw [hskew i j hi hj]; grind))
  rw [hneg, sumTo_neg] at hswap
  grind

/-- Energy rate `Σ_{k<n} c_k ċ_k` of a shell whose coefficients obey
`ċ_k = −d_k c_k + Σ_{j<n} Ω_kj c_j + u_k` (half the rate of change of `Σ c_k²`). -/
noncomputable def shellEnergyRate (d u c : Nat → F) (Ω : Nat → Nat → F) (n : Nat) : F :=
  sumTo (fun k => c k * (-(d k * c k) + sumTo (fun j => Ω k j * c j) n + u k)) n

/-- **Shell energy balance.** With skew-symmetric within-shell couplings the shell energy changes only by
dissipation and by the drive from outside the shell: `Σ c_k ċ_k = −Σ d_k c_k² + Σ c_k u_k`. -/
theorem shellEnergyRate_eq (d u c : Nat → F) (Ω : Nat → Nat → F) (n : Nat)
    (hskew : ∀ i j, i < n → j < n → Ω i j = -Ω j i) :
    shellEnergyRate d u c Ω n = -sumTo (fun k => d k * c k ^ 2) n + sumTo (fun k => c k * u k) n := by
  unfold shellEnergyRate
  have hsplit : sumTo (fun k => c k * (-(d k * c k) + sumTo (fun j => Ω k j * c j) n + u k)) n
      = sumTo (fun k => (-(d k * c k ^ 2) + c k * u k) + c k * sumTo (fun j => Ω k j * c j) n) n :=
    sumTo_congr (fun k _ => by grind)
  rw [hsplit, sumTo_add, sumTo_add, sumTo_neg]
  have hq := quadForm_eq_zero_of_skew Ω c n hskew
  unfold quadForm at hq
  rw [hq]
  grind

/-- With nonnegative dissipation a shell gains energy only from the other shells. -/
theorem shellEnergyRate_le (d u c : Nat → F) (Ω : Nat → Nat → F) (n : Nat)
    (hskew : ∀ i j, i < n → j < n → Ω i j = -Ω j i) (hd : ∀ k, k < n → 0 ≤ d k) :
    shellEnergyRate d u c Ω n ≤ sumTo (fun k => c k * u k) n := by
  rw [shellEnergyRate_eq d u c Ω n hskew]
  have := sumTo_nonneg (f := fun k => d k * c k ^ 2) (n := n)
    (fun k hk => mulNonneg (hd k hk) (by have := sqNonneg (c k); grind))
  grind

/-- A skew-symmetric coupling on `Rat`: `+1` above the diagonal, `−1` below. -/
def ratSkew : Nat → Nat → Rat := fun i j => if i = j then 0 else if i < j then 1 else -1

example : quadForm ratSkew (fun k => (k : Rat) + 1) 3 = 0 :=
  quadForm_eq_zero_of_skew _ _ 3 (fun i j _ _ => by
    unfold ratSkew
    grind)

end SpectralUniversality

end
