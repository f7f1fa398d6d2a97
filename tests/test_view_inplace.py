"""In-place view ops (t_, transpose_, swapdims_, swapaxes_, squeeze_, unsqueeze_,
as_strided_) against torch: geometry, identity, versions, histories, gradients
and errors."""

import numpy as np
import pytest
import torch
from parity import assert_same, check_raises

import mlx_compat


def name(t):
    return type(t.grad_fn).__name__ if t.grad_fn is not None else None


def geom(t):
    return (tuple(t.shape), tuple(t.stride()), t.storage_offset())


def data(shape, seed=0):
    return np.random.default_rng(seed).uniform(-2, 2, size=shape).astype(np.float32)


# (method, args, input shape)
OPS = [
    ("t_", (), (3, 4)),
    ("t_", (), (5,)),
    ("t_", (), ()),
    ("transpose_", (0, 2), (2, 3, 4)),
    ("transpose_", (-1, 0), (2, 3)),
    ("transpose_", (1, 1), (2, 3)),
    ("swapdims_", (0, 1), (2, 3, 4)),
    ("swapaxes_", (2, 1), (2, 3, 4)),
    ("squeeze_", (), (1, 3, 1, 4)),
    ("squeeze_", (0,), (1, 3, 1, 4)),
    ("squeeze_", (1,), (1, 3, 1, 4)),
    ("squeeze_", ((0, 2),), (1, 3, 1, 4)),
    ("squeeze_", ((),), (1, 3)),
    ("squeeze_", (0,), ()),
    ("unsqueeze_", (0,), (3, 4)),
    ("unsqueeze_", (-1,), (3, 4)),
    ("unsqueeze_", (1,), (3, 4)),
    ("unsqueeze_", (0,), ()),
    ("as_strided_", ((2, 2), (1, 2)), (3, 4)),
    ("as_strided_", ((2, 3), (3, 1), 2), (3, 4)),
    ("as_strided_", ((3, 2), (0, 1)), (3, 4)),
    ("as_strided_", ((), ()), (3, 4)),
    ("as_strided_", ((0, 2), (5, 1), 7), (3, 4)),
]


def ids(ops):
    return [f"{m}{a}-{s}" for m, a, s in ops]


@pytest.mark.parametrize(("method", "args", "shape"), OPS, ids=ids(OPS))
def test_plain_tensor(method, args, shape):
    arr = data(shape)
    seen = []
    for M in (torch, mlx_compat):
        x = M.tensor(arr)
        other = x.view(-1) if x.dim() else x.view(1)
        ptr, other_geom = x.data_ptr(), geom(other)
        r = getattr(x, method)(*args)
        assert r is x
        if x.numel():  # torch reports 0 for an empty tensor's data_ptr
            assert x.data_ptr() - x.storage_offset() * x.element_size() == ptr
        assert geom(other) == other_geom
        seen.append((x, geom(x), x._version, other._version, x._base is None, x.is_contiguous()))
    (m, *m_rest), (t, *t_rest) = seen[1], seen[0]
    assert m_rest == t_rest
    assert_same(m, t)
    assert_same(m * 2 + 1, t * 2 + 1)
    assert_same(m.contiguous().view(-1), t.contiguous().view(-1))


@pytest.mark.parametrize(("method", "args", "shape"), OPS, ids=ids(OPS))
def test_nonleaf_history_and_grad(method, args, shape):
    arr = data(shape)
    res = []
    for M in (torch, mlx_compat):
        a = M.tensor(arr, requires_grad=True)
        b = a * 2
        r = getattr(b, method)(*args)
        assert r is b
        w = M.tensor(data(tuple(b.shape), seed=1))
        (b * w).sum().backward()
        nxt = [type(f).__name__ for f, _ in b.grad_fn.next_functions]
        res.append((b, a.grad, name(b), nxt, b._version, geom(b), b.is_leaf))
    (mb, mg, *m_rest), (tb, tg, *t_rest) = res[1], res[0]
    assert m_rest == t_rest
    assert_same(mb, tb)
    assert_same(mg, tg)


@pytest.mark.parametrize(("method", "args", "shape"), OPS, ids=ids(OPS))
def test_view_history_and_grad(method, args, shape):
    arr = data((2,) + shape)
    res = []
    for M in (torch, mlx_compat):
        a = M.tensor(arr, requires_grad=True)
        base = a * 3
        v = base[1]
        getattr(v, method)(*args)
        w = M.tensor(data(tuple(v.shape), seed=2))
        ((v * w).sum() + (base * base).sum()).backward()
        res.append((v, a.grad, name(v), name(base), v._base is base, base._version, geom(v)))
    (mv, mg, *m_rest), (tv, tg, *t_rest) = res[1], res[0]
    assert m_rest == t_rest
    assert_same(mv, tv)
    assert_same(mg, tg)


