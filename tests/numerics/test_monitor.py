"""SpectralMonitor on the §9 planted quadratic, streaming sums against the recorded trajectory, bad input.

Tolerances.  ``s_hat`` is compared with the planted ``s`` at 3 standard errors (the estimator's own,
autocorrelation-aware s.e.): under the s.e. model a false alarm has probability 0.27% per check (two checks:
0.54%), with fixed seeds.  The discrete steady state ``e_k = alpha sigma^2 / (lam_k (2 - alpha lam_k))`` shifts
the expected slope from ``s`` by about -0.003 at ``alpha = 0.05`` here (0.2 s.e.), included in that budget.
"""

import json

import numpy as np
import pytest
import torch
from torch import nn

from spectral_universality import SpectralMonitor, cli
from spectral_universality.errors import InputError
from spectral_universality.numerics.identify import identify_trajectory, lag_sums
from spectral_universality.numerics.monitor import load_record, result_from_record, window_lag_sums
from spectral_universality.numerics.hessian import DenseOperator, lanczos
from spectral_universality.numerics.quadratic import power_law_spectrum, random_orthogonal

D, K, S = 32, 24, 0.5


class Planted(nn.Module):
    """theta (d,) as the model output; the loss is the §9 quadratic 1/2 theta^T H theta."""

    def __init__(self, d: int) -> None:
        super().__init__()
        self.theta = nn.Parameter(torch.zeros(d, dtype=torch.float64))

    def forward(self, x):
        return self.theta


def _problem(seed: int):
    gen = torch.Generator().manual_seed(seed)
    lam = power_law_spectrum(D, S)
    q = random_orthogonal(D, gen)
    hess = (q * lam) @ q.T
    return gen, hess, (lambda out, y: 0.5 * out @ (hess @ out))


def _train(opt_name: str, steps: int, seed: int, record: bool = False, **monitor_kw):
    gen, hess, crit = _problem(seed)
    model = Planted(D)
    opt = (torch.optim.SGD(model.parameters(), lr=0.05) if opt_name == "sgd"
           else torch.optim.Adam(model.parameters(), lr=0.05, betas=(0.0, 0.999)))
    kw = dict(k=K, refresh_every=5000, burn_in=1000, generator=torch.Generator().manual_seed(seed))
    mon = SpectralMonitor(model, crit, [(torch.zeros(1), torch.zeros(1))], **{**kw, **monitor_kw})
    handle = mon.attach(opt)
    traj = []
    for _ in range(steps):  # the user's loop, unchanged: gradient H theta + Gaussian noise (sigma = 1)
        opt.zero_grad()
        loss = crit(model(None), None) + torch.randn(D, generator=gen, dtype=torch.float64) @ model.theta
        loss.backward()
        opt.step()
        if record:
            traj.append(model.theta.detach().clone())
    handle.remove()
    return mon, (torch.stack(traj) if record else None)


@pytest.mark.parametrize("opt_name", ["sgd", "adam"])
def test_monitor_recovers_the_planted_exponent(opt_name):
    mon, _ = _train(opt_name, 26000, seed={"sgd": 3, "adam": 4}[opt_name])
    res = mon.result()
    assert res.triple.fit == "ols" and res.triple.mode_range[1] - res.triple.mode_range[0] >= 20
    assert abs(res.s_hat - S) <= 3 * res.s_hat_se, (res.s_hat, res.s_hat_se)
    assert res.eta_hat == pytest.approx(1.0, rel=0.15)  # sigma^2 / lam_1^2 = 1
    assert res.transitions is not None and res.transitions.flagged.size == 4
    warm = [r for r in res.refreshes if r["warm"]]
    assert warm and all(r["converged"] and r["n_hvp"] <= K for r in warm)  # constant Hessian: one block suffices
    assert all(r["overlap"] == pytest.approx(1.0, abs=1e-6) for r in warm)
    d = res.to_dict()
    json.dumps(d)
    assert {"s_hat", "s_hat_se", "eta_hat", "gamma_hat", "transitions", "warnings"} <= set(d)


