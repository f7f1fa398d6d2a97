"""Forward + backward time of mlx_compat's tape against mlx.nn.value_and_grad.

Two models, each built three times on the same data:

* **mlp**: the Quick Start model, ``Linear(784, 256) -> ReLU -> Linear(256, 10)``,
  cross-entropy on a batch of 64;
* **transformer**: 4 ``TransformerEncoderLayer(d_model=128, nhead=4,
  dim_feedforward=512, dropout=0, batch_first=True)`` layers (post-norm, ReLU),
  loss ``out.square().mean()``, input 16 x 64 x 128.

One timed call computes the loss and the gradients of all parameters and makes
sure they exist:

* mlx_compat: ``loss.backward()`` then one evaluation of the gradients and the
  loss (``_C._eval_step``, the evaluation ``optimizer.step()`` performs);
* MLX (hand-written, same layers and the same operations: fused in-projection,
  ``mx.fast.scaled_dot_product_attention``, post-norm): ``nn.value_and_grad``
  then ``mx.eval(loss, grads)``;
* torch (eager CPU): ``loss.backward()``.

Also printed: how many MLX evaluations mlx_compat ran while recording the
forward pass and the backward pass (before the final evaluation); it should be 0.

    python bench/backward_speed.py [--steps 40] [--warmup 5] [--round 5]
"""

import argparse
import math
import sys

import numpy as np
from _turns import time_in_turns

TARGET = 1.15
MLP = (784, 256, 10, 64)  # in, hidden, classes, batch
TRANSFORMER = dict(layers=4, d_model=128, nhead=4, ff=512, batch=16, seq=64)


def mlp_data():
    rng = np.random.RandomState(0)
    x = rng.rand(MLP[3], MLP[0]).astype(np.float32)
    y = rng.randint(0, MLP[2], size=MLP[3]).astype(np.int64)
    return x, y


def transformer_data():
    t = TRANSFORMER
    x = np.random.RandomState(0).standard_normal((t["batch"], t["seq"], t["d_model"]))
    return x.astype(np.float32), None


# ----------------------------------------------------------------- torch-like


def torch_like_model(lib, which):
    nn = lib.nn
    lib.manual_seed(0)
    if which == "mlp":
        return nn.Sequential(nn.Linear(MLP[0], MLP[1]), nn.ReLU(), nn.Linear(MLP[1], MLP[2]))
    t = TRANSFORMER
    layer = nn.TransformerEncoderLayer(
        t["d_model"], t["nhead"], t["ff"], dropout=0.0, batch_first=True
    )
    return nn.TransformerEncoder(layer, t["layers"], enable_nested_tensor=False)


def torch_like_step(lib, which, x_np, y_np, sync):
    model = torch_like_model(lib, which)
    params = list(model.parameters())
    x = lib.tensor(x_np)
    y = lib.tensor(y_np) if y_np is not None else None
    loss_fn = lib.nn.CrossEntropyLoss()
    counts = []

    def step():
        for p in params:
            p.grad = None
        c0 = lib._C._eval_count() if sync else 0
        out = model(x)
        loss = loss_fn(out, y) if which == "mlp" else out.square().mean()
        loss.backward()
        if sync:
            counts.append(lib._C._eval_count() - c0)
            lib._C._eval_step([p.grad for p in params] + [loss])

    return step, counts


# ------------------------------------------------------------------------ MLX


def mlx_step(which, x_np, y_np):
    import mlx.core as mx
    import mlx.nn as nn

    mx.random.seed(0)
    if which == "mlp":
        model = nn.Sequential(nn.Linear(MLP[0], MLP[1]), nn.ReLU(), nn.Linear(MLP[1], MLP[2]))
        x, y = mx.array(x_np), mx.array(y_np.astype(np.int32))

        def loss_fn(model, x, y):
            return nn.losses.cross_entropy(model(x), y, reduction="mean")

    else:
        t = TRANSFORMER

        class EncoderLayer(nn.Module):
            def __init__(self, d, heads, ff):
                super().__init__()
                self.heads = heads
                self.in_proj = nn.Linear(d, 3 * d)
                self.out_proj = nn.Linear(d, d)
                self.linear1 = nn.Linear(d, ff)
                self.linear2 = nn.Linear(ff, d)
                self.norm1 = nn.LayerNorm(d)
                self.norm2 = nn.LayerNorm(d)

            def __call__(self, x):
                b, n, d = x.shape
                h = self.heads
                q, k, v = mx.split(self.in_proj(x), 3, axis=-1)
                q, k, v = (a.reshape(b, n, h, d // h).transpose(0, 2, 1, 3) for a in (q, k, v))
                a = mx.fast.scaled_dot_product_attention(q, k, v, scale=1 / math.sqrt(d // h))
                a = a.transpose(0, 2, 1, 3).reshape(b, n, d)
                x = self.norm1(x + self.out_proj(a))
                return self.norm2(x + self.linear2(nn.relu(self.linear1(x))))

        model = nn.Sequential(
            *[EncoderLayer(t["d_model"], t["nhead"], t["ff"]) for _ in range(t["layers"])]
        )
        x, y = mx.array(x_np), None

        def loss_fn(model, x, y):
            return mx.square(model(x)).mean()

    mx.eval(model.parameters())
    loss_and_grad = nn.value_and_grad(model, loss_fn)

    def step():
        loss, grads = loss_and_grad(model, x, y)
        mx.eval(loss, grads)

    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40, help="timed steps (>= 20)")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--round", type=int, default=5, help="steps per turn")
    args = parser.parse_args()
    if args.steps < 20:
        parser.error("--steps must be at least 20")

    status = 0
    for which, data in (("mlp", mlp_data), ("transformer", transformer_data)):
        x_np, y_np = data()
        counts = []

        def setup_ours(which=which, x_np=x_np, y_np=y_np, counts=counts):
            import mlx_compat

            step, c = torch_like_step(mlx_compat, which, x_np, y_np, sync=True)
            counts.append(c)
            return step

        def setup_torch(which=which, x_np=x_np, y_np=y_np):
            import torch

            return torch_like_step(torch, which, x_np, y_np, sync=False)[0]

        setups = {
            "mlx_compat": setup_ours,
            "mlx": lambda which=which, x_np=x_np, y_np=y_np: mlx_step(which, x_np, y_np),
            "torch": setup_torch,
        }
        med, failed = time_in_turns(setups, args.steps, args.warmup, args.round)
        print(f"== {which}: forward + backward, median of {args.steps} after {args.warmup} warm-up")
        for name in setups:
            value = f"{med[name] * 1e3:.3f}" if name in med else "FAILED"
            print(f"{name:<16}{value:>10} ms")
        for other in ("mlx", "torch"):
            if "mlx_compat" in med and other in med:
                print(f"{'mlx_compat / ' + other:<24}{med['mlx_compat'] / med[other]:.2f}")
        if counts and counts[0]:
            print(f"MLX evaluations while recording and running backward: {max(counts[0])}")
        print(f"target: mlx_compat/mlx <= {TARGET}\n")
        if failed:
            status = 1
    sys.exit(status)


if __name__ == "__main__":
    main()
