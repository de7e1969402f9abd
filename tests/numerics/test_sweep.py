"""`spectral-universality sweep`: grid parsing, cell keys, engines that agree to the bit, failures recorded with
their reason, resume after an interrupt, theory's stability boundary, and the statistics of the stored cells.

Monte-Carlo tolerances: each statistical check is a two-sided z-test at family-wise false-alarm rate 1e-6
(Bonferroni over the cells tested), with the s.e. that :mod:`.identify` reports (or derives below).
"""

from __future__ import annotations

import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pytest

from spectral_universality.cli import main
from spectral_universality.errors import InputError
from spectral_universality.numerics import expected
from spectral_universality.numerics.sweep import (Grid, Settings, cell_key, cell_seed, parse_values, run_sweep,
                                                  stability_boundary)
from spectral_universality.numerics.sweep_plot import JSON_NAME, outputs_current, write_outputs
from spectral_universality.numerics.sweep_store import SweepStore

FALSE_ALARM = 1e-6


def small_grid(**settings) -> Grid:
    """12 cells: two optimizers, three rates (one beyond SGD's boundary 2/lam1), two batch sizes."""
    st = Settings(**{"seeds": 4, "modes": 16, "steps": 400, **settings})
    return Grid(("sgd", "momentum"), (1.5,), (0.3, 1.2, 2.2), "batch", (1, 16), st)


def test_linear_range_has_n_points_with_both_ends():
    vals = parse_values("0.05:2.5:24", "alpha")
    assert len(vals) == 24 and vals[0] == 0.05 and vals[-1] == 2.5
    steps = np.diff(vals)
    assert np.allclose(steps, (2.5 - 0.05) / 23, rtol=1e-9)
    logs = parse_values(["1:100:3:log"], "sigma")
    assert np.allclose(logs, (1, 10, 100))
    assert parse_values(["1", "4", "16"], "batch", integer=True) == (1.0, 4.0, 16.0)


@pytest.mark.parametrize("bad", ["0.05:2.5", "2.5:0.05:4", "a:b:3", "0:1:0", "0:1:3:cubic", "x"])
def test_malformed_range_names_the_axis(bad):
    with pytest.raises(InputError, match="alpha"):
        parse_values([bad], "alpha")


def test_cell_key_follows_every_setting_and_seed_follows_key():
    base = small_grid().cells()[0]
    assert cell_key(base) == cell_key(dict(reversed(list(base.items()))))  # canonical: order-free
    for field, value in (("alpha", 0.31), ("seeds", 5), ("steps", 401), ("seed", 1), ("device", "cuda")):
        other = {**base, field: value}
        assert cell_key(other) != cell_key(base)
        assert cell_seed(other) != cell_seed(base)
    # a batch of B has noise std noise/sqrt(B)
    cells = {(c["batch"]): c["sigma"] for c in small_grid(noise=2.0).cells()}
    assert cells == {1: 2.0, 16: 0.5}


def _stored(path: Path) -> dict:
    with SweepStore(path) as st:
        return st.dump()


def test_engines_store_identical_rows(tmp_path):
    """One grid serially, on the process pool and on a 2-worker LocalCluster: the result tables are equal."""
    grid = small_grid()
    dumps = {}
    for engine in ("serial", "local", "dask"):
        with SweepStore(tmp_path / f"{engine}.sqlite") as st:
            out = run_sweep(grid, st, engine=engine, workers=2, progress=False)
            assert out.computed == 12 and not out.errors and out.engine == engine
        dumps[engine] = _stored(tmp_path / f"{engine}.sqlite")
    assert len(dumps["serial"]["cells"]) == 12 and len(dumps["serial"]["runs"]) == 12 * 4
    assert dumps["local"] == dumps["serial"]
    assert dumps["dask"] == dumps["serial"]


def test_repeated_sweep_computes_nothing_and_a_larger_grid_only_the_new_cells(tmp_path):
    grid = small_grid()
    with SweepStore(tmp_path / "s.sqlite") as st:
        first = run_sweep(grid, st, engine="serial", progress=False)
        again = run_sweep(grid, st, engine="serial", progress=False)
        assert (first.computed, again.computed, again.cached, again.engine) == (12, 0, 12, None)
        bigger = Grid(grid.optimizers, grid.s, grid.alpha + (0.6,), "batch", grid.levels, grid.settings)
        more = run_sweep(bigger, st, engine="serial", progress=False)
        assert (more.computed, more.cached) == (4, 12)


