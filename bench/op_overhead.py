"""Measure the fixed cost of one small elementwise op.

A chain of elementwise ops is applied to a tiny float32 tensor, feeding each
result into the next op, and the final value is read back once at the end
(``y.sum().item()`` in every library). With tensors this small the arithmetic
is negligible, so the time per op is the cost of dispatching it: recording a
graph node for the lazy libraries, running the kernel for torch.

Compared implementations, all in this process:

* mlx_compat: the chain written with PyTorch tensor methods
* mlx.core: the same chain on ``mx.array`` directly
* torch: eager CPU

    python bench/op_overhead.py [--links 25] [--repeats 30] [--size 16]
"""

import argparse
import statistics
import sys
import time
import traceback

import numpy as np

TARGET = 1.5
OPS_PER_LINK = 9  # mul, add, exp, sub, abs, sqrt, neg, div, mul


def chain_methods(x, links):
    """The chain using tensor methods and operators (mlx_compat, torch)."""
    y = x
    for _ in range(links):
        y = y * 1.5 + 0.5
        y = y.exp()
        y = y - x
        y = y.abs()
        y = y.sqrt()
        y = -y
        y = y / 2.0
        y = y * x
    return y.sum().item()


def chain_numpy(x, links):
    """Reference result, computed in float32 with numpy."""
    y = x
    for _ in range(links):
        y = np.float32(0.5) * -np.sqrt(np.abs(np.exp(y * np.float32(1.5) + 0.5) - x))
        y = y * x
    return float(y.sum())


def chain_mx(x, links):
    """The same chain as mlx.core function calls."""
    import mlx.core as mx

    y = x
    for _ in range(links):
        y = mx.add(mx.multiply(y, 1.5), 0.5)
        y = mx.exp(y)
        y = mx.subtract(y, x)
        y = mx.abs(y)
        y = mx.sqrt(y)
        y = mx.negative(y)
        y = mx.divide(y, 2.0)
        y = mx.multiply(y, x)
    return y.sum().item()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=25, help="chain repetitions")
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--size", type=int, default=16)
    args = parser.parse_args()

    x_np = np.random.RandomState(0).rand(args.size).astype(np.float32)
    expected = chain_numpy(x_np, args.links)

    def load_mlx_compat():
        import mlx_compat

        x = mlx_compat.tensor(x_np)
        return lambda: chain_methods(x, args.links)

    def load_mx():
        import mlx.core as mx

        x = mx.array(x_np)
        return lambda: chain_mx(x, args.links)

    def load_torch():
        import torch

        x = torch.tensor(x_np)
        return lambda: chain_methods(x, args.links)

    loaders = {"mlx_compat": load_mlx_compat, "mlx.core": load_mx, "torch": load_torch}
    runs, times, failed = {}, {}, []
    for name, load in loaders.items():
        try:
            run = load()
            for _ in range(args.warmup):
                got = run()
            if not np.isclose(got, expected, rtol=1e-4, atol=1e-5):
                raise AssertionError(f"chain result {got!r}, expected {expected!r}")
        except Exception:
            sys.stdout.flush()
            print(f"\n*** {name} FAILED ***", file=sys.stderr)
            traceback.print_exc()
            print(file=sys.stderr)
            failed.append(name)
            continue
        runs[name] = run
        times[name] = []

    # Interleave: one timed chain per implementation per round.
    n_ops = args.links * OPS_PER_LINK
    for i in range(args.repeats):
        names = list(runs)
        k = i % len(names) if names else 0
        for name in names[k:] + names[:k]:
            t0 = time.perf_counter()
            runs[name]()
            times[name].append((time.perf_counter() - t0) / n_ops)

    med = {name: statistics.median(t) * 1e6 for name, t in times.items()}
    print(f"op overhead: shape ({args.size},) float32, {n_ops} ops per sync")
    print(f"median of {args.repeats} repeats\n")
    print(f"{'implementation':<16}{'us/op':>10}")
    for name in loaders:
        value = f"{med[name]:.2f}" if name in med else "FAILED"
        print(f"{name:<16}{value:>10}")
    print()
    for other in ("mlx.core", "torch"):
        label = f"mlx_compat / {other}"
        if "mlx_compat" in med and other in med:
            print(f"{label:<24}{med['mlx_compat'] / med[other]:.2f}")
        else:
            print(f"{label:<24}n/a")
    print(f"target: mlx_compat/mlx.core <= {TARGET}")
    if failed:
        print(f"failed: {', '.join(failed)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
