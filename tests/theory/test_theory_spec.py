"""Optimizer specs: the derived (A, b), covariance, region and class constants against independent numerics
(SciPy's Lyapunov solver, numpy eigenvalues, torch.optim's own update rules) and literature closed forms."""

import json

import numpy as np
import pytest
import scipy.linalg
import sympy
import torch
from hypothesis import given, strategies as st

from spectral_universality.errors import HypothesisViolation, InputError
from spectral_universality.theory import SYMBOLS, derive
from spectral_universality.theory.spec import (OptimizerSpec, builtin, builtin_names, derive_spec, linear_system,
                                               numeric_system, resolve, schur_cohn_conditions, stability_violation)

QHM = "examples/qhm.toml"
#: a point inside each spec's region for lam = 1 and 1/4: its defaults (so a new built-in needs no entry here)
INSIDE = {name: dict(resolve(name).defaults) for name in (*builtin_names(), QHM)}


def _spec_values(name: str, lam: float, sigma: float = 0.6) -> dict[str, float]:
    return {**INSIDE[name], "sigma": sigma, "lam": lam}


def _eval(d, form: str, values: dict) -> float:
    f = d.lambdify(form)
    return float(f(**{k: values[k] for k in f.args}))


def test_every_spec_has_defaults_for_all_its_parameters():
    for name, point in INSIDE.items():
        assert set(point) == set(resolve(name).params), name


@pytest.mark.parametrize("name", sorted(INSIDE))
@pytest.mark.parametrize("lam", [1.0, 0.25])
def test_covariance_solves_lyapunov_by_scipy(name, lam):
    """S from SymPy = SciPy's solve_discrete_lyapunov(A, b b^T) at a point inside the region."""
    spec, v = resolve(name), _spec_values(name, lam)
    d = derive_spec(spec)
    a, b = numeric_system(spec, [lam], **{k: x for k, x in v.items() if k != "lam"})
    ref = scipy.linalg.solve_discrete_lyapunov(a[0], np.outer(b[0], b[0]))
    S = np.array(d.matrices["S"].subs({s: v[s.name] for s in d.matrices["S"].free_symbols}).evalf(), dtype=float)
    np.testing.assert_allclose(S, ref, rtol=1e-10, atol=1e-14)
    r = spec.state.index(spec.readout)
    assert _eval(d, "steady_state", v) == pytest.approx(ref[r, r], rel=1e-10) and ref[r, r] > 0
    ac = a[0] @ ref
    assert _eval(d, "lag1_autocorrelation", v) == pytest.approx(ac[r, r] / ref[r, r], rel=1e-9)
    assert _eval(d, "lag2_autocorrelation", v) == pytest.approx((a[0] @ ac)[r, r] / ref[r, r], rel=1e-9)
    rho = np.max(np.abs(np.linalg.eigvals(a[0])))
    assert d.evaluate(**v)["contraction_factor"] == pytest.approx(rho**2, rel=1e-9)


def _torch_step(name: str, p: dict, lam: float, theta: torch.Tensor, state: dict, noise: float) -> torch.Tensor:
    """One step of the torch.optim optimizer a built-in spec says it is, on a 1-d quadratic mode."""
    param = torch.nn.Parameter(theta.clone())
    if name in ("sgd", "sgd-wd"):
        opt = torch.optim.SGD([param], lr=p["alpha"], weight_decay=p.get("wd", 0.0))
    else:
        opt = torch.optim.SGD([param], lr=p["alpha"], momentum=p["mu"], dampening=0, nesterov=name == "nesterov")
        if "b" in state:
            opt.state[param]["momentum_buffer"] = state["b"].clone()
    param.grad = lam * param.detach() + noise
    opt.step()
    if name in ("momentum", "nesterov"):
        state["b"] = opt.state[param]["momentum_buffer"].clone()
    return param.detach()


