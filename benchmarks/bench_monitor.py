"""SpectralMonitor overhead, memory and warm-start savings on the ~100k-parameter digits MLP (prints a table).

    .venv/bin/python benchmarks/bench_monitor.py [--steps 20000] [--k 32] [--refresh-every 1000]

Measures (one torch thread): training-loop time per step without the monitor and with it between refreshes
(the slowdown), each refresh's time and HVP count, a cold Lanczos on the same Hessian at the same tolerance
(the warm-start saving), the monitor's steady memory (basis, projection buffer, reference point, window sums)
and the transient Krylov basis of a refresh.  Not a timed test: numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import time

import torch
from torch import nn

from spectral_universality.numerics.hessian import HessianOperator, lanczos
from spectral_universality.numerics.models import MLP, minibatch_indices, n_params
from spectral_universality.numerics.monitor import SpectralMonitor
from spectral_universality.numerics.real_data import load_digits
from spectral_universality.numerics.threads import single_thread


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

    def run(monitor: bool):
        torch.manual_seed(0)
        model = MLP(64, data.n_classes, hidden=args.hidden)
        opt = torch.optim.SGD(model.parameters(), lr=0.05)
        mon = SpectralMonitor(model, crit, hb, k=args.k, refresh_every=args.refresh_every, center="mean",
                              generator=torch.Generator().manual_seed(0)) if monitor else None
        if mon:
            mon.attach(opt)
        it = minibatch_indices(len(data.y_train), 32, torch.Generator().manual_seed(0))
        times, refresh_times, cold = [], [], []
        for step in range(args.steps):
            idx = next(it)
            t0 = time.perf_counter()
            opt.zero_grad()
            crit(model(data.x_train[idx]), data.y_train[idx]).backward()
            opt.step()
            dt = time.perf_counter() - t0
            if mon and step % args.refresh_every == 0:  # this step included a refresh
                refresh_times.append(dt)
                if mon.refreshes[-1]["warm"]:
                    # the same stopping rule (tol) cold, and a tight reference to check both reached it
                    op = HessianOperator(model, crit, hb)
                    c = lanczos(op, args.k, block_size=4, tol=mon.tol, generator=torch.Generator().manual_seed(1))
                    ref = lanczos(op, args.k, block_size=4, tol=1e-9, max_dim=6 * args.k + 100,
                                  generator=torch.Generator().manual_seed(2)).eigenvalues
                    warm_lam = torch.tensor(mon.refreshes[-1]["eigenvalues"], dtype=ref.dtype)
                    err = (lambda lam: float(((lam - ref).abs() / ref.abs()).max()))
                    cold.append((c.n_matvecs, c.converged, c.krylov_dim, err(c.eigenvalues), err(warm_lam)))
            else:
                times.append(dt)
        return model, mon, times, refresh_times, cold

    model, _, base, _, _ = run(False)
    _, mon, with_mon, refresh_times, cold = run(True)
    n = n_params(model)
    tb = sorted(base)[len(base) // 2]
    tm = sorted(with_mon)[len(with_mon) // 2]
    res = mon.result()
    print(f"digits MLP, n = {n} parameters, k = {args.k}, refresh every {args.refresh_every}, "
          f"{args.steps} steps, buffer {mon.buffer_steps} steps")
    print(f"per step (median)      without monitor {tb * 1e3:.3f} ms   with monitor {tm * 1e3:.3f} ms   "
          f"slowdown {100 * (tm / tb - 1):+.1f}%   (means {1e3 * sum(base) / len(base):.3f} / "
          f"{1e3 * sum(with_mon) / len(with_mon):.3f} ms)")
    print(f"monitor memory         steady {mon.memory_bytes() / 2**20:.1f} MB  "
          f"(basis {n * args.k * 4 / 2**20:.1f} MB, buffer {mon.buffer_steps * n * 4 / 2**20:.1f} MB, "
          f"window sums {len(mon.windows) * 12 * args.k * 8 / 2**10:.1f} kB)")
    dims = [c[2] for c in cold]
    warm_dims = [r.get("krylov_dim", 0) for r in mon.refreshes]
    print(f"refresh transient      Krylov basis used up to {max(warm_dims + dims, default=0) * n * 4 / 2**20:.1f} MB "
          f"(monitor refreshes: {max(warm_dims, default=0)} vectors; cold comparison: {max(dims, default=0)})")
    for r, t, c in zip(mon.refreshes, refresh_times, [None] + cold):
        extra = "" if c is None else (f"   cold same tol: {c[0]} HVPs (converged {c[1]})  ratio {c[0] / r['n_hvp']:.2f}x"
                                      f"   max rel eig error warm {c[4]:.1e} cold {c[3]:.1e}")
        print(f"refresh at step {r['step']:6d}: {'warm' if r['warm'] else 'cold'} {r['n_hvp']:4d} HVPs, "
              f"converged {r['converged']}, overlap {r['overlap'] if r['overlap'] is None else round(r['overlap'], 3)}, "
              f"{t:.2f} s{extra}")
    warm_total = sum(r["n_hvp"] for r in mon.refreshes if r["warm"])
    cold_total = sum(c[0] for c in cold)
    if cold:
        print(f"warm refreshes: {warm_total} HVPs in all, cold Lanczos at the same tol: {cold_total} "
              f"(ratio {cold_total / warm_total:.2f}x; target >= 3x)")
    print(f"s_hat = {res.s_hat:.3f} +- {res.s_hat_se:.3f} ({res.triple.fit}), warnings: {len(res.to_dict()['warnings'])}")


if __name__ == "__main__":
    main()
