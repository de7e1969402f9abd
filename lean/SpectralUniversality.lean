module

public import SpectralUniversality.ModeDynamics
public import SpectralUniversality.AdamClass
public import SpectralUniversality.Invariants
public import SpectralUniversality.PerturbationBound
public import SpectralUniversality.GradientDescent
public import SpectralUniversality.SpectralTransfer
public import SpectralUniversality.ShellEnergy

/-!
# SpectralUniversality

Machine-checked core of the paper "Universality Classes of Spectral Learning Dynamics"
(§2, §3, §4, §9, §10), stated over any ordered field (instantiated at `Rat` in every module).

* `SpectralUniversality.ModeDynamics` — per-mode SGD energy recursion, fixed point, closed form,
  stability window, continuous drift and the discrete/continuous steady-state gap (§2, §9.1).
* `SpectralUniversality.AdamClass` — the §9 Adam model and the class constants `α̃`, `γ_k`, `η`.
* `SpectralUniversality.Invariants` — class invariants: `k`-free steady-state ratios (continuous),
  their failure for the discrete steady states, shift-invariance of the fitted slope `ŝ`, order of
  contraction rates (§9.2, §10).
* `SpectralUniversality.PerturbationBound` — Theorem Candidate 1 in a true, sharper form for the
  §9 model, and the failure of the paper's §4 step 2 bound (§3, §4).

Companion diagnostics (seeds 001, 002, 004):

* `SpectralUniversality.GradientDescent` — noise-free gradient descent: which mode sets the rate, the
  optimal step, and the failure of seed 004's `(1 − ηλ_min)` rate.
* `SpectralUniversality.SpectralTransfer` — the exponent algebra `s = αγ` of the least-squares fits and the
  participation ratio `≥ 1` (seed 001).
* `SpectralUniversality.ShellEnergy` — skew-symmetric within-shell couplings leave a spectral shell's
  energy unchanged (seed 002).
-/