def test_double_backward_through_transpose_():
    arr = data((3, 4))
    out = []
    for M in (torch, mlx_compat):
        a = M.tensor(arr, requires_grad=True)
        b = a * a
        b.t_()
        (g,) = M.autograd.grad(b.sum(), a, create_graph=True)
        g.sum().backward()
        out.append((g, a.grad))
    assert_same(out[1][0], out[0][0])
    assert_same(out[1][1], out[0][1])


def test_chain_of_inplace_views():
    arr = data((2, 3))
    out = []
    for M in (torch, mlx_compat):
        a = M.tensor(arr, requires_grad=True)
        b = a.exp()
        c = b * 1
        c.unsqueeze_(0).squeeze_().t_().unsqueeze_(2).transpose_(0, 2)
        w = M.tensor(data(tuple(c.shape), seed=3))
        (c * w).sum().backward()
        out.append((c, a.grad, name(c), geom(c), c._version))
    assert out[1][2:] == out[0][2:]
    assert_same(out[1][0], out[0][0])
    assert_same(out[1][1], out[0][1])


def scenario_write_after_transpose(M, arr):
    # A base transposed in place, then written through one of its views.
    a = M.tensor(arr, requires_grad=True)
    b = a * 1
    b.t_()
    v = b[0]
    v.mul_(3)
    w = M.tensor(data(tuple(b.shape), seed=4))
    (b * w).sum().backward()
    return b, a.grad, [name(b), name(v)]


def scenario_view_then_write(M, arr):
    # A view transposed in place, then written in place itself.
    a = M.tensor(arr, requires_grad=True)
    base = a * 2
    v = base[:, 1:]
    v.unsqueeze_(1)
    v.mul_(2)
    w = M.tensor(data(tuple(base.shape), seed=5))
    (base * w).sum().backward()
    return base, a.grad, [name(v), name(base)]


def scenario_as_strided_then_write(M, arr):
    a = M.tensor(arr, requires_grad=True)
    b = a * 1
    b.as_strided_((2, 2), (1, 3), 1)
    b.add_(b * 1)
    w = M.tensor(data((2, 2), seed=6))
    (b * w).sum().backward()
    return b, a.grad, [name(b)]


def scenario_offset_base_view_write(M, arr):
    # A base moved to a storage offset, then written through a view of it.
    a = M.tensor(arr, requires_grad=True)
    b = a * 1
    b.as_strided_((2, 2), (1, 3), 1)
    v = b[:, 1]
    v.mul_(4)
    w = M.tensor(data((2, 2), seed=9))
    (b * w).sum().backward()
    return b, a.grad, [name(b), name(v)]


def scenario_sibling_write(M, arr):
    # Another view of the base is written after a view was transposed in place.
    a = M.tensor(arr, requires_grad=True)
    base = a * 1
    v = base[0:2]
    v.t_()
    base[1].mul_(5)
    w = M.tensor(data(tuple(v.shape), seed=7))
    ((v * w).sum() + base.sum()).backward()
    return v, a.grad, [name(base)]


@pytest.mark.parametrize(
    "scenario",
    [
        scenario_write_after_transpose,
        scenario_view_then_write,
        scenario_as_strided_then_write,
        scenario_offset_base_view_write,
        scenario_sibling_write,
    ],
)
def test_writes_after_inplace_view(scenario):
    arr = data((2, 3))
    mv, mg, mn = scenario(mlx_compat, arr)
    tv, tg, tn = scenario(torch, arr)
    assert mn == tn
    assert_same(mv, tv)
    assert_same(mg, tg)


def test_other_views_regenerate_history():
    res = []
    for M in (torch, mlx_compat):
        a = M.tensor(data((2, 3)), requires_grad=True)
        b = a * 2
        v, w = b[0], b[1]
        v.unsqueeze_(0)
        names = [name(v), name(w), name(b)]
        c = a * 2
        u = c[0]
        c.t_()
        names += [name(u), name(c)]
        wt = M.tensor(data((3,), seed=8))
        ((w * wt).sum() + (u * wt).sum() + v.sum() + c.sum()).backward()
        res.append((names, a.grad))
    assert res[0][0] == res[1][0]
    assert_same(res[1][1], res[0][1])


def test_saved_value_invalidated():
    # The version bump makes a value saved before the op unusable, as in torch.
    for M in (torch, mlx_compat):
        a = M.tensor(data((2, 3)), requires_grad=True)
        b = a * 2
        y = b.sin()
        b.t_()
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


def test_no_grad_on_leaf():
    res = []
    for M in (torch, mlx_compat):
        a = M.tensor(data((2, 3)), requires_grad=True)
        with M.no_grad():
            a.t_().unsqueeze_(0)
        res.append((geom(a), a.requires_grad, a.is_leaf, name(a), a._version))
    assert res[0] == res[1]


