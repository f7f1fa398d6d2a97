"""torch.utils.checkpoint against torch: same outputs and gradients (dropout inside
included: the generator state is replayed), both variants, checkpoint_sequential."""

import warnings

import numpy as np
import pytest
import torch

import mlx_compat


def _run(lib, reentrant, a, w):
    from importlib import import_module

    ck = import_module(lib.__name__ + ".utils.checkpoint").checkpoint
    x = lib.from_numpy(a).requires_grad_()
    weight = lib.from_numpy(w).requires_grad_()

    def segment(t, scale=1.0):
        return lib.nn.functional.dropout((t @ weight).tanh(), 0.3, True).sin() * scale

    lib.manual_seed(0)
    y = ck(segment, x, 2.0, use_reentrant=reentrant)
    (y * y).sum().backward()
    return y.detach().numpy(), x.grad.numpy(), weight.grad.numpy()


@pytest.mark.parametrize("reentrant", [True, False])
def test_checkpoint_matches_torch(reentrant):
    rng = np.random.default_rng()
    a = rng.standard_normal((4, 5)).astype(np.float32)
    w = rng.standard_normal((5, 5)).astype(np.float32)
    outs = zip(_run(mlx_compat, reentrant, a, w), _run(torch, reentrant, a, w), strict=True)
    # The output within forward tolerance; gradients (sums that can cancel) within 1e-4.
    for i, (ours, theirs) in enumerate(outs):
        tol = (1e-5, 1e-6) if i == 0 else (1e-4, 1e-5)
        np.testing.assert_allclose(ours, theirs, rtol=tol[0], atol=tol[1])


def test_checkpoint_sequential_and_arguments():
    torch.manual_seed(1)
    tm = torch.nn.Sequential(torch.nn.Linear(6, 6), torch.nn.Tanh(), torch.nn.Linear(6, 3))
    mlx_compat.manual_seed(1)
    mm = mlx_compat.nn.Sequential(
        mlx_compat.nn.Linear(6, 6), mlx_compat.nn.Tanh(), mlx_compat.nn.Linear(6, 3)
    )
    a = np.random.default_rng().standard_normal((2, 6)).astype(np.float32)
    outs = []
    for lib, model in ((torch, tm), (mlx_compat, mm)):
        from importlib import import_module

        seq = import_module(lib.__name__ + ".utils.checkpoint").checkpoint_sequential
        x = lib.from_numpy(a).requires_grad_()
        y = seq(model, 2, x, use_reentrant=False)
        y.sum().backward()
        outs.append((y.detach().numpy(), x.grad.numpy(), model[0].weight.grad.numpy()))
    for ours, theirs in zip(outs[1], outs[0], strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    ck = mlx_compat.utils.checkpoint.checkpoint
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ck(lambda t: t * 2, mlx_compat.randn(2, requires_grad=True))
    assert any("use_reentrant" in str(w.message) for w in caught)
    with pytest.raises(ValueError):
        ck(lambda t: t, mlx_compat.randn(2), use_reentrant=True, debug=True)


def _twice(lib, a, w):
    from importlib import import_module

    ck = import_module(lib.__name__ + ".utils.checkpoint").checkpoint
    x = lib.from_numpy(a).requires_grad_()
    weight = lib.from_numpy(w).requires_grad_()
    y = ck(lambda t: (t @ weight).tanh() * t.exp(), x, use_reentrant=False)
    loss = (y * y).sum()
    loss.backward(retain_graph=True)
    first = weight.grad.numpy().copy()
    loss.backward()  # the recomputed values were handed out once: recomputed again
    return first, weight.grad.numpy(), x.grad.numpy()


def test_non_reentrant_backward_twice_with_retain_graph():
    rng = np.random.default_rng()
    a = rng.standard_normal((3, 4)).astype(np.float32)
    w = rng.standard_normal((4, 4)).astype(np.float32)
    for ours, theirs in zip(_twice(mlx_compat, a, w), _twice(torch, a, w), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)  # gradient tolerance
