"""Scatter-based ops and backwards on empty operands: same results as torch, no crash."""

import numpy as np
import pytest
import torch

import mlx_compat


def _both(fn, *arrays, grad=True):
    t_in = [torch.from_numpy(a).requires_grad_(grad and a.dtype.kind == "f") for a in arrays]
    m_in = [mlx_compat.from_numpy(a).requires_grad_(grad and a.dtype.kind == "f") for a in arrays]
    t_out, m_out = fn(torch, *t_in), fn(mlx_compat, *m_in)
    assert tuple(m_out.shape) == tuple(t_out.shape)
    np.testing.assert_allclose(m_out.detach().numpy(), t_out.detach().numpy())
    if grad and t_out.requires_grad:
        cot = np.random.randn(*t_out.shape).astype(np.float32)
        tg = torch.autograd.grad(t_out, [t for t in t_in if t.requires_grad], torch.from_numpy(cot))
        mg = mlx_compat.autograd.grad(
            m_out, [m for m in m_in if m.requires_grad], mlx_compat.from_numpy(cot)
        )
        for a, b in zip(mg, tg, strict=True):
            assert tuple(a.shape) == tuple(b.shape)
            np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy())


R = np.random.default_rng()
EMPTY = np.zeros((0, 3, 3), np.float32)


@pytest.mark.parametrize(
    "fn",
    [
        lambda T, x: x.index_select(2, T.tensor([1, 0, 2, 2])),
        lambda T, x: x.index_add(1, T.tensor([0, 2]), x[:, :2] * 2),
        lambda T, x: x.index_copy(1, T.tensor([0, 2]), x[:, :2] * 2),
        lambda T, x: x.scatter_add(2, T.zeros(0, 3, 2, dtype=T.int64), x[:, :, :2]),
        lambda T, x: x.scatter(2, T.zeros(0, 3, 2, dtype=T.int64), x[:, :, :2]),
        lambda T, x: T.cummax(x, 1)[0],
        lambda T, x: T.sort(x, 2)[0],
        lambda T, x: x.as_strided((0, 2), (3, 1)),
        lambda T, x: T.nn.functional.pad(x, (1, 1), mode="reflect"),
        lambda T, x: T.repeat_interleave(x, 2, dim=1),
        lambda T, x: x.take_along_dim(T.zeros(0, 3, 1, dtype=T.int64), 2),
    ],
)
def test_empty_input(fn):
    _both(fn, EMPTY)


def test_empty_index_put_and_setitem():
    x = R.standard_normal((4, 3)).astype(np.float32)
    _both(lambda T, a: a.clone().index_put_((T.tensor([], dtype=T.int64),), T.tensor(1.0)), x)
    for T in (torch, mlx_compat):
        e = T.zeros(0, 3)
        e[:, 1:] = 5.0
        e.index_put_((T.tensor([], dtype=T.int64),), T.tensor(2.0), accumulate=True)
        assert tuple(e.shape) == (0, 3)


def test_embedding_empty_indices():
    w = R.standard_normal((5, 3)).astype(np.float32)
    _both(lambda T, a: T.nn.functional.embedding(T.zeros(0, dtype=T.int64), a), w)
