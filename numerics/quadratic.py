"""Batched simulators of optimizers on the power-law quadratic of the paper's §9.

Model: ``L(theta) = 1/2 theta^T H theta`` with ``H = diag(lam)`` (or ``U diag(lam) U^T`` for a given orthogonal
``U``), stochastic gradient ``g = H theta + xi``, ``xi ~ N(0, sigma^2 I)``.  Every simulator advances a
``(seeds, modes)`` tensor with one vectorised update per time step (no Python loop over seeds or modes) and
accumulates, online, what the class-identification algorithm (:mod:`.identify`) needs: per-mode sums of
``c_t^2``, ``c_t c_{t+1}`` and (momentum, Adam) ``c_t c_{t+2}`` pooled over seeds, the edge terms of the record
for least-squares autoregression, optionally per time window.  Whole trajectories are only
kept when asked for (``record=True``).

Optimizers (update conventions are those of ``torch.optim``, checked in the tests against it):

* ``sgd``: ``theta <- theta - alpha g``.
* ``momentum``: heavy ball, ``b <- mu b + g``, ``theta <- theta - alpha b`` (``torch.optim.SGD``, dampening 0).
* ``adam``: ``torch.optim.Adam`` with bias correction, ``beta1``, ``beta2``, ``eps``.
* ``adam-noise``: the seed's noise-dominated Adam model, SGD with ``alpha_tilde = alpha / sigma``.

Sampling: the per-step simulators are bound by drawing one normal per mode-step.  On CPU the draw for step
``t + 1`` is made on a worker thread while step ``t`` is computed (``prefetch``, default on: same random stream,
two noise buffers), and ``noise_streams > 1`` splits each draw over that many threads with independent
generators seeded from ``generator`` (a different, equally valid stream; use it to go past one core's
sampling rate).

Memory (documented budget, see :func:`memory_estimate`): an Adam run holds ``theta, m, v, prev, prev2`` and two
noise buffers (a spent noise buffer is the scratch space), i.e. 7 tensors of ``seeds x modes`` elements, plus
float64 accumulators of ``modes`` elements.  For ``10^6`` modes x 64 seeds in float32: ``7 * 64e6 * 4 B = 1.79 GB`` + ``9 * 1e6 * 8 B = 72 MB``
< 2 GB.
``chunk_modes`` splits the modes into independent blocks (the diagonal model decouples), dividing the
working set by the number of blocks (the final state, one ``seeds x modes`` tensor, stays whole).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor

from spectral_universality.errors import HypothesisViolation, InputError

OPTIMIZERS = ("sgd", "momentum", "adam", "adam-noise")

#: (seeds x modes) state tensors per optimizer in :func:`simulate_quadratic`: theta, the previous state and the
#: optimizer's moments (heavy ball: b; Adam: m, v); the state two steps back (lag-2 sums) and the noise
#: buffers (two with prefetch) come on top
_STATE_TENSORS = {"sgd": 2, "adam-noise": 2, "momentum": 3, "adam": 4}


class _NoiseSource:
    """Standard normal draws ``(seeds, k)``, one per call of :meth:`next`, ``total`` of them per :meth:`begin`.

    With ``prefetch`` (CPU) the next step's draw runs on worker threads while the caller uses the current
    buffer; one stream reproduces ``torch.randn(seeds, k, generator=generator)`` call by call.  ``streams > 1``
    draws row blocks with independent generators seeded from ``generator``.  No draw is made past ``total``.
    The buffers (for up to ``capacity`` modes) and threads are made once and reused by every block of modes.
    """

    def __init__(self, seeds: int, capacity: int, dtype: torch.dtype, device: torch.device,
                 generator: torch.Generator, streams: int = 1, prefetch: bool = True) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.seeds, self.prefetch = seeds, prefetch
        self.flat = [torch.empty(seeds * capacity, dtype=dtype, device=device) for _ in range(2 if prefetch else 1)]
        self.bufs: list[Tensor] = []
        if streams == 1:
            self.gens = [generator]
        else:
            seeds_ = torch.randint(0, 2**62, (streams,), generator=generator, device=generator.device).tolist()
            self.gens = [torch.Generator(device=device).manual_seed(int(s)) for s in seeds_]
        bounds = [round(i * seeds / streams) for i in range(streams + 1)]
        self.rows = [(bounds[i], bounds[i + 1]) for i in range(streams)]
        parallel = device.type == "cpu" and (prefetch or streams > 1)
        self.pool = ThreadPoolExecutor(max_workers=streams) if parallel else None
        self.remaining, self.cur, self.pending = 0, 0, []

    def begin(self, k: int, total: int) -> None:
        """Serve ``total`` draws of shape ``(seeds, k)`` (contiguous views of the buffers)."""
        self.bufs = [f[:self.seeds * k].view(self.seeds, k) for f in self.flat]
        self.remaining, self.cur, self.pending = total, 0, []
        if self.prefetch:
            self._start(0)

    def _fill(self, buf: Tensor, i: int) -> None:
        lo, hi = self.rows[i]
        torch.randn(hi - lo, buf.shape[1], generator=self.gens[i], out=buf[lo:hi])

    def _start(self, slot: int) -> None:
        if self.remaining <= 0:
            return
        self.remaining -= 1
        buf = self.bufs[slot]
        if self.pool is None:
            for i in range(len(self.gens)):
                self._fill(buf, i)
        else:
            self.pending = [self.pool.submit(self._fill, buf, i) for i in range(len(self.gens))]

    def next(self) -> Tensor:
        """This step's draw; the buffer is the caller's until the following call."""
        if len(self.bufs) == 1:
            self._start(0)
        for fut in self.pending:
            fut.result()
        self.pending = []
        buf = self.bufs[self.cur]
        if len(self.bufs) == 2:
            self.cur = 1 - self.cur
            self._start(self.cur)
        return buf

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)


def pick_device(device: str | torch.device | None = None) -> torch.device:
    """``cuda`` when available (or the device asked for), else CPU."""
    if device is not None and str(device) != "auto":
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def power_law_spectrum(
    modes: int, s: float, scale: float = 1.0, *, dtype: torch.dtype = torch.float64, device=None
) -> Tensor:
    """Eigenvalues ``lam_k = scale * k^(-s)``, ``k = 1..modes``, shape ``(modes,)``, descending."""
    if modes < 1:
        raise InputError(f"modes must be >= 1, got {modes}")
    if not (math.isfinite(s) and math.isfinite(scale) and scale > 0):
        raise InputError(f"spectrum needs finite s and scale > 0, got s={s}, scale={scale}")
    k = torch.arange(1, modes + 1, dtype=torch.float64, device=pick_device(device))
    return (scale * k.pow(-s)).to(dtype)


def random_orthogonal(d: int, generator: torch.Generator, *, dtype=torch.float64, device=None) -> Tensor:
    """Haar-random orthogonal ``(d, d)`` matrix (QR of a Gaussian matrix with sign fix), seeded by ``generator``."""
    z = torch.randn(d, d, generator=generator, dtype=torch.float64, device=pick_device(device))
    q, r = torch.linalg.qr(z)
    return (q * torch.sign(torch.diagonal(r))).to(dtype)


@dataclass
class ModeStats:
    """Online per-mode accumulators, pooled over the seeds of each seed group (seeds are i.i.d. replicas).

    Attributes
    ----------
    sum_sq : Tensor  # (groups, modes) float64, sum over the group's seeds and recorded steps of c_t^2
    sum_lag : Tensor  # (groups, modes) float64, same for the recorded pairs c_t c_{t+stride}
    sum_lag2 : Tensor | None  # (groups, modes) float64, same for c_t c_{t+2} (stride 1; for the AR(2) model)
    head, tail : Tensor | None  # (3, groups, modes) float64 edge terms (c_0^2, c_1^2, c_0 c_1) and
        (c_{T-1}^2, c_{T-2}^2, c_{T-1} c_{T-2}) summed over each group's seeds (least-squares autoregression)
    n_samples : int  # recorded time points per seed
    seeds : int  # seeds per group
    stride : int  # time steps between consecutive recorded points (1 for per-step simulators)
    window_sq, window_lag : Tensor | None  # (windows, modes) per-window sums over all seeds
    window_samples : int  # recorded points per window per seed
    """

    sum_sq: Tensor
    sum_lag: Tensor
    n_samples: int
    seeds: int
    stride: int = 1
    window_sq: Tensor | None = None
    window_lag: Tensor | None = None
    window_samples: int = 0
    sum_lag2: Tensor | None = None
    head: Tensor | None = None
    tail: Tensor | None = None

    @property
    def groups(self) -> int:
        return self.sum_sq.shape[0]

    @property
    def replicas(self) -> int:
        """Seeds pooled in :meth:`energies` (all groups)."""
        return self.seeds * self.groups

    def energies(self) -> Tensor:
        """Mode energies ``e_k = <c_k^2>`` over all seeds (modes,)."""
        return self.sum_sq.sum(0) / (self.replicas * self.n_samples)

    def lag_autocorrelation(self) -> Tensor:
        """Lag-``stride`` autocorrelation ``rho_k = <c_t c_{t+stride}> / <c_t^2>`` over all seeds (modes,)."""
        lag_mean = self.sum_lag.sum(0) / (self.replicas * max(self.n_samples - 1, 1))
        return lag_mean / self.energies()

    def lag2_autocorrelation(self) -> Tensor:
        """Lag-2 autocorrelation ``<c_t c_{t+2}> / <c_t^2>`` (modes,); needs ``sum_lag2``."""
        if self.sum_lag2 is None:
            raise InputError("these statistics carry no lag-2 sums (simulate with lag2=True)")
        lag_mean = self.sum_lag2.sum(0) / (self.replicas * max(self.n_samples - 2, 1))
        return lag_mean / self.energies()

    def group(self, i: int) -> "ModeStats":
        """Statistics of seed group ``i`` alone (an independent replica of the experiment)."""
        def pick(x: Tensor | None, dim: int = 0) -> Tensor | None:
            return None if x is None else x.narrow(dim, i, 1)

        return ModeStats(sum_sq=self.sum_sq[i:i + 1], sum_lag=self.sum_lag[i:i + 1], n_samples=self.n_samples,
                         seeds=self.seeds, stride=self.stride, sum_lag2=pick(self.sum_lag2), head=pick(self.head, 1),
                         tail=pick(self.tail, 1))

    def lag_sums(self):
        """The pooled :class:`~.identify.LagSums` (needs the edge terms ``head``/``tail``, stride 1)."""
        from .identify import LagSums

        if self.head is None or self.tail is None or self.stride != 1:
            raise InputError("these statistics carry no edge terms (or stride > 1): no least-squares fit")

        def pooled(x: Tensor | None, dim: int = 0):
            return None if x is None else x.sum(dim).cpu().numpy()

        return LagSums(sq=pooled(self.sum_sq), lag1=pooled(self.sum_lag), lag2=pooled(self.sum_lag2),
                       head=pooled(self.head, 1), tail=pooled(self.tail, 1), n_samples=int(self.n_samples),
                       replicas=int(self.replicas))


@dataclass
class SimulationResult:
    """Output of :func:`simulate_quadratic`.

    ``theta`` is the final state ``(seeds, modes)`` in the simulation frame; ``trajectory`` (only with
    ``record=True``) is ``(steps, seeds, modes)``; ``stats`` the online accumulators (eigen-coordinates for the
    diagonal model; raw coordinates when a ``rotation`` was given).
    """

    theta: Tensor
    stats: ModeStats
    trajectory: Tensor | None = None
    params: dict = field(default_factory=dict)


def check_hyper(optimizer: str, alpha: float, sigma: float, mu: float, beta1: float, beta2: float, eps: float) -> None:
    """Raise :class:`HypothesisViolation`/:class:`InputError` for parameters outside the simulated model's domain.

    SGD, heavy ball and noise-dominated Adam are checked against their derivation's conditions in ``theory``
    (those not involving ``lam``); Adam's own domain is ``torch.optim.Adam``'s (``0 <= beta < 1``, ``eps > 0``),
    which no derivation states because Adam's simulator is not bound to its noise-dominated limit.
    """
    if optimizer not in OPTIMIZERS:
        raise InputError(f"unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")
    from spectral_universality.numerics.expected import derivation

    if optimizer == "adam":
        for name, val in (("alpha", alpha), ("sigma", sigma), ("beta1", beta1), ("beta2", beta2), ("eps", eps)):
            if not math.isfinite(val):
                raise InputError(f"parameter {name!r} must be finite, got {val}")
        derivation("sgd").validate(alpha=alpha, sigma=sigma)
        if not (0 <= beta1 < 1 and 0 <= beta2 < 1 and eps > 0):
            raise HypothesisViolation("0 <= beta1 < 1, 0 <= beta2 < 1, eps > 0", f"beta1={beta1}, beta2={beta2}, eps={eps}")
        return
    params = {"alpha": alpha, "sigma": sigma, **({"mu": mu} if optimizer == "momentum" else {})}
    derivation(optimizer).validate(**params)


def memory_estimate(optimizer: str, modes: int, seeds: int, dtype: torch.dtype = torch.float32,
                    chunk_modes: int | None = None, windows: int = 0, lag2: bool | None = None,
                    prefetch: bool = True) -> int:
    """Bytes resident in :func:`simulate_quadratic` without ``record`` (state, noise buffers, accumulators)."""
    lag2 = _default_lag2(optimizer) if lag2 is None else lag2
    block = min(modes, chunk_modes or modes)
    item = torch.empty((), dtype=dtype).element_size()
    resident = (_STATE_TENSORS[optimizer] + int(lag2) + (2 if prefetch else 1)) * seeds * block * item
    if block < modes:
        resident += seeds * modes * item  # the final state, assembled block by block
    accum = (2 + int(lag2) + 6 + 2 * windows) * modes * 8  # float64 sums and edge terms (one seed group)
    return resident + accum


def _default_lag2(optimizer: str) -> bool:
    """Lag-2 sums by default where the mode recursion is second order (heavy ball, Adam's first moment)."""
    return optimizer in ("momentum", "adam")


def _check_run(lam: Tensor, steps: int, seeds: int, burn_in: int, seed_groups: int, noise_streams: int,
               window: int | None) -> None:
    """InputError/HypothesisViolation for a run that cannot be simulated (shapes, counts, eigenvalues)."""
    if lam.ndim != 1 or lam.numel() < 1:
        raise InputError(f"lam must be a non-empty 1-d tensor, got shape {tuple(lam.shape)}")
    if not bool(torch.isfinite(lam).all()) or bool((lam <= 0).any()):
        raise HypothesisViolation("lam_k > 0 and finite", "some eigenvalue is <= 0 or not finite")
    if steps < 2 or seeds < 1 or burn_in < 0:
        raise InputError(f"need steps >= 2, seeds >= 1, burn_in >= 0; got steps={steps}, seeds={seeds}, burn_in={burn_in}")
    if seed_groups < 1 or seeds % seed_groups:
        raise InputError(f"seed_groups must divide seeds = {seeds}, got {seed_groups}")
    if noise_streams < 1 or noise_streams > seeds:
        raise InputError(f"noise_streams must be in [1, seeds={seeds}], got {noise_streams}")
    if window is not None and not 2 <= window <= steps:
        raise InputError(f"window must be in [2, steps={steps}], got {window}")


def _initial_theta(theta0: Tensor | float, seeds: int, lam: Tensor) -> Tensor:
    """``theta0`` as a tensor like ``lam``: a scalar or ``(seeds, modes)``, else InputError."""
    t = torch.as_tensor(theta0, dtype=lam.dtype, device=lam.device)
    if t.ndim not in (0, 2) or (t.ndim == 2 and t.shape != (seeds, lam.numel())):
        raise InputError(f"theta0 must be a scalar or ({seeds}, {lam.numel()}), got {tuple(t.shape)}")
    return t


def _new_stats(seed_groups: int, modes: int, steps: int, seeds_per_group: int, window: int | None, lag2: bool,
               lam: Tensor) -> ModeStats:
    """Zeroed float64 accumulators on ``lam.device``."""
    n_windows = steps // window if window else 0
    zeros = lambda *shape: torch.zeros(*shape, dtype=torch.float64, device=lam.device)  # noqa: E731
    return ModeStats(sum_sq=zeros(seed_groups, modes), sum_lag=zeros(seed_groups, modes), n_samples=steps,
                     seeds=seeds_per_group, stride=1, window_sq=zeros(n_windows, modes) if window else None,
                     window_lag=zeros(n_windows, modes) if window else None, window_samples=window or 0,
                     sum_lag2=zeros(seed_groups, modes) if lag2 else None, head=zeros(3, seed_groups, modes),
                     tail=zeros(3, seed_groups, modes))


def simulate_quadratic(
    optimizer: str,
    lam: Tensor,
    *,
    alpha: float,
    sigma: float,
    steps: int,
    seeds: int,
    generator: torch.Generator,
    mu: float = 0.9,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    burn_in: int = 0,
    theta0: Tensor | float = 0.0,
    rotation: Tensor | None = None,
    record: bool = False,
    window: int | None = None,
    chunk_modes: int | None = None,
    seed_groups: int = 1,
    lag2: bool | None = None,
    prefetch: bool = True,
    noise_streams: int = 1,
) -> SimulationResult:
    """Run ``optimizer`` on the quadratic for ``burn_in + steps`` steps, batched over seeds x modes.

    Parameters
    ----------
    lam : Tensor  # (modes,) Hessian eigenvalues; its dtype/device set the simulation's
    alpha, sigma : learning rate and gradient-noise standard deviation
    steps : recorded steps (after ``burn_in`` unrecorded ones)
    generator : torch.Generator on ``lam.device``; one ``randn((seeds, block))`` draw per step, in order
    theta0 : initial parameters, scalar or ``(seeds, modes)``
    rotation : optional orthogonal ``(modes, modes)`` U, so that ``H = U diag(lam) U^T`` (no chunking)
    record : keep the trajectory ``(steps, seeds, modes)``
    window : if given, also accumulate statistics per window of this many recorded steps
    chunk_modes : simulate modes in independent blocks of this size (diagonal model only)
    seed_groups : keep separate accumulators for this many equal groups of seeds (Monte-Carlo replicas)
    lag2 : also accumulate ``c_t c_{t+2}`` (for the AR(2) fit of :mod:`.identify`); default: for momentum and
        Adam, whose mode recursions are second order (one extra state copy per step)
    prefetch : draw the next step's noise on a worker thread (CPU) while this step is computed; same stream
    noise_streams : draw each step's noise on this many threads with independent generators seeded from
        ``generator`` (another stream: results differ from ``noise_streams=1``, in law they do not)

    Returns
    -------
    SimulationResult
    """
    check_hyper(optimizer, alpha, sigma, mu, beta1, beta2, eps)
    _check_run(lam, steps, seeds, burn_in, seed_groups, noise_streams, window)
    modes = lam.numel()
    if rotation is not None:
        if rotation.shape != (modes, modes):
            raise InputError(f"rotation must be ({modes}, {modes}), got {tuple(rotation.shape)}")
        chunk_modes = None
    params = dict(optimizer=optimizer, alpha=alpha, sigma=sigma, mu=mu, beta1=beta1, beta2=beta2, eps=eps,
                  steps=steps, burn_in=burn_in)
    if optimizer == "adam-noise":  # SGD at the class rate theory derives for it
        from spectral_universality.numerics.expected import evaluate_form

        optimizer, alpha = "sgd", float(evaluate_form("adam-noise", "class_rate", alpha=alpha, sigma=sigma))
    block = min(modes, chunk_modes or modes)
    theta0_t = _initial_theta(theta0, seeds, lam)

    lag2 = _default_lag2(params["optimizer"]) if lag2 is None else lag2
    acc = _new_stats(seed_groups, modes, steps, seeds // seed_groups, window, lag2, lam)
    traj = torch.empty(steps, seeds, modes, dtype=lam.dtype, device=lam.device) if record else None
    final = None if block == modes else torch.empty(seeds, modes, dtype=lam.dtype, device=lam.device)
    source = _NoiseSource(seeds, block, lam.dtype, lam.device, generator, noise_streams, prefetch)
    # state buffers made once and reused by every block (allocator churn between blocks raised the peak)
    work = [torch.empty(seeds * block, dtype=lam.dtype, device=lam.device)
            for _ in range(_STATE_TENSORS[optimizer] + int(lag2))]
    try:
        for start in range(0, modes, block):
            sl = slice(start, min(start + block, modes))
            source.begin(sl.stop - sl.start, burn_in + steps)
            state = [w[:seeds * (sl.stop - sl.start)].view(seeds, -1) for w in work]
            last = _run_steps(optimizer, lam[sl], theta0_t.expand(seeds, modes)[:, sl], state, alpha, sigma, mu,
                              beta1, beta2, eps, burn_in, steps, source, rotation, acc, sl, traj, window, lag2)
            if final is None:
                final = last
            else:
                final[:, sl] = last
    finally:
        source.close()
    return SimulationResult(theta=final, stats=acc, trajectory=traj, params=params)


def _run_steps(optimizer, lam, theta0, state: list[Tensor], alpha, sigma, mu, beta1, beta2, eps, burn_in, steps,
               source: _NoiseSource, rotation, acc: ModeStats, sl: slice, traj: Tensor | None, window: int | None,
               lag2: bool) -> Tensor:
    """Simulate one block of modes; accumulate into ``acc[sl]``; return the final state. A spent noise buffer
    (its gradient consumed) is the scratch space. ``state``: ``(seeds, k)`` buffers for theta, the previous
    state(s) and the optimizer's moments, in that order."""
    free = iter(state)
    theta = next(free).copy_(theta0)
    prev = next(free)
    prev2 = next(free) if lag2 else None
    groups = _group_matrix(acc.groups, theta.shape[0], lam.dtype, lam.device)
    if optimizer == "sgd" and rotation is None and not lag2:
        # psi = -theta / (alpha sigma) obeys psi <- a psi + z: one fused pass per step after the draw
        scale = -alpha * sigma if sigma > 0 else -1.0
        a = 1.0 - alpha * lam
        cur, nxt = theta.div_(scale), prev
        for t in range(burn_in + steps):
            noise = source.next()
            if sigma == 0:
                noise.zero_()
            torch.addcmul(noise, cur, a, out=nxt)
            if t >= burn_in:
                _accumulate(nxt, cur, t - burn_in, noise, groups, acc, sl, traj, window, scale)
            cur, nxt = nxt, cur
        _record_tail(cur, nxt, noise, groups, acc, sl, scale)
        return cur.mul_(scale)
    buf = next(free).zero_() if optimizer in ("momentum", "adam") else None
    v = next(free).zero_() if optimizer == "adam" else None
    # Work with g / sigma (one pass less per step): SGD and heavy ball take steps alpha sigma on it, and Adam is
    # invariant under g -> g / sigma with eps -> eps / sigma (m / (sqrt(v) + eps) keeps its value).
    unit = sigma if sigma > 0 else 1.0
    lam_u, rate, eps_u = lam / unit, alpha * unit, eps / unit
    for t in range(burn_in + steps):
        noise = source.next()
        if sigma == 0:
            noise.zero_()
        g = noise.addcmul_(theta, lam_u) if rotation is None else torch.addmm(noise, (theta @ rotation) * lam_u,
                                                                               rotation.T)
        new = prev2 if prev2 is not None else prev  # the oldest state is overwritten: no copy of theta
        if optimizer == "sgd":
            torch.add(theta, g, alpha=-rate, out=new)
        elif optimizer == "momentum":
            buf.mul_(mu).add_(g)
            torch.add(theta, buf, alpha=-rate, out=new)
        else:
            step = t + 1
            buf.lerp_(g, 1 - beta1)
            v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
            # torch.optim.Adam's bias corrections, with sqrt(1 - beta2^t) moved from the denominator to the step
            c2 = (1 - beta2**step) ** 0.5
            denom = torch.sqrt(v, out=noise).add_(eps_u * c2)  # the gradient in `noise` is spent
            torch.addcdiv(theta, buf, denom, value=-alpha * c2 / (1 - beta1**step), out=new)
        if prev2 is not None:
            prev2, prev, theta = prev, theta, new
        else:
            prev, theta = theta, new
        if t >= burn_in:
            _accumulate(theta, prev, t - burn_in, noise, groups, acc, sl, traj, window, 1.0, prev2)
    _record_tail(theta, prev, noise, groups, acc, sl, 1.0)
    return theta


def simulate_spec(
    spec,
    lam: Tensor,
    *,
    params: dict[str, float],
    sigma: float,
    steps: int,
    seeds: int,
    generator: torch.Generator,
    burn_in: int = 0,
    theta0: Tensor | float = 0.0,
    record: bool = False,
    window: int | None = None,
    seed_groups: int = 1,
    lag2: bool | None = None,
    prefetch: bool = True,
    noise_streams: int = 1,
) -> SimulationResult:
    """Run an optimizer spec (:mod:`spectral_universality.theory.spec`) on the diagonal quadratic.

    The step is the spec's one-step system ``x' = A x + b z`` (``z`` one standard normal per mode and step),
    composed from its update lines by ``theory`` and evaluated per mode; the statistics are those of the
    spec's readout coordinate (``theta`` unless the spec says otherwise), and so is the record
    (``trajectory``, with ``record=True``); ``theta`` is the final theta.

    Parameters
    ----------
    spec : OptimizerSpec, a built-in name or a ``.toml`` path
    lam : Tensor  # (modes,) Hessian eigenvalues; its dtype/device set the simulation's
    params : the spec's parameters by name (``sigma`` is given separately)
    steps, seeds, generator, burn_in, theta0, record, window, seed_groups, prefetch, noise_streams :
        as in :func:`simulate_quadratic`
    lag2 : accumulate lag-2 sums; default when the state has more than one variable

    Raises
    ------
    HypothesisViolation
        Parameters outside the spec's domain (its stability region is *not* required: a run outside it diverges).
    """
    import numpy as np

    from spectral_universality.theory.spec import numeric_system, resolve

    spec = resolve(spec)
    _check_run(lam, steps, seeds, burn_in, seed_groups, noise_streams, window)
    a_np, b_np = numeric_system(spec, lam.detach().cpu().numpy(), sigma=sigma, **params)
    n = a_np.shape[-1]
    lag2 = n > 1 if lag2 is None else lag2

    def coef(x: np.ndarray) -> float | Tensor | None:
        """A mode-independent coefficient as a float (a scalar kernel), else a (modes,) tensor; 0 -> None."""
        if np.all(x == x[0]):
            return None if x[0] == 0 else float(x[0])
        return torch.as_tensor(x, dtype=lam.dtype, device=lam.device)

    order = [spec.state.index(v) for v, _ in spec.update]
    order += [i for i in range(n) if i not in order]
    program = [(i, [(coef(c), src) for c, src in terms if coef(c) is not None])
               for i, terms in _step_program(a_np, b_np, order)]
    theta0_t = _initial_theta(theta0, seeds, lam)
    modes = lam.numel()
    acc = _new_stats(seed_groups, modes, steps, seeds // seed_groups, window, lag2, lam)
    traj = torch.empty(steps, seeds, modes, dtype=lam.dtype, device=lam.device) if record else None
    source = _NoiseSource(seeds, modes, lam.dtype, lam.device, generator, noise_streams, prefetch)
    try:
        source.begin(modes, burn_in + steps)
        x = _run_linear(program, spec.state.index(spec.readout), theta0_t.expand(seeds, modes), burn_in, steps,
                        source, acc, traj, window, lag2)
    finally:
        source.close()
    return SimulationResult(theta=x, stats=acc, trajectory=traj,
                            params=dict(optimizer=spec.name, sigma=sigma, steps=steps, burn_in=burn_in, **params))


def _step_program(a: Any, b: Any, order: list[int]) -> list[tuple[int, list[tuple[Any, tuple]]]]:
    """The one-step system ``x' = A x + b z`` as a sequence of row updates, in the spec's update order, each a
    list of ``(coefficient (modes,), source)`` with source ``("old", j)``, ``("noise",)`` or ``("new", j)``.

    A row may reuse a row already computed this step (``new_i = r + c new_j``, ``c`` one number for every mode)
    when that needs fewer terms: the update lines' own sharing (heavy ball's ``theta' = theta - alpha b'``),
    recovered from ``(A, b)``, so a spec costs as many passes per step as its hand-written loop.  Residual
    coefficients below 1e-13 of the parts they cancel are zero (rounding, not model, differences); a rewrite
    whose coefficients exceed 4x the row's own is refused (it would amplify rounding errors).
    """
    import numpy as np

    n = a.shape[-1]
    rows = {i: np.concatenate([a[:, i, :], b[:, i:i + 1]], axis=1) for i in range(n)}  # (modes, n + 1)

    def passes(r: Any, extra: float | None) -> int:
        """Passes over the state to compute ``r`` (+ ``extra`` times a new row): one per term, one less when a
        unit coefficient lets two terms fuse."""
        cols = [r[:, k] for k in range(n + 1) if np.any(r[:, k] != 0)] + ([np.full(1, extra)] if extra is not None else [])
        unit = any(np.all(np.abs(c - 1.0) <= 1e-13) for c in cols)
        return len(cols) - 1 if unit and len(cols) >= 2 else len(cols)

    program, done = [], []
    for i in order:
        best, best_j, best_c = rows[i], None, 0.0
        for j in done:
            for k in range(n + 1):
                if not np.all(rows[j][:, k] != 0):
                    continue
                ratio = rows[i][:, k] / rows[j][:, k]
                if not np.allclose(ratio, ratio[0], rtol=1e-13, atol=0.0):
                    continue
                c = float(ratio[0])
                res = rows[i] - c * rows[j]
                res[np.abs(res) <= 1e-13 * (np.abs(rows[i]) + np.abs(c * rows[j]))] = 0.0
                res[np.abs(res - 1.0) <= 1e-13] = 1.0
                size = max(np.abs(res).max(), abs(c) * np.abs(rows[j]).max())
                if size > 4 * np.abs(rows[i]).max():  # cancelling large terms would amplify rounding errors
                    continue
                if passes(res, c) < passes(best, None if best_j is None else best_c):
                    best, best_j, best_c = res, j, c
        terms: list[tuple[Any, tuple]] = [(best[:, k], ("old", k)) for k in range(n)] + [(best[:, n], ("noise",))]
        if best_j is not None:
            terms.append((np.full(best.shape[0], best_c), ("new", best_j)))
        program.append((i, terms))
        done.append(i)
    return program


def _run_linear(program: list[tuple[int, list[tuple[float | Tensor, tuple]]]], readout: int, theta0: Tensor,
                burn_in: int, steps: int, source: _NoiseSource, acc: ModeStats, traj: Tensor | None,
                window: int | None, lag2: bool) -> Tensor:
    """Run :func:`_step_program`'s row updates on ``(seeds, modes)`` state tensors; returns the final theta.

    Two buffers per variable, swapped each step; with ``lag2`` the readout has a third, so that ``c_{t-2}``
    survives the step that writes ``c_t``.  Coefficients: float (one scalar kernel) or tensor ``(modes,)``;
    a unit coefficient leads, so two terms cost one fused pass."""
    n = len(program)
    shape, like = theta0.shape, dict(dtype=theta0.dtype, device=theta0.device)
    cur = [torch.zeros(shape, **like) for _ in range(n)]
    cur[0].copy_(theta0)
    new = [torch.empty(shape, **like) for _ in range(n)]
    spare = torch.empty(shape, **like) if lag2 else None
    groups = _group_matrix(acc.groups, shape[0], theta0.dtype, theta0.device)
    sl = slice(0, shape[1])
    program = [(i, sorted(terms, key=lambda t: not (isinstance(t[0], float) and t[0] == 1.0)))
               for i, terms in program]
    noise = None
    for t in range(burn_in + steps):
        noise = source.next()
        target = list(new)
        if lag2:
            target[readout] = spare
        for i, terms in program:
            out = target[i]
            src = [(c, cur[s[1]] if s[0] == "old" else noise if s[0] == "noise" else target[s[1]]) for c, s in terms]
            if not src:
                out.zero_()
                continue
            (c0, x0), rest = src[0], src[1:]
            if isinstance(c0, float) and c0 == 1.0 and rest:
                (c1, x1), rest = rest[0], rest[1:]
                if isinstance(c1, float):
                    torch.add(x0, x1, alpha=c1, out=out)
                else:
                    torch.addcmul(x0, x1, c1, out=out)
            elif isinstance(c0, float) and c0 == 1.0:
                out.copy_(x0)
            else:
                torch.mul(x0, c0, out=out)
            for c, x in rest:
                if isinstance(c, float):
                    out.add_(x, alpha=c)
                else:
                    out.addcmul_(x, c)
        if t >= burn_in:  # the noise is spent: it is the scratch space
            _accumulate(target[readout], cur[readout], t - burn_in, noise, groups, acc, sl, traj, window, 1.0,
                        new[readout] if lag2 else None)
        if lag2:
            spare = new[readout]
        cur, new = target, cur
    _record_tail(cur[readout], new[readout], noise, groups, acc, sl, 1.0)
    return cur[0]


def _record_tail(last: Tensor, before: Tensor, scratch: Tensor, groups: Tensor, acc: ModeStats, sl: slice,
                 scale: float) -> None:
    """Edge terms of the record's end: group sums of ``c_{T-1}^2``, ``c_{T-2}^2``, ``c_{T-1} c_{T-2}``."""
    for i, (u, v) in enumerate(((last, last), (before, before), (last, before))):
        acc.tail[i, :, sl] = torch.mm(groups, torch.mul(u, v, out=scratch)).to(torch.float64).mul_(scale * scale)


def _accumulate(cur: Tensor, prev: Tensor, t: int, scratch: Tensor, groups: Tensor, acc: ModeStats, sl: slice,
                traj: Tensor | None, window: int | None, scale: float, prev2: Tensor | None = None) -> None:
    """Add step ``t``'s ``c^2``, (for t >= 1) ``c_{t-1} c_t`` and (for t >= 2, with ``prev2``) ``c_{t-2} c_t`` into
    the accumulators (state scaled by ``scale``).

    The sum over each group's seeds is a matrix product with a 0/1 group matrix (one fused BLAS pass, far
    cheaper than a strided reduction); it runs in the simulation dtype (<= seeds terms) and is added into the
    float64 accumulators, which carry the long sums over time.
    """
    s2 = scale * scale
    sq = torch.mm(groups, torch.mul(cur, cur, out=scratch)).to(torch.float64).mul_(s2)
    acc.sum_sq[:, sl] += sq
    if t < 2:
        acc.head[t, :, sl] = sq
    w = t // window if window else None
    if w is not None and w < acc.window_sq.shape[0]:
        acc.window_sq[w, sl] += sq.sum(0)
    if t >= 1:
        lag = torch.mm(groups, torch.mul(cur, prev, out=scratch)).to(torch.float64).mul_(s2)
        acc.sum_lag[:, sl] += lag
        if t == 1:
            acc.head[2, :, sl] = lag
        if w is not None and w < acc.window_lag.shape[0] and t % window != 0:
            acc.window_lag[w, sl] += lag.sum(0)
    if t >= 2 and prev2 is not None:
        acc.sum_lag2[:, sl] += torch.mm(groups, torch.mul(cur, prev2, out=scratch)).to(torch.float64).mul_(s2)
    if traj is not None:
        traj[t, :, sl] = cur * scale


def _group_matrix(groups: int, seeds: int, dtype: torch.dtype, device: torch.device) -> Tensor:
    """``(groups, seeds)`` 0/1 matrix: row ``g`` selects the ``g``-th block of ``seeds/groups`` seeds."""
    return torch.repeat_interleave(torch.eye(groups, dtype=dtype, device=device), seeds // groups, dim=1)
