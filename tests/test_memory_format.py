"""Memory formats against torch: strides of contiguous/clone/to/*_like/empty/Module.to in
each format, is_contiguous(memory_format=), values and gradients unchanged, random *_like
fills in the format's memory order, argument errors."""

import pickle

import numpy as np
import pytest
import torch
from parity import check_op, check_raises, pair

import mlx_compat

rng = np.random.default_rng()
FORMATS = ["contiguous_format", "channels_last", "channels_last_3d", "preserve_format"]


def fmt(M, name):
    return getattr(M, name)


def _inputs(rank):
    a = rng.standard_normal((2, 3, 4, 5, 2)[:rank]).astype(np.float32)
    return a


SOURCES = {
    "plain": lambda t: t,
    "permuted": lambda t: (
        t.permute(0, *range(2, t.dim()), 1)
        .contiguous()
        .permute(0, t.dim() - 1, *range(1, t.dim() - 1))
    ),
    "sliced": lambda t: t[:, :, ::2],
}


@pytest.mark.parametrize("rank", [4, 5])
@pytest.mark.parametrize("source", sorted(SOURCES))
@pytest.mark.parametrize("name", FORMATS)
def test_layouts_match_torch(rank, source, name):
    a = _inputs(rank)
    ts, ms = (SOURCES[source](M.tensor(a)) for M in (torch, mlx_compat))
    assert ms.stride() == ts.stride()
    for what, call in (
        ("clone_default", lambda M, t: t.clone()),
        ("to_dtype_default", lambda M, t: t.to(M.float64)),
        ("contiguous", lambda M, t: t.contiguous(memory_format=fmt(M, name))),
        ("clone", lambda M, t: t.clone(memory_format=fmt(M, name))),
        ("torch.clone", lambda M, t: M.clone(t, memory_format=fmt(M, name))),
        ("to", lambda M, t: t.to(memory_format=fmt(M, name))),
        ("to_dtype", lambda M, t: t.to(M.float64, memory_format=fmt(M, name))),
        ("empty_like", lambda M, t: M.empty_like(t, memory_format=fmt(M, name))),
        ("zeros_like", lambda M, t: M.zeros_like(t, memory_format=fmt(M, name))),
        ("empty", lambda M, t: M.empty(*t.shape, memory_format=fmt(M, name))),
    ):
        try:
            expected = call(torch, ts)
        except Exception as e:  # torch refuses: same class here
            with pytest.raises(type(e)):
                call(mlx_compat, ms)
            continue
        got = call(mlx_compat, ms)
        assert got.stride() == expected.stride(), (what, got.stride(), expected.stride())
        assert got.shape == expected.shape
        assert str(got.dtype) == str(expected.dtype), what
        if what not in ("empty_like", "empty", "zeros_like"):
            np.testing.assert_array_equal(got.numpy(), expected.numpy(), err_msg=what)
        for f in FORMATS[:3]:
            args = (fmt(mlx_compat, f),), (fmt(torch, f),)
            assert got.is_contiguous(memory_format=args[0][0]) == expected.is_contiguous(
                memory_format=args[1][0]
            ), (what, f)


def test_is_contiguous_ignores_size_one_dims_and_rank():
    for shape in [(2, 1, 3, 3), (1, 4, 1, 1), (2, 3), (2, 3, 4, 5, 6)]:
        a = rng.standard_normal(shape).astype(np.float32)
        for M_t in (lambda M, a=a: M.tensor(a), lambda M, a=a: M.tensor(a).transpose(0, -1)):
            t, m = M_t(torch), M_t(mlx_compat)
            for f in FORMATS[:3]:
                assert m.is_contiguous(memory_format=fmt(mlx_compat, f)) == t.is_contiguous(
                    memory_format=fmt(torch, f)
                ), (shape, f)


def test_default_copies_keep_strides_and_node_names():
    def fn(M, x):
        y = (x * 2).permute(0, 2, 3, 1)
        return y.clone() * y.to(M.float64).float()

    check_op(fn, [_inputs(4)])


def test_gradients_flow_through_layout_changes():
    def fn(M, x):
        y = (x * 2).contiguous(memory_format=M.channels_last)
        z = y.clone(memory_format=M.contiguous_format).sin()
        return z.to(memory_format=M.channels_last) * x

    check_op(fn, [_inputs(4)])


