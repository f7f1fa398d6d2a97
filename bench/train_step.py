"""Time one training step of the digits MLP on three implementations.

A step is forward, cross-entropy loss, backward and an Adam update, followed
by whatever is needed to make sure the work has really been done:

* mlx_compat: ``loss.item()`` after ``opt.step()``
* MLX (hand-written, eager): one ``mx.eval(model.parameters(), opt.state, loss)``
* torch (eager CPU): nothing extra

All three run in this process on the same random batch. After a warm-up, the
implementations take turns in short rounds so that machine noise affects them
alike, and the median time per step is reported.

    python bench/train_step.py [--steps 60] [--batch 64]

If mlx_compat fails, its traceback is printed, the other two are still
measured, and the script exits with status 1.
"""

import argparse
import sys

import numpy as np
from _turns import time_in_turns

TARGET = 1.15
IN_FEATURES, HIDDEN, CLASSES = 784, 256, 10


def make_batch(batch, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.rand(batch, IN_FEATURES).astype(np.float32)
    y = rng.randint(0, CLASSES, size=batch).astype(np.int64)
    return x, y


def torch_like_step(lib, x_np, y_np, sync):
    """Build a step function for a PyTorch-style library (torch or mlx_compat)."""
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(nn.Linear(IN_FEATURES, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, CLASSES))
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x, y = lib.tensor(x_np), lib.tensor(y_np)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        if sync:
            loss.item()

    return step


def setup_mlx_compat(x_np, y_np):
    import mlx_compat

    return torch_like_step(mlx_compat, x_np, y_np, sync=True)


def setup_torch(x_np, y_np):
    import torch

    return torch_like_step(torch, x_np, y_np, sync=False)


def setup_mlx(x_np, y_np):
    import mlx.core as mx
    import mlx.nn as nn
    import mlx.optimizers as optim

    mx.random.seed(0)
    model = nn.Sequential(nn.Linear(IN_FEATURES, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, CLASSES))
    opt = optim.Adam(learning_rate=1e-3)
    x, y = mx.array(x_np), mx.array(y_np.astype(np.int32))

    def loss_fn(model, x, y):
        return nn.losses.cross_entropy(model(x), y, reduction="mean")

    loss_and_grad = nn.value_and_grad(model, loss_fn)

    def step():
        loss, grads = loss_and_grad(model, x, y)
        opt.update(model, grads)
        mx.eval(model.parameters(), opt.state, loss)

    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60, help="timed steps (>= 30)")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--round", type=int, default=5, help="steps per turn")
    args = parser.parse_args()
    if args.steps < 30:
        parser.error("--steps must be at least 30")

    x_np, y_np = make_batch(args.batch)
    setups = {
        "mlx_compat": lambda: setup_mlx_compat(x_np, y_np),
        "mlx": lambda: setup_mlx(x_np, y_np),
        "torch": lambda: setup_torch(x_np, y_np),
    }
    med, failed = time_in_turns(setups, args.steps, args.warmup, args.round)
    med = {name: t * 1e3 for name, t in med.items()}
    model = f"Linear({IN_FEATURES},{HIDDEN}) ReLU Linear({HIDDEN},{CLASSES})"
    print(f"train step: {model}, Adam, batch {args.batch}")
    print(f"median of {args.steps} steps after {args.warmup} warm-up steps\n")
    print(f"{'implementation':<16}{'ms/step':>10}")
    for name in setups:
        value = "FAILED" if name in failed else f"{med[name]:.3f}"
        print(f"{name:<16}{value:>10}")
    print()
    for other in ("mlx", "torch"):
        label = f"mlx_compat / {other}"
        if "mlx_compat" in med and other in med:
            print(f"{label:<24}{med['mlx_compat'] / med[other]:.2f}")
        else:
            print(f"{label:<24}n/a")
    print(f"target: mlx_compat/mlx <= {TARGET}")
    if failed:
        print(f"failed: {', '.join(sorted(failed))}")
        sys.exit(1)


if __name__ == "__main__":
    main()
