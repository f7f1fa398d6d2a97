"""Views' *_copy variants, the view scatters, unsafe splits, masked_select,
combinations, matrix_power(n=0) and the in-place tails of stft / quantile
record torch's autograd node (grad_fn name), with torch's layout, first
derivatives and second derivatives."""

import warnings

import numpy as np
import pytest
import torch
from node_checks import close, lib_inputs
from node_checks import node_name as _name
from node_checks import to_np as _np
from parity import check_raises

import mlx_compat

RTOL, ATOL = 1e-4, 1e-5


def _outs(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _run(lib, fn, arrays, grads, seed):
    ins = lib_inputs(lib, arrays, grads)
    outs = _outs(fn(lib, *ins))
    diff = [ins[i] for i in grads]
    rng = np.random.default_rng(seed + 1)
    # Cotangents that require grad: the second derivative through them checks
    # that the backward is itself differentiable (views are linear).
    vs = [lib.tensor(rng.standard_normal(tuple(o.shape))).to(o.dtype) for o in outs]
    for v in vs:
        v.requires_grad_(True)
    loss = sum((o * v).sum() for o, v in zip(outs, vs, strict=True))
    firsts = lib.autograd.grad(loss, diff, create_graph=True)
    us = [lib.tensor(rng.standard_normal(tuple(f.shape))).to(f.dtype) for f in firsts]
    total = sum((f * u).sum() for f, u in zip(firsts, us, strict=True))
    if not total.requires_grad:  # a constant first derivative (matrix_power(A, 0))
        return outs, firsts, [None] * (len(vs) + len(diff))
    seconds = lib.autograd.grad(total, vs + diff, allow_unused=True)
    return outs, firsts, seconds


def _close(ours, theirs, what):
    close(ours, theirs, what, RTOL, ATOL)


def check_node(fn, arrays, grads=(0,), seed=0, layout=True):
    """fn(lib, *inputs): node names, values, layout and two derivative orders."""
    t_outs, t_first, t_second = _run(torch, fn, arrays, grads, seed)
    m_outs, m_first, m_second = _run(mlx_compat, fn, arrays, grads, seed)
    assert len(m_outs) == len(t_outs)
    for k, (m, t) in enumerate(zip(m_outs, t_outs, strict=True)):
        assert _name(m) == _name(t), (k, _name(m), _name(t))
        assert str(m.dtype) == str(t.dtype)
        assert tuple(m.shape) == tuple(t.shape)
        if layout:
            assert m.stride() == t.stride(), (k, m.stride(), t.stride())
            assert (m._base is None) == (t._base is None)
        _close(m, t, f"value {k}")
    for k, (a, b) in enumerate(zip(m_first, t_first, strict=True)):
        _close(a, b, f"grad {k}")
    for k, (a, b) in enumerate(zip(m_second, t_second, strict=True)):
        _close(a, b, f"second derivative {k}")
    return t_outs


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


COPIES = [
    ("expand_copy", lambda M, x: M.expand_copy(x[:1], (3, 4)), (3, 4)),
    ("expand_copy_new_dim", lambda M, x: M.expand_copy(x, (2, 3, 4)), (3, 4)),
    ("diagonal_copy", lambda M, x: M.diagonal_copy(x, 1, 0, 1), (3, 4)),
    ("view_copy", lambda M, x: M.view_copy(x, (4, 3)), (3, 4)),
    ("permute_copy", lambda M, x: M.permute_copy(x, (2, 0, 1)), (2, 3, 4)),
    ("squeeze_copy", lambda M, x: M.squeeze_copy(x), (1, 3, 1)),
    ("squeeze_copy_int", lambda M, x: M.squeeze_copy(x, 0), (1, 3, 1)),
    ("squeeze_copy_tuple", lambda M, x: M.squeeze_copy(x, (0, 2)), (1, 3, 1)),
    ("unsqueeze_copy", lambda M, x: M.unsqueeze_copy(x, 1), (3, 4)),
    ("transpose_copy", lambda M, x: M.transpose_copy(x, 0, 2), (2, 3, 4)),
    ("t_copy", lambda M, x: M.t_copy(x), (3, 4)),
    ("t_copy_1d", lambda M, x: M.t_copy(x), (5,)),
    ("unfold_copy", lambda M, x: M.unfold_copy(x, 1, 3, 2), (3, 7)),
    ("unfold_copy_overlap", lambda M, x: M.unfold_copy(x, 0, 2, 1), (5,)),
    ("unbind_copy", lambda M, x: M.unbind_copy(x, 1), (3, 4)),
    ("as_strided_copy", lambda M, x: M.as_strided_copy(x, (2, 2), (1, 2), 1), (3, 4)),
    ("alias_copy", lambda M, x: M.alias_copy(x), (3, 4)),
    ("split_with_sizes_copy", lambda M, x: M.split_with_sizes_copy(x, [1, 3], 1), (3, 4)),
    ("narrow_copy", lambda M, x: M.narrow_copy(x, 1, 1, 2), (3, 4)),
    ("narrow_copy_method", lambda M, x: x.narrow_copy(0, 1, 2), (3, 4)),
    ("unsafe_split", lambda M, x: M.unsafe_split(x, 2), (5, 3)),
    ("unsafe_split_method", lambda M, x: x.unsafe_split(2, 1), (5, 3)),
    ("unsafe_split_with_sizes", lambda M, x: M.unsafe_split_with_sizes(x, [2, 3]), (5, 3)),
    ("unsafe_chunk", lambda M, x: M.unsafe_chunk(x, 3, 1), (2, 7)),
]


@pytest.mark.parametrize("fn,shape", [c[1:] for c in COPIES], ids=[c[0] for c in COPIES])
def test_view_copies(fn, shape):
    # A non-leaf input, so that the copy's node is not the only history.
    check_node(lambda M, x: fn(M, x * 1), [_rand(*shape)])
    check_node(fn, [_rand(*shape, seed=1)])


def test_copy_names_are_torchs():
    x = mlx_compat.randn(1, 3, 1, requires_grad=True)
    assert _name(mlx_compat.expand_copy(x, (2, 1, 3, 1))) == "ExpandBackward0_copy"
    assert _name(mlx_compat.squeeze_copy(x, 0)) == "SqueezeBackward1_copy"
    assert _name(mlx_compat.squeeze_copy(x, [0])) == "SqueezeBackward2_copy"
    assert _name(mlx_compat.narrow_copy(x, 1, 0, 2)) == "NarrowCopyBackward0"
    assert [_name(p) for p in mlx_compat.unsafe_chunk(x, 2, 1)] == ["UnsafeSplitBackward0"] * 2
    # Without grad the copies carry no history and own their memory.
    with mlx_compat.no_grad():
        assert mlx_compat.t_copy(x[0]).grad_fn is None
    y = mlx_compat.randn(3, 4)
    c = mlx_compat.view_copy(y, (12,))
    c.add_(1)
    np.testing.assert_array_equal(_np(c), (_np(y) + np.float32(1)).reshape(12))
    assert not np.array_equal(_np(y).reshape(12), _np(c))  # y kept its values


def test_unsafe_split_shares_storage():
    for lib in (torch, mlx_compat):
        y = lib.arange(6.0).reshape(3, 2)
        a, b = lib.unsafe_split(y, 2)
        assert a._base is None
        b.mul_(10)
        assert y[2].tolist() == [40.0, 50.0]


def test_copy_errors():
    check_raises(lambda M, x: M.view_copy(x, (5,)), [_rand(3, 4)])
    check_raises(lambda M, x: M.expand_copy(x, (2, 3)), [_rand(3, 4)])
    check_raises(lambda M, x: M.unfold_copy(x, 1, 9, 1), [_rand(3, 4)])
    check_raises(lambda M, x: M.narrow_copy(x, 0, 2, 5), [_rand(3, 4)])
    check_raises(lambda M, x: M.unsafe_split_with_sizes(x, [1, 1]), [_rand(3, 4)])


SCATTERS = [
    ("select_scatter", lambda M, x, s: M.select_scatter(x, s, 1, -1), (3, 4), (3,)),
    ("slice_scatter", lambda M, x, s: M.slice_scatter(x, s, 1, 1, None, 2), (3, 5), (3, 2)),
    ("slice_scatter_default", lambda M, x, s: M.slice_scatter(x, s), (3, 5), (3, 5)),
    ("diagonal_scatter", lambda M, x, s: M.diagonal_scatter(x, s, -1), (4, 3), (3,)),
    ("diagonal_scatter_3d", lambda M, x, s: x.diagonal_scatter(s, 0, 2, 0), (3, 2, 3), (2, 3)),
]


@pytest.mark.parametrize("fn,xs,ss", [c[1:] for c in SCATTERS], ids=[c[0] for c in SCATTERS])
@pytest.mark.parametrize("grads", [(0, 1), (0,), (1,)])
def test_view_scatters(fn, xs, ss, grads):
    check_node(fn, [_rand(*xs), _rand(*ss, seed=2)], grads=grads)


def test_scatter_errors():
    check_raises(lambda M, x, s: M.select_scatter(x, s, 0, 0), [_rand(3, 4), _rand(3)])
    check_raises(lambda M, x, s: M.slice_scatter(x, s, 0, 0, 2), [_rand(3, 4), _rand(3, 4)])
    check_raises(lambda M, x, s: M.diagonal_scatter(x, s), [_rand(3, 4), _rand(4)])


@pytest.mark.parametrize(
    "xs,ms", [((3, 4), (3, 4)), ((3, 1), (3, 4)), ((4,), (2, 4)), ((), (3,)), ((2, 3), ())]
)
def test_masked_select(xs, ms):
    mask = np.random.default_rng(5).random(ms) > 0.4
    check_node(lambda M, x: M.masked_select(x, M.tensor(mask)), [_rand(*xs)])
    check_node(lambda M, x: x.masked_select(M.tensor(mask)), [_rand(*xs, seed=3)])


@pytest.mark.parametrize("r,wr", [(2, False), (3, False), (1, False), (2, True), (5, False)])
def test_combinations(r, wr):
    check_node(lambda M, x: M.combinations(x, r, wr), [_rand(4)])


def test_combinations_r0_has_no_history():
    x = mlx_compat.randn(3, requires_grad=True)
    assert mlx_compat.combinations(x, 0).grad_fn is None


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4)])
def test_matrix_power_zero(shape):
    check_node(lambda M, a: M.linalg.matrix_power(a * 1, 0), [_rand(*shape)])
    check_node(lambda M, a: M.linalg.matrix_power(a, 0), [_rand(*shape)])


