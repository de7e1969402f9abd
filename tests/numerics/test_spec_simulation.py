"""Simulating optimizer specs: the per-step simulator against torch.optim (same noise draws), its energies
against the SymPy steady states within their standard errors, and the strided sampler built from the same (A, b).

False alarms: each comparison of a mean over G independent seed groups with its theory value is a t-test
with G - 1 degrees of freedom; the thresholds are Bonferroni-corrected so that all comparisons of a test
together raise a false alarm with probability <= 1e-3.
"""

import json

import numpy as np
import pytest
import scipy.stats
import torch

from spectral_universality.errors import HypothesisViolation, InputError
from spectral_universality.numerics.quadratic import power_law_spectrum, simulate_spec
from spectral_universality.numerics.strided import simulate_strided, strided_estimates
from spectral_universality.theory.spec import builtin_names, derive_spec, resolve

QHM = "examples/qhm.toml"
FALSE_ALARM = 1e-3
#: every built-in at its defaults (a new built-in needs no entry), the QHM example at a faster-mixing point
PARAMS = {**{name: dict(resolve(name).defaults) for name in builtin_names()}, QHM: dict(alpha=0.4, beta=0.8, nu=0.7)}
SIGMA = 0.6


def _theory(name: str, form: str, lam: np.ndarray) -> np.ndarray:
    f = derive_spec(resolve(name)).lambdify(form)
    values = {**PARAMS[name], "sigma": SIGMA, "lam": lam}
    return np.broadcast_to(np.asarray(f(**{k: values[k] for k in f.args}), float), lam.shape)


@pytest.mark.parametrize("name, torch_kw", [("momentum", lambda p: dict(momentum=p["mu"], dampening=0)),
                                            ("nesterov", lambda p: dict(momentum=p["mu"], nesterov=True)),
                                            ("sgd-wd", lambda p: dict(weight_decay=p["wd"]))])