@pytest.mark.parametrize("name", ["sgd", "sgd-wd", "momentum", "nesterov"])
def test_one_step_system_is_torch_optim(name):
    """(A, b) composed from the update lines reproduces torch.optim step by step (same noise values)."""
    spec, p, lam = builtin(name), INSIDE[name], 0.7
    a, b = numeric_system(spec, [lam], sigma=0.5, **p)
    x = np.zeros(len(spec.state))
    x[0] = 1.3
    theta, state = torch.tensor([1.3], dtype=torch.float64), {}
    if len(spec.state) == 2:  # torch starts its buffer at the first gradient; start both from that state
        theta = _torch_step(name, p, lam, theta, state, 0.0)
        x = a[0] @ x
    rng = np.random.default_rng(0)
    for _ in range(12):
        z = float(rng.standard_normal())
        theta = _torch_step(name, p, lam, theta, state, 0.5 * z)
        x = a[0] @ x + b[0] * z
        assert x[0] == pytest.approx(float(theta[0]), rel=1e-12, abs=1e-14)
        if "b" in state:
            assert x[1] == pytest.approx(float(state["b"][0]), rel=1e-12, abs=1e-14)


def test_heavy_ball_stationary_variance_from_the_literature():
    """E[theta^2] = alpha sigma^2 (1 + mu) / (lam (1 - mu) (2 (1 + mu) - alpha lam)) for heavy ball."""
    alpha, lam, sigma, mu = (SYMBOLS[n] for n in ("alpha", "lam", "sigma", "mu"))
    known = alpha * sigma**2 * (1 + mu) / (lam * (1 - mu) * (2 * (1 + mu) - alpha * lam))
    assert sympy.simplify(derive_spec(builtin("momentum")).steady_state - known) == 0


def test_nqm_stationary_loss_from_the_literature():
    """Noisy quadratic model (gradient covariance sigma^2 H, preconditioner H^-p): per-mode stationary loss
    lam E[theta^2] / 2 = alpha sigma^2 lam^(1-p) / (2 (2 - alpha lam^(1-p)))."""
    alpha, lam, sigma = (SYMBOLS[n] for n in ("alpha", "lam", "sigma"))
    p = sympy.Symbol("p", real=True)
    h = lam ** (1 - p)
    known = alpha * sigma**2 * h / (2 * (2 - alpha * h))
    assert sympy.simplify(lam * derive_spec(builtin("precond")).steady_state / 2 - known) == 0


def test_spec_routes_agree_with_the_hand_derivations():
    """sgd and heavy ball as specs = their own derivation modules; adam-ema at beta1 = 0 is adam-noise and its
    energy is the hand-derived EMA form."""
    for name in ("sgd", "momentum"):
        assert sympy.simplify(derive_spec(builtin(name)).steady_state - derive(name).steady_state) == 0
    ema = derive_spec(builtin("adam-ema")).steady_state
    beta1 = SYMBOLS["beta1"]
    assert sympy.simplify(ema.subs(beta1, 0) - derive("adam-noise").steady_state) == 0
    assert sympy.simplify(ema - derive("adam-noise").forms["beta1_steady_state"]) == 0


def test_class_constants():
    """Small-rate class rates and energy-profile exponents: momentum rescales alpha by 1/(1 - mu), Adam's
    noise limit by 1/sigma, the preconditioner by lam^-p (profile k^(s(1+p)) -> exponent p s of k^-(...));
    curvature noise flattens SGD's profile (the §5.1 finding: the noise model changes the class)."""
    alpha, lam, sigma, mu, s = (SYMBOLS[n] for n in ("alpha", "lam", "sigma", "mu", "s"))
    cr = lambda name: derive_spec(resolve(name)).forms["class_rate"]  # noqa: E731
    assert sympy.simplify(cr("momentum") - alpha / (1 - mu)) == 0
    assert sympy.simplify(cr("nesterov") - alpha / (1 - mu)) == 0
    assert sympy.simplify(cr("adam-ema") - alpha / sigma) == 0
    assert sympy.simplify(cr("precond") - alpha * lam ** -sympy.Symbol("p", real=True)) == 0
    assert derive_spec(builtin("sgd")).forms["energy_profile_exponent"] == s
    curv = OptimizerSpec(name="sgd-curv", params=("alpha",), state=("theta",), update=(("theta", "theta - alpha*g"),),
                         noise="curvature")
    assert derive_spec(curv).forms["energy_profile_exponent"] == 0
    assert "energy_profile_exponent" not in derive_spec(builtin("sgd-wd")).forms  # lam + wd: no single power