def test_streaming_sums_equal_the_trajectory_sums(tmp_path):
    mon, traj = _train("sgd", 1600, seed=5, record=True, refresh_every=600, burn_in=100)
    rec = mon.state()
    assert [w["n"] for w in rec["windows"]] == [600, 600, 300]
    # first window: steps 101..700 in the first basis
    w0 = rec["windows"][0]
    assert mon.refreshes[0]["step"] == 101
    for center in ("zero", "mean"):
        got = window_lag_sums(w0, center)
        # recompute from the stored trajectory with the first basis (recomputed: same start, same generator)
        _, hess, crit = _problem(5)
        ev = lanczos(DenseOperator(hess), K, block_size=4, tol=1e-4,
                     generator=torch.Generator().manual_seed(5)).eigenvectors
        coords = (traj[100:700] @ ev).numpy()[:, None, :]
        ref = lag_sums(coords, center=center == "mean")
        np.testing.assert_allclose(got.sq, ref.sq, rtol=1e-9)
        np.testing.assert_allclose(got.lag1, ref.lag1, rtol=1e-9, atol=1e-9 * ref.sq.max())
        np.testing.assert_allclose(got.lag2, ref.lag2, rtol=1e-9, atol=1e-9 * ref.sq.max())
        np.testing.assert_allclose(got.head, ref.head, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(got.tail, ref.tail, rtol=1e-9, atol=1e-12)
    path = tmp_path / "run.json"
    mon.save(path)
    assert load_record(path)["windows"][0]["n"] == 600


def test_saved_run_is_classified_by_the_cli(tmp_path, capsys):
    mon, _ = _train("sgd", 6000, seed=6, refresh_every=2500, burn_in=1000)
    path = tmp_path / "run.json"
    mon.save(path)
    assert cli.main(["classify", str(path), "--format", "json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["s_hat"] == pytest.approx(mon.result().s_hat) and "transitions" in got
    assert cli.main(["classify", str(path)]) == 0
    assert "s_hat" in capsys.readouterr().out


def test_warm_start_needs_fewer_hvps_than_cold_lanczos():
    gen = torch.Generator().manual_seed(0)
    lam = power_law_spectrum(400, 1.0)
    q = random_orthogonal(400, gen)
    h0 = (q * lam) @ q.T
    pert = torch.randn(400, 400, generator=gen, dtype=torch.float64) * 1e-6  # ||dH|| ~ 4e-5 << gaps
    h1 = h0 + (pert + pert.T) / 2
    prev = lanczos(DenseOperator(h0), 16, block_size=4, tol=1e-8, generator=gen).eigenvectors
    cold = lanczos(DenseOperator(h1), 16, block_size=4, tol=1e-4, generator=gen)
    # a nearly unchanged operator: the previous basis as the start block converges after one block step
    warm = lanczos(DenseOperator(h1), 16, tol=1e-4, start=prev)
    assert warm.n_matvecs == 16
    # the monitor's start (4 random mixtures of the previous basis) also closes the space early: 20 here
    mixed = lanczos(DenseOperator(h1), 16, tol=1e-4, start=prev @ torch.randn(16, 4, generator=gen, dtype=torch.float64))
    assert mixed.converged and mixed.n_matvecs < cold.n_matvecs
    assert warm.converged and cold.converged
    torch.testing.assert_close(warm.eigenvalues, cold.eigenvalues, rtol=1e-5, atol=0)
    assert 3 * warm.n_matvecs <= cold.n_matvecs, (warm.n_matvecs, cold.n_matvecs)


def test_bad_input_gives_input_errors(tmp_path):
    _, hess, crit = _problem(0)
    model = Planted(D)
    data = [(torch.zeros(1), torch.zeros(1))]
    with pytest.raises(InputError, match="k = 40 modes"):
        SpectralMonitor(model, crit, data, k=40)
    with pytest.raises(InputError, match="multiple of window"):
        SpectralMonitor(model, crit, data, k=4, refresh_every=100, window=30)
    with pytest.raises(InputError, match="center must be"):
        SpectralMonitor(model, crit, data, k=4, center=torch.zeros(3))
    with pytest.raises(InputError, match="not trainable parameters"):
        SpectralMonitor(model, crit, data, k=4, params=["nope"])
    mon = SpectralMonitor(model, crit, data, k=4)
    with pytest.raises(InputError, match="torch.optim.Optimizer"):
        mon.attach(object())
    with pytest.raises(InputError, match="no window with >= 3"):
        mon.result()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "other"}))
    assert cli.main(["classify", str(bad)]) == 2
    with pytest.raises(InputError, match="not a spectral monitor record"):
        result_from_record({"windows": []})
    # a diverging run: NaN parameters are named, not propagated
    model.theta.data[:] = float("nan")
    with pytest.raises(InputError, match="not finite|non-finite"):
        mon.observe()