def test_failed_cells_are_recorded_with_reasons_and_the_sweep_goes_on(tmp_path):
    # mu = 1 is outside heavy ball's domain (refused); alpha = 2.2 > 2/lam1 diverges for SGD
    grid = Grid(("sgd", "momentum"), (1.5,), (0.3, 2.2), "batch", (1,), Settings(seeds=4, modes=16, steps=400, mu=1.0))
    with SweepStore(tmp_path / "s.sqlite") as st:
        out = run_sweep(grid, st, engine="serial", progress=False)
        cells = {(c["config"]["optimizer"], c["config"]["alpha"]): c for c in st.cells()}
    assert out.computed == 4 and not out.errors
    assert cells[("sgd", 0.3)]["status"] == "ok" and cells[("sgd", 0.3)]["theory_stable"] is True
    div = cells[("sgd", 2.2)]
    assert div["status"] == "diverged" and div["theory_stable"] is False and div["diverged_fraction"] == 1.0
    assert "0 < alpha*lam < 2" in div["reason"] and "4 of 4 seeds diverged" in div["reason"]
    assert all(r["status"] == "diverged" for r in div["runs"]) and len(div["runs"]) == 4
    for a in (0.3, 2.2):
        ref = cells[("momentum", a)]
        assert ref["status"] == "refused" and "0 <= mu < 1" in ref["reason"] and ref["runs"] == []


def test_stability_boundary_is_found_from_theory():
    # independent statements of the boundaries: alpha lam1 < 2, alpha lam1 < 2 (1 + mu), (alpha/sigma) lam1 < 2
    tol = 1e-9
    assert abs(stability_boundary("sgd", 1.0, 1.0, 5.0) - 2.0) < tol
    assert abs(stability_boundary("sgd", 1.0, 4.0, 5.0) - 0.5) < tol
    assert abs(stability_boundary("momentum", 1.0, 1.0, 8.0, {"mu": 0.9}) - 3.8) < tol
    assert stability_boundary("momentum", 1.0, 1.0, 3.0, {"mu": 0.9}) is None  # beyond the searched range
    assert abs(stability_boundary("adam-noise", 0.25, 1.0, 5.0) - 0.5) < tol
    assert stability_boundary("adam", 1.0, 1.0, 5.0) is None  # no per-mode condition


def test_optimizer_specs_sweep_with_their_derived_boundary(tmp_path):
    """A built-in spec and a user's spec file sweep like the built-ins: cells keyed by the spec's text, stable
    below the boundary theory derives from the spec (Nesterov: alpha lam1 (1 + 2 mu) < 2 (1 + mu), checked
    against that independent statement), diverged above it; --param sets a spec parameter."""
    qhm = str(Path(__file__).parents[2] / "examples" / "qhm.toml")
    mu = 0.9
    star = 2 * (1 + mu) / (1 + 2 * mu)  # Nesterov's flip boundary at lam1 = 1 (Jury p(-1) = 0)
    grid = Grid(("nesterov", qhm), (1.5,), (0.3, 1.6), "batch", (1,),
                Settings(seeds=4, modes=16, steps=400, params=(("beta", 0.9),)))
    assert abs(stability_boundary(optimizer_entry_derivation(grid, "nesterov"), 1.0, 1.0, 3.0, {"mu": mu}) - star) < 1e-9
    with SweepStore(tmp_path / "s.sqlite") as st:
        out = run_sweep(grid, st, engine="serial", progress=False)
        cells = {(c["config"]["optimizer"], c["config"]["alpha"]): c for c in st.cells()}
    assert out.computed == 4 and not out.errors
    assert cells[("nesterov", 0.3)]["status"] == "ok" and cells[("nesterov", 0.3)]["theory_stable"] is True
    assert cells[("nesterov", 1.6)]["status"] == "diverged" and cells[("nesterov", 1.6)]["theory_stable"] is False
    q = cells[("qhm", 0.3)]
    assert q["status"] == "ok" and q["config"]["beta"] == 0.9 and q["config"]["nu"] == 0.7  # nu: the spec's default
    assert q["config"]["spec"]["update"]["m"] == "beta*m + (1 - beta)*g"
    with pytest.raises(InputError, match="no optimizer spec of the grid"):
        Grid(("sgd",), (1.5,), (0.3,), "batch", (1,), Settings(params=(("beta", 0.9),)))


def optimizer_entry_derivation(grid: Grid, name: str):
    from spectral_universality.numerics.sweep import _derivation, optimizer_entry

    return _derivation({"spec": optimizer_entry(name, grid.settings)[1]})


