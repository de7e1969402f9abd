"""Spectral-shell balance (numerics/shells.py) on cases with closed forms (theory/shells.py): constant kernel,
planted rotating basis (GD exact, flow at second order), a network's GD remainder at order lr^2, and
input checks."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from spectral_universality.errors import InputError
from spectral_universality.numerics.shells import (LazyScaled, ShellSpec, eigh_desc, ntk_gram, planted_rotation,
                                                   registry_check_shells, shell_balance,
                                                   shell_spec, train_gd)
from spectral_universality.theory.shells import (lazy_shell_energies, planted_flow_numbers, planted_gd_numbers)

F64 = torch.float64


def _skew(n: int, seed: int, scale: float = 1.0) -> torch.Tensor:
    g = torch.randn(n, n, generator=torch.Generator().manual_seed(seed), dtype=F64)
    return scale * 0.5 * (g - g.T)


# -- shells ----------------------------------------------------------------------------------------------


def test_shell_assignment_boundaries():
    spec = ShellSpec(8.0, 2.0, 4)
    mu = torch.tensor([100.0, 8.0, 5.0, 4.0, 3.0, 2.0, 1.5, 1.0, 0.5, 0.0, -1e-12], dtype=F64)
    assert spec.assign(mu).tolist() == [0, 0, 0, 1, 1, 2, 2, 3, 3, 3, 3]
    assert spec.edges() == [8.0, 4.0, 2.0, 1.0, 0.5]


@given(st.floats(1e-9, 1e3), st.floats(1.2, 10.0))
def test_shell_label_lies_between_its_edges(mu, base):
    spec = ShellSpec(100.0, base, 12)
    j = int(spec.assign(torch.tensor([mu], dtype=F64))[0])
    edges = spec.edges()
    rel = 1e-12
    assert mu <= edges[j] * (1 + rel) or j == 0
    assert mu > edges[j + 1] * (1 - rel) or j == spec.n_shells - 1


@pytest.mark.parametrize("kw", [{"mu_ref": 0.0}, {"mu_ref": math.inf}, {"mu_ref": 1.0, "base": 1.0},
                                {"mu_ref": 1.0, "n_shells": 0}, {"mu_ref": 1.0, "n_shells": 2.5}])
def test_shell_spec_rejects_bad_parameters(kw):
    with pytest.raises(InputError):
        ShellSpec(**kw)


def test_default_spec_reaches_floor():
    spec = shell_spec(torch.tensor([4.0, 1.0], dtype=F64), base=10.0, floor=1e-6)
    assert spec.mu_ref == 4.0 and spec.n_shells == 6


# -- (a) constant kernel: no flux, closed-form decay --------------------------------------------------------


@pytest.mark.parametrize("scheme", ["gd", "flow"])
def test_constant_kernel_matches_closed_form(scheme):
    gen = torch.Generator().manual_seed(1)
    n, steps = 12, 40
    x = torch.randn(n, n, generator=gen, dtype=F64)
    m = x @ x.T / n
    mu, u = eigh_desc(m)
    lr = 1.5 / float(mu[0])
    e0 = torch.randn(n, generator=gen, dtype=F64)
    if scheme == "gd":
        errors = [e0]
        for _ in range(steps):
            errors.append(errors[-1] - lr * m @ errors[-1])
        errors = torch.stack(errors)
    else:
        t = lr * torch.arange(steps + 1, dtype=F64)
        errors = torch.linalg.matrix_exp(-t[:, None, None] * m) @ e0
    spec = ShellSpec(float(mu[0]), 2.0, 6)
    bal = shell_balance(errors, m.expand(steps + 1, n, n).clone(), lr, spec, scheme)
    c0 = (u.T @ e0).numpy()
    expected = lazy_shell_energies(mu.numpy(), c0, spec.assign(mu).numpy(), 6, lr, steps, scheme)
    np.testing.assert_allclose(bal.energies.numpy(), expected, rtol=1e-10, atol=1e-13 * expected.max())
    scale = float(bal.energies[0].sum())
    assert float(bal.flux.abs().max()) <= 1e-12 * scale
    assert float(bal.migration.abs().max()) <= 1e-12 * scale
    if scheme == "gd":  # the GD map is linear: the budget closes exactly
        assert float(bal.residual.abs().max()) <= 1e-12 * scale


# -- (b) planted rotating basis --------------------------------------------------------------------------------


def test_planted_gd_two_modes_flux_matches_closed_form():
    mu, a, c0, lr, steps = (3.0, 1.0), 0.6, (0.8, -1.3), 0.05, 40
    skew = torch.tensor([[0.0, a], [-a, 0.0]], dtype=F64)
    errors, grams = planted_rotation(torch.tensor(mu, dtype=F64), skew, torch.tensor(c0, dtype=F64), lr, steps, "gd")
    bal = shell_balance(errors, grams, lr, ShellSpec(3.0, 2.0, 2), "gd")
    th = planted_gd_numbers(*mu, a, c0, lr, steps)
    np.testing.assert_allclose(bal.flux[:, 0, 1].numpy(), th["flux01"], atol=1e-14)
    np.testing.assert_allclose(bal.dissipation.numpy(), th["dissipation"], atol=1e-14)
    np.testing.assert_allclose(bal.energies.numpy(), th["c"] ** 2, atol=1e-14)
    assert np.abs(th["flux01"]).max() > 1e-2  # the check is not vacuous


@pytest.mark.parametrize("mu", [[4.0, 3.0, 1.5, 0.7, 0.3, 0.1], [4.0, 4.0, 4.0, 1.0, 1.0, 0.25]])
def test_planted_gd_budget_closes_exactly(mu):
    """n modes, several shells, degenerate eigenvalues allowed: GD budget exact, flux antisymmetric,
    within-shell terms zero at float precision."""
    mu_t = torch.tensor(mu, dtype=F64)
    c0 = torch.randn(len(mu), generator=torch.Generator().manual_seed(3), dtype=F64)
    errors, grams = planted_rotation(mu_t, _skew(len(mu), 5), c0, 0.02, 60, "gd")
    bal = shell_balance(errors, grams, 0.02, ShellSpec(4.0, 2.0, 6), "gd")
    scale = float(bal.energies[0].sum())
    assert float(bal.residual.abs().max()) <= 1e-12 * scale
    assert float((bal.flux + bal.flux.transpose(1, 2)).abs().max()) <= 1e-14 * scale
    assert float(bal.within_shell().abs().max()) <= 1e-14 * scale
    assert float(bal.skew_defect.max()) <= 1e-12  # the measured bases stay orthonormal
    assert float(bal.net_flux().abs().max()) >= 1e-4 * scale  # rotation moves energy between shells
    np.testing.assert_allclose(bal.energies.sum(1).numpy(), (errors**2).sum(1).numpy(), rtol=1e-12)


def test_planted_flow_residual_is_second_order():
    """Flow sampled every dt over t in [0, 2]: cumulative residual and flux error shrink like dt^2, the
    per-step residual like dt^3 (log2 of the ratios per halving in [1.8, 2.2] and [2.7, 3.3])."""
    mu, a, c0, horizon = (3.0, 1.0), 0.6, (0.8, -1.3), 2.0
    th = planted_flow_numbers(*mu, a, c0, np.array([horizon]))
    skew = torch.tensor([[0.0, a], [-a, 0.0]], dtype=F64)
    cum, flux_err, step_res = [], [], []
    for dt in (0.04, 0.02, 0.01):
        steps = int(round(horizon / dt))
        errors, grams = planted_rotation(torch.tensor(mu, dtype=F64), skew, torch.tensor(c0, dtype=F64), dt,
                                         steps, "flow")
        bal = shell_balance(errors, grams, dt, ShellSpec(3.0, 2.0, 2), "flow")
        cum.append(float(bal.residual.sum(0).abs().max()))
        flux_err.append(abs(float(bal.flux[:, 0, 1].sum()) - th["flux01"][0]))
        step_res.append(float(bal.residual.abs().max()))
    for series, lo, hi in ((cum, 1.8, 2.2), (flux_err, 1.8, 2.2), (step_res, 2.7, 3.3)):
        orders = np.log2(np.array(series[:-1]) / np.array(series[1:]))
        assert np.all((orders > lo) & (orders < hi)), (series, orders)


def test_planted_rotation_rejects_non_skew():
    with pytest.raises(InputError):
        planted_rotation(torch.ones(2, dtype=F64), torch.eye(2, dtype=F64), torch.ones(2, dtype=F64), 0.1, 3)


# -- (c) networks -----------------------------------------------------------------------------------------------


def _net(width: int = 16, seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(1, width), nn.Tanh(), nn.Linear(width, 1)).to(F64)


def _data(n: int = 12) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.linspace(-2, 2, n, dtype=F64)[:, None]
    return x, torch.sin(2 * x)


def test_ntk_gram_of_linear_model():
    model = nn.Linear(3, 1).to(F64)
    x = torch.randn(5, 3, generator=torch.Generator().manual_seed(0), dtype=F64)
    torch.testing.assert_close(ntk_gram(model, x), x @ x.T + 1.0)


def test_gd_remainder_is_second_order_in_the_step():
    """One GD step of a network from the same weights: the budget residual (the GD remainder beyond
    (I - lr M) e) shrinks like lr^2 (log2 ratio per halving in [1.7, 2.3])."""
    x, y = _data()
    res = []
    for lr in (0.02, 0.01, 0.005):
        log = train_gd(_net(), x, y, lr, 1)
        bal = shell_balance(log.errors, log.grams, lr, ShellSpec(float(eigh_desc(log.grams[0])[0][0]), 2.0, 8))
        res.append(float(bal.residual.abs().sum()))
    orders = np.log2(np.array(res[:-1]) / np.array(res[1:]))
    assert np.all((orders > 1.7) & (orders < 2.3)), (res, orders)


def test_lazy_scaling_suppresses_flux():
    """Chizat-Bach scale alpha: parameters move O(1/alpha), so the rotation-flux share falls ~1/alpha."""
    x, y = _data()
    share = []
    for alpha in (1.0, 8.0):
        model = LazyScaled(_net(), alpha)
        m0 = ntk_gram(model, x)
        mu0 = eigh_desc(m0)[0]
        log = train_gd(model, x, y, 0.2 / float(mu0[0]), 30)
        share.append(shell_balance(log.errors, log.grams, log.lr, shell_spec(mu0, 2.0, 10)).shares()["flux"])
    assert share[1] < share[0] / 4, share


# -- input checks ------------------------------------------------------------------------------------------------


def test_balance_input_checks():
    e = torch.zeros(3, 2, dtype=F64)
    m = torch.eye(2, dtype=F64).expand(3, 2, 2).clone()
    with pytest.raises(InputError, match="errors must be"):
        shell_balance(e[:1], m[:1], 0.1)
    with pytest.raises(InputError, match="grams must be"):
        shell_balance(e, m[:, :1], 0.1)
    with pytest.raises(InputError, match="dtype"):
        shell_balance(e.float(), m, 0.1)
    bad = m.clone()
    bad[0, 0, 1] = 1.0
    with pytest.raises(InputError, match="symmetric"):
        shell_balance(e, bad, 0.1)
    nan = e.clone()
    nan[1, 0] = math.nan
    with pytest.raises(InputError, match="finite"):
        shell_balance(nan, m, 0.1)
    for lr in (0.0, -1.0, math.nan):
        with pytest.raises(InputError, match="lr"):
            shell_balance(e, m, lr)
    with pytest.raises(InputError, match="scheme"):
        shell_balance(e, m, 0.1, scheme="euler")
    with pytest.raises(InputError):
        LazyScaled(_net(), 0.0)
    with pytest.raises(InputError):
        train_gd(_net(), *_data(), 0.1, 0)


def test_balance_refuses_unresolved_rotation():
    """Snapshots related by a reflection (I - 2 v v^T, v = ones/sqrt(5)) that no sign choice or mode matching
    turns into a small rotation: refused rather than misattributed."""
    n = 5
    v = torch.full((n, 1), 1 / math.sqrt(n), dtype=F64)
    h = torch.eye(n, dtype=F64) - 2 * v @ v.T
    m0 = torch.diag(torch.tensor([16.0, 8.0, 4.0, 2.0, 1.0], dtype=F64))
    grams = torch.stack([m0, h @ m0 @ h.T])
    with pytest.raises(InputError, match="log the trajectory more often"):
        shell_balance(torch.ones(2, n, dtype=F64), grams, 0.01, ShellSpec(16.0, 2.0, 5))


# -- the registry checks' input validation (the links themselves run in tests/properties) ------------------


def test_registry_check_input():
    with pytest.raises(InputError):
        registry_check_shells({"n": 0, "scale": 1.0}, 0)
    with pytest.raises(InputError):
        registry_check_shells({"n": 3, "scale": -1.0}, 0)
    with pytest.raises(InputError):
        registry_check_shells({"n": 3, "scale": 1.0, "drive": math.nan}, 0)
