"""Double backward through in-place writes into views (CopySlices) against torch:
first and second derivatives on float64 inputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from parity import check_raises

import mlx_compat

RTOL, ATOL = 1e-7, 1e-9


def _run(lib, fn, arrays, seed):
    leaves = [lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in arrays]
    out = fn(lib, *leaves)
    rng = np.random.default_rng(seed)
    v = lib.tensor(rng.standard_normal(tuple(out.shape)), requires_grad=True)
    gs = lib.autograd.grad(out, leaves, v, create_graph=True, allow_unused=True)
    used = [i for i, g in enumerate(gs) if g is not None]
    gs = [gs[i] for i in used]
    for g in gs:
        assert g.requires_grad, "first derivative has no history under create_graph"
    ws = [lib.tensor(rng.standard_normal(tuple(g.shape))) for g in gs]
    ggs = lib.autograd.grad(gs, leaves + [v], ws, allow_unused=True)
    first = [g.detach().numpy() for g in gs]
    second = [None if g is None else g.detach().numpy() for g in ggs]
    return out.detach().numpy(), first, second


def check_gradgrad(fn, arrays, seed=0):
    t_out, t_first, t_second = _run(torch, fn, arrays, seed)
    m_out, m_first, m_second = _run(mlx_compat, fn, arrays, seed)
    np.testing.assert_allclose(m_out, t_out, rtol=RTOL, atol=ATOL)
    assert len(m_first) == len(t_first)
    for i, (a, b) in enumerate(zip(m_first, t_first, strict=True)):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, err_msg=f"first derivative {i}")
    for i, (a, b) in enumerate(zip(m_second, t_second, strict=True)):
        if a is None or b is None:
            other = a if b is None else b
            assert other is None or not np.any(other), f"second derivative {i}"
            continue
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, err_msg=f"second derivative {i}")


def rand(*shape, seed=0):
    return np.random.default_rng(seed).uniform(-2.0, 2.0, size=shape)


def slice_mul(lib, x, w):
    y = x.clone()
    y[1:3].mul_(w)
    return y.pow(2)


def diagonal_add(lib, x, x2):
    y = x * 1.5
    y.diagonal().add_(x2 * x2)
    return y * y


def select_copy(lib, x, z):
    y = x.clone()
    y.select(0, 1).copy_(z * z)
    return y.sin()


def transposed_row_exp(lib, x):
    y = x.clone()
    y.t()[0].exp_()
    return y * y


def setitem_column(lib, x, z):
    y = x.clone()
    y[:, 1] = z * z
    return y.pow(3)


def setitem_step(lib, x, z):
    y = x.clone()
    y[::2, 1:] = z.sin()
    return y * x


def view_of_view(lib, x, w):
    y = x.clone()
    v = y[1:]
    v[:, 0].mul_(w)
    return y.pow(2)


def two_writes(lib, x, w, w2):
    y = x.clone()
    y[0].mul_(w)
    y[:, 1].mul_(w2)
    return y * y


def strided_base(lib, x, w):
    y = x.t().clone()
    y[1].mul_(w)
    return y.pow(2)


def transposed_base(lib, x, w):
    # t_ leaves the base itself with transposed strides
    y = x.clone()
    y.t_()
    y[1].mul_(w)
    y[:, 0].exp_()
    return y.pow(2)


def empty_like_strided_base(lib, x, w):
    y = lib.empty_like(x.t())
    y.copy_(x.t() * 2.0)
    y[2:, 1].mul_(w)
    return y.sin()


def masked_fill_view(lib, x):
    y = x.clone()
    mask = lib.tensor([[True, False, True, False], [False, False, True, True]])
    y[1:].masked_fill_(mask, 0.5)
    return y.pow(3)


def index_put_view(lib, x, z):
    y = x.clone()
    idx = lib.tensor([2, 0])
    y[1:][idx] = z * z
    return y.pow(2)


def kept_view_sigmoid(lib, x):
    y = x * 2.0
    v = y[1:, ::2]
    v.sigmoid_()
    return y * v.sum()


def diagonal_sqrt(lib, x):
    y = x * x + 1.0
    y.diagonal(1).sqrt_()
    return y.pow(2)


def read_view_after_write(lib, x, w):
    y = x.clone()
    v = y[:, 1:3]
    y[0].mul_(w)
    return (v * v).sum(0)


CASES = [
    (slice_mul, [rand(4, 3), rand(3, seed=1)]),
    (diagonal_add, [rand(3, 3), rand(3, seed=1)]),
    (select_copy, [rand(3, 4), rand(4, seed=1)]),
    (transposed_row_exp, [rand(3, 4)]),
    (setitem_column, [rand(3, 4), rand(3, seed=1)]),
    (setitem_step, [rand(5, 4), rand(3, 3, seed=1)]),
    (view_of_view, [rand(4, 3), rand(3, seed=1)]),
    (two_writes, [rand(3, 4), rand(4, seed=1), rand(3, seed=2)]),
    (strided_base, [rand(4, 3), rand(4, seed=1)]),
    (transposed_base, [rand(4, 3), rand(4, seed=1)]),
    (empty_like_strided_base, [rand(3, 4), rand(2, seed=1)]),
    (masked_fill_view, [rand(3, 4)]),
    (index_put_view, [rand(4, 4), rand(2, 4, seed=1)]),
    (kept_view_sigmoid, [rand(3, 4)]),
    (diagonal_sqrt, [rand(3, 4)]),
    (read_view_after_write, [rand(3, 4), rand(4, seed=1)]),
]


@pytest.mark.parametrize("fn, arrays", CASES, ids=[c[0].__name__ for c in CASES])
def test_gradgrad_inplace_views(fn, arrays):
    check_gradgrad(fn, arrays)


SCATTERS = [
    (lambda lib, x, s: lib.select_scatter(x * x, s * s, 1, 2), [rand(3, 4), rand(3, seed=1)]),
    (
        lambda lib, x, s: lib.slice_scatter(x * x, s.exp(), 0, 1, 5, 2),
        [rand(6, 3), rand(2, 3, seed=1)],
    ),
    (
        lambda lib, x, s: lib.diagonal_scatter(x.sin(), s * s, 1),
        [rand(3, 4), rand(3, seed=1)],
    ),
    (
        lambda lib, x, s: lib.as_strided_scatter(x * x, s * s, (2, 2), (1, 3), 1),
        [rand(3, 3), rand(2, 2, seed=1)],
    ),
]


@pytest.mark.parametrize("i", range(len(SCATTERS)))
def test_gradgrad_view_scatter(i):
    fn, arrays = SCATTERS[i]
    check_gradgrad(fn, arrays)


@pytest.mark.parametrize("lib", [torch, mlx_compat], ids=["torch", "mlx_compat"])
def test_grad_of_grad_sum(lib):
    # y[1:3].mul_(w) then d/dw of (d loss / dw).sum(), as a user writes it.
    x = lib.tensor(rand(4, 3), requires_grad=True)
    w = lib.tensor(rand(3, seed=1), requires_grad=True)
    y = x.clone()
    y[1:3].mul_(w)
    loss = y.pow(2).sum()
    g = lib.autograd.grad(loss, w, create_graph=True)[0]
    g.sum().backward()
    xn, wn = rand(4, 3), rand(3, seed=1)
    # loss = sum x[0]^2 + x[3]^2 + sum_{i=1,2} (x_i w)^2
    rows = xn[1:3]
    np.testing.assert_allclose(g.detach().numpy(), 2 * (rows**2).sum(0) * wn, rtol=1e-12)
    np.testing.assert_allclose(w.grad.numpy(), 2 * (rows**2).sum(0), rtol=1e-12)
    expect_x = np.zeros_like(xn)
    expect_x[1:3] = 4 * rows * wn
    np.testing.assert_allclose(x.grad.numpy(), expect_x, rtol=1e-12)


def test_first_order_gradient_has_no_history():
    x = mlx_compat.tensor(rand(4, 3), requires_grad=True)
    w = mlx_compat.tensor(rand(3, seed=1), requires_grad=True)
    y = x.clone()
    y[1:3].mul_(w)
    gx, gw = mlx_compat.autograd.grad(y.pow(2).sum(), (x, w))
    assert gx.grad_fn is None and gw.grad_fn is None
    assert not gx.requires_grad and not gw.requires_grad


@pytest.mark.parametrize("write", ["add_", "setitem_const", "fill_"])
def test_backward_twice_through_view_write_raises(write):
    def fn(lib, x):
        x.requires_grad_(True)
        y = x.clone()
        if write == "add_":
            y[0].add_(1.0)
        elif write == "setitem_const":
            y[0] = 1.0
        else:
            y[:, 1].fill_(2.0)
        loss = y.sum()
        loss.backward()
        loss.backward()

    m_exc, _ = check_raises(fn, [rand(3, 4)])
    assert "second time" in str(m_exc)
