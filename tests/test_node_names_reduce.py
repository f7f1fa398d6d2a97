"""Reductions, norms and distances record torch's autograd node (grad_fn name),
with torch's values, first derivatives and second derivatives."""

import math
import warnings

import numpy as np
import pytest
import torch
from node_checks import check_node as _check_node
from parity import check_raises

import mlx_compat

RTOL, ATOL = 1e-6, 1e-8


def check_node(fn, arrays, grads, node, seed=0, second=True):
    _check_node(fn, arrays, grads, node, seed, second, RTOL, ATOL)


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


X = _rand(3, 4, 5)
M = _rand(4, 5, seed=1)

STAT_CASES = [
    ((), {}),
    ((1,), {}),
    ((), {"dim": (0, 2), "keepdim": True, "correction": 0}),
    ((), {"dim": 1, "unbiased": False}),
    ((), {"dim": -1, "correction": 2}),
]


@pytest.mark.parametrize("args,kwargs", STAT_CASES)
@pytest.mark.parametrize(
    "name,node",
    [
        ("var", "VarBackward0"),
        ("std", "StdBackward0"),
        ("var_mean", "VarMeanBackward0"),
        ("std_mean", "StdMeanBackward0"),
    ],
)
def test_var_std(name, node, args, kwargs):
    check_node(lambda L, x: getattr(L, name)(x, *args, **kwargs), [X], [0], node)


def test_var_std_methods():
    check_node(lambda L, x: x.var(1, keepdim=True), [X], [0], "VarBackward0")
    check_node(lambda L, x: x.std(), [X], [0], "StdBackward0")


@pytest.mark.parametrize("which", [0, 1])
def test_var_mean_one_output(which):
    check_node(lambda L, x: L.var_mean(x, 1)[which], [X], [0], "VarMeanBackward0")
    check_node(lambda L, x: L.std_mean(x, 0)[which], [X], [0], "StdMeanBackward0")


