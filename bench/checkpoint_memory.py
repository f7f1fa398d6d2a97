"""Memory saved by activation checkpointing on a deep MLP.

The model is ``depth`` blocks of ``Linear(width, width) -> ReLU`` on a batch of
``batch`` rows, split into ``segments`` checkpointed segments
(``checkpoint_sequential``, whose last segment runs normally, as torch's does).
One step is forward, ``square().mean()`` loss, backward, and evaluation of all
gradients. Two figures:

* **saved for backward** (mlx_compat and torch): bytes of the tensors the
  autograd graph keeps after the forward pass, counted with
  ``saved_tensors_hooks``. This is what checkpointing removes. (torch's
  non-reentrant variant also passes the segment inputs through the hooks, by
  saving them in a no-op autograd Function; mlx_compat's keeps them by
  reference, so that row differs by the segment inputs.)
* **peak memory of the step** (mlx_compat and hand-written MLX): MLX's allocator
  peak during the step above the memory held before it (parameters and input).
  mlx_compat records lazily and evaluates once, so the peak is reached inside
  that single evaluation. The MLX reference uses ``mx.grad`` without and with
  ``mx.checkpoint`` on the same segments.

Gradients with checkpointing are compared with the plain ones (they must be
identical up to float rounding).

    python bench/checkpoint_memory.py [--depth 16] [--width 512] [--batch 2048] [--segments 4]
"""

import argparse
import sys

import numpy as np

MIB = 2.0**20
MODES = ("plain", "reentrant", "non-reentrant")


def torch_like(lib, args, x_np):
    """Runs the three modes in torch or mlx_compat; returns {mode: (saved bytes, grads)}."""
    from importlib import import_module

    checkpoint = import_module(lib.__name__ + ".utils.checkpoint")
    graph = import_module(lib.__name__ + ".autograd.graph")
    lib.manual_seed(0)
    layers = []
    for _ in range(args.depth):
        layers += [lib.nn.Linear(args.width, args.width), lib.nn.ReLU()]
    model = lib.nn.Sequential(*layers)
    x = lib.tensor(x_np).requires_grad_()
    out = {}
    for mode in MODES:
        model.zero_grad(set_to_none=True)
        saved = [0]

        def pack(t, saved=saved):
            saved[0] += t.numel() * t.element_size()
            return t

        with graph.saved_tensors_hooks(pack, lambda t: t):
            if mode == "plain":
                y = model(x)
            else:
                y = checkpoint.checkpoint_sequential(
                    model, args.segments, x, use_reentrant=(mode == "reentrant")
                )
        y.square().mean().backward()
        grads = [p.grad for p in model.parameters()]
        if hasattr(lib, "_C") and hasattr(lib._C, "_eval_step"):
            lib._C._eval_step(grads)
        out[mode] = (saved[0], [g.detach().numpy().copy() for g in grads])
    return model, x, out


def mlx_compat_peaks(args, model, x):
    import mlx.core as mx

    import mlx_compat as torch
    from mlx_compat.utils.checkpoint import checkpoint_sequential

    peaks = {}
    for mode in MODES:
        model.zero_grad(set_to_none=True)
        x.grad = None
        torch._C._eval_step(list(model.parameters()) + [x])
        mx.clear_cache()
        mx.reset_peak_memory()
        base = mx.get_active_memory()
        if mode == "plain":
            y = model(x)
        else:
            y = checkpoint_sequential(model, args.segments, x, use_reentrant=(mode == "reentrant"))
        y.square().mean().backward()
        torch._C._eval_step([p.grad for p in model.parameters()])
        peaks[mode] = (mx.get_peak_memory() - base) / MIB
    return peaks


def mlx_peaks(args, x_np):
    import mlx.core as mx

    rng = np.random.RandomState(1)
    bound = 1.0 / np.sqrt(args.width)
    params = [
        {
            "weight": mx.array(rng.uniform(-bound, bound, (args.width, args.width)).astype("f4")),
            "bias": mx.array(rng.uniform(-bound, bound, (args.width,)).astype("f4")),
        }
        for _ in range(args.depth)
    ]
    x = mx.array(x_np)
    per = -(-args.depth // args.segments)
    bounds = [(lo, min(lo + per, args.depth)) for lo in range(0, args.depth, per)]

    def segment(ps, h):
        for p in ps:
            h = mx.maximum(mx.addmm(p["bias"], h, p["weight"].T), 0.0)
        return h

    def loss(params, x, ck):
        h = x
        for i, (lo, hi) in enumerate(bounds):
            fn = segment
            if ck and i < len(bounds) - 1:  # the last segment runs normally, as torch's
                fn = mx.checkpoint(segment)
            h = fn(params[lo:hi], h)
        return (h * h).mean()

    mx.eval(params, x)
    peaks = {}
    for ck in (False, True):
        mx.clear_cache()
        mx.reset_peak_memory()
        base = mx.get_active_memory()
        g = mx.grad(loss)(params, x, ck)
        mx.eval(g)
        peaks["mx.checkpoint" if ck else "plain"] = (mx.get_peak_memory() - base) / MIB
        del g
    return peaks


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=16)
    parser.add_argument("--width", type=int, default=512)
    parser.add_argument("--batch", type=int, default=2048)
    parser.add_argument("--segments", type=int, default=4)
    args = parser.parse_args()
    x_np = np.random.RandomState(0).standard_normal((args.batch, args.width)).astype("f4")
    act = args.batch * args.width * 4 / MIB
    print(
        f"MLP: {args.depth} x (Linear({args.width},{args.width}) ReLU), batch {args.batch}, "
        f"{args.segments} segments; one activation = {act:.1f} MiB\n"
    )

    import torch

    import mlx_compat

    _, _, ref = torch_like(torch, args, x_np)
    model, x, ours = torch_like(mlx_compat, args, x_np)
    status = 0
    print(f"{'saved for backward (MiB)':<28}{'torch':>10}{'mlx_compat':>12}")
    for mode in MODES:
        print(f"{mode:<28}{ref[mode][0] / MIB:>10.1f}{ours[mode][0] / MIB:>12.1f}")
    print()
    for mode in MODES[1:]:
        diff = max(
            float(np.abs(a - b).max() / (np.abs(b).max() + 1e-30))
            for a, b in zip(ours[mode][1], ours["plain"][1], strict=True)
        )
        print(f"mlx_compat {mode}: gradients vs plain, max relative difference {diff:.1e}")
        if diff > 1e-5:
            status = 1
    print()

    peaks = mlx_compat_peaks(args, model, x)
    ref_peaks = mlx_peaks(args, x_np)
    print(f"{'peak memory of a step (MiB)':<32}{'value':>8}{'/ plain':>9}")
    for mode, value in peaks.items():
        print(f"{'mlx_compat ' + mode:<32}{value:>8.1f}{value / peaks['plain']:>9.2f}")
    for mode, value in ref_peaks.items():
        print(f"{'mlx ' + mode:<32}{value:>8.1f}{value / ref_peaks['plain']:>9.2f}")
    sys.exit(status)


if __name__ == "__main__":
    main()
