"""Spectral-shell energy balance of MSE training (companion seed 002).

For MSE training the training error ``e = f_theta(X) - y`` (``(n,)``) follows ``e' = -M e`` (gradient flow) or
``e_{t+1} = (I - lr M_t) e_t + O(lr^2)`` (gradient descent on ``0.5 ||e||^2``), with the NTK Gram matrix
``M = J J^T`` (``J = d f(X) / d theta``, ``(n, P)``).  In the instantaneous eigenbasis ``U(t)`` of ``M``
(eigenvalues ``mu_k``, sorted descending) the coefficients ``c = U^T e`` obey

    c' = -D c + W c,      W = U'^T U  (skew, W_kl = <u_k', u_l>),

so the energy ``E_j = sum_{k in S_j} c_k^2`` of a logarithmic shell changes by dissipation
``-2 sum_{k in S_j} mu_k c_k^2`` plus the inter-shell flux ``F_ji = 2 sum_{k in S_j, l in S_i} c_k W_kl c_l``
(from shell ``i`` into shell ``j``; ``F`` is antisymmetric and its diagonal, the within-shell coupling, is
zero because ``W`` is skew: Lean ``ShellEnergy.quadForm_eq_zero_of_skew``).

Shells (:class:`ShellSpec`): ``S_j = {k : mu_ref b^-(j+1) < mu_k <= mu_ref b^-j}`` for ``j < n_shells - 1``;
the last shell also takes every smaller eigenvalue (including the null space of ``M``), and shell 0 also
takes eigenvalues that grew above ``mu_ref``.  Boundaries are fixed in time (``mu_ref`` is a number, by
default the top eigenvalue of the first snapshot), so a shell's energy changes only through dissipation,
flux, and modes whose eigenvalue crosses a boundary (``migration``, reported separately).

Discrete balance of one logged step ``(e_t, M_t) -> (e_{t+1}, M_{t+1})`` (:func:`step_balance`):

* index sets: modes are followed from ``t`` to ``t+1`` by eigenvector overlap (:func:`match_modes`); the shell
  labels of step ``t`` are used throughout the step, and relabelling at ``t+1`` is the ``migration`` term;
* within-shell rotations are irrelevant: the basis at ``t+1`` is rotated inside each shell (orthogonal
  Procrustes) to be closest to the basis at ``t``.  This also fixes eigenvector signs and arbitrary bases of
  degenerate eigenspaces; it changes no shell energy;
* the rotation ``R = U_t^T U_{t+1}`` is written as a Cayley transform ``R^T = (I - K/2)^-1 (I + K/2)`` with
  ``K`` skew (``K ~ dt W``).  For any vector ``x`` and ``y = R^T x`` one has exactly ``y - x = K m`` with
  ``m = (x + y)/2``, hence ``|P_j y|^2 - |P_j x|^2 = sum_i 2 (P_j m)^T K (P_i m)``: a rotation moves shell
  energy only through the antisymmetric pair terms ``F_ji``;
* ``scheme="gd"``: dissipation is the exact change under ``c -> (1 - lr mu) c`` in the basis of ``t``, then
  the exact Cayley flux of the basis change; the residual is then exactly the effect of the GD remainder
  ``e_{t+1} - (I - lr M_t) e_t`` (zero for a linear model, ``O(lr^2)`` per step for a network);
* ``scheme="flow"``: for snapshots of a gradient flow spaced ``dt = lr``: trapezoid dissipation
  ``-dt (sum mu c^2 |_t + sum mu c^2 |_{t+1})`` and the Cayley flux at the midpoint ``m = (c_t + c_{t+1})/2``;
  both are second-order quadratures, so the residual is ``O(dt^3)`` per step and ``O(dt^2)`` over a fixed
  time span.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn

from spectral_universality.errors import InputError
from spectral_universality.linkcheck import Verdict

SCHEMES = ("gd", "flow")


# -- shells ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShellSpec:
    """Logarithmic shells ``(mu_ref b^-(j+1), mu_ref b^-j]``, ``j = 0 .. n_shells - 1`` (see module doc).

    Attributes
    ----------
    mu_ref : float
        Top of shell 0 (e.g. the largest NTK eigenvalue at the start).
    base : float
        Ratio ``b > 1`` between consecutive boundaries.
    n_shells : int
        Number of shells; the last one absorbs all smaller eigenvalues.
    """

    mu_ref: float
    base: float = 2.0
    n_shells: int = 8

    def __post_init__(self) -> None:
        if not (math.isfinite(self.mu_ref) and self.mu_ref > 0):
            raise InputError(f"mu_ref must be a positive finite number, got {self.mu_ref!r}")
        if not (math.isfinite(self.base) and self.base > 1):
            raise InputError(f"base must be a finite number > 1, got {self.base!r}")
        if int(self.n_shells) != self.n_shells or self.n_shells < 1:
            raise InputError(f"n_shells must be a positive integer, got {self.n_shells!r}")

    def assign(self, mu: Tensor) -> Tensor:
        """Shell label ``(n,)`` (int64) of each eigenvalue ``mu`` ``(n,)``."""
        pos = mu > 0
        ratio = torch.where(pos, self.mu_ref / torch.where(pos, mu, torch.ones_like(mu)), torch.ones_like(mu))
        j = torch.floor(torch.log(ratio) / math.log(self.base))
        j = torch.where(pos, j, torch.full_like(j, self.n_shells - 1))
        return j.clamp(0, self.n_shells - 1).to(torch.int64)

    def edges(self) -> list[float]:
        """The ``n_shells + 1`` boundaries ``mu_ref b^-j`` (the last shell extends below the last one to 0)."""
        return [self.mu_ref * self.base**-j for j in range(self.n_shells + 1)]


def shell_spec(mu0: Tensor, base: float = 2.0, n_shells: int | None = None, floor: float = 1e-8) -> ShellSpec:
    """Shells anchored at ``max(mu0)``; by default enough shells to reach ``floor * max(mu0)``."""
    top = float(mu0.max())
    if n_shells is None:
        n_shells = max(1, int(math.ceil(math.log(1 / floor) / math.log(base))))
    return ShellSpec(top, base, n_shells)


def eigh_desc(gram: Tensor) -> tuple[Tensor, Tensor]:
    """Eigenvalues ``(..., n)`` in descending order and eigenvectors ``(..., n, n)`` (columns) of a symmetric
    matrix (batch allowed)."""
    mu, u = torch.linalg.eigh(gram)
    return mu.flip(-1), u.flip(-1)


def one_hot(labels: Tensor, n_shells: int, dtype: torch.dtype) -> Tensor:
    """Membership matrix ``(n_shells, n)``."""
    return torch.nn.functional.one_hot(labels, n_shells).T.to(dtype)


def shell_sum(values: Tensor, labels: Tensor, n_shells: int) -> Tensor:
    """``sum_{k in S_j} values_k`` ``(n_shells,)`` for per-mode ``values`` ``(n,)`` and labels ``(n,)``."""
    return torch.zeros(n_shells, dtype=values.dtype, device=values.device).index_add_(0, labels, values)


def shell_energies(c: Tensor, labels: Tensor, n_shells: int) -> Tensor:
    """``E_j = sum_{k in S_j} c_k^2`` ``(n_shells,)`` from coefficients ``c`` ``(n,)`` and labels ``(n,)``."""
    return shell_sum(c * c, labels, n_shells)


def pair_flux(m: Tensor, k: Tensor, labels: Tensor, n_shells: int) -> Tensor:
    """``F_ji = 2 sum_{k in S_j, l in S_i} m_k K_kl m_l`` ``(n_shells, n_shells)``: flux from shell ``i`` into
    shell ``j`` for a skew coupling ``K`` ``(n, n)``; its diagonal is the within-shell term (0 if K is skew)."""
    hm = one_hot(labels, n_shells, m.dtype) * m  # (S, n)
    return 2.0 * hm @ k @ hm.T


def quad_form(x: Tensor, a: Tensor) -> Tensor:
    """``sum_i sum_j x_i A_ij x_j`` (the quantity of Lean ``quadForm_eq_zero_of_skew``)."""
    return x @ a @ x


def within_shell_rate(c: Tensor, d: Tensor, omega: Tensor, drive: Tensor | None = None) -> Tensor:
    """``sum_k c_k c_k'`` for ``c' = -diag(d) c + Omega c + u`` on one shell (``u``: the drive from the other
    shells, default 0).  Lean ``shellEnergyRate_eq``: equals ``-sum d_k c_k^2 + sum c_k u_k`` when ``Omega``
    is skew."""
    rate = -d * c + omega @ c
    return c @ (rate if drive is None else rate + drive)


def cayley(rt: Tensor) -> tuple[Tensor, float]:
    """Skew ``K`` with ``rt = (I - K/2)^-1 (I + K/2)`` for an orthogonal ``rt`` ``(n, n)`` without eigenvalue -1,
    and the skew defect ``max|K + K^T|`` of the solve before its symmetric part (rounding) is dropped.
    ``K + K^T = 0`` exactly when ``rt`` is orthogonal, so the defect measures how orthonormal the two measured
    eigenbases are (absolute: ``rt`` has entries of order 1); it is why within-shell terms cancel."""
    eye = torch.eye(rt.shape[0], dtype=rt.dtype, device=rt.device)
    plus = rt + eye
    smin = float(torch.linalg.svdvals(plus).min())
    if smin < 1e-6:
        raise InputError(f"the eigenbasis turns by almost pi between two snapshots (sigma_min(R+I) = {smin:.2g});"
                         " log the trajectory more often")
    k = 2.0 * torch.linalg.solve(plus.T, (rt - eye).T).T  # K (R^T + I) = 2 (R^T - I)
    return 0.5 * (k - k.T), float((k + k.T).abs().max())


def match_modes(u0: Tensor, u1: Tensor) -> Tensor:
    """Permutation ``(n,)``: column ``perm[k]`` of ``u1`` continues mode ``k`` of ``u0`` (maximum total squared
    overlap).  Modes are followed by their eigenvectors, not their rank, so two eigenvalues that cross (or
    pass an avoided crossing faster than the logging step) swap shells as ``migration`` instead of appearing
    as a rotation by ~pi/2."""
    from scipy.optimize import linear_sum_assignment

    overlap = ((u0.T @ u1) ** 2).detach().cpu().numpy()
    rows, cols = linear_sum_assignment(overlap, maximize=True)
    return torch.as_tensor(cols[rows.argsort()], device=u1.device)


def align_within_shells(u0: Tensor, u1: Tensor, labels: Tensor, n_shells: int) -> Tensor:
    """``u1`` ``(n, n)`` with each shell's columns (by ``labels``) rotated to be closest to ``u0``'s
    (orthogonal Procrustes); fixes signs and degenerate eigenspaces, changes no shell energy."""
    out = u1.clone()
    for j in range(n_shells):
        idx = torch.nonzero(labels == j).flatten()
        if idx.numel() == 0:
            continue
        w, _, vh = torch.linalg.svd(u0[:, idx].T @ u1[:, idx])
        out[:, idx] = u1[:, idx] @ (vh.T @ w.T)
    return out


# -- the balance ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShellBalance:
    """Shell energy budget of a trajectory (``T`` steps, ``S`` shells).

    ``delta = dissipation + flux.sum(-1) + migration + residual`` holds by construction; the physics is in
    how small ``residual`` is (see the module doc for its order in each scheme).

    Attributes
    ----------
    energies : Tensor  # (T+1, S)
    delta : Tensor  # (T, S)  E_j(t+1) - E_j(t)
    dissipation : Tensor  # (T, S)
    flux : Tensor  # (T, S, S)  flux[t, j, i]: from shell i into shell j (antisymmetric)
    migration : Tensor  # (T, S)  energy of modes relabelled at t+1
    residual : Tensor  # (T, S)
    mu : Tensor  # (T+1, n)  eigenvalues, descending
    labels : Tensor  # (T+1, n)
    spec : ShellSpec
    scheme : str
    skew_defect : Tensor  # (T,)  max |K + K^T| of each step's Cayley generator before symmetrising (rounding)
    lr : float  # the GD step (``scheme="gd"``) or snapshot spacing (``"flow"``) of the budget
    """

    energies: Tensor
    delta: Tensor
    dissipation: Tensor
    flux: Tensor
    migration: Tensor
    residual: Tensor
    mu: Tensor
    labels: Tensor
    spec: ShellSpec
    scheme: str
    skew_defect: Tensor
    lr: float

    def net_flux(self) -> Tensor:
        """``(T, S)`` net inflow of each shell per step."""
        return self.flux.sum(-1)

    def within_shell(self) -> Tensor:
        """``(T, S)`` diagonal of the flux matrices (the within-shell term; zero up to rounding)."""
        return torch.diagonal(self.flux, dim1=-2, dim2=-1)

    def shares(self) -> dict[str, float]:
        """Fractions of the gross shell-energy change ``sum_{t,j} |.|`` carried by dissipation, rotation flux
        (net inflow per shell) and migration; they sum to 1 (the residual is reported separately)."""
        parts = {"dissipation": self.dissipation, "flux": self.net_flux(), "migration": self.migration}
        gross = {k: float(v.abs().sum()) for k, v in parts.items()}
        total = sum(gross.values())
        return {k: v / total if total > 0 else 0.0 for k, v in gross.items()}

    def boundary_transport(self) -> Tensor:
        """``(S-1,)`` cumulative energy moved by rotation flux and migration from shells ``> j`` into shells
        ``<= j`` (through the boundary below shell ``j``) over the whole trajectory."""
        inflow = (self.net_flux() + self.migration).sum(0)  # (S,)
        return torch.cumsum(inflow, 0)[:-1]

    def relative_residual(self) -> float:
        """``max |residual| / max |delta|`` over steps and shells."""
        scale = float(self.delta.abs().max())
        return float(self.residual.abs().max()) / scale if scale > 0 else float(self.residual.abs().max())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: every per-step array as nested lists, the shells, and the summary numbers
        (:meth:`shares`, :meth:`relative_residual`, :meth:`boundary_transport`)."""
        arr = (lambda t: t.detach().cpu().tolist())
        return {"energies": arr(self.energies), "delta": arr(self.delta), "dissipation": arr(self.dissipation),
                "flux": arr(self.flux), "migration": arr(self.migration), "residual": arr(self.residual),
                "mu": arr(self.mu), "labels": arr(self.labels), "skew_defect": arr(self.skew_defect),
                "spec": {"mu_ref": self.spec.mu_ref, "base": self.spec.base, "n_shells": int(self.spec.n_shells)},
                "scheme": self.scheme, "lr": self.lr, "shares": self.shares(),
                "relative_residual": self.relative_residual(), "boundary_transport": arr(self.boundary_transport())}