def test_var_too_few_elements():
    one = _rand(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for L in (torch, mlx_compat):
            x = L.tensor(one, requires_grad=True)
            (g,) = L.autograd.grad(L.var(x), [x])
            assert math.isnan(float(g[0]))
        check_node(lambda L, x: L.var(x, 0, correction=2), [one], [0], "VarBackward0")


@pytest.mark.parametrize("kwargs", [{}, {"dim": 1}, {"dim": (0, 2), "keepdim": True}])
def test_nansum(kwargs):
    x = X.copy()
    x[0, 1, 2] = x[2, 3, 0] = np.nan
    check_node(lambda L, t: L.nansum(t, **kwargs), [x], [0], "NansumBackward0")
    check_node(lambda L, t: t.nansum(**kwargs), [x], [0], "NansumBackward0")


@pytest.mark.parametrize(
    "p,kwargs",
    [
        ("fro", {}),
        ("fro", {"dim": (0, 1)}),
        (2, {}),
        (1, {"dim": 1}),
        (3, {"dim": (1, 2), "keepdim": True}),
        (0.5, {"dim": 0}),
        (float("inf"), {}),
        (float("-inf"), {"dim": 2}),
    ],
)
def test_norm(p, kwargs):
    check_node(lambda L, x: L.norm(x, p, **kwargs), [X], [0], "LinalgVectorNormBackward0")
    check_node(lambda L, x: x.norm(p, **kwargs), [X], [0], "LinalgVectorNormBackward0")


def test_norm_p0_has_no_gradient():
    for L in (torch, mlx_compat):
        x = L.tensor(X, requires_grad=True)
        out = L.norm(x, 0, dim=1)
        assert type(out.grad_fn).__name__ == "LinalgVectorNormBackward0"
        assert L.autograd.grad(out.sum(), [x], allow_unused=True) == (None,)


def test_norm_dtype_and_vector_norm():
    x32 = X.astype(np.float32)
    check_node(lambda L, x: L.norm(x, 2, dtype=L.float64), [x32], [0], "LinalgVectorNormBackward0")
    check_node(
        lambda L, x: L.linalg.vector_norm(x, 3, dim=(0, 2)), [X], [0], "LinalgVectorNormBackward0"
    )


@pytest.mark.parametrize("p", [2, 1, 3, 0.5, float("inf")])
def test_dist(p):
    check_node(lambda L, a, b: L.dist(a, b, p), [X, M], [0, 1], "DistBackward0")
    check_node(lambda L, a, b: a.dist(b, p=p), [M, _rand(5, seed=3)], [0, 1], "DistBackward0")


def test_dist_p0_has_zero_gradient():
    a = mlx_compat.tensor(M, requires_grad=True)
    b = mlx_compat.tensor(_rand(4, 5, seed=4), requires_grad=True)
    out = mlx_compat.dist(a, b, 0)
    assert type(out.grad_fn).__name__ == "DistBackward0"
    ga, gb = mlx_compat.autograd.grad(out, [a, b], allow_unused=True, materialize_grads=True)
    assert not np.any(ga.numpy()) and not np.any(gb.numpy())


@pytest.mark.parametrize("p,dim,maxnorm", [(2, 0, 1.5), (1, 1, 2.0), (3, 2, 1.0), (2, -1, 1e3)])
def test_renorm(p, dim, maxnorm):
    check_node(lambda L, x: L.renorm(x, p, dim, maxnorm), [X], [0], "RenormBackward0")
    check_node(lambda L, x: x.renorm(p, dim, maxnorm), [X], [0], "RenormBackward0")


@pytest.mark.parametrize("p", [2, 1, 3, 1.5, 0.5, float("inf")])
@pytest.mark.parametrize("shapes", [((4, 5), (3, 5)), ((2, 4, 5), (3, 5)), ((1, 4, 5), (2, 3, 5))])
def test_cdist(p, shapes):
    a, b = _rand(*shapes[0], seed=5), _rand(*shapes[1], seed=6)
    # torch has no second derivative for cdist; ours is checked numerically below.
    check_node(lambda L, x, y: L.cdist(x, y, p), [a, b], [0, 1], "CdistBackward0", second=False)
    x = mlx_compat.tensor(a, requires_grad=True)
    y = mlx_compat.tensor(b, requires_grad=True)
    assert mlx_compat.autograd.gradgradcheck(lambda u, v: mlx_compat.cdist(u, v, p), (x, y))


def test_cdist_p0_and_matrix_product_form():
    a, b = _rand(4, 5, seed=7), _rand(3, 5, seed=8)
    check_node(lambda L, x, y: L.cdist(x, y, 0), [a, b], [0, 1], "CdistBackward0", second=False)
    big = _rand(30, 5, seed=9)
    check_node(lambda L, x, y: L.cdist(x, y), [big, b], [0, 1], "ViewBackward0", second=False)
    check_node(
        lambda L, x, y: L.cdist(x, y, compute_mode="use_mm_for_euclid_dist"),
        [a, b],
        [0, 1],
        "ViewBackward0",
        second=False,
    )


def test_trace():
    check_node(lambda L, x: L.trace(x), [M], [0], "TraceBackward0")
    check_node(lambda L, x: x.trace(), [_rand(5, 3)], [0], "TraceBackward0")


@pytest.mark.parametrize(
    "k,dims", [(1, (0, 1)), (2, (0, 1)), (3, (1, 0)), (-1, (0, 2)), (0, (2, 1))]
)
def test_rot90(k, dims):
    check_node(lambda L, x: L.rot90(x, k, dims), [X], [0], "Rot90Backward0")
    t = torch.rot90(torch.tensor(X), k, dims)
    m = mlx_compat.rot90(mlx_compat.tensor(X), k, dims)
    assert m.stride() == t.stride()
    assert m.is_contiguous() == t.is_contiguous()


@pytest.mark.parametrize("name", ["trapz", "trapezoid"])
def test_trapezoid(name):
    xs = np.cumsum(np.abs(_rand(3, 4, 5, seed=10)), axis=-1)
    check_node(lambda L, y, x: getattr(L, name)(y, x), [X, xs], [0, 1], "DivBackward1")
    x1 = np.cumsum(np.abs(_rand(4, seed=11)))
    check_node(lambda L, y, x: getattr(L, name)(y, x, dim=1), [X, x1], [0, 1], "DivBackward1")
    check_node(lambda L, y: getattr(L, name)(y, dx=0.5, dim=0), [X], [0], "MulBackward1")
    check_node(lambda L, y: getattr(L, name)(y), [X], [0], "MulBackward1")


def test_cumulative_trapezoid():
    xs = np.cumsum(np.abs(_rand(3, 4, 5, seed=12)), axis=-1)
    check_node(lambda L, y, x: L.cumulative_trapezoid(y, x), [X, xs], [0, 1], "DivBackward1")
    x1 = np.cumsum(np.abs(_rand(3, seed=13)))
    check_node(lambda L, y, x: L.cumulative_trapezoid(y, x, dim=0), [X, x1], [0, 1], "DivBackward1")
    check_node(lambda L, y: L.cumulative_trapezoid(y, dx=2.0), [X], [0], "CumsumBackward0")
    check_node(lambda L, y: L.cumulative_trapezoid(y, dim=1), [X], [0], "CumsumBackward0")
    empty = np.zeros((3, 0))
    check_node(lambda L, y: L.cumulative_trapezoid(y), [empty], [0], "CumsumBackward0")


@pytest.mark.parametrize(
    "kwargs", [{}, {"dim": 1}, {"dim": -1, "keepdim": True}, {"keepdim": True}]
)
def test_aminmax(kwargs):
    x = np.round(X * 2) / 2  # ties share the gradient
    check_node(lambda L, t: L.aminmax(t, **kwargs), [x], [0], "AminmaxBackward0")
    check_node(lambda L, t: t.aminmax(**kwargs)[1], [x], [0], "AminmaxBackward0")
    check_node(lambda L, t: L.aminmax(t, **kwargs).min, [x], [0], "AminmaxBackward0")


def test_aminmax_nan_rows():
    x = X[0].copy()
    x[1, 2] = np.nan
    check_node(lambda L, t: L.aminmax(t, dim=1), [x], [0], "AminmaxBackward0", second=False)


def test_errors():
    check_raises(lambda L, x: L.aminmax(x.to(L.complex64)), [M.astype(np.float32)])
    check_raises(lambda L, x: L.aminmax(x, dim=1), [np.zeros((3, 0), np.float32)])
    check_raises(lambda L, x: L.aminmax(x), [np.zeros((3, 0), np.float32)])
    check_raises(lambda L, y: L.trapezoid(y), [np.array([True, False])])
    check_raises(lambda L, y: L.cumulative_trapezoid(y), [np.array([True, False])])
    check_raises(lambda L, y, x: L.trapezoid(y, x), [M, np.ones((4, 5), bool)])
    check_raises(lambda L, y, x: L.cumulative_trapezoid(y, x), [M, np.ones(4)])
    check_raises(lambda L, x: L.var_mean(x), [np.arange(4)])
    check_raises(lambda L, x: L.std_mean(x), [np.arange(4)])
    check_raises(lambda L, x: L.var(x), [np.arange(4)])
    check_raises(lambda L, a, b: L.dist(a, b), [np.arange(4), np.arange(4)])
    check_raises(lambda L, x: L.norm(x, dtype=L.float32), [np.arange(4)])
    check_raises(lambda L, x: L.linalg.vector_norm(x, dtype=L.int64), [M])
    check_raises(lambda L, x: L.renorm(x, 0, 0, 1.0), [M])
    check_raises(lambda L, x: L.trace(x), [X])
    check_raises(lambda L, x: L.rot90(x, 1, (0, 0)), [M])


@pytest.mark.parametrize("name,node", [("amax", "AmaxBackward0"), ("amin", "AminBackward0")])
def test_amax_amin_nan_gradient(name, node):
    x = np.round(X[0] * 2) / 2
    x[1, 2] = np.nan
    check_node(lambda L, t: getattr(L, name)(t, 1), [x], [0], node, second=False)
    check_node(lambda L, t: getattr(L, name)(t), [x], [0], node, second=False)
