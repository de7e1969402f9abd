"""Worked example: the class triple of your own training run, with SpectralMonitor.

The digits MLP trained with SGD and with Adam, each monitored in its top-16 Hessian eigenbasis, classified and
plotted.  About 30 s on one CPU core::

    .venv/bin/python examples/monitor_digits.py --out build/monitor-example

Writes ``{sgd,adam}.json`` (readable by ``spectral-universality classify build/monitor-example/sgd.json``) and
``{sgd,adam}.png`` (e_k with the power-law fit; s_hat per window).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from torch import nn

from spectral_universality import SpectralMonitor
from spectral_universality.numerics.models import build_model, digits_batches, make_optimizer, train_steps
from spectral_universality.numerics.real_data import load_digits
from spectral_universality.numerics.threads import single_thread

LR = {"sgd": 0.05, "adam": 1e-3}


@single_thread()
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="build/monitor-example")
    parser.add_argument("--steps", type=int, default=4000)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data = load_digits(seed=0)
    hess_batches = [(data.x_train[:256], data.y_train[:256])]  # fixed data for the Hessian
    for name in ("sgd", "adam"):
        model = build_model("mlp", data.image_shape, data.n_classes, seed=0, hidden=64)
        opt = make_optimizer(name, model.parameters(), LR[name])
        # center="mean": a network's optimum is unknown and non-zero; each window's mean is removed per mode
        mon = SpectralMonitor(model, nn.functional.cross_entropy, hess_batches, k=16, refresh_every=1000,
                              window=500, burn_in=1000, center="mean")
        # the monitor hooks the optimizer, so any training loop works; this one is the package's own
        handle = mon.attach(opt)
        train_steps(model, opt, digits_batches(data, 32, torch.Generator().manual_seed(0)), args.steps)
        handle.remove()
        res = mon.result()
        mon.save(out / f"{name}.json")
        res.plot(out / f"{name}.png")
        eta = "None" if res.eta_hat is None else f"{res.eta_hat:.3g}"
        flagged = 0 if res.transitions is None else int(res.transitions.flagged.sum())
        print(f"{name:5s} s_hat = {res.s_hat:+.3f} +- {res.s_hat_se:.3f} (modes {res.triple.mode_range}, "
              f"{res.triple.fit}), eta_hat = {eta}, transitions flagged: {flagged}, "
              f"HVPs per refresh: {[r['n_hvp'] for r in res.refreshes]}")
        for w in res.to_dict()["warnings"]:
            print(f"      warning: {w}")


if __name__ == "__main__":
    main()