def _check_inputs(errors: Tensor, grams: Tensor, lr: float, scheme: str) -> None:
    if not isinstance(errors, Tensor) or not isinstance(grams, Tensor):
        raise InputError("errors and grams must be torch tensors")
    if errors.ndim != 2 or errors.shape[0] < 2:
        raise InputError(f"errors must be (T+1, n) with T >= 1, got {tuple(errors.shape)}")
    t1, n = errors.shape
    if tuple(grams.shape) != (t1, n, n):
        raise InputError(f"grams must be (T+1, n, n) = {(t1, n, n)}, got {tuple(grams.shape)}")
    if not errors.dtype.is_floating_point or errors.dtype != grams.dtype:
        raise InputError(f"errors and grams need one floating dtype, got {errors.dtype} and {grams.dtype}")
    if not (torch.isfinite(errors).all() and torch.isfinite(grams).all()):
        raise InputError("errors and grams must be finite")
    asym = float((grams - grams.transpose(-1, -2)).abs().max())
    if asym > 1e-6 * max(float(grams.abs().max()), 1e-300):
        raise InputError(f"grams must be symmetric (max |M - M^T| = {asym:.3g})")
    if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
        raise InputError(f"lr (the step, dt for scheme 'flow') must be a positive number, got {lr!r}")
    if scheme not in SCHEMES:
        raise InputError(f"scheme must be one of {SCHEMES}, got {scheme!r}")


