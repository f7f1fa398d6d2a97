"""torch.func transforms: mlx_compat against MLX's own transforms and torch.func.

Each case runs the same function on the same data:

* vmap:          f(v) = sin(v @ W).sum() over a batch of 128 vectors of 64
* per-sample grad: vmap(grad(f)) over the same batch
* jacrev/jacfwd: the 64 x 64 Jacobian of g(v) = sin(W @ v)
* hessian:       the Hessian of sum(g(v))

MLX references: ``mx.vmap``, ``mx.vmap(mx.grad)``, ``mx.vmap`` of ``mx.vjp`` /
``mx.jvp`` over the identity, and ``mx.vmap(mx.grad)`` of ``mx.grad`` (forward
over reverse is not available as a composition in MLX's Python API, so the
Hessian reference is reverse over reverse). mlx_compat and MLX results are
materialised (numpy) inside the timed call.

    python bench/func_transforms.py [--steps 30]
"""

import argparse
import sys

import numpy as np
from _turns import time_in_turns

B, D = 128, 64


def cases_torch_like(lib, x_np, w_np):
    f = lib.func
    x, w, v = lib.tensor(x_np), lib.tensor(w_np), lib.tensor(x_np[0])

    def loss(u):
        return (u @ w).sin().sum()

    def g(u):
        return (w @ u).sin()

    return {
        "vmap": lambda: f.vmap(loss)(x).numpy(),
        "per-sample grad": lambda: f.vmap(f.grad(loss))(x).numpy(),
        "jacrev": lambda: f.jacrev(g)(v).numpy(),
        "jacfwd": lambda: f.jacfwd(g)(v).numpy(),
        "hessian": lambda: f.hessian(lambda u: g(u).sum())(v).numpy(),
    }


def cases_mlx(x_np, w_np):
    import mlx.core as mx

    x, w, v = mx.array(x_np), mx.array(w_np), mx.array(x_np[0])
    eye = mx.eye(D)

    def loss(u):
        return mx.sin(u @ w).sum()

    def g(u):
        return mx.sin(w @ u)

    def jacrev(u):
        return mx.vmap(lambda c: mx.vjp(g, [u], [c])[1][0])(eye)

    def jacfwd(u):
        return mx.vmap(lambda t: mx.jvp(g, [u], [t])[1][0], out_axes=1)(eye)

    def hessian(u):
        return mx.vmap(lambda c: mx.vjp(mx.grad(lambda z: g(z).sum()), [u], [c])[1][0])(eye)

    return {
        "vmap": lambda: np.array(mx.vmap(loss)(x)),
        "per-sample grad": lambda: np.array(mx.vmap(mx.grad(loss))(x)),
        "jacrev": lambda: np.array(jacrev(v)),
        "jacfwd": lambda: np.array(jacfwd(v)),
        "hessian": lambda: np.array(hessian(v)),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--round", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.RandomState(0)
    x_np = rng.standard_normal((B, D)).astype(np.float32)
    w_np = (rng.standard_normal((D, D)) / np.sqrt(D)).astype(np.float32)

    import torch

    import mlx_compat

    impls = {
        "mlx_compat": cases_torch_like(mlx_compat, x_np, w_np),
        "mlx": cases_mlx(x_np, w_np),
        "torch": cases_torch_like(torch, x_np, w_np),
    }
    status = 0
    print(
        f"{'case':<18}" + "".join(f"{n + ' ms':>14}" for n in impls) + f"{'/ mlx':>8}{'/ torch':>9}"
    )
    for case in impls["mlx"]:
        ref = impls["torch"][case]()
        for name in ("mlx_compat", "mlx"):
            got = impls[name][case]()
            if got.shape != ref.shape or not np.allclose(got, ref, rtol=1e-4, atol=1e-5):
                print(f"*** {name} {case}: result differs from torch", file=sys.stderr)
                status = 1
        med, failed = time_in_turns(
            {name: (lambda fn=c[case]: fn) for name, c in impls.items()},
            args.steps,
            args.warmup,
            args.round,
        )
        status |= bool(failed)
        cells = "".join(f"{med[n] * 1e3:>14.3f}" if n in med else f"{'FAILED':>14}" for n in impls)
        ratios = ""
        if {"mlx_compat", "mlx", "torch"} <= set(med):
            ratios = (
                f"{med['mlx_compat'] / med['mlx']:>8.2f}{med['mlx_compat'] / med['torch']:>9.2f}"
            )
        print(f"{case:<18}{cells}{ratios}")
    sys.exit(status)


if __name__ == "__main__":
    main()
