"""Grid sweeps of the power-law quadratic: optimizer x s x alpha x batch size (or noise level) x seeds.

A *cell* is one point of the grid: an optimizer, a spectral exponent ``s`` (``lam_k = lam1 k^-s``, ``k = 1..modes``),
a learning rate ``alpha`` and a gradient-noise level, with everything else that fixes its result (modes, steps,
burn-in, hyperparameters, dtype, device, precision target, base seed).  Its full configuration is a canonical JSON
object; its key is the SHA-256 of that text, and its random seed is derived from the key, so a cell's result does
not depend on which engine, worker or order ran it.

Batch size model: a mini-batch of ``B`` samples averages ``B`` independent per-sample gradient noises of standard
deviation ``sigma0`` (``--noise``), so the cell simulates additive isotropic gradient noise of standard deviation
``sigma = sigma0 / sqrt(B)``.  A grid over ``sigma`` instead of ``B`` uses the given values directly.

One cell simulates all its seeds in one batched call of :func:`.quadratic.simulate_quadratic` (a ``(seeds,
modes)`` tensor per step, per-seed accumulators), then classifies each seed and the pooled seeds with
:mod:`.identify` (``s_hat``, its s.e., ``eta_hat``, the observed contraction ``gamma_hat`` of mode 1).  Theory
enters through ``derive(optimizer)``: its conditions that do not involve ``lam`` restrict the parameters (a cell
outside them is *refused*, not simulated); those that involve ``lam`` are per-mode stability conditions, checked at
the stiffest mode ``lam1`` (the theory's verdict is stored beside the observation, and the cell is simulated
either way, so the diagram compares them).  A stable cell starts from theory's stationary energies.

Cell status: ``ok`` (pooled fit succeeded), ``diverged`` (some seed ended non-finite or with ``|theta| >
divergence_limit``), ``unidentified`` (finite, but :mod:`.identify` could not fit; the reason says why) or
``refused`` (parameters outside theory's domain).  An unexpected exception is reported as ``error`` and never
stored, so the next run retries it.

Engines (:func:`open_engine`): ``serial`` (this process), ``local`` (a process pool, default) and ``dask`` (an
existing scheduler's address, or a ``distributed.LocalCluster`` on loopback).  One task is a list of cells; every
worker runs torch and BLAS single-threaded (the tensors are small: thread fork/join would dominate).

Heavy modules (numpy, torch) are imported inside functions: a pool worker imports this module to run its
initializer, which must set the thread variables before those libraries read them.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterator, Sequence

from spectral_universality.errors import HypothesisViolation, InputError, SpectralUniversalityError

#: Optimizers with a hand-written simulator in :mod:`.quadratic`; any other name is an optimizer spec (a built-in
#: spec such as ``nesterov``, or a ``.toml`` file), simulated from its derived one-step system.
SWEEP_OPTIMIZERS = ("sgd", "momentum", "adam", "adam-noise")

#: Bump when a cell's computation changes, so old stored results stop matching.
SCHEMA = 1

#: Environment every worker gets before torch/numpy load: one BLAS/OpenMP thread.
THREAD_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}

#: The simulator's hyperparameters each optimizer uses (only these enter its cells' keys).
HYPER = {"sgd": (), "momentum": ("mu",), "adam": ("beta1", "beta2", "eps"), "adam-noise": ()}


@dataclass(frozen=True)
class Settings:
    """What every cell of a sweep shares besides its grid coordinates.

    Defaults are sized so that the README's example (384 cells x 8 seeds) runs in about a minute on 2 cores:
    a cell of 32 modes x 8 seeds x 2200 steps costs about 0.25 s on one core (measured).

    Attributes
    ----------
    seeds : i.i.d. replicas per cell (simulated together)
    modes : modes ``K`` of the spectrum ``lam_k = lam1 k^-s``
    steps : recorded steps ``T``; burn_in : unrecorded steps before them (default ``steps // 10``)
    noise : per-sample gradient-noise std ``sigma0``; a batch of ``B`` has ``sigma = sigma0 / sqrt(B)``
    lam1 : the top eigenvalue
    mu, beta1, beta2, eps : heavy-ball momentum and Adam's constants
    params : values of optimizer specs' parameters (``(name, value)`` pairs); a spec's ``defaults`` fill the rest
    max_rel_se : :mod:`.identify`'s mode-range precision (low-precision fits are kept, flagged ``wls``)
    divergence_limit : a seed whose final ``|theta|`` exceeds this (or is not finite) diverged
    seed : base seed, part of every cell's configuration
    dtype : ``float64`` or ``float32``; device : torch device of the simulation
    """

    seeds: int = 8
    modes: int = 32
    steps: int = 2000
    burn_in: int | None = None
    noise: float = 1.0
    lam1: float = 1.0
    mu: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    max_rel_se: float = 0.2
    divergence_limit: float = 1e6
    seed: int = 0
    dtype: str = "float64"
    device: str = "cpu"
    params: tuple[tuple[str, float], ...] = ()

    def __post_init__(self) -> None:
        if self.seeds < 1 or self.modes < 1 or self.steps < 3:
            raise InputError(f"need seeds >= 1, modes >= 1, steps >= 3; got {self.seeds}, {self.modes}, {self.steps}")
        if self.burn_in is not None and self.burn_in < 0:
            raise InputError(f"burn_in must be >= 0, got {self.burn_in}")
        for name in ("noise", "lam1", "max_rel_se", "divergence_limit"):
            val = getattr(self, name)
            if not (math.isfinite(val) and val > 0):
                raise InputError(f"{name} must be finite and > 0, got {val}")
        if self.dtype not in ("float32", "float64"):
            raise InputError(f"dtype must be float32 or float64, got {self.dtype!r}")

    @property
    def burn(self) -> int:
        return self.steps // 10 if self.burn_in is None else self.burn_in


@dataclass(frozen=True)
class Grid:
    """The axes of a sweep; the cells are their product (optimizer outermost, noise level innermost).

    ``noise_axis`` is ``"batch"`` (``levels`` are batch sizes ``B >= 1``) or ``"sigma"`` (noise stds).
    """

    optimizers: tuple[str, ...]
    s: tuple[float, ...]
    alpha: tuple[float, ...]
    noise_axis: str
    levels: tuple[float, ...]
    settings: Settings = field(default_factory=Settings)

    def __post_init__(self) -> None:
        for name in ("optimizers", "s", "alpha", "levels"):
            if not getattr(self, name):
                raise InputError(f"the grid axis {name!r} is empty")
        entries = [optimizer_entry(o, self.settings) for o in self.optimizers]
        used = {k for _, spec, _ in entries if spec is not None for k in spec["params"]}
        unused = sorted({k for k, _ in self.settings.params} - used)
        if unused:
            raise InputError(f"--param {unused}: no optimizer spec of the grid has such a parameter")
        if self.noise_axis not in ("batch", "sigma"):
            raise InputError(f"noise_axis must be 'batch' or 'sigma', got {self.noise_axis!r}")
        for name in ("s", "alpha", "levels"):
            bad = [v for v in getattr(self, name) if not math.isfinite(v)]
            if bad:
                raise InputError(f"grid axis {name!r} has non-finite values {bad}")
        if self.noise_axis == "batch" and any(b < 1 or b != int(b) for b in self.levels):
            raise InputError(f"batch sizes must be integers >= 1, got {list(self.levels)}")
        if self.noise_axis == "sigma" and any(v < 0 for v in self.levels):
            raise InputError(f"noise levels sigma must be >= 0, got {list(self.levels)}")

    def sigma_of(self, level: float) -> float:
        """Gradient-noise std of a level: ``noise / sqrt(B)`` on the batch axis, the level itself on sigma."""
        return self.settings.noise / math.sqrt(level) if self.noise_axis == "batch" else float(level)

    def cells(self) -> list[dict[str, Any]]:
        """Every cell's full configuration, in grid order."""
        st = self.settings
        out = []
        for name in self.optimizers:
            opt, spec, hyper = optimizer_entry(name, st)
            for s in self.s:
                for alpha in self.alpha:
                    for level in self.levels:
                        cfg: dict[str, Any] = {
                            "schema": SCHEMA, "optimizer": opt, "s": float(s), "alpha": float(alpha),
                            "batch": int(level) if self.noise_axis == "batch" else None,
                            "sigma": _clean(self.sigma_of(level)), "seeds": st.seeds, "modes": st.modes,
                            "steps": st.steps, "burn_in": st.burn, "lam1": st.lam1, "max_rel_se": st.max_rel_se,
                            "divergence_limit": st.divergence_limit, "seed": st.seed, "dtype": st.dtype,
                            "device": st.device}
                        cfg.update(hyper)
                        if spec is not None:  # the spec's full text is part of the configuration, hence the key
                            cfg["spec"] = spec
                        out.append(cfg)
        return out


def optimizer_entry(name: str, settings: Settings) -> tuple[str, dict[str, Any] | None, dict[str, float]]:
    """``(label, spec table or None, hyperparameters)`` of a sweep optimizer: a hand-simulated one (its
    :data:`HYPER` from ``settings``), or an optimizer spec (built-in name or ``.toml``) whose parameters other
    than ``alpha`` come from ``settings.params``, else from the spec's ``defaults``."""
    if name in SWEEP_OPTIMIZERS:
        return name, None, {h: getattr(settings, h) for h in HYPER[name]}
    from spectral_universality.theory.names import builtin_spec_names

    if name not in builtin_spec_names() and not name.endswith(".toml"):
        raise InputError(f"unknown optimizer {name!r}; choose from "
                         f"{', '.join(sorted(set(SWEEP_OPTIMIZERS) | set(builtin_spec_names())))} or a spec file (.toml)")
    from spectral_universality.theory.spec import resolve

    spec = resolve(name)
    if "alpha" not in spec.params:
        raise InputError(f"spec {spec.name!r} has no parameter 'alpha': a sweep varies the learning rate alpha")
    values = {**dict(spec.defaults), **{k: v for k, v in settings.params if k in spec.params}}
    missing = [p for p in spec.params if p != "alpha" and p not in values]
    if missing:
        raise InputError(f"spec {spec.name!r} needs --param {', '.join(f'{m}=VALUE' for m in missing)}")
    return spec.name, spec.to_dict(), {p: float(values[p]) for p in spec.params if p != "alpha"}


def _hyper(config: dict[str, Any]) -> dict[str, float]:
    """The cell's optimizer parameters other than ``alpha`` and ``sigma``."""
    if "spec" in config:
        return {p: config[p] for p in config["spec"]["params"] if p != "alpha"}
    return {h: config[h] for h in HYPER[config["optimizer"]]}


def _derivation(config: dict[str, Any]) -> Any:
    """Theory's derivation of the cell's optimizer (its spec's, for a spec)."""
    if "spec" in config:
        from spectral_universality.theory.spec import OptimizerSpec, derive_spec

        return derive_spec(OptimizerSpec.from_mapping(config["spec"]))
    from spectral_universality.theory.dispatch import derive

    return derive(config["optimizer"])


def _clean(x: float) -> float:
    """``x`` rounded to 12 significant digits: grid values read the same whichever arithmetic produced them."""
    return float(f"{x:.12g}")


def cell_key(config: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of a cell's configuration."""
    text = json.dumps(config, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()


def cell_seed(config: dict[str, Any]) -> int:
    """The cell's torch seed: the first 63 bits of its key (so it follows from the configuration alone)."""
    return int(cell_key(config)[:16], 16) & (2**63 - 1)


def parse_values(text: Sequence[str] | str, name: str, integer: bool = False) -> tuple[float, ...]:
    """Axis values from ``LO:HI:N`` (``N`` linearly spaced points, both ends included), ``LO:HI:N:log``
    (log-spaced), or a list of numbers.

    Raises
    ------
    InputError
        Naming the axis and the malformed item.
    """
    items = [text] if isinstance(text, (str, int, float)) else list(text)
    if not items:
        raise InputError(f"{name}: no values given")
    out: list[float] = []
    for item in items:
        if isinstance(item, str) and ":" in item:
            out += _parse_range(item, name)
            continue
        try:
            val = float(item)
        except (TypeError, ValueError):
            raise InputError(f"{name}: {item!r} is neither a number nor a range LO:HI:N[:log]") from None
        if not math.isfinite(val):
            raise InputError(f"{name}: {item!r} is not finite")
        out.append(val)
    if integer:
        bad = [v for v in out if v != int(v)]
        if bad:
            raise InputError(f"{name}: values must be integers, got {bad}")
    if len(set(out)) != len(out):
        raise InputError(f"{name}: repeated values {sorted({v for v in out if out.count(v) > 1})}")
    return tuple(_clean(v) for v in out)


def _parse_range(item: str, name: str) -> list[float]:
    parts = item.split(":")
    spacing = "linear"
    if len(parts) == 4:
        spacing = parts.pop()
    if len(parts) != 3 or spacing not in ("linear", "log"):
        raise InputError(f"{name}: malformed range {item!r} (expected LO:HI:N or LO:HI:N:log)")
    try:
        lo, hi, n = float(parts[0]), float(parts[1]), int(parts[2])
    except ValueError:
        raise InputError(f"{name}: malformed range {item!r} (LO and HI numbers, N an integer)") from None
    if not (math.isfinite(lo) and math.isfinite(hi)) or n < 1 or (n > 1 and not hi > lo):
        raise InputError(f"{name}: range {item!r} needs finite LO < HI and N >= 1")
    if spacing == "log" and lo <= 0:
        raise InputError(f"{name}: log range {item!r} needs LO > 0")
    if n == 1:
        return [lo]
    if spacing == "log":
        return [math.exp(math.log(lo) + (math.log(hi) - math.log(lo)) * i / (n - 1)) for i in range(n)]
    return [lo + (hi - lo) * i / (n - 1) for i in range(n)]


# -- theory ---------------------------------------------------------------------------------------------------

def _theory_params(config: dict[str, Any]) -> dict[str, float]:
    """The cell's parameters by theory's names, restricted to those its derivation knows."""
    known = set(_derivation(config).parameter_names())
    cand = {"alpha": config["alpha"], "sigma": config["sigma"], **_hyper(config)}
    return {k: float(v) for k, v in cand.items() if k in known}


def theory_verdict(config: dict[str, Any]) -> tuple[bool, str | None]:
    """``(stable, reason)`` of theory's per-mode conditions at ``lam1``; raises :class:`HypothesisViolation` for a
    parameter outside the derivation's domain (its conditions that do not involve ``lam``)."""
    d = _derivation(config)
    params = _theory_params(config)
    d.validate(**params)  # only the conditions whose symbols are all given: those without lam
    try:
        d.validate(**params, lam=config["lam1"])
    except HypothesisViolation as exc:
        return False, str(exc)
    return True, None


def stability_boundary(optimizer: Any, sigma: float, lam1: float, alpha_max: float,
                       hyper: dict[str, float] | None = None, scan: int = 40, bisections: int = 40) -> float | None:
    """The smallest ``alpha`` in ``(0, alpha_max]`` at which theory's conditions fail at ``lam1``, or None.

    Found numerically from ``derive(optimizer).validate``: a scan of ``scan`` equal steps, then bisection
    between the last stable and the first unstable point (``bisections`` halvings: below float resolution of
    the plot).  None when every scanned rate is stable or the parameters are outside the domain.
    ``optimizer`` is a name for ``derive`` or a derivation (an optimizer spec's).
    """
    from spectral_universality.theory.dispatch import derive

    d = derive(optimizer) if isinstance(optimizer, str) else optimizer
    known = set(d.parameter_names())
    base = {k: float(v) for k, v in {"sigma": sigma, **(hyper or {})}.items() if k in known}

    def stable(alpha: float) -> bool:
        try:
            d.validate(alpha=alpha, lam=lam1, **base)
        except HypothesisViolation:
            return False
        return True

    try:
        d.validate(**base)
    except HypothesisViolation:
        return None
    grid = [alpha_max * (i + 1) / scan for i in range(scan)]
    prev = 0.0
    for a in grid:
        if not stable(a):
            lo, hi = prev, a
            for _ in range(bisections):
                mid = 0.5 * (lo + hi)
                lo, hi = (mid, hi) if stable(mid) else (lo, mid)
            return hi
        prev = a
    return None


# -- one cell -------------------------------------------------------------------------------------------------

def run_cell(config: dict[str, Any]) -> dict[str, Any]:
    """Simulate and classify one cell; returns its result (plain data; see the module docstring for ``status``).

    Raises nothing the user caused: parameters outside theory's domain give ``status="refused"``.
    """
    import torch

    from spectral_universality.numerics.quadratic import (check_hyper, power_law_spectrum, simulate_quadratic,
                                                          simulate_spec)

    key = cell_key(config)
    result: dict[str, Any] = {"key": key, "status": "refused", "reason": None, "s_hat": None, "s_hat_se": None,
                              "eta_hat": None, "gamma_hat_1": None, "fit": None, "mode_range": None,
                              "theory_stable": None, "theory_reason": None, "contraction_1": None,
                              "diverged_fraction": None, "energies": None, "runs": []}
    opt = config["optimizer"]
    hyper = _hyper(config)
    try:
        if "spec" not in config:  # a spec's domain is its derivation's: theory_verdict checks it
            check_hyper(opt, config["alpha"], config["sigma"], hyper.get("mu", 0.0), hyper.get("beta1", 0.0),
                        hyper.get("beta2", 0.0), hyper.get("eps", 1.0))
        stable, why = theory_verdict(config)
    except SpectralUniversalityError as exc:
        result["reason"] = str(exc)
        return result
    result["theory_stable"], result["theory_reason"] = stable, why
    device = torch.device(config["device"])
    dtype = getattr(torch, config["dtype"])
    lam = power_law_spectrum(config["modes"], config["s"], config["lam1"], dtype=dtype, device=device)
    gen = torch.Generator(device=device).manual_seed(cell_seed(config))
    seeds = config["seeds"]
    theta0: Any = 0.0
    if stable:
        result["contraction_1"] = _contraction(config)
        energy = _stationary_energy(config, lam)
        if energy is not None:
            # start at theory's stationary energies: no burn-in is wasted relaxing the slow modes from 0
            theta0 = torch.randn(seeds, lam.numel(), generator=gen, dtype=dtype, device=device) * energy.sqrt()
    if "spec" in config:
        from spectral_universality.theory.spec import OptimizerSpec

        res = simulate_spec(OptimizerSpec.from_mapping(config["spec"]), lam, params={"alpha": config["alpha"], **hyper},
                            sigma=config["sigma"], steps=config["steps"], seeds=seeds, generator=gen,
                            burn_in=config["burn_in"], theta0=theta0, seed_groups=seeds)
    else:
        res = simulate_quadratic(opt, lam, alpha=config["alpha"], sigma=config["sigma"], steps=config["steps"],
                                 seeds=seeds, generator=gen, burn_in=config["burn_in"], theta0=theta0,
                                 seed_groups=seeds, **hyper)
    theta = res.theta
    finite = torch.isfinite(theta).all(1) & torch.isfinite(res.stats.sum_sq).all(1)
    size = torch.where(torch.isfinite(theta), theta.abs(), torch.full_like(theta, math.inf)).amax(1)
    diverged = (~finite) | (size > config["divergence_limit"])
    eigvals = lam.cpu()
    for i in range(seeds):
        row = {"seed": i, "status": "ok", "reason": None, "s_hat": None, "s_hat_se": None, "eta_hat": None,
               "gamma_hat_1": None, "max_abs_theta": _num(float(size[i]))}
        if bool(diverged[i]):
            row["status"], row["reason"] = "diverged", "diverged " + _divergence_reason(config, float(size[i]), why)
        else:
            _classify(row, res.stats.group(i), eigvals, config["max_rel_se"])
        result["runs"].append(row)
    n_div = int(diverged.sum())
    result["diverged_fraction"] = n_div / seeds
    if n_div:
        result["status"] = "diverged"
        result["reason"] = f"{n_div} of {seeds} seeds diverged " + _divergence_reason(config, float(size.max()), why)
        return result
    result["status"] = "ok"
    fit = _classify(result, res.stats, eigvals, config["max_rel_se"])
    if fit is not None:
        result.update(fit=fit.fit, mode_range=list(fit.mode_range), energies=[_num(x) for x in fit.energies.tolist()])
    return result


def _num(x: float) -> float | None:
    """A float for the store and JSON: None for inf/NaN."""
    return x if math.isfinite(x) else None


def _divergence_reason(config: dict[str, Any], size: float, theory: str | None) -> str:
    grown = "non-finite" if not math.isfinite(size) else f"max |theta| = {size:.3g} > {config['divergence_limit']:g}"
    verdict = f"theory: {theory}" if theory else "theory predicts a stable cell"
    return f"({grown} after {config['burn_in'] + config['steps']} steps); {verdict}"


def _classify(row: dict[str, Any], stats: Any, eigvals: Any, max_rel_se: float) -> Any:
    """Fill ``row`` with the class estimates of ``stats`` (or ``status="unidentified"`` and the reason)."""
    from spectral_universality.numerics.identify import identify_from_stats

    try:
        fit = identify_from_stats(stats, eigvals=eigvals, max_rel_se=max_rel_se, low_precision="warn")
    except InputError as exc:
        row["status"], row["reason"] = "unidentified", str(exc)
        return None
    row.update(s_hat=_num(fit.s_hat), s_hat_se=_num(fit.s_hat_se),
               eta_hat=None if fit.eta_hat is None else _num(fit.eta_hat), gamma_hat_1=_num(float(fit.gamma_hat[0])))
    if fit.eta_hat is None:
        row["reason"] = fit.eta_reason
    return fit


def _contraction(config: dict[str, Any]) -> float | None:
    """Theory's per-step contraction factor of mode 1's energy (stable cells only)."""
    values = _derivation(config).evaluate(**_theory_params(config), lam=config["lam1"])
    return _num(values["contraction_factor"]) if "contraction_factor" in values else None


def _stationary_energy(config: dict[str, Any], lam: Any) -> Any:
    """Theory's stationary energy of every mode as a tensor like ``lam``, or None where it is not finite.

    Stability at ``lam1`` (checked before) covers every smaller eigenvalue: each condition bounds ``alpha lam``.
    """
    import torch

    fn = _derivation(config).lambdify("steady_state")
    params = {**_theory_params(config), "lam": lam.cpu().double().numpy()}
    energy = torch.as_tensor(fn(**{n: params[n] for n in fn.args}), dtype=lam.dtype).expand(lam.shape)
    if not bool(torch.isfinite(energy).all()) or bool((energy < 0).any()):
        return None
    return energy.to(lam.device)


def run_task(configs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run the cells of one task in order; each result carries its ``seconds``.

    torch runs single-threaded here whatever the worker was started with; a cell's unexpected exception becomes
    ``status="error"`` (not stored) so the other cells of the task still count.
    """
    import torch

    torch.set_num_threads(1)
    out = []
    for cfg in configs:
        t0 = time.perf_counter()
        try:
            res = run_cell(cfg)
        except Exception as exc:  # noqa: BLE001 - a bug in one cell must not lose the task's other cells
            res = {"key": cell_key(cfg), "status": "error", "reason": f"{type(exc).__name__}: {exc}", "runs": []}
        res["seconds"] = time.perf_counter() - t0
        out.append(res)
    return out


# -- engines --------------------------------------------------------------------------------------------------

def init_worker(ignore_sigint: bool = True) -> None:
    """Worker initializer: one BLAS/OpenMP/torch thread, and (pool workers) SIGINT left to the parent, which
    stops the sweep between tasks and keeps the store consistent.  Dask workers keep their own SIGINT handling
    (``client.run`` does not call this on a worker's main thread, where alone a handler can be set)."""
    os.environ.update(THREAD_ENV)
    if ignore_sigint:
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)
    import torch

    torch.set_num_threads(1)


@dataclass
class Engine:
    """A running engine: ``map`` yields each task's results as tasks finish (any order)."""

    name: str
    workers: int
    map: Callable[[Callable[[Any], Any], list[Any]], Iterator[Any]]
    address: str | None = None


@contextmanager
def open_engine(kind: str = "local", workers: int | None = None, scheduler: str | None = None) -> Iterator[Engine]:
    """Start the engine ``kind`` (``serial``, ``local`` or ``dask``) and stop it on exit.

    ``local``: a process pool of ``workers`` (default: the machine's cores), started by spawning (no fork of a
    process holding torch's thread pools).  ``dask``: ``scheduler`` is the address of an existing cluster
    (``tcp://host:8786``); without one, a ``distributed.LocalCluster`` of ``workers`` (default 2) single-threaded
    worker processes on 127.0.0.1.
    """
    if kind == "serial":
        yield Engine("serial", 1, _serial_map)
    elif kind == "local":
        yield from _pool_engine(workers)
    elif kind == "dask":
        yield from _dask_engine(workers, scheduler)
    else:
        raise InputError(f"unknown engine {kind!r}; choose serial, local or dask")


def _serial_map(fn: Callable[[Any], Any], tasks: list[Any]) -> Iterator[Any]:
    from spectral_universality.numerics.threads import single_thread

    with single_thread():  # as in the workers: the same kernels, hence the same bits
        for task in tasks:
            yield fn(task)


def _pool_engine(workers: int | None) -> Iterator[Engine]:
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    n = workers or os.cpu_count() or 1
    if n < 1:
        raise InputError(f"--workers must be >= 1, got {n}")
    pool = ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"),
                               initializer=init_worker)

    def imap(fn: Callable[[Any], Any], tasks: list[Any]) -> Iterator[Any]:
        # at most two tasks queued per worker: an interrupt then cancels the rest instead of waiting for them
        todo = list(reversed(tasks))
        running: set = set()
        while todo or running:
            while todo and len(running) < 2 * n:
                running.add(pool.submit(fn, todo.pop()))
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                yield fut.result()

    try:
        yield Engine("local", n, imap)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _dask_engine(workers: int | None, scheduler: str | None) -> Iterator[Engine]:
    import logging

    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:
        raise InputError(f"--engine dask needs the 'distributed' package ({exc})") from None
    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(f"cannot reach the Dask scheduler at {scheduler!r}: {exc}") from None
    else:
        n = workers or 2
        if n < 1:
            raise InputError(f"--workers must be >= 1, got {n}")
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, env=dict(THREAD_ENV), silence_logs=logging.ERROR)
        client = Client(cluster)
    try:
        client.run(init_worker, ignore_sigint=False)
        n_workers = len(client.scheduler_info().get("workers", {}))

        def imap(fn: Callable[[Any], Any], tasks: list[Any]) -> Iterator[Any]:
            futures = client.map(fn, tasks, pure=False)
            try:
                for fut in as_completed(futures):
                    yield fut.result()
                    fut.release()
            finally:
                client.cancel(futures)

        yield Engine("dask", n_workers, imap, address=scheduler or cluster.scheduler_address)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# -- the sweep ------------------------------------------------------------------------------------------------

@dataclass
class SweepOutcome:
    """What :func:`run_sweep` did: cells in the grid, found in the store, computed now, failed with an error."""

    total: int
    cached: int
    computed: int
    errors: list[dict[str, Any]]
    seconds: float
    engine: str | None
    workers: int = 0
    task_seconds: list[float] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_sweep(grid: Grid, store: Any, engine: str = "local", workers: int | None = None,
              scheduler: str | None = None, cells_per_task: int = 1, progress: bool = True) -> SweepOutcome:
    """Run every cell of ``grid`` not yet in ``store`` (a :class:`.sweep_store.SweepStore`) and store it.

    Each finished task is written in one transaction, so an interrupt (KeyboardInterrupt, re-raised) leaves
    only whole cells in the store; running the same grid again resumes there.
    """
    if cells_per_task < 1:
        raise InputError(f"cells_per_task must be >= 1, got {cells_per_task}")
    t0 = time.perf_counter()
    configs = grid.cells()
    keys = [cell_key(c) for c in configs]
    done = store.done_keys(keys)
    pending = [c for c, k in zip(configs, keys) if k not in done]
    outcome = SweepOutcome(total=len(configs), cached=len(configs) - len(pending), computed=0, errors=[],
                           seconds=0.0, engine=None)
    if not pending:
        outcome.seconds = time.perf_counter() - t0
        return outcome
    tasks = [pending[i:i + cells_per_task] for i in range(0, len(pending), cells_per_task)]
    by_key = {cell_key(c): c for c in pending}
    from tqdm.auto import tqdm

    bar = tqdm(total=len(configs), initial=outcome.cached, unit="cell", desc="sweep", disable=not progress,
               file=sys.stderr, smoothing=0.1)
    try:
        with open_engine(engine, workers, scheduler) as eng:
            outcome.engine, outcome.workers = eng.name, eng.workers
            for results in eng.map(run_task, tasks):
                good = [r for r in results if r["status"] != "error"]
                outcome.errors += [r for r in results if r["status"] == "error"]
                store.put([(by_key[r["key"]], r) for r in good], eng.name)
                outcome.computed += len(good)
                outcome.task_seconds.append(sum(r["seconds"] for r in results))
                bar.update(len(results))
    finally:
        bar.close()
        outcome.seconds = time.perf_counter() - t0
    return outcome
