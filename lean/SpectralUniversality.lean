module

public import SpectralUniversality.Basic
public import SpectralUniversality.ModeDynamics
public import SpectralUniversality.AdamClass
public import SpectralUniversality.Invariants
public import SpectralUniversality.PerturbationBound
public import SpectralUniversality.GradientDescent
public import SpectralUniversality.SpectralTransfer
public import SpectralUniversality.ShellEnergy
public import SpectralUniversality.StochasticRun
public import SpectralUniversality.AdamRun
public import SpectralUniversality.Spec.Sgd
public import SpectralUniversality.Spec.SgdWd
public import SpectralUniversality.Spec.Momentum
public import SpectralUniversality.Spec.Nesterov
public import SpectralUniversality.Spec.AdamEma
public import SpectralUniversality.Spec.Precond
public import SpectralUniversality.Spec.Ema

/-!
# SpectralUniversality

Machine-checked core of the paper "Universality Classes of Spectral Learning Dynamics"
(§2, §3, §4, §9, §10), stated over any ordered field (instantiated at `Rat` in every module).

* `SpectralUniversality.Basic` — the order facts over a generic ordered field (`mulPos`, `invPos`, …) that
  `grind` does not derive; one copy, used by every module.
* `SpectralUniversality.ModeDynamics` — per-mode SGD energy recursion, fixed point, closed form,
  stability window, continuous drift and the discrete/continuous steady-state gap (§2, §9.1).
* `SpectralUniversality.StochasticRun` — the SGD energy law proved from `θ_{t+1} = (1 − αλ)θ_t − αξ_t` and
  the noise facts in a second-order model of expectation (every `SgdRun` is an `SgdEnergyRun`), the lag-one
  covariance read in §10 step 5, and heavy ball (§5.3): second-moment recursion, fixed point, and the
  stability window of the mean dynamics; concrete `Rat` runs with `σ ≠ 0` (§9.1, §10, §5.3).
* `SpectralUniversality.AdamClass` — the §9 Adam model and the class constants `α̃`, `γ_k`, `η`.
* `SpectralUniversality.Invariants` — class invariants: `k`-free steady-state ratios (continuous),
  their failure for the discrete steady states, shift-invariance of the fitted slope `ŝ`, order of
  contraction rates (§9.2, §10).
* `SpectralUniversality.PerturbationBound` — Theorem Candidate 1 for the §9 model in the seed's own shape
  (`perturbation_bound_seedShape`: an `E`-free constant, linear in `‖e‖∞`, `k^(−(s+1)/2)` for a power law),
  its `λ_k²` refinement with an `E`-dependent constant, the refutation of the literal optimizer-free reading
  (`not_exists_optimizerFree_classDrift`), and the failure of the paper's §4 step 2 bound (§3, §4).
* `SpectralUniversality.AdamRun` — Adam runs of the §9 model (preconditioner `r_t = √(λ²e_t + σ²)` a field
  of the run): in the noise-dominated regime `λ²e_t ≤ εσ²` the drift and the energy step are within
  `O(ε)` of SGD's at the class rate `α̃ = α/σ` (§9.1).

Generated from the optimizer specs (`theory/specs/*.toml`, by `theory/lean_spec.py`; do not edit them):

* `SpectralUniversality.Spec.Sgd`, `.SgdWd`, `.Momentum`, `.Nesterov`, `.AdamEma`, `.Precond`, `.Ema` — for
  each built-in spec, the update lines as a Lean `step`, the one-step matrix and noise column defined from
  it, and SymPy's closed-form stationary covariance checked against `S = A S Aᵀ + B Bᵀ`
  (`<name>Cov_isStationary`), with the spec's domain and Jury/Schur–Cohn conditions implying its
  denominators are non-zero (`<name>_denominators_ne_zero`, `<name>Cov_isStationary_of_stable`).

Companion diagnostics (seeds 001, 002, 004):

* `SpectralUniversality.GradientDescent` — noise-free gradient descent: which mode sets the rate, the
  optimal step, and the failure of seed 004's `(1 − ηλ_min)` rate.
* `SpectralUniversality.SpectralTransfer` — the exponent algebra `s = αγ` of the least-squares fits and the
  participation ratio `≥ 1` (seed 001).
* `SpectralUniversality.ShellEnergy` — skew-symmetric within-shell couplings leave a spectral shell's
  energy unchanged (seed 002).
-/
