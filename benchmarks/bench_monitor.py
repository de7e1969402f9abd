"""SpectralMonitor overhead, memory and warm-start savings on the ~100k-parameter digits MLP (prints a table).

    .venv/bin/python benchmarks/bench_monitor.py [--steps 20000] [--k 32] [--refresh-every 1000]

Measures (one torch thread):

* the slowdown between refreshes, interleaved A/B: two identical models on the same mini-batches, one with the
  monitor, trained in alternating chunks of ``buffer_steps`` steps (so each monitored chunk pays one batched
  projection and load drift hits both alike); the overhead is the median over pairs of (monitored chunk time -
  plain chunk time) / plain chunk time, chunks containing a refresh excluded;
* memory: the monitor's steady tensors (basis, buffer, reference point, window sums) by count, and at a refresh
  the tensors it allocates by count plus, measured, the peak RSS rise during the refresh step (Linux
  ``VmHWM`` after resetting it through ``/proc/self/clear_refs``; this includes the HVP temporaries, which the
  count does not);
* each refresh's HVP count, and a cold Lanczos on the same Hessian with the same stopping rule and Krylov cap,
  and their eigenvalue errors against a tight reference (the same accuracy).

Not a timed test: the numbers depend on the machine and its load (the load average is printed).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import torch
from torch import nn

from spectral_universality.numerics.hessian import HessianOperator, lanczos
from spectral_universality.numerics.models import MLP, minibatch_indices, n_params
from spectral_universality.numerics.monitor import ROTATION_OVERLAP, SpectralMonitor
from spectral_universality.numerics.real_data import load_digits
from spectral_universality.numerics.threads import single_thread

MB = 2**20


def _rss(field: str) -> int | None:
    """``VmRSS`` or ``VmHWM`` of this process in bytes (None off Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
        return True
    except OSError:
        return False


@single_thread()
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--k", type=int, default=32)
    ap.add_argument("--refresh-every", type=int, default=1000)
    ap.add_argument("--hidden", type=int, default=300)
    args = ap.parse_args()
    data = load_digits(seed=0)
    crit = nn.functional.cross_entropy
    hb = [(data.x_train[:256], data.y_train[:256])]

    def make():
        torch.manual_seed(0)
        model = MLP(64, data.n_classes, hidden=args.hidden)
        opt = torch.optim.SGD(model.parameters(), lr=0.05)
        return model, opt, minibatch_indices(len(data.y_train), 32, torch.Generator().manual_seed(0))

    model_a, opt_a, it_a = make()
    model_b, opt_b, it_b = make()
    mon = SpectralMonitor(model_b, crit, hb, k=args.k, refresh_every=args.refresh_every, center="mean",
                          generator=torch.Generator().manual_seed(0))
    mon.attach(opt_b)
    chunk = mon.buffer_steps

    def train(model, opt, it, m, on_refresh=None):
        t0 = time.perf_counter()
        for _ in range(m):
            idx = next(it)
            n_ref = len(mon.refreshes)
            opt.zero_grad()
            crit(model(data.x_train[idx]), data.y_train[idx]).backward()
            opt.step()
            if on_refresh is not None and len(mon.refreshes) > n_ref:
                on_refresh()  # inside the chunk, at the refresh's parameters; such chunks are not timed
        return time.perf_counter() - t0

    ratios, plain, monitored, refresh_info, loads = [], [], [], [], []
    state: dict = {}

    def compare() -> None:
        """Right after a refresh step: its RSS peak (before anything else allocates), then the cold Lanczos and
        the tight reference on the same Hessian."""
        peak = None if state["rss0"] is None else _rss("VmHWM") - state["rss0"]
        r = mon.refreshes[-1]
        op = HessianOperator(model_b, crit, hb)
        ref = lanczos(op, args.k, block_size=4, tol=1e-9, max_dim=6 * args.k + 100,
                      generator=torch.Generator().manual_seed(2)).eigenvalues
        err = (lambda lam: float(((lam - ref).abs() / ref.abs()).max()))
        cold = None
        if r["warm"]:
            c = lanczos(op, args.k, block_size=4, tol=mon.tol, max_dim=mon.max_krylov, max_restarts=50,
                        generator=torch.Generator().manual_seed(1))
            cold = (c.n_matvecs, c.converged, err(c.eigenvalues))
        refresh_info.append((r, peak, state["steady"], cold, err(torch.tensor(r["eigenvalues"], dtype=ref.dtype))))
        loads.append(os.getloadavg()[0])

    # one-time allocations of torch.func (first HVP) are not the monitor's: pay them before measuring
    HessianOperator(model_a, crit, hb).matmat(torch.zeros(n_params(model_a), 4))
    done = 0
    while done < args.steps:
        m = min(chunk, args.steps - done)
        n_ref = len(mon.refreshes)
        ta = train(model_a, opt_a, it_a, m)
        state["steady"] = mon.memory_bytes()
        state["rss0"] = _rss("VmRSS") if _reset_peak() else None
        tb = train(model_b, opt_b, it_b, m, compare)
        done += m
        if len(mon.refreshes) == n_ref and m == chunk:
            plain.append(ta / m)
            monitored.append(tb / m)
            ratios.append(tb / ta - 1)
            if len(ratios) % 50 == 0:
                loads.append(os.getloadavg()[0])

    n = n_params(model_b)
    res = mon.result()
    print(f"digits MLP, n = {n} parameters, k = {args.k}, refresh every {args.refresh_every}, {args.steps} steps, "
          f"buffer {mon.buffer_steps} steps, max_krylov {mon.max_krylov}; load average while measuring "
          f"{min(loads):.1f}-{max(loads):.1f} (median {statistics.median(loads):.1f}) on {os.cpu_count()} cores")
    print(f"per step between refreshes (interleaved A/B, {len(ratios)} chunk pairs of {chunk} steps): without "
          f"monitor {1e3 * statistics.median(plain):.3f} ms, with {1e3 * statistics.median(monitored):.3f} ms "
          f"(medians); overhead {100 * statistics.median(ratios):+.1f}% (median over pairs; quartiles "
          f"{100 * statistics.quantiles(ratios, n=4)[0]:+.1f}% / {100 * statistics.quantiles(ratios, n=4)[2]:+.1f}%)")
    print(f"monitor memory, steady: {mon.memory_bytes() / MB:.1f} MB by count (basis {n * args.k * 4 / MB:.1f} MB, "
          f"buffer {mon.buffer_steps * n * 4 / MB:.1f} MB, window sums {len(mon.windows) * 12 * args.k * 8 / 2**10:.1f} kB)")
    peaks = [i[1] for i in refresh_info if i[1] is not None]
    rss_line = "" if not peaks else (
        f"; measured: steady {refresh_info[-1][2] / MB:.1f} MB + peak RSS rise during the refresh step "
        f"max {max(peaks) / MB:.1f} MB (median {statistics.median(peaks) / MB:.1f} MB) = "
        f"{(refresh_info[-1][2] + max(peaks)) / MB:.1f} MB")
    print(f"monitor memory, at a refresh: {mon.refresh_memory_bytes() / MB:.1f} MB by count (basis + "
          f"{mon.max_krylov} Krylov vectors; buffer released){rss_line}")
    for r, peak, _, cold, ref_err in refresh_info:
        extra = "" if cold is None else (f"   cold: {cold[0]:4d} HVPs (converged {cold[1]}, err {cold[2]:.0e})  "
                                         f"ratio {cold[0] / r['n_hvp']:.2f}x")
        ov = "  -  " if r["overlap"] is None else f"{r['overlap']:.3f}"
        print(f"refresh at step {r['step']:6d}: {'warm' if r['warm'] else 'cold'} {r['n_hvp']:4d} HVPs "
              f"({r['restarts']} restarts, converged {r['converged']}, err {ref_err:.0e}), overlap {ov}"
              f"{'' if peak is None else f', RSS rise {peak / MB:.1f} MB'}{extra}")
    warm = [(i[0]["n_hvp"], i[3][0], i[0]["overlap"]) for i in refresh_info if i[3] is not None]
    if warm:
        w, c = sum(x[0] for x in warm), sum(x[1] for x in warm)
        stable = [x for x in warm if x[2] >= ROTATION_OVERLAP]
        ws, cs = sum(x[0] for x in stable), sum(x[1] for x in stable)
        print(f"warm refreshes, whole run: {w} HVPs vs cold {c} at the same stopping rule (ratio {c / w:.2f}x; "
              f"target >= 3x); stable basis (overlap >= {ROTATION_OVERLAP}, {len(stable)} of {len(warm)}): "
              f"{ws} vs {cs} ({cs / max(ws, 1):.2f}x)")
    print(f"s_hat = {res.s_hat:.3f} +- {res.s_hat_se:.3f} ({res.triple.fit}), warnings: {len(res.to_dict()['warnings'])}")


if __name__ == "__main__":
    main()