CONVERSIONS = [
    ("contiguous_cl", lambda M, x: x.contiguous(memory_format=M.channels_last)),
    ("clone_cl", lambda M, x: x.clone(memory_format=M.channels_last)),
    ("to_cl", lambda M, x: x.to(memory_format=M.channels_last)),
    ("to_dtype_cl", lambda M, x: x.to(M.float64, memory_format=M.channels_last)),
    (
        "cl_to_contiguous",
        lambda M, x: x.contiguous(memory_format=M.channels_last).to(
            memory_format=M.contiguous_format
        ),
    ),
    (
        "cl_clone_contiguous",
        lambda M, x: x.contiguous(memory_format=M.channels_last).clone(
            memory_format=M.contiguous_format
        ),
    ),
    ("cl_contiguous", lambda M, x: x.contiguous(memory_format=M.channels_last).contiguous()),
    ("cl_3d", lambda M, x: x.unsqueeze(2).contiguous(memory_format=M.channels_last_3d)),
]


@pytest.mark.parametrize("name,fn", CONVERSIONS, ids=[c[0] for c in CONVERSIONS])
def test_explicit_conversions_are_plain_copies(name, fn):
    # torch records one copy node (CloneBackward0 / ToCopyBackward0); the result
    # is not a view, and writes to it leave the input alone.
    a = _inputs(4)
    outs = {}
    for M in (torch, mlx_compat):
        x = M.tensor(a, requires_grad=True)
        y = fn(M, x)
        assert y._base is None
        outs[M] = (type(y.grad_fn).__name__, y.stride(), y.grad_fn.next_functions[0][0].name())
        with M.no_grad():
            y.zero_()
        assert float(x.detach().abs().sum()) > 0
    assert outs[mlx_compat] == outs[torch]


@pytest.mark.parametrize("factory", ["rand_like", "randn_like", "randint_like"])
def test_random_like_fills_in_memory_order(factory):
    a = _inputs(4)
    outs = []
    for M in (torch, mlx_compat):
        M.manual_seed(3)
        args = (5,) if factory == "randint_like" else ()
        outs.append(getattr(M, factory)(M.tensor(a), *args, memory_format=M.channels_last))
    assert outs[1].stride() == outs[0].stride()
    np.testing.assert_allclose(outs[1].numpy(), outs[0].numpy(), rtol=1e-6, atol=1e-6)


def test_module_to_channels_last():
    a = _inputs(4)[:, :, :, :4]
    outs = []
    for M in (torch, mlx_compat):
        M.manual_seed(0)
        net = M.nn.Sequential(M.nn.Conv2d(3, 4, 3), M.nn.BatchNorm2d(4))
        net = net.to(memory_format=M.channels_last)
        state = net.state_dict().items()
        outs.append({k: (v.stride(), v.detach().numpy().copy()) for k, v in state})
        x = M.tensor(a).to(memory_format=M.channels_last)
        outs[-1]["out"] = ((), net(x).detach().numpy())
    for k in outs[0]:
        assert outs[1][k][0] == outs[0][k][0], k
        np.testing.assert_allclose(outs[1][k][1], outs[0][k][1], rtol=1e-5, atol=1e-5)


def test_objects_and_errors():
    for f in FORMATS:
        assert repr(fmt(mlx_compat, f)) == repr(fmt(torch, f))
        assert pickle.loads(pickle.dumps(fmt(mlx_compat, f))) is fmt(mlx_compat, f)
        assert isinstance(fmt(mlx_compat, f), mlx_compat.memory_format)
    a = rng.standard_normal((2, 3)).astype(np.float32)
    for call in (
        lambda M, t: t.contiguous(memory_format=M.channels_last),
        lambda M, t: t.clone(memory_format=M.channels_last_3d),
        lambda M, t: t.t().contiguous(memory_format=M.preserve_format),
        lambda M, t: t.contiguous(memory_format="channels_last"),
        lambda M, t: M.empty_like(t, memory_format=1),
        lambda M, t: t.to(M.float64, memory_format=M.channels_last),
    ):
        check_raises(call, [a])
    assert mlx_compat.tensor(a).is_contiguous(memory_format=mlx_compat.preserve_format)
    assert not mlx_compat.tensor(a).t().is_contiguous(memory_format=mlx_compat.preserve_format)
    x = pair(rng.standard_normal((2, 3, 4, 5)).astype(np.float32))[1]
    assert x.contiguous(memory_format=mlx_compat.contiguous_format) is x
    y = x.contiguous(memory_format=mlx_compat.channels_last)
    assert y.contiguous(memory_format=mlx_compat.channels_last) is y