STFTS = [
    ("1d", (40,), dict(n_fft=8, return_complex=True)),
    ("1d_twosided", (40,), dict(n_fft=8, return_complex=True, onesided=False)),
    ("2d", (2, 40), dict(n_fft=8, hop_length=3, return_complex=True)),
    ("1d_real", (40,), dict(n_fft=8, return_complex=False)),
    ("2d_real", (2, 40), dict(n_fft=8, return_complex=False, center=False)),
]


@pytest.mark.parametrize("shape,kw", [c[1:] for c in STFTS], ids=[c[0] for c in STFTS])
def test_stft_tail(shape, kw):
    def fn(M, x):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = M.stft(x, window=M.hann_window(8, dtype=x.dtype), **kw)
        # Compare through real views: the gradient paths are the same.
        return M.view_as_real(out) if out.is_complex() else out

    check_node(lambda M, x: fn(M, x.float()), [_rand(*shape)], layout=False)
    # The spectrum itself: torch's node, strides and (non-)view status.
    outs = []
    for lib in (torch, mlx_compat):
        x = lib.tensor(_rand(*shape)).float().requires_grad_(True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outs.append(lib.stft(x, window=lib.hann_window(8), **kw))
    ty, my = outs
    assert _name(my) == _name(ty)
    assert my.stride() == ty.stride()
    assert (my._base is None) == (ty._base is None)


QUANTILES = [
    (0.3, None, False),
    (0.3, None, True),
    (0.3, 0, False),
    (0.3, 0, True),
    (0.7, -1, True),
    ([0.2, 0.5, 0.9], None, False),
    ([0.2, 0.5, 0.9], None, True),
    ([0.2, 0.5, 0.9], 1, False),
    ([0.2, 0.5, 0.9], 0, True),
]


@pytest.mark.parametrize("q,dim,keepdim", QUANTILES)
@pytest.mark.parametrize("fname", ["quantile", "nanquantile"])
@pytest.mark.parametrize("interp", ["linear", "lower", "midpoint"])
def test_quantile_tail(q, dim, keepdim, fname, interp):
    def fn(M, x):
        qq = M.tensor(q, dtype=x.dtype) if isinstance(q, list) else q
        return getattr(M, fname)(x, qq, dim=dim, keepdim=keepdim, interpolation=interp)

    check_node(fn, [_rand(3, 4, 2)])


def test_quantile_0d():
    check_node(lambda M, x: M.quantile(x, 0.4), [np.array(1.5)])
    check_node(lambda M, x: M.quantile(x, 0.4, dim=0, keepdim=True), [np.array(1.5)])