@given(st.sampled_from(sorted(INSIDE)), st.floats(0.01, 4.0), st.floats(0.02, 3.0), st.floats(0.0, 0.99),
       st.floats(0.0, 1.0))
def test_region_is_spectral_radius_below_one(name, lam, alpha, u, w):
    """The derived conditions hold iff every eigenvalue of A is inside the unit disc (numpy), at random points
    of the parameters' domain; near the boundary (|1 - rho| < 1e-9) the comparison is skipped."""
    spec = resolve(name)
    p = {"alpha": alpha}
    for k in spec.params:
        if k != "alpha":
            p[k] = {"p": w, "nu": w, "wd": 2 * w}.get(k, u)
    a, _ = numeric_system(spec, [lam], sigma=0.5, **p)
    rho = np.max(np.abs(np.linalg.eigvals(a[0])))
    if abs(rho - 1) < 1e-9:
        return
    inside = stability_violation(spec, [lam], sigma=0.5, **p) is None
    assert inside == (rho < 1)


@given(st.lists(st.floats(-2.0, 2.0), min_size=3, max_size=3))
def test_schur_cohn_cubic(coeffs):
    """Degree 3: the Schur-Cohn conditions hold iff all roots of z^3 + c2 z^2 + c1 z + c0 are in |z| < 1."""
    z = sympy.Symbol("z")
    c = [sympy.Rational(x).limit_denominator(10**6) for x in coeffs]
    poly = sympy.Poly(z**3 + c[0] * z**2 + c[1] * z + c[2], z)
    roots = np.roots([1.0, *map(float, c)])
    if abs(np.max(np.abs(roots)) - 1) < 1e-6:
        return
    assert all(cond > 0 for cond in schur_cohn_conditions(poly)) == (np.max(np.abs(roots)) < 1)


def test_a_three_variable_spec_derives_and_solves_lyapunov():
    """A user spec beyond the built-ins' size: momentum plus an EMA readout (3 state variables)."""
    spec = OptimizerSpec(name="hb-ema", params=("alpha", "mu", "beta"), state=("theta", "b", "z"),
                         update=(("b", "mu*b + g"), ("theta", "theta - alpha*b"), ("z", "beta*z + (1 - beta)*theta")),
                         readout="z", domain=("0 <= beta < 1", "mu < 1"))
    d = derive_spec(spec)
    v = dict(alpha=0.2, mu=0.5, beta=0.8, sigma=0.7, lam=0.9)
    a, b = numeric_system(spec, [v["lam"]], **{k: x for k, x in v.items() if k != "lam"})
    ref = scipy.linalg.solve_discrete_lyapunov(a[0], np.outer(b[0], b[0]))
    assert _eval(d, "steady_state", v) == pytest.approx(ref[2, 2], rel=1e-9)
    assert d.evaluate(**v)["contraction_factor"] == pytest.approx(np.max(np.abs(np.linalg.eigvals(a[0]))) ** 2)


def test_h_step_transition_is_the_power_of_the_one_step():
    d = derive_spec(builtin("nesterov"))
    v = {SYMBOLS[k]: x for k, x in dict(alpha=0.3, mu=0.8, sigma=0.6, lam=0.5).items()}
    ah, sig = d.h_step(5)
    a = np.array(d.matrices["A"].subs(v).evalf(), dtype=float)
    q = np.array(d.matrices["Q"].subs(v).evalf(), dtype=float)
    ref_sig = sum(np.linalg.matrix_power(a, j) @ q @ np.linalg.matrix_power(a, j).T for j in range(5))
    np.testing.assert_allclose(np.array(ah.subs(v).evalf(), dtype=float), np.linalg.matrix_power(a, 5), rtol=1e-12)
    np.testing.assert_allclose(np.array(sig.subs(v).evalf(), dtype=float), ref_sig, rtol=1e-9)


