"""Smoke test of the §5.2 benchmark: structure, and properties checked against independent computations."""

import json
import math

import pytest
import torch

from spectral_universality.numerics.real_benchmark import QUICK, TOL, benchmark_5_2
from spectral_universality.numerics.real_data import load_digits

SLACK = 10 * TOL  # Lanczos relative eigenvalue accuracy is ~TOL; comparisons between two runs get a margin


@pytest.fixture(scope="module")
def result():
    return benchmark_5_2(quick=True, device="cpu", seed=0, threads=1)


def test_structure_and_json(result):
    json.dumps(result)  # plain data only
    assert set(result) >= {"config", "runs", "comparisons", "summary", "seconds"}
    models = list(QUICK["models"])
    assert [(r["model"], r["optimizer"]) for r in result["runs"]] == [(m, o) for m in models for o in ("sgd", "adam")]
    for run in result["runs"]:
        assert len(run["checkpoints"]) == QUICK["checkpoints"]
        for ck in run["checkpoints"]:
            lam = ck["eigenvalues"]
            assert len(lam) == QUICK["k"] and all(a >= b for a, b in zip(lam, lam[1:]))
            if ck["identifiable"]:
                lo, hi = ck["mode_range"]
                assert 0 <= lo < hi <= QUICK["k"] and hi - lo >= 5
                assert ck["s_hat_se"] > 0 and math.isfinite(ck["s_hat"])
                assert all(g <= 1 for g in ck["gamma_hat"])  # gamma = 1 - rho^2
                assert len(ck["energies"]) == QUICK["k"] and min(ck["energies"]) > 0
    for cmp in result["comparisons"]:
        assert cmp["pair"] == ["sgd", "adam"] and len(cmp["per_checkpoint"]) == QUICK["checkpoints"]
        for c in cmp["per_checkpoint"]:
            assert c["same_class"] in (True, False, None)
            if c["same_class"] is not None:  # the test decision is the p-value against the level
                assert c["same_class"] == (c["p_value"] >= cmp["level"])


def test_convex_model_spectrum_within_softmax_bound(result):
    """Softmax regression: H = E[(diag p - p p^T) kron x~ x~^T] with ||diag p - p p^T|| <= 1/2, so
    0 <= lambda_k <= lambda_max(E[x~ x~^T]) / 2 (x~ = (x, 1)) -- a bound computed from the data alone."""
    data = load_digits(seed=0)
    x = data.x_train[: QUICK["eval_size"]].flatten(1).double()
    xt = torch.cat([x, torch.ones(len(x), 1, dtype=torch.float64)], dim=1)
    bound = 0.5 * float(torch.linalg.eigvalsh(xt.T @ xt / len(x))[-1])
    for run in (r for r in result["runs"] if r["model"] == "linear"):
        for ck in run["checkpoints"]:
            assert min(ck["eigenvalues"]) > 0
            assert ck["eigenvalues"][0] <= bound * (1 + SLACK)
        # SLQ nodes are Ritz values of a PSD operator, hence >= 0: no spectral mass below -1e-3 lambda_1
        assert run["checkpoints"][-1]["slq"]["negative_mass"] == 0.0


def test_spread_and_layer_spectra_respect_eigenvalue_inequalities(result):
    for run in result["runs"]:
        last = run["checkpoints"][-1]
        top = last["eigenvalues"][0]
        spread = last["minibatch_spread"]
        assert len(spread["per_batch"]) == QUICK["spread_batches"]
        # equal-size chunks: full-batch Hessian = mean of the chunk Hessians, and lambda_max is convex
        assert spread["full_batch"][0] <= spread["mean"][0] * (1 + SLACK)
        assert spread["full_batch"][0] == pytest.approx(top, rel=SLACK)
        # Cauchy interlacing: a diagonal block's top eigenvalue is at most the whole Hessian's
        for name, vals in last["per_layer_top"].items():
            assert vals[0] <= top * (1 + SLACK), name
