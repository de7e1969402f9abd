"""Simulator throughput against this machine's limits (normal sampling rate, copy bandwidth, numpy loop).

Prints a table and writes JSON.  Mode-steps/s = seeds x modes x steps / wall time.  The per-step simulators
are bounded by drawing one normal per mode-step, so their rate is compared with the machine's ``torch.randn``
rate: one stream (the default, reproducible stream; the next draw is prefetched on a worker thread) against
one generator, and ``noise_streams=2`` against two generators drawing on two threads; and with a numpy loop
over steps (vectorised over modes): the SGD loop for every simulator, and the loop of the same optimizer; the exact strided samplers (SGD, heavy ball, noise-dominated Adam) report an *effective* rate: the
per-step steps that would give the same statistical error on every mode energy, per second.  Every built-in
optimizer spec is timed the same way (per step from its derived ``(A, b)``, and strided), at its default
parameters.
"""

from __future__ import annotations

import argparse
import json
import time


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--modes", type=int, default=1 << 15, help="modes K (default 32768)")
    parser.add_argument("--seeds", type=int, default=32, help="seeds (default 32)")
    parser.add_argument("--steps", type=int, default=200, help="time steps per timing (default 200)")
    parser.add_argument("--strided-steps", type=int, default=20000, help="per-step-equivalent T for strided (default 20000)")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many timings (default 3)")
    parser.add_argument("--threads", type=int, nargs="*", default=None,
                        help="torch thread counts to measure (default: torch's default, then 1; on a loaded "
                             "machine OpenMP threads contend and 1 thread can be much faster)")
    parser.add_argument("--device", default=None)
    parser.add_argument("--out", default="bench-results.json", help="JSON output file (default bench-results.json)")


