"""A leaf's .grad as torch's layout contract stores it (the leaf's strides when
it is dense, never a view, a recorded copy under create_graph), copy_'s
CopyBackwards, and detach_() refusing views."""

import numpy as np
import pytest
import torch
from parity import assert_same, check_raises

import mlx_compat


@pytest.fixture
def rng():
    return np.random.default_rng()


LEAVES = [
    ("contiguous", lambda M, a: M.tensor(a)),
    ("transposed", lambda M, a: M.tensor(a.reshape(4, 15)).t()),
    (
        "channels_last",
        lambda M, a: M.tensor(a.reshape(1, 3, 4, 5)).contiguous(memory_format=M.channels_last),
    ),
    ("permuted", lambda M, a: M.tensor(a.reshape(3, 4, 5)).permute(2, 0, 1)),
    ("strided", lambda M, a: M.tensor(a.reshape(6, 10))[:, ::2]),
    ("expanded", lambda M, a: M.tensor(a[:5]).expand(4, 5)),
]


def _leaf(M, make, a):
    return make(M, a).detach().requires_grad_()


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("name,make", LEAVES, ids=[x[0] for x in LEAVES])
def test_first_grad_layout(rng, name, make, create_graph):
    a = rng.normal(size=60).astype(np.float32)
    t, m = _leaf(torch, make, a), _leaf(mlx_compat, make, a)
    w = rng.normal(size=tuple(t.shape)).astype(np.float32)
    (t * t * torch.tensor(w)).sum().backward(create_graph=create_graph)
    (m * m * mlx_compat.tensor(w)).sum().backward(create_graph=create_graph)
    assert_same(m.grad, t.grad, 1e-5, 1e-6)
    assert m.grad.stride() == t.grad.stride()
    assert m.grad._base is None and t.grad._base is None
    assert type(m.grad.grad_fn).__name__ == type(t.grad.grad_fn).__name__
    if create_graph:
        # The copy keeps the graph: second derivatives flow through it.
        (gt,) = torch.autograd.grad(t.grad.sum(), t)
        (gm,) = mlx_compat.autograd.grad(m.grad.sum(), m)
        assert_same(gm, gt, 1e-5, 1e-6)


def test_grad_of_view_backward_is_not_a_view(rng):
    a = rng.normal(size=(3, 4)).astype(np.float32)
    for M in (torch, mlx_compat):
        x = M.tensor(a, requires_grad=True)
        (x.t() * 2).sum().backward(create_graph=True)
        assert x.grad._base is None and x.grad.stride() == (4, 1)
        x.grad.detach_()  # what Optimizer.zero_grad does to a grad with history
        assert x.grad.grad_fn is None


def test_zero_grad_after_create_graph(rng):
    a = rng.normal(size=(5, 3)).astype(np.float32)
    grads = {}
    for M in (torch, mlx_compat):
        p = M.nn.Parameter(M.tensor(a))
        opt = M.optim.SGD([p], lr=0.1)
        (p.t() ** 3).sum().backward(create_graph=True)
        grads[M] = p.grad.detach().clone()
        opt.zero_grad(set_to_none=False)
        assert float(p.grad.abs().sum()) == 0.0 and p.grad.grad_fn is None
    assert_same(grads[mlx_compat], grads[torch], 1e-5, 1e-6)


COPIES = [
    ("same", (4, 3), "float32", (4, 3), "float32"),
    ("broadcast", (3,), "float32", (2, 4, 3), "float32"),
    ("to_double", (2, 3), "float32", (2, 3), "float64"),
    ("from_double", (1, 3), "float64", (5, 3), "float32"),
    ("real_to_complex", (6,), "float32", (6,), "complex64"),
    ("complex_to_complex", (2, 1), "complex64", (2, 3), "complex64"),
]


@pytest.mark.parametrize(
    "name,src_shape,src_dt,dst_shape,dst_dt", COPIES, ids=[c[0] for c in COPIES]
)
def test_copy_backward(rng, name, src_shape, src_dt, dst_shape, dst_dt):
    a = rng.normal(size=src_shape) + (1j * rng.normal(size=src_shape) if "complex" in src_dt else 0)
    g = rng.normal(size=dst_shape) + (1j * rng.normal(size=dst_shape) if "complex" in dst_dt else 0)
    res = {}
    for M in (torch, mlx_compat):
        src = M.tensor(a.astype(src_dt), requires_grad=True)
        dst = M.zeros(dst_shape, dtype=getattr(M, dst_dt))
        dst.copy_(src * 2)
        assert type(dst.grad_fn).__name__ == "CopyBackwards"
        dst.backward(M.tensor(g.astype(dst_dt)))
        res[M] = (dst, src.grad)
    assert_same(res[mlx_compat][0].detach(), res[torch][0].detach(), 1e-6, 1e-6)
    assert_same(res[mlx_compat][1], res[torch][1], 1e-5, 1e-6)
    assert res[mlx_compat][1].dtype == getattr(mlx_compat, src_dt)


def test_copy_into_view_of_graph(rng):
    a = rng.normal(size=(4, 5)).astype(np.float32)
    b = rng.normal(size=(5,)).astype(np.float32)
    res = {}
    for M in (torch, mlx_compat):
        x = M.tensor(a, requires_grad=True)
        s = M.tensor(b, requires_grad=True)
        y = x * 1.5
        y[2].copy_(s.exp())
        (y * y).sum().backward()
        res[M] = (x.grad, s.grad, type(y.grad_fn).__name__)
    assert_same(res[mlx_compat][0], res[torch][0], 1e-5, 1e-6)
    assert_same(res[mlx_compat][1], res[torch][1], 1e-5, 1e-6)
    assert res[mlx_compat][2] == res[torch][2]


VIEWS = [
    ("select", lambda x: x[1]),
    ("transpose", lambda x: x.t()),
    ("view", lambda x: x.view(-1)),
    ("slice", lambda x: x[:, 1:]),
    ("diagonal", lambda x: x.diagonal()),
    ("grad_view", lambda x: x.requires_grad_()[0]),
]


@pytest.mark.parametrize("name,view", VIEWS, ids=[v[0] for v in VIEWS])
def test_detach_inplace_on_view_raises(rng, name, view):
    a = rng.normal(size=(4, 4)).astype(np.float32)
    m_exc, t_exc = check_raises(lambda M, x: view(x).detach_(), [a])
    assert str(m_exc) == str(t_exc)


def test_detach_inplace_allowed(rng):
    a = rng.normal(size=(3, 3)).astype(np.float32)
    for M in (torch, mlx_compat):
        x = M.tensor(a, requires_grad=True)
        y = (x * 2).detach_()
        assert not y.requires_grad and y.grad_fn is None
        z = x[0].detach()
        assert z.detach_() is z  # a detached view is not a view for autograd


def test_copy_of_constant_into_graph(rng):
    a = rng.normal(size=(3, 4)).astype(np.float32)
    c = rng.normal(size=(3, 4)).astype(np.float32)
    res = {}
    for M in (torch, mlx_compat):
        x = M.tensor(a, requires_grad=True)
        y = x * 2
        y.copy_(M.tensor(c))
        z = x * 3
        z[1].copy_(M.tensor(c[0]))
        ((y + 1) * z).sum().backward()
        res[M] = (type(y.grad_fn).__name__, type(z.grad_fn).__name__, x.grad)
    assert res[mlx_compat][:2] == res[torch][:2] == ("CopyBackwards", "CopySlices")
    assert_same(res[mlx_compat][2], res[torch][2], 1e-5, 1e-6)