@pytest.fixture(scope="module")
def stats_sweep(tmp_path_factory):
    """Stable SGD cells at two batch sizes, long enough records for precise fits."""
    grid = Grid(("sgd",), (1.0, 2.0), (0.2, 0.5), "batch", (1, 16), Settings(seeds=8, modes=32, steps=4000))
    path = tmp_path_factory.mktemp("stats") / "s.sqlite"
    with SweepStore(path) as st:
        run_sweep(grid, st, engine="serial", progress=False)
        return grid, st.cells()


def test_s_hat_of_stored_cells_matches_theory_slope(stats_sweep):
    """Pooled s_hat vs the exact OLS slope of theory's stationary energies over the fitted modes."""
    _, cells = stats_sweep
    ok = [c for c in cells if c["status"] == "ok" and c["fit"] == "ols"]
    assert len(ok) == len(cells) == 8
    z = NormalDist().inv_cdf(1 - FALSE_ALARM / (2 * len(ok)))
    for c in ok:
        cfg = c["config"]
        lo, hi = c["mode_range"]
        k = np.arange(1, cfg["modes"] + 1, dtype=float)
        e = expected.steady_energy("sgd", k ** -cfg["s"], alpha=cfg["alpha"], sigma=cfg["sigma"])[lo:hi]
        x = np.log(k[lo:hi]) - np.log(k[lo:hi]).mean()
        assert abs(c["s_hat"] - float(x @ np.log(e) / (x @ x))) <= z * c["s_hat_se"], cfg


def test_eta_hat_follows_the_batch_noise_model(stats_sweep):
    """eta_hat estimates sigma^2 / lam1^2 = noise^2 / B.

    Tolerance (as for the §5.1 AR fit): eta_hat = mean_k q_k (lam_k/d_k)^2 over the K fitted modes, the drift
    d_k = 1 - phi1 with relative s.e. rel_se_k (the energy's), so eta_hat has relative s.e.
    2 sqrt(sum rel_se_k^2) / K and a delta-method bias of at most 3 mean(rel_se_k^2)."""
    _, cells = stats_sweep
    z = NormalDist().inv_cdf(1 - FALSE_ALARM / (2 * len(cells)))
    for c in cells:
        cfg = c["config"]
        true = cfg["sigma"] ** 2 / cfg["lam1"] ** 2
        assert abs(true - 1.0 / cfg["batch"]) < 1e-12
        lo, hi = c["mode_range"]
        rel = []
        for k in range(lo, hi):
            lam = (k + 1) ** -cfg["s"]
            rho = 1 - cfg["alpha"] * lam
            tau = (1 + rho**2) / (1 - rho**2)
            rel.append(2 * tau / (cfg["seeds"] * cfg["steps"]))
        rel = np.asarray(rel)
        se = 2 * math.sqrt(float(rel.sum())) / rel.size
        bias = 3 * float(rel.mean())
        assert abs(c["eta_hat"] - true) <= true * (z * se + bias), (cfg, c["eta_hat"])


def test_contraction_from_theory_and_observed(stats_sweep):
    """Theory's contraction factor of mode 1 is (1 - alpha lam1)^2 for SGD; the observed gamma_hat_1 estimates
    1 - rho^2 with the delta-method s.e. 2 |rho| se(rho), se(rho)^2 = (1 - rho^2)/N over N = seeds x steps."""
    _, cells = stats_sweep
    z = NormalDist().inv_cdf(1 - FALSE_ALARM / (2 * len(cells)))
    for c in cells:
        cfg = c["config"]
        rho = 1 - cfg["alpha"] * cfg["lam1"]
        assert abs(c["contraction_1"] - rho**2) < 1e-12
        se = 2 * abs(rho) * math.sqrt((1 - rho**2) / (cfg["seeds"] * cfg["steps"]))
        assert abs(c["gamma_hat_1"] - (1 - rho**2)) <= z * se, cfg


def test_outputs_list_every_cell_and_know_when_they_are_current(tmp_path, stats_sweep):
    grid, cells = stats_sweep
    png, js = write_outputs(grid, cells, tmp_path)
    data = json.loads(js.read_text())
    assert len(data["cells"]) == len(grid.cells()) and png.stat().st_size > 10_000
    # SGD's boundary 2/lam1 lies beyond the searched rates (up to twice the largest, 0.5)
    assert data["theory_boundary_alpha"]["sgd"] == {"1": None, "16": None}
    assert outputs_current(grid, tmp_path)
    other = Grid(grid.optimizers, grid.s, grid.alpha[:1], "batch", grid.levels, grid.settings)
    assert not outputs_current(other, tmp_path)


