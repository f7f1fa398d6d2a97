"""Recording the tape and running backward evaluate nothing: MLX runs once, at the
sync point (here the evaluation optimizer.step() performs). Gradients still match torch."""

import numpy as np
import pytest
import torch

import mlx_compat


def _model(lib, which):
    nn = lib.nn
    lib.manual_seed(0)
    if which == "mlp":
        return nn.Sequential(nn.Linear(12, 16), nn.ReLU(), nn.Linear(16, 5))
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
    return nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)


def _loss(lib, which, model, x_np, y_np):
    out = model(lib.tensor(x_np))
    if which == "mlp":
        return lib.nn.functional.cross_entropy(out, lib.tensor(y_np))
    return out.square().mean()


@pytest.mark.parametrize("which", ["mlp", "transformer"])
def test_forward_and_backward_run_no_evaluation(which):
    rng = np.random.default_rng()
    shape = (6, 12) if which == "mlp" else (3, 5, 8)
    x_np = rng.standard_normal(shape).astype(np.float32)
    y_np = rng.integers(0, 5, size=6)
    ours = _model(mlx_compat, which)
    before = mlx_compat._C._eval_count()
    _loss(mlx_compat, which, ours, x_np, y_np).backward()
    assert mlx_compat._C._eval_count() == before
    opt = mlx_compat.optim.SGD(ours.parameters(), lr=0.1)
    opt.step()
    assert mlx_compat._C._eval_count() == before + 1  # one evaluation for the whole step

    ref = _model(torch, which)
    _loss(torch, which, ref, x_np, y_np).backward()
    torch.optim.SGD(ref.parameters(), lr=0.1).step()
    for (name, p), q in zip(ours.named_parameters(), ref.parameters(), strict=True):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), 1e-5, 1e-6, err_msg=name)