def _best(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def measure(modes: int, seeds: int, steps: int, strided_steps: int, repeats: int, device=None) -> dict:
    """All throughput numbers in one dict (float32, the same modes x seeds everywhere)."""
    import numpy as np
    import torch

    from spectral_universality.numerics.quadratic import (pick_device, power_law_spectrum, simulate_quadratic,
                                                          simulate_spec)
    from spectral_universality.numerics.strided import simulate_strided
    from spectral_universality.theory.spec import builtin, builtin_names

    dev = pick_device(device)
    n = modes * seeds
    gen = torch.Generator(device=dev).manual_seed(0)
    buf = torch.empty(seeds, modes, device=dev)

    def sample():
        for _ in range(steps):
            torch.randn(seeds, modes, generator=gen, out=buf)

    sampling = n * steps / _best(sample, repeats)
    gens = [torch.Generator(device=dev).manual_seed(i) for i in (1, 2)]
    halves = buf.chunk(2)

    def sample_two_streams():
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(2) as pool:
            for _ in range(steps):
                futs = [pool.submit(torch.randn, h.shape, generator=g, out=h) for h, g in zip(halves, gens)]
                for f in futs:
                    f.result()

    sampling2 = n * steps / _best(sample_two_streams, repeats)
    big = torch.empty(1 << 24, device=dev)  # 64 MB
    dst = torch.empty_like(big)
    copy_bw = 20 * big.numel() * 4 / _best(lambda: [dst.copy_(big) for _ in range(20)], repeats)

    rng = np.random.default_rng(0)
    a = (1 - 0.1 * power_law_spectrum(modes, 1.0, dtype=torch.float32).numpy()).astype(np.float32)
    theta = np.zeros((seeds, modes), np.float32)
    z = np.empty_like(theta)

    def numpy_loop():
        for _ in range(steps):
            rng.standard_normal(dtype=np.float32, out=z)
            np.multiply(theta, a, out=theta)
            theta.__isub__(z)

    numpy_rate = n * steps / _best(numpy_loop, repeats)
    numpy_rates = {"sgd": numpy_rate, "adam-noise": numpy_rate}  # noise-dominated Adam is SGD at alpha / sigma
    lam_np = power_law_spectrum(modes, 1.0, dtype=torch.float32).numpy()
    buf, v, g, den = (np.zeros_like(theta) for _ in range(4))

    def numpy_momentum():
        for _ in range(steps):
            rng.standard_normal(dtype=np.float32, out=g)
            g.__iadd__(np.multiply(theta, lam_np, out=den))
            buf.__imul__(np.float32(0.9))
            buf.__iadd__(g)
            theta.__isub__(np.multiply(buf, np.float32(0.1), out=den))

    def numpy_adam():
        for t in range(1, steps + 1):
            rng.standard_normal(dtype=np.float32, out=g)
            g.__iadd__(np.multiply(theta, lam_np, out=den))
            buf.__imul__(np.float32(0.9))
            buf.__iadd__(np.multiply(g, np.float32(0.1), out=den))
            v.__imul__(np.float32(0.999))
            v.__iadd__(np.multiply(np.square(g, out=den), np.float32(0.001), out=den))
            np.sqrt(v, out=den)
            den.__iadd__(np.float32(1e-8 * (1 - 0.999**t) ** 0.5))
            np.divide(buf, den, out=den)
            theta.__isub__(np.multiply(den, np.float32(0.1 * (1 - 0.999**t) ** 0.5 / (1 - 0.9**t)), out=den))

    numpy_rates["momentum"] = n * steps / _best(numpy_momentum, repeats)
    numpy_rates["adam"] = n * steps / _best(numpy_adam, repeats)
    lam = power_law_spectrum(modes, 1.0, dtype=torch.float32, device=dev)
    rows, rows2 = {}, {}
    for opt in ("sgd", "momentum", "adam", "adam-noise"):
        for out, streams in ((rows, 1), (rows2, 2)):
            t = _best(lambda: simulate_quadratic(opt, lam, alpha=0.1, sigma=1.0, steps=steps, seeds=seeds,
                                                 generator=gen, noise_streams=streams), repeats)
            out[opt] = n * steps / t
    strided = {}
    for opt in ("sgd", "momentum", "adam-noise"):
        t = _best(lambda: simulate_strided(opt, lam, alpha=0.1, sigma=1.0, steps=strided_steps, seeds=seeds,
                                           generator=gen, dtype=torch.float32), 1)
        strided[opt] = n * strided_steps / t
    specs, specs_strided = {}, {}
    for name in builtin_names():  # every built-in spec at its default parameters, from its derived (A, b)
        p = dict(builtin(name).defaults)
        t = _best(lambda: simulate_spec(name, lam, params=p, sigma=1.0, steps=steps, seeds=seeds, generator=gen),
                  repeats)
        specs[name] = n * steps / t
        t = _best(lambda: simulate_strided(name, lam, alpha=0.0, sigma=1.0, steps=strided_steps, seeds=seeds,
                                           generator=gen, dtype=torch.float32, params=p), 1)
        specs_strided[name] = n * strided_steps / t
    return {
        "device": str(dev), "threads": torch.get_num_threads(), "modes": modes, "seeds": seeds, "steps": steps,
        "normal_samples_per_s": sampling, "normal_samples_per_s_two_streams": sampling2,
        "copy_bytes_per_s": copy_bw, "numpy_loop_mode_steps_per_s": numpy_rate,
        "per_step_mode_steps_per_s": rows, "per_step_two_streams_mode_steps_per_s": rows2,
        "strided_effective_mode_steps_per_s": strided,
        "ratio_to_sampling": {k: v / sampling for k, v in rows.items()},
        "ratio_to_numpy": {k: v / numpy_rate for k, v in rows.items()},
        "numpy_loop_same_optimizer_mode_steps_per_s": numpy_rates,
        "ratio_to_numpy_same_optimizer": {k: v / numpy_rates[k] for k, v in rows.items()},
        "two_streams_ratio_to_two_stream_sampling": {k: v / sampling2 for k, v in rows2.items()},
        "two_streams_ratio_to_numpy": {k: v / numpy_rate for k, v in rows2.items()},
        "strided_speedup_vs_per_step": {k: strided[k] / rows[k] for k in strided},
        "spec_per_step_mode_steps_per_s": specs, "spec_ratio_to_sampling": {k: v / sampling for k, v in specs.items()},
        "spec_strided_effective_mode_steps_per_s": specs_strided,
        "spec_strided_speedup_vs_per_step": {k: specs_strided[k] / specs[k] for k in specs},
    }


def format_table(r: dict) -> str:
    g = 1e9
    lines = [f"device {r['device']}, {r['threads']} threads, {r['modes']} modes x {r['seeds']} seeds, float32",
             f"normal sampling (torch.randn)   {r['normal_samples_per_s'] / g:8.3f} G samples/s "
             f"(two streams on two threads: {r['normal_samples_per_s_two_streams'] / g:.3f})",
             f"copy bandwidth                  {r['copy_bytes_per_s'] / g:8.2f} GB/s",
             f"numpy loop (SGD, per step)      {r['numpy_loop_mode_steps_per_s'] / g:8.3f} G mode-steps/s",
             f"{'simulator':<28}{'G mode-steps/s':>15}{'/ sampling':>12}{'/ numpy':>9}{'/ numpy same opt.':>19}"]
    for k, v in r["per_step_mode_steps_per_s"].items():
        lines.append(f"per-step {k:<19}{v / g:>15.3f}{r['ratio_to_sampling'][k]:>12.2f}{r['ratio_to_numpy'][k]:>9.2f}"
                     f"{r['ratio_to_numpy_same_optimizer'][k]:>19.2f}")
    for k, v in r["per_step_two_streams_mode_steps_per_s"].items():
        lines.append(f"per-step {k + ', 2 streams':<19}{v / g:>15.3f}"
                     f"{r['two_streams_ratio_to_two_stream_sampling'][k]:>12.2f}{r['two_streams_ratio_to_numpy'][k]:>9.2f}"
                     "  (/ two-stream sampling)")
    for k, v in r["strided_effective_mode_steps_per_s"].items():
        lines.append(f"strided {k:<20}{v / g:>15.3f}   x{r['strided_speedup_vs_per_step'][k]:.1f} vs per-step (equal error on e_k)")
    lines.append(f"{'spec (built-in, defaults)':<28}{'G mode-steps/s':>15}{'/ sampling':>12}{'strided x':>11}")
    for k, v in r["spec_per_step_mode_steps_per_s"].items():
        lines.append(f"spec {k:<23}{v / g:>15.3f}{r['spec_ratio_to_sampling'][k]:>12.2f}"
                     f"{r['spec_strided_speedup_vs_per_step'][k]:>11.1f}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from spectral_universality.errors import InputError

    if min(args.modes, args.seeds, args.steps, args.repeats) < 1 or args.strided_steps < 3:
        raise InputError("--modes, --seeds, --steps, --repeats must be >= 1 and --strided-steps >= 3")
    import torch

    from spectral_universality.numerics.threads import torch_threads

    results = []
    for threads in args.threads or sorted({torch.get_num_threads(), 1}, reverse=True):
        if threads < 1:
            raise InputError(f"--threads must be >= 1, got {threads}")
        with torch_threads(threads):
            result = measure(args.modes, args.seeds, args.steps, args.strided_steps, args.repeats, args.device)
        print(format_table(result), end="\n\n")
        results.append(result)
    with open(args.out, "w") as fh:
        json.dump(results, fh, indent=2)
    print(f"wrote {args.out}")
    return 0