# -- the command line -----------------------------------------------------------------------------------------

def _cli(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(["sweep", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("args, needle", [
    (["--optimizer", "sgdd", "--s", "1", "--alpha", "0.1", "--batch", "1"], "sgdd"),
    (["--optimizer", "sgd", "--s", "1", "--alpha", "0.1:1", "--batch", "1"], "malformed range"),
    (["--optimizer", "sgd", "--s", "1", "--alpha", "0.1", "--batch", "1.5"], "batch"),
    (["--optimizer", "sgd", "--s", "1", "--alpha", "0.1", "--batch", "1", "--steps", "many"], "steps"),
    (["--optimizer", "sgd", "--s", "1", "--alpha", "0.1"], "batch (or sigma)"),
    (["--optimizer", "sgd", "--s", "1", "--alpha", "0.1", "--batch", "1", "--engine", "spark"], "spark"),
])
def test_bad_input_is_one_line_and_exit_2(args, needle, capsys, tmp_path):
    code, out, err = _cli([*args, "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and needle in err and len(err.strip().splitlines()) == 1, err


def test_toml_grid_missing_and_unknown_keys(tmp_path, capsys):
    cfg = tmp_path / "grid.toml"
    cfg.write_text('optimizer = ["sgd"]\ns = [1.5]\nbatch = [1, 4]\n')
    code, _, err = _cli(["--config", str(cfg), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "alpha" in err and len(err.strip().splitlines()) == 1
    cfg.write_text('optimizer = ["sgd"]\ns = [1.5]\nalpha = "0.1:0.5:2"\nbatch = [1]\ncolour = 3\n')
    code, _, err = _cli(["--config", str(cfg), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "colour" in err and len(err.strip().splitlines()) == 1


def test_toml_grid_runs_and_second_call_is_cached(tmp_path, capsys):
    cfg = tmp_path / "grid.toml"
    cfg.write_text('optimizer = ["sgd", "adam-noise"]\ns = [1.5]\nalpha = "0.2:1.0:2"\nsigma = [0.5, 1.0]\n'
                   'seeds = 2\nmodes = 16\nsteps = 300\nengine = "serial"\n')
    out_dir = tmp_path / "o"
    code, out, _ = _cli(["--config", str(cfg), "--out", str(out_dir), "--no-progress"], capsys)
    assert code == 0 and "8 cells computed" in out and (out_dir / JSON_NAME).is_file()
    code, out, _ = _cli(["--config", str(cfg), "--out", str(out_dir), "--no-progress"], capsys)
    assert code == 0 and out.startswith("all 8 cells cached")


def test_interrupt_leaves_whole_cells_and_resumes_to_the_same_rows(tmp_path):
    """SIGINT to a running sweep: exit 130, every stored cell complete with its seed rows; the same command
    then finishes, and the rows equal those of an uninterrupted run."""
    args = ["--optimizer", "sgd", "momentum", "--s", "1.5", "2", "--alpha", "0.1:1.5:8", "--batch", "1", "4",
            "--seeds", "4", "--modes", "16", "--steps", "1500", "--engine", "local", "--workers", "1",
            "--no-progress"]
    cmd = [sys.executable, "-m", "spectral_universality.cli", "sweep", *args]
    out_dir = tmp_path / "run"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([*cmd, "--out", str(out_dir)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            text=True)
    db = out_dir / "sweep.sqlite"
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=5) as conn:
                    stored = conn.execute("SELECT COUNT(*) FROM cells").fetchone()[0]
            except sqlite3.OperationalError:  # tables not created yet
                stored = 0
            if stored >= 3:
                break
        time.sleep(0.05)
    assert proc.poll() is None, "the sweep finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted" in err, err
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        n_cells = conn.execute("SELECT COUNT(*) FROM cells").fetchone()[0]
        per_cell = conn.execute("SELECT c.key, COUNT(r.seed) FROM cells c LEFT JOIN runs r ON r.key = c.key "
                                "GROUP BY c.key").fetchall()
    assert 3 <= n_cells < 64
    assert all(n == 4 for _, n in per_cell)
    done = subprocess.run([*cmd, "--out", str(out_dir)], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0 and f"{64 - n_cells} cells computed" in done.stdout, done.stdout + done.stderr
    ref = subprocess.run([*cmd[:-5], "--engine", "serial", "--no-progress", "--out", str(tmp_path / "ref")],
                         capture_output=True, text=True, env=env, timeout=300)
    assert ref.returncode == 0, ref.stderr
    assert _stored(db) == _stored(tmp_path / "ref" / "sweep.sqlite")