def test_inference_tensor():
    for M in (torch, mlx_compat):
        with M.inference_mode():
            x = M.zeros(2, 3)
            x.t_()
            assert tuple(x.shape) == (3, 2)
        with pytest.raises(RuntimeError, match="Inplace update to inference tensor"):
            x.t_()
        assert tuple(x.shape) == (2, 3)  # torch changes the metadata before refusing


def test_int_tensor_and_empty():
    for shape in [(2, 3), (0, 3)]:
        t = torch.arange(int(np.prod(shape))).reshape(shape)
        m = mlx_compat.arange(int(np.prod(shape))).reshape(shape)
        t.t_()
        m.t_()
        assert geom(m) == geom(t)
        assert_same(m, t)


def test_keywords_and_function():
    for M in (torch, mlx_compat):
        x = M.zeros(2, 3)
        x.transpose_(dim0=0, dim1=1).swapdims_(dim0=1, dim1=0).swapaxes_(axis0=0, axis1=1)
        assert tuple(x.shape) == (3, 2)
        x.unsqueeze_(dim=0).squeeze_(dim=0)
        assert tuple(x.shape) == (3, 2)
        x.as_strided_(size=(2,), stride=(2,), storage_offset=1)
        assert geom(x) == ((2,), (2,), 1)
        y = M.zeros(6)
        assert M.as_strided_(y, (2, 3), (3, 1)) is y
        assert geom(y) == ((2, 3), (3, 1), 0)


def test_as_strided_keeps_offset():
    for M in (torch, mlx_compat):
        x = M.arange(10.0)[2:]
        x.as_strided_((2,), (2,))
        assert x.storage_offset() == 2
        assert x.tolist() == [2.0, 4.0]


ERRORS = [
    lambda M, x: x.t_(),
    lambda M, x: x.transpose_(0, 3),
    lambda M, x: x.transpose_(-4, 0),
    lambda M, x: x.swapdims_(5, 0),
    lambda M, x: x.squeeze_(3),
    lambda M, x: x.squeeze_((0, 0)),
    lambda M, x: x.squeeze_(1.5),
    lambda M, x: x.unsqueeze_(4),
    lambda M, x: x.unsqueeze_(-5),
    lambda M, x: x.as_strided_((2, 2), (1,)),
    lambda M, x: x.as_strided_((2,), (-1,)),
    lambda M, x: x.as_strided_((2,), (1,), -1),
    lambda M, x: x.as_strided_((-1,), (1,)),
    lambda M, x: x.as_strided_((10, 10), (10, 10)),
    lambda M, x: x.as_strided_((2,), (1,), 30),
    lambda M, x: M.zeros(()).transpose_(0, 1),
]


@pytest.mark.parametrize("fn", ERRORS)
def test_errors(fn):
    m_exc, t_exc = check_raises(fn, [data((2, 3, 4))])
    assert str(m_exc).split("\n")[0] == str(t_exc).split("\n")[0]


LEAF_ERRORS = [
    lambda M, x: x.t_(),
    lambda M, x: x.transpose_(0, 1),
    lambda M, x: x.squeeze_(),
    lambda M, x: x.unsqueeze_(0),
    lambda M, x: x.as_strided_((2,), (1,)),
    lambda M, x: x[0:1].t_(),
    lambda M, x: x[0].unsqueeze_(0),
]


@pytest.mark.parametrize("fn", LEAF_ERRORS)
def test_leaf_errors(fn):
    msgs = []
    for M in (torch, mlx_compat):
        x = M.tensor(data((2, 3)), requires_grad=True)
        shape = tuple(x.shape)
        with pytest.raises(RuntimeError) as e:
            fn(M, x)
        assert tuple(x.shape) == shape
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


def test_aliases_after_transpose_():
    res = []
    for M in (torch, mlx_compat):
        y = M.arange(12.0).reshape(3, 4)
        flat = y.view(-1)
        y.t_()
        y[0, 1] = 100.0
        y[2:].mul_(-1)
        flat[5] = 7.0
        with pytest.raises(RuntimeError):
            y.view(-1)
        res.append(
            (flat.tolist(), y.tolist(), y.reshape(-1).tolist(), y.contiguous().stride(), y._version)
        )
    assert res[0] == res[1]


def test_squeeze_unsqueeze_roundtrip_keeps_fast_path():
    for M in (torch, mlx_compat):
        x = M.arange(6.0).reshape(2, 3)
        x.unsqueeze_(1).squeeze_(1).t_().t_()
        assert x.is_contiguous() and geom(x) == ((2, 3), (3, 1), 0)
        x.add_(1)
        assert x.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]


@pytest.mark.parametrize(("method", "args", "shape"), OPS, ids=ids(OPS))
def test_gradcheck(method, args, shape):
    x = mlx_compat.tensor(data(shape).astype(np.float64), requires_grad=True)

    def fn(x):
        y = x * 1.5
        getattr(y, method)(*args)
        return y * y

    assert mlx_compat.autograd.gradcheck(fn, (x,))
    assert mlx_compat.autograd.gradgradcheck(fn, (x,))