@pytest.mark.parametrize("table, fragment", [
    ({"params": ["alpha"], "state": ["theta"], "update": {"theta": "theta - alpha*g"}}, "missing key 'name'"),
    ({"name": "x", "params": ["alpha"], "state": ["theta"], "update": {"theta": "theta - alpha*g"}, "lr": 1},
     "unknown key"),
    ({"name": "x", "params": ["alpha"], "state": ["m", "theta"], "update": {"theta": "theta - alpha*g"}},
     "must start with 'theta'"),
    ({"name": "x", "params": ["g"], "state": ["theta"], "update": {"theta": "theta - g"}}, "reserved"),
    ({"name": "x", "params": ["alpha"], "state": ["theta"], "update": {"theta": "theta - alpha*g*theta"}},
     "not linear"),
    ({"name": "x", "params": ["alpha"], "state": ["theta"], "update": {"theta": "theta - alpha*(g - 1)"}},
     "constant term"),
    ({"name": "x", "params": ["alpha"], "state": ["theta"], "update": {"theta": "theta - alpah*g"}},
     "unknown name 'alpah'"),
    ({"name": "x", "params": ["alpha"], "state": ["theta"], "update": {"theta": "theta.real - alpha*g"}},
     "Attribute is not allowed"),
    ({"name": "x", "params": ["alpha"], "state": ["theta"], "update": {"theta": "__import__('os')"}},
     "Call is not allowed"),
    ({"name": "x", "params": ["alpha"], "state": ["theta"], "update": {"theta": "theta - alpha*g"}, "noise": "pink"},
     "noise must be one of"),
    ({"name": "x", "params": ["alpha"], "state": ["theta"], "update": {"theta": "theta - alpha*g"},
      "domain": ["alpha"]}, "must be a comparison"),
])
def test_bad_specs_are_refused_by_name(table, fragment):
    with pytest.raises(InputError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        derive_spec(OptimizerSpec.from_mapping(table))


def test_spec_is_the_same_from_toml_and_python(tmp_path):
    spec = OptimizerSpec.from_toml(QHM)
    again = OptimizerSpec.from_mapping(json.loads(json.dumps(spec.to_dict())))
    assert again == spec and again.digest() == spec.digest()
    assert linear_system(spec).A == linear_system(again).A


def test_parameters_outside_the_domain_name_the_condition():
    with pytest.raises(HypothesisViolation, match="mu < 1"):
        numeric_system(builtin("nesterov"), [1.0], alpha=0.1, mu=1.0, sigma=1.0)
    assert stability_violation(builtin("nesterov"), [1.0, 30.0], alpha=0.1, mu=0.9, sigma=1.0)[1].endswith("(mode 2)")


def test_derive_cli_for_nesterov_and_a_user_spec(capsys):
    """The issue's commands: values.steady_state against SciPy's Lyapunov solution."""
    from spectral_universality.cli import main

    assert main(["derive", "--optimizer", "nesterov", "--format", "json", "--at", "alpha=0.1", "mu=0.9", "lam=2",
                 "sigma=0.5"]) == 0
    obj = json.loads(capsys.readouterr().out)
    a, b = numeric_system(builtin("nesterov"), [2.0], alpha=0.1, mu=0.9, sigma=0.5)
    ref = scipy.linalg.solve_discrete_lyapunov(a[0], np.outer(b[0], b[0]))
    assert obj["values"]["steady_state"] == pytest.approx(ref[0, 0], rel=1e-10)
    assert main(["derive", "--spec", QHM, "--format", "json", "--at", "alpha=0.1", "beta=0.9", "nu=0.7", "lam=2",
                 "sigma=0.5"]) == 0
    obj = json.loads(capsys.readouterr().out)
    a, b = numeric_system(resolve(QHM), [2.0], alpha=0.1, beta=0.9, nu=0.7, sigma=0.5)
    ref = scipy.linalg.solve_discrete_lyapunov(a[0], np.outer(b[0], b[0]))
    assert obj["values"]["steady_state"] == pytest.approx(ref[0, 0], rel=1e-10)
    assert obj["matrices"]["A"][0][0] and len(obj["matrices"]["b"]) == 2


@pytest.mark.parametrize("argv, fragment", [
    (["--spec", "nope.toml"], "not found"),
    (["--spec", QHM, "--at", "alpha=3", "beta=0.9", "nu=0.7", "lam=2", "sigma=0.5"], "hypothesis violated"),
    (["--spec", QHM, "--at", "alpha=0.1", "beta=1.5", "nu=0.7", "lam=2", "sigma=0.5"], "0 <= beta < 1"),
])
def test_derive_cli_bad_spec_input_exits_2(argv, fragment, capsys):
    from spectral_universality.cli import main

    assert main(["derive", *argv]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