def shell_balance(errors: Tensor, grams: Tensor, lr: float, spec: ShellSpec | None = None,
                  scheme: str = "gd") -> ShellBalance:
    """Shell energies and their budget along a logged trajectory.

    Parameters
    ----------
    errors : Tensor  # (T+1, n)
        Training errors ``f(X) - y`` at each logged step.
    grams : Tensor  # (T+1, n, n)
        NTK Gram matrices ``J J^T`` at the same steps (symmetric PSD).
    lr : float
        GD step (``scheme="gd"``: ``e_{t+1} ~ (I - lr M_t) e_t``) or snapshot spacing ``dt`` of a flow.
    spec : ShellSpec, optional
        Shells; default :func:`shell_spec` of the first Gram matrix's eigenvalues with base 2.
    scheme : {"gd", "flow"}
        Quadrature of the dissipation (see the module doc).

    Returns
    -------
    ShellBalance
    """
    _check_inputs(errors, grams, lr, scheme)
    mu, u = eigh_desc(grams)
    spec = spec or shell_spec(mu[0])
    s = spec.n_shells
    labels = torch.stack([spec.assign(m) for m in mu])
    c = torch.einsum("tnk,tn->tk", u, errors)  # (T+1, n)
    energies = torch.stack([shell_energies(c[t], labels[t], s) for t in range(c.shape[0])])
    rows: list[tuple[Tensor, ...]] = []
    for t in range(c.shape[0] - 1):
        lab = labels[t]
        perm = match_modes(u[t], u[t + 1])
        u1 = align_within_shells(u[t], u[t + 1][:, perm], lab, s)
        k, defect = cayley((u[t].T @ u1).T)
        c1 = u1.T @ errors[t + 1]
        if scheme == "gd":
            cp = (1.0 - lr * mu[t]) * c[t]
            diss = shell_energies(cp, lab, s) - shell_energies(c[t], lab, s)
            y = torch.linalg.solve(torch.eye(k.shape[0], dtype=k.dtype, device=k.device) - 0.5 * k,
                                   cp + 0.5 * (k @ cp))  # y = R^T cp
            m = 0.5 * (cp + y)
        else:
            mu1, c1_eig = mu[t + 1][perm], c[t + 1][perm]  # genuine eigen-coefficients, matched modes
            diss = -lr * (shell_sum(mu[t] * c[t] ** 2, lab, s) + shell_sum(mu1 * c1_eig**2, lab, s))
            m = 0.5 * (c[t] + c1)
        flux = pair_flux(m, k, lab, s)
        migration = energies[t + 1] - shell_energies(c1, lab, s)
        defect_t = torch.tensor(defect, dtype=c.dtype, device=c.device)
        rows.append((diss, flux, migration, energies[t + 1] - energies[t], defect_t))
    diss, flux, migr, delta, defects = (torch.stack(x) for x in zip(*rows))
    residual = delta - diss - flux.sum(-1) - migr
    return ShellBalance(energies, delta, diss, flux, migr, residual, mu, labels, spec, scheme, defects, float(lr))