def test_per_step_simulator_is_torch_optim(name, torch_kw):
    """Same noise stream, same trajectory: torch.optim.SGD on the quadratic with the gradient noise added."""
    torch_kw = torch_kw(PARAMS[name])
    seeds, modes, steps = 3, 5, 40
    lam = power_law_spectrum(modes, 1.0, dtype=torch.float64)
    theta0 = torch.randn(seeds, modes, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    res = simulate_spec(name, lam, params=PARAMS[name], sigma=SIGMA, steps=steps, seeds=seeds, theta0=theta0,
                        generator=torch.Generator().manual_seed(11), record=True)
    param = torch.nn.Parameter(theta0.clone())
    opt = torch.optim.SGD([param], lr=PARAMS[name]["alpha"], **torch_kw)
    gen, ref = torch.Generator().manual_seed(11), []
    for _ in range(steps):
        z = torch.randn(seeds, modes, generator=gen, dtype=torch.float64)
        param.grad = param.detach() * lam + SIGMA * z
        opt.step()
        ref.append(param.detach().clone())
    torch.testing.assert_close(res.trajectory, torch.stack(ref), rtol=1e-10, atol=1e-12)


def test_online_sums_of_a_spec_run_equal_its_trajectory_moments():
    """The record and the lag-0/1/2 sums and edge terms are those of the readout (ema: z, not theta), here
    against the spec's update lines run literally with the same noise draws."""
    seeds, modes, burn, steps = 4, 4, 3, 30
    lam = power_law_spectrum(modes, 1.0, dtype=torch.float64)
    res = simulate_spec("ema", lam, params=PARAMS["ema"], sigma=SIGMA, steps=steps, seeds=seeds, burn_in=burn,
                        generator=torch.Generator().manual_seed(2), record=True, seed_groups=2)
    assert resolve("ema").readout == "z"
    alpha, beta = PARAMS["ema"]["alpha"], PARAMS["ema"]["beta"]
    gen = torch.Generator().manual_seed(2)
    theta, z, zs = torch.zeros(seeds, modes, dtype=torch.float64), torch.zeros(seeds, modes, dtype=torch.float64), []
    for _ in range(burn + steps):
        g = lam * theta + SIGMA * torch.randn(seeds, modes, generator=gen, dtype=torch.float64)
        theta = theta - alpha * g
        z = beta * z + (1 - beta) * theta
        zs.append(z)
    c = torch.stack(zs)[burn:]  # (T, seeds, K)
    torch.testing.assert_close(res.trajectory, c, rtol=1e-10, atol=1e-14)
    torch.testing.assert_close(res.theta, theta, rtol=1e-10, atol=1e-14)
    torch.testing.assert_close(res.stats.sum_sq.sum(0), (c**2).sum((0, 1)), rtol=1e-10, atol=1e-14)
    torch.testing.assert_close(res.stats.sum_lag.sum(0), (c[1:] * c[:-1]).sum((0, 1)), rtol=1e-10, atol=1e-14)
    torch.testing.assert_close(res.stats.sum_lag2.sum(0), (c[2:] * c[:-2]).sum((0, 1)), rtol=1e-10, atol=1e-14)
    torch.testing.assert_close(res.stats.tail[0].sum(0), (c[-1] ** 2).sum(0), rtol=1e-10, atol=1e-14)
    torch.testing.assert_close(res.stats.tail[2].sum(0), (c[-1] * c[-2]).sum(0), rtol=1e-10, atol=1e-14)
    torch.testing.assert_close(res.stats.head[2].sum(0), (c[0] * c[1]).sum(0), rtol=1e-10, atol=1e-14)


@pytest.mark.slow
def test_stationary_energies_match_the_derived_steady_states():
    """Every built-in and the QHM example: per-mode energies from 16 independent seed groups against SymPy."""
    modes, groups, seeds = 6, 16, 64
    lam = power_law_spectrum(modes, 1.0, dtype=torch.float64)
    comparisons = len(PARAMS) * modes
    t_crit = scipy.stats.t.ppf(1 - FALSE_ALARM / (2 * comparisons), groups - 1)
    for name in sorted(PARAMS):
        res = simulate_spec(name, lam, params=PARAMS[name], sigma=SIGMA, steps=6000, seeds=seeds, burn_in=3000,
                            generator=torch.Generator().manual_seed(5), seed_groups=groups)
        per_group = torch.stack([res.stats.group(i).energies() for i in range(groups)]).numpy()  # (groups, K)
        mean, se = per_group.mean(0), per_group.std(0, ddof=1) / np.sqrt(groups)
        want = _theory(name, "steady_state", lam.numpy())
        assert np.all(np.abs(mean - want) <= t_crit * se), (name, (mean - want) / se)


def test_strided_sampler_from_a_spec_matches_theory():
    """Nesterov through the exact strided sampler: energies within their standard error of SymPy's, and the
    strided lag-h autocorrelation is the h-th power's (A^h S)_00 / S_00."""
    lam = power_law_spectrum(6, 1.0, dtype=torch.float64)
    p = PARAMS["nesterov"]
    reps = []
    for seed in range(16):
        stats, plan = simulate_strided("nesterov", lam, alpha=p["alpha"], sigma=SIGMA, mu=p["mu"], steps=3000,
                                       seeds=8, generator=torch.Generator().manual_seed(seed))
        reps.append(strided_estimates(stats, plan)["energies"].numpy())
    reps = np.array(reps)
    mean, se = reps.mean(0), reps.std(0, ddof=1) / 4.0
    t_crit = scipy.stats.t.ppf(1 - FALSE_ALARM / (2 * 6), 15)
    want = _theory("nesterov", "steady_state", lam.numpy())
    assert np.all(np.abs(mean - want) <= t_crit * se), (mean - want) / se


def test_simulate_cli_recovers_the_user_specs_steady_states(capsys):
    """`simulate --spec qhm.toml`: each mode's energy within its standard error (over seeds) of the theory."""
    from spectral_universality.cli import main

    seeds, modes = 32, 6
    argv = ["simulate", "--spec", QHM, "--param", "beta=0.8", "nu=0.7", "--alpha", "0.4", "--sigma", str(SIGMA),
            "--modes", str(modes), "--s", "1.0", "--steps", "4000", "--burn-in", "2000", "--seeds", str(seeds),
            "--format", "json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    e, se, want = (np.array(out[k]) for k in ("energies", "energies_se", "theory_steady_state"))
    np.testing.assert_allclose(want, _theory(QHM, "steady_state", power_law_spectrum(modes, 1.0).numpy()), rtol=1e-12)
    t_crit = scipy.stats.t.ppf(1 - FALSE_ALARM / (2 * modes), seeds - 1)
    assert np.all(np.abs(e - want) <= t_crit * se), (e - want) / se
    assert out["params"] == {"alpha": 0.4, "beta": 0.8, "nu": 0.7}


@pytest.mark.parametrize("argv, fragment", [
    (["--optimizer", "ema", "--param", "nu=1"], "not parameters of spec"),
    (["--spec", QHM, "--param", "beta=0.8", "nu=0.7", "gamma=1"], "not parameters of spec"),
    (["--optimizer", "nesterov", "--alpha", "3", "--steps", "50"], "hypothesis violated"),
    (["--optimizer", "ema", "--param", "beta=1.2", "--steps", "50"], "0 <= beta < 1"),
    (["--optimizer", "sgd", "--param", "beta=1"], "--param is for specs"),
])
def test_simulate_cli_bad_spec_input(argv, fragment, capsys):
    from spectral_universality.cli import main

    assert main(["simulate", *argv]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_simulate_cli_names_a_parameter_without_value_or_default(tmp_path, capsys):
    from spectral_universality.cli import main

    path = tmp_path / "hb.toml"
    path.write_text('name = "hb"\nparams = ["alpha", "gamma"]\nstate = ["theta", "b"]\n'
                    '[update]\nb = "gamma*b + g"\ntheta = "theta - alpha*b"\n')
    assert main(["simulate", "--spec", str(path), "--steps", "50"]) == 2
    assert "needs --param gamma=VALUE" in capsys.readouterr().err


def test_simulate_spec_refuses_parameters_outside_the_domain():
    with pytest.raises(HypothesisViolation, match="mu < 1"):
        simulate_spec("momentum", torch.ones(2, dtype=torch.float64), params=dict(alpha=0.1, mu=1.0), sigma=1.0,
                      steps=10, seeds=2, generator=torch.Generator())
    with pytest.raises(InputError, match="needs parameter"):
        simulate_spec("momentum", torch.ones(2, dtype=torch.float64), params=dict(alpha=0.1), sigma=1.0, steps=10,
                      seeds=2, generator=torch.Generator())
