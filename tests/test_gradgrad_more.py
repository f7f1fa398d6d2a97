"""Double backward against torch: first and second derivatives (create_graph=True)
of ops whose gradient is itself built from differentiable ops, on float64 inputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mlx_compat

RTOL, ATOL = 1e-7, 1e-9


def _outputs(out, lib):
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return [o for o in outs if isinstance(o, lib.Tensor) and o.is_floating_point()]


def _run(lib, fn, arrays, seed):
    leaves = [lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in arrays]
    outs = _outputs(fn(lib, *leaves), lib)
    rng = np.random.default_rng(seed)
    vs = [lib.tensor(rng.standard_normal(tuple(o.shape)), requires_grad=True) for o in outs]
    gs = lib.autograd.grad(outs, leaves, vs, create_graph=True, allow_unused=True)
    gs = [g for g in gs if g is not None]
    ws = [lib.tensor(rng.standard_normal(tuple(g.shape))) for g in gs]
    wrt = leaves + vs
    ggs = lib.autograd.grad(gs, wrt, ws, allow_unused=True)
    first = [g.detach().numpy() for g in gs]
    second = [None if g is None else g.detach().numpy() for g in ggs]
    return first, second


def check_gradgrad(fn, arrays, seed=0, rtol=RTOL, atol=ATOL):
    """Gradients and second derivatives (w.r.t. inputs and grad_outputs) match torch."""
    t_first, t_second = _run(torch, fn, arrays, seed)
    m_first, m_second = _run(mlx_compat, fn, arrays, seed)
    assert len(t_first) == len(m_first)
    for a, b in zip(m_first, t_first, strict=True):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)
    for i, (a, b) in enumerate(zip(m_second, t_second, strict=True)):
        if b is None or a is None:
            # an unused input on one side must be zero on the other
            other = a if b is None else b
            assert other is None or not np.any(other), f"second derivative {i}"
            continue
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"second derivative {i}")


def rand(*shape, seed=0, low=-2.0, high=2.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape)


# Cube each input first so that second derivatives with respect to the inputs
# are not trivially zero for piecewise-linear ops.
def cubed(x):
    return x * x * x


@pytest.mark.parametrize("name", ["cummax", "cummin"])
def test_cum_extreme(name):
    check_gradgrad(lambda L, x: getattr(L, name)(cubed(x), 1)[0], [rand(3, 5)])


def test_cumprod_with_zero():
    a = rand(3, 5)
    a[1, 2] = 0.0
    a[2, 0] = a[2, 3] = 0.0
    check_gradgrad(lambda L, x: L.cumprod(x, 1), [a])
    check_gradgrad(lambda L, x: L.cumprod(x, 0), [rand(4, 2, seed=1)])


def test_logcumsumexp():
    check_gradgrad(lambda L, x: L.logcumsumexp(x, 1), [rand(3, 6)])
    check_gradgrad(lambda L, x: L.logcumsumexp(x, 0), [rand(5, seed=3, low=-30, high=30)])


def test_logcumsumexp_float64_forward():
    a = rand(40, seed=2, low=-50, high=50)
    ours = mlx_compat.logcumsumexp(mlx_compat.tensor(a), 0).numpy()
    np.testing.assert_allclose(ours, np.logaddexp.accumulate(a), rtol=1e-14)


@pytest.mark.parametrize(
    "fn",
    [
        lambda L, x: L.sort(cubed(x), 1)[0],
        lambda L, x: L.sort(cubed(x), 0, descending=True)[0],
        lambda L, x: L.topk(cubed(x), 2, 1)[0],
        lambda L, x: L.topk(cubed(x), 2, 0, largest=False)[0],
        lambda L, x: L.kthvalue(cubed(x), 2, 1)[0],
        lambda L, x: L.kthvalue(cubed(x), 3, 0, keepdim=True)[0],
        lambda L, x: L.min(cubed(x), 1)[0],
        lambda L, x: L.max(cubed(x), 0, keepdim=True)[0],
        lambda L, x: L.median(cubed(x), 1)[0],
        lambda L, x: L.nanmedian(cubed(x), 0)[0],
        lambda L, x: L.msort(cubed(x)),
    ],
)
def test_value_selecting(fn):
    check_gradgrad(fn, [rand(4, 5)])


def test_mode():
    a = np.array([[1.0, 2.0, 2.0, 3.0], [0.5, 0.5, -1.0, -1.0], [4.0, 4.0, 4.0, 1.0]])
    check_gradgrad(lambda L, x: L.mode(cubed(x), 1)[0], [a])


@pytest.mark.parametrize("interp", ["linear", "lower", "higher", "midpoint", "nearest"])
def test_quantile(interp):
    q = np.array([0.1, 0.5, 0.8])

    def fn(L, x, qq):
        return L.quantile(cubed(x), qq, dim=1, interpolation=interp)

    check_gradgrad(fn, [rand(3, 6), q])
    a = rand(3, 6, seed=4)
    a[0, 2] = np.nan
    check_gradgrad(lambda L, x: L.nanquantile(cubed(x), 0.3, dim=1, interpolation=interp), [a])


def test_take_and_gather():
    idx = np.array([[0, 4, 4], [7, -1, 2]])
    check_gradgrad(lambda L, x: L.take(cubed(x), L.tensor(idx)), [rand(2, 4)])
    gidx = np.array([[0, 2, 2], [1, 0, 3]])
    check_gradgrad(lambda L, x: L.gather(cubed(x), 1, L.tensor(gidx)), [rand(2, 4)])
    check_gradgrad(lambda L, x: L.take_along_dim(cubed(x), L.tensor(gidx), 1), [rand(2, 4, seed=5)])
    flat = np.array([[0, 4, 4], [7, 1, 2]])
    check_gradgrad(lambda L, x: L.take_along_dim(cubed(x), L.tensor(flat)), [rand(2, 4, seed=6)])


def test_scatter_add():
    idx = np.array([[0, 2, 2], [1, 0, 3]])
    check_gradgrad(
        lambda L, x, s: L.scatter_add(cubed(x), 1, L.tensor(idx), cubed(s)),
        [rand(2, 4), rand(2, 3, seed=1)],
    )


def test_indexing_and_index_put():
    i0 = np.array([0, 2, 2])
    mask = np.array([[True, False, True], [False, False, True], [True, True, False]])
    check_gradgrad(lambda L, x: cubed(x)[L.tensor(i0), 1:], [rand(3, 3)])
    check_gradgrad(lambda L, x: cubed(x)[L.tensor(mask)], [rand(3, 3, seed=1)])
    check_gradgrad(lambda L, x: L.masked_select(cubed(x), L.tensor(mask)), [rand(3, 3, seed=2)])
    for acc in (False, True):
        idx = (np.array([0, 2]), np.array([1, 1])) if not acc else (i0, np.array([1, 1, 0]))

        def fn(L, x, v, acc=acc, idx=idx):
            return L.index_put(cubed(x), tuple(L.tensor(i) for i in idx), cubed(v), accumulate=acc)

        check_gradgrad(fn, [rand(3, 3, seed=3), rand(len(idx[0]), seed=4)])


@pytest.mark.parametrize(
    "fn",
    [
        lambda L, x: L.log_softmax(x, 1),
        lambda L, x: L.nn.functional.softplus(x, beta=2.0, threshold=3.0),
        lambda L, x: L.nn.functional.logsigmoid(x),
        lambda L, x: L.nn.functional.mish(x),
    ],
)
def test_float64_activations(fn):
    # float64 values exact enough for finite differences, and matching second derivatives
    a = rand(3, 5, low=-8.0, high=8.0)
    ours = fn(mlx_compat, mlx_compat.tensor(a)).numpy()
    theirs = fn(torch, torch.tensor(a)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-15)
    check_gradgrad(fn, [a])


def test_cross_entropy_gradgrad():
    target = np.array([1, 0, 3])
    check_gradgrad(
        lambda L, x: L.nn.functional.cross_entropy(x, L.tensor(target), label_smoothing=0.1),
        [rand(3, 4)],
    )
    check_gradgrad(
        lambda L, x, y: L.nn.functional.binary_cross_entropy_with_logits(x, L.sigmoid(y)),
        [rand(3, 4, seed=1), rand(3, 4, seed=2)],
    )


@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding(padding_idx):
    idx = np.array([[0, 2, 4], [2, 2, 1]])
    check_gradgrad(
        lambda L, w: L.nn.functional.embedding(L.tensor(idx), cubed(w), padding_idx=padding_idx),
        [rand(5, 3)],
    )


def test_embedding_scale_grad_by_freq():
    # torch's double backward leaves the frequency scaling out; so does ours
    idx = np.array([0, 2, 2, 1, 2])
    check_gradgrad(
        lambda L, w: L.nn.functional.embedding(L.tensor(idx), cubed(w), scale_grad_by_freq=True),
        [rand(4, 3)],
    )


def test_repeat_interleave_tensor_repeats():
    reps = np.array([2, 0, 3])
    check_gradgrad(lambda L, x: L.repeat_interleave(cubed(x), L.tensor(reps), dim=1), [rand(2, 3)])


def test_vander():
    check_gradgrad(lambda L, x: L.linalg.vander(x, N=4), [rand(2, 3)])


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce(reduce, include_self):
    idx = np.array([[0, 2, 2], [1, 1, 0]])
    a, s = rand(2, 3), rand(2, 3, seed=1)
    s[0, 1] = 0.0

    def fn(L, x, src):
        return L.scatter_reduce(x, 1, L.tensor(idx), src, reduce, include_self=include_self)

    check_gradgrad(fn, [a, s])


def test_index_reduce_prod():
    idx = np.array([0, 2, 0])
    check_gradgrad(
        lambda L, x, src: x.index_reduce(0, L.tensor(idx), src, "prod"),
        [rand(3, 2), rand(3, 2, seed=1)],
    )


def test_det_float64():
    a = rand(5, 5, seed=7)
    ours = mlx_compat.linalg.det(mlx_compat.tensor(a)).item()
    assert abs(ours - np.linalg.det(a)) <= 1e-13 * max(1.0, abs(np.linalg.det(a)))
    check_gradgrad(lambda L, x: L.linalg.det(x), [a])


@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_2d(mode, padding_mode, align_corners):
    def fn(L, x, g):
        return L.nn.functional.grid_sample(
            cubed(x), g, mode=mode, padding_mode=padding_mode, align_corners=align_corners
        )

    check_gradgrad(fn, [rand(2, 2, 4, 5), rand(2, 3, 2, 2, seed=1, low=-1.3, high=1.3)])


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_grid_sample_3d(mode, padding_mode):
    def fn(L, x, g):
        return L.nn.functional.grid_sample(
            cubed(x), g, mode=mode, padding_mode=padding_mode, align_corners=False
        )

    check_gradgrad(fn, [rand(1, 2, 3, 4, 3), rand(1, 2, 2, 2, 3, seed=1, low=-1.3, high=1.3)])


def test_scatter_and_masked_scatter_sources():
    idx = np.array([[0, 2], [1, 0]])
    check_gradgrad(
        lambda L, x, s: L.scatter(cubed(x), 1, L.tensor(idx), cubed(s)),
        [rand(2, 4), rand(2, 2, seed=1)],
    )
    check_gradgrad(
        lambda L, x, s: L.scatter_add(cubed(x), 1, L.tensor(idx), cubed(s)),
        [rand(2, 4, seed=2), rand(2, 2, seed=3)],
    )
    mask = np.array([[True, False, True], [False, True, True]])
    check_gradgrad(
        lambda L, x, s: L.masked_scatter(cubed(x), L.tensor(mask), cubed(s)),
        [rand(2, 3, seed=4), rand(3, 3, seed=5)],
    )


def test_gather_empty_index_connected():
    x = mlx_compat.tensor(rand(5), requires_grad=True)
    y = mlx_compat.gather(x, 0, mlx_compat.zeros(0, dtype=mlx_compat.int64))
    v = mlx_compat.zeros(0, dtype=mlx_compat.float64, requires_grad=True)
    (g,) = mlx_compat.autograd.grad(y, x, v, create_graph=True)
    assert g.requires_grad and g.shape == (5,) and not g.detach().numpy().any()