# -- networks ------------------------------------------------------------------------------------------------


def _params(model: nn.Module) -> dict[str, Tensor]:
    params = {n: p.detach() for n, p in model.named_parameters() if p.requires_grad}
    if not params:
        raise InputError("the model has no parameters requiring grad")
    return params


def jacobian(model: nn.Module, x: Tensor) -> Tensor:
    """``J = d f(x) / d theta`` ``(N, P)``: outputs flattened (``N = n * outputs``), trainable parameters in
    ``named_parameters`` order."""
    params = _params(model)

    def f(p: dict[str, Tensor]) -> Tensor:
        return torch.func.functional_call(model, p, (x,)).reshape(-1)

    jac = torch.func.jacrev(f)(params)
    return torch.cat([jac[n].reshape(jac[n].shape[0], -1) for n in params], dim=1)


def ntk_gram(model: nn.Module, x: Tensor) -> Tensor:
    """The NTK Gram matrix ``M = J J^T`` ``(N, N)`` of ``model`` on inputs ``x``."""
    jac = jacobian(model, x)
    return jac @ jac.T


class LazyScaled(nn.Module):
    """Chizat-Bach lazy scaling ``f(x) = alpha (g(x) - g_0(x))`` of a network ``g`` (``g_0``: its frozen
    initial copy).  Trained by GD on ``0.5 ||f - y||^2`` with step ``lr = eta / alpha^2``, the error obeys
    ``e' = -eta J_g J_g^T e`` with parameters moving ``O(1/alpha)``: ``alpha -> inf`` is the lazy (NTK) limit."""

    def __init__(self, net: nn.Module, alpha: float) -> None:
        super().__init__()
        if not (math.isfinite(alpha) and alpha > 0):
            raise InputError(f"alpha must be positive, got {alpha!r}")
        self.net = net
        self.alpha = float(alpha)
        self.init = copy.deepcopy(net).requires_grad_(False)

    def forward(self, x: Tensor) -> Tensor:
        return self.alpha * (self.net(x) - self.init(x))


@dataclass(frozen=True)
class GDLog:
    """A GD run on ``0.5 ||f(X) - y||^2``: ``errors`` ``(T+1, N)``, ``grams`` ``(T+1, N, N)``, the step ``lr``."""

    errors: Tensor
    grams: Tensor
    lr: float


def train_gd(model: nn.Module, x: Tensor, y: Tensor, lr: float, steps: int) -> GDLog:
    """Full-batch GD on ``0.5 ||model(x) - y||^2`` (so ``e_{t+1} = (I - lr J J^T) e_t + O(lr^2)``), logging the
    error and the NTK Gram matrix at every step.  Updates ``model`` in place."""
    if int(steps) != steps or steps < 1:
        raise InputError(f"steps must be a positive integer, got {steps!r}")
    if not (math.isfinite(lr) and lr > 0):
        raise InputError(f"lr must be positive, got {lr!r}")
    params = [p for p in model.parameters() if p.requires_grad]
    errors, grams = [], []
    for t in range(steps + 1):
        with torch.no_grad():
            e = (model(x) - y).reshape(-1)
        if not torch.isfinite(e).all():
            raise InputError(f"training diverged at step {t} (lr = {lr:g} too large?)")
        errors.append(e)
        grams.append(ntk_gram(model, x))
        if t == steps:
            break
        model.zero_grad()
        loss = 0.5 * ((model(x) - y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
    return GDLog(torch.stack(errors), torch.stack(grams), float(lr))


# -- planted cases -------------------------------------------------------------------------------------------


def planted_rotation(mu: Tensor, skew: Tensor, c0: Tensor, lr: float, steps: int,
                     scheme: str = "gd") -> tuple[Tensor, Tensor]:
    """Errors ``(T+1, n)`` and Grams ``(T+1, n, n)`` for ``M(t) = Q(t) diag(mu) Q(t)^T``, ``Q(t) = exp(t A)``.

    ``scheme="gd"``: ``e_{s+1} = (I - lr M(s lr)) e_s`` exactly; ``"flow"``: exact samples of ``e' = -M e`` at
    ``t = s lr``, ``e(t) = Q(t) exp(-t (diag(mu) + A)) c0`` (in the rotating frame ``c' = -(D + A) c``).
    """
    if skew.shape != (mu.shape[0], mu.shape[0]) or c0.shape != mu.shape:
        raise InputError("mu (n,), skew (n, n) and c0 (n,) must agree in n")
    if float((skew + skew.T).abs().max()) > 1e-12 * max(1.0, float(skew.abs().max())):
        raise InputError("skew must be antisymmetric")
    if scheme not in SCHEMES:
        raise InputError(f"scheme must be one of {SCHEMES}, got {scheme!r}")
    d = torch.diag(mu)
    times = lr * torch.arange(steps + 1, dtype=mu.dtype, device=mu.device)
    q = torch.linalg.matrix_exp(times[:, None, None] * skew)  # (T+1, n, n)
    grams = q @ d @ q.transpose(-1, -2)
    grams = 0.5 * (grams + grams.transpose(-1, -2))
    if scheme == "flow":
        c = torch.linalg.matrix_exp(-times[:, None, None] * (d + skew)) @ c0
        return torch.einsum("tij,tj->ti", q, c), grams
    e = [c0.clone()]
    for t in range(steps):
        e.append(e[-1] - lr * grams[t] @ e[-1])
    return torch.stack(e), grams


# -- registry link (Lean ShellEnergy) --------------------------------------------------------------------------


def _shell_instance(params: dict[str, Any], seed: int) -> tuple[Tensor, Tensor, Tensor, Tensor, float]:
    """Random shell ``(c, d, Omega, u)`` from ``params`` (see :func:`registry_check_shells`) and the defect."""
    n, scale = int(params["n"]), float(params["scale"])
    defect, drive = float(params.get("skew_defect", 0.0)), float(params.get("drive", 1.0))
    d_min = float(params.get("min_dissipation", 0.0))
    if n < 1 or not all(math.isfinite(v) for v in (scale, defect, drive, d_min)) or scale <= 0 or defect < 0 \
            or drive < 0:
        raise InputError(f"need n >= 1, scale > 0, skew_defect >= 0, drive >= 0, finite min_dissipation; "
                         f"got {params}")
    gen = torch.Generator().manual_seed(seed)
    kw: dict[str, Any] = {"generator": gen, "dtype": torch.float64}
    c = torch.randn(n, **kw)
    d = d_min + torch.rand(n, **kw) * 10.0
    g = torch.randn(n, n, **kw)
    omega = scale * (0.5 * (g - g.T) + defect * 0.5 * (g + g.T))
    # the drive from outside the shell: a skew coupling to m = n + 1 outside modes (as in the flux F_ji)
    outside = torch.randn(n + 1, **kw)
    u = drive * scale * torch.randn(n, n + 1, **kw) @ outside
    return c, d, omega, u, defect


def _rounding_tol(c: Tensor, d: Tensor, omega: Tensor, u: Tensor) -> float:
    """``64 eps`` times the sum of absolute terms of ``sum c c'`` (float rounding of the measured rate)."""
    terms = (d * c * c).abs().sum() + (c.abs()[:, None] * omega.abs() * c.abs()[None, :]).sum() + (c * u).abs().sum()
    return 64 * torch.finfo(torch.float64).eps * float(terms)


def registry_check_shells(params: dict[str, Any], seed: int) -> Verdict:
    """Lean ``shellEnergyRate_eq`` (via ``quadForm_eq_zero_of_skew``): on a shell of ``n`` modes with
    ``c' = -D c + Omega c + u``, ``sum c_k c_k' = -sum d_k c_k^2 + sum c_k u_k`` when ``Omega`` is skew.

    ``params``: ``n`` (modes), ``scale`` (size of the couplings), ``skew_defect`` (0 inside the hypothesis:
    ``Omega = scale (G - G^T)/2``; > 0 adds ``skew_defect * scale`` times a random symmetric matrix, which
    breaks antisymmetry and, generically, the conclusion), ``drive`` (size of the inter-shell drive ``u``,
    default 1).  Holds iff the measured rate equals the right-hand side up to float rounding.
    """
    c, d, omega, u, defect = _shell_instance(params, seed)
    rate = float(within_shell_rate(c, d, omega, u))
    expected = float(-(d * c * c).sum() + (c * u).sum())
    tol = _rounding_tol(c, d, omega, u)
    ok = abs(rate - expected) <= tol
    return Verdict(ok, f"n = {c.numel()}: sum c c' = {rate:.12g} vs -sum d c^2 + sum c u = {expected:.12g}, |diff| "
                       f"{abs(rate - expected):.3g} {'<=' if ok else '>'} tol {tol:.3g} (within-shell quadratic "
                       f"form {float(quad_form(c, omega)):.3g}, skew defect {defect:g})")


def registry_check_shells_le(params: dict[str, Any], seed: int) -> Verdict:
    """Lean ``shellEnergyRate_le``: with skew ``Omega`` and ``d_k >= 0`` a shell gains energy only from the
    drive, ``sum c c' <= sum c u``.  ``params`` as :func:`registry_check_shells` plus ``min_dissipation``
    (``d_k`` uniform in ``[min, min + 10]``; ``min < -10`` puts every ``d_k < 0``, outside the hypothesis, where
    ``sum c c' - sum c u = -sum d c^2 > 0``)."""
    c, d, omega, u, _ = _shell_instance(params, seed)
    gap = float(within_shell_rate(c, d, omega, u) - (c * u).sum())
    tol = _rounding_tol(c, d, omega, u)
    ok = gap <= tol
    return Verdict(ok, f"n = {c.numel()}: sum c c' - sum c u = {gap:.6g} {'<=' if ok else '>'} tol {tol:.3g} "
                       f"(min d_k = {float(d.min()):.3g})")
