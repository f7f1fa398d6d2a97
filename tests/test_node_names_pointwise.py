"""Fused pointwise ops and small products record torch's autograd node (grad_fn
name), with torch's values, first and second derivatives."""

import numpy as np
import pytest
import torch
from node_checks import check_node
from node_checks import to_np as _np
from parity import check_raises

import mlx_compat


def _r(*shape, seed=0, dtype=np.float64, low=-2.0, high=2.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape).astype(dtype)


def _away(*shape, seed=0):
    """Values bounded away from zero (for divisors)."""
    a = _r(*shape, seed=seed, low=0.5, high=2.0)
    return a * np.where(np.random.default_rng(seed + 7).random(shape) > 0.5, 1, -1)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_addcmul(dtype):
    check_node(
        lambda L, a, b, c: L.addcmul(a, b, c, value=0.5),
        [_r(3, 4, dtype=dtype), _r(4, seed=1, dtype=dtype), _r(3, 1, seed=2, dtype=dtype)],
        [0, 1, 2],
        "AddcmulBackward0",
    )
    check_node(
        lambda L, a, b, c: a.addcmul(b, c),
        [_r(2, 3), _r(2, 3, seed=1), _r(2, 3, seed=2)],
        [1],
        "AddcmulBackward0",
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_addcdiv(dtype):
    check_node(
        lambda L, a, b, c: L.addcdiv(a, b, c, value=-1.5),
        [_r(3, 4, dtype=dtype), _r(3, 1, seed=1, dtype=dtype), _away(4, seed=2).astype(dtype)],
        [0, 1, 2],
        "AddcdivBackward0",
    )
    check_node(
        lambda L, a, b, c: L.addcdiv(a, b, c),
        [_r(2, 3), _r(2, 3, seed=1), _away(2, 3, seed=2)],
        [2],
        "AddcdivBackward0",
    )


@pytest.mark.parametrize("w", [0.3, 0.8, -1.5])
def test_lerp_scalar(w):
    check_node(
        lambda L, a, b: L.lerp(a, b, w),
        [_r(3, 4), _r(4, seed=1)],
        [0, 1],
        "LerpBackward0",
    )


def test_lerp_tensor():
    check_node(
        lambda L, a, b, w: L.lerp(a, b, w),
        [_r(3, 4), _r(4, seed=1), _r(3, 1, seed=2, low=-1.0, high=1.5)],
        [0, 1, 2],
        "LerpBackward1",
    )
    check_node(
        lambda L, a, b, w: a.lerp(b, w),
        [_r(3, 4), _r(3, 4, seed=1), _r(3, 4, seed=2)],
        [2],
        "LerpBackward1",
    )


def test_zero_():
    check_node(lambda L, a: (a * 2).zero_(), [_r(3, 4)], [0], "ZeroBackward0")
    check_node(lambda L, a: L.zero_(a.clone()), [_r(5)], [0], "ZeroBackward0")


def test_ldexp():
    check_node(
        lambda L, a, e: L.ldexp(a, e),
        [_r(3, 4), np.array([-2, 0, 1, 3])],
        [0],
        "LdexpBackward0",
    )
    check_node(
        lambda L, a, e: L.ldexp(a, e),
        [_r(3, 4), _r(3, 1, seed=1)],
        [0, 1],
        "LdexpBackward0",
    )


def test_angle():
    check_node(
        lambda L, a: L.angle(a),
        [np.array([-2.0, 0.0, 1.5, -0.5, np.inf])],
        [0],
        "AngleBackward0",
    )
    z = (_r(5) + 1j * _r(5, seed=1)).astype(np.complex64)
    z[0] = 0
    check_node(lambda L, a: L.angle(a), [z], [0], "AngleBackward0", second=False)


def test_nan_to_num():
    x = np.array([[1.0, np.nan, -np.inf], [np.inf, -2.5, 0.25]])
    check_node(lambda L, a: L.nan_to_num(a), [x], [0], "NanToNumBackward0")
    check_node(
        lambda L, a: L.nan_to_num(a * 3, nan=1.0, posinf=2.0, neginf=-2.0),
        [x],
        [0],
        "NanToNumBackward0",
    )


def test_block_diag():
    check_node(
        lambda L, a, b, c, d: L.block_diag(a, b, c, d),
        [_r(2, 3), _r(4, seed=1), np.array(1.5), _r(0, 2, seed=3)],
        [0, 1, 2, 3],
        "BlockDiagBackward0",
    )
    # An empty vector takes a row of the result but none of the gradient (torch's rule).
    check_node(
        lambda L, a, b: L.block_diag(a, b),
        [np.zeros(0), _r(2, 2, seed=1)],
        [0, 1],
        "BlockDiagBackward0",
    )
    check_node(
        lambda L, a, b: L.block_diag(a, b),
        [_r(2, 2), _r(1, 3, seed=1).astype(np.float32)],
        [0, 1],
        "BlockDiagBackward0",
    )


def test_cross():
    check_node(
        lambda L, a, b: L.cross(a, b, dim=1),
        [_r(4, 3), _r(4, 3, seed=1)],
        [0, 1],
        "LinalgCrossBackward0",
    )
    check_node(
        lambda L, a, b: L.linalg.cross(a, b),
        [_r(2, 1, 3), _r(4, 3, seed=1)[None]],
        [0, 1],
        "LinalgCrossBackward0",
    )
    check_node(
        lambda L, a, b: L.linalg.cross(a, b, dim=0),
        [_r(3, 2), _r(3, 2, seed=1)],
        [1],
        "LinalgCrossBackward0",
    )


def test_diff():
    check_node(lambda L, a: L.diff(a, n=0), [_r(3, 4)], [0], "CopyBackwards")
    check_node(
        lambda L, a, p: L.diff(a, n=0, prepend=p),
        [_r(3, 4), _r(3, 2, seed=1)],
        [0],
        "CopyBackwards",
    )
    check_node(
        lambda L, a, p, q: L.diff(a, n=2, dim=0, prepend=p, append=q),
        [_r(3, 4), _r(1, 4, seed=1), _r(2, 4, seed=2)],
        [0, 1, 2],
        "SubBackward0",
    )


def test_round():
    x = _r(3, 4, low=-50, high=50)
    check_node(lambda L, a: L.round(a), [x], [0], "RoundBackward0")
    check_node(lambda L, a: L.round(a, decimals=0), [x], [0], "RoundBackward1")
    check_node(lambda L, a: a.round(decimals=1), [x], [0], "RoundBackward1")
    check_node(lambda L, a: L.round(a, decimals=-1), [x], [0], "RoundBackward1")


@pytest.mark.parametrize("which", ["clamp_min", "clamp_max"])
def test_clamp_bound(which):
    cap = "ClampMin" if which == "clamp_min" else "ClampMax"
    check_node(lambda L, a: getattr(L, which)(a, 0.25), [_r(3, 4)], [0], cap + "Backward0")
    check_node(lambda L, a: getattr(a, which)(-1), [_r(3, 4)], [0], cap + "Backward0")
    check_node(
        lambda L, a, b: getattr(L, which)(a, b),
        [_r(3, 4), _r(4, seed=1)],
        [0, 1],
        cap + "Backward1",
    )
    check_node(
        lambda L, a, b: getattr(L, which)(a, b),
        [_r(3, 4), np.array(0.1)],
        [0, 1],
        cap + "Backward1",
    )


def test_vdot():
    check_node(lambda L, a, b: L.vdot(a, b), [_r(5), _r(5, seed=1)], [0, 1], "VdotBackward0")
    check_node(lambda L, a, b: a.vdot(b), [_r(4), _r(4, seed=1)], [1], "VdotBackward0")
    za = (_r(4) + 1j * _r(4, seed=1)).astype(np.complex64)
    zb = (_r(4, seed=2) + 1j * _r(4, seed=3)).astype(np.complex64)
    for lib in (torch, mlx_compat):
        assert type(
            lib.vdot(lib.tensor(za, requires_grad=True), lib.tensor(zb)).grad_fn
        ).__name__ == ("VdotBackward0")
    ours = mlx_compat.vdot(mlx_compat.tensor(za), mlx_compat.tensor(zb))
    np.testing.assert_allclose(
        _np(ours), _np(torch.vdot(torch.tensor(za), torch.tensor(zb))), rtol=1e-5
    )


def test_vecdot():
    check_node(
        lambda L, a, b: L.linalg.vecdot(a, b), [_r(5), _r(5, seed=1)], [0, 1], "VdotBackward0"
    )
    # Two vectors go through vdot, which has no dim.
    check_node(
        lambda L, a, b: L.linalg.vecdot(a, b, dim=1), [_r(5), _r(5, seed=1)], [0], "VdotBackward0"
    )
    check_node(
        lambda L, a, b: L.linalg.vecdot(a, b, dim=0),
        [_r(3, 4), _r(3, 4, seed=1)],
        [0, 1],
        "SumBackward1",
    )
    check_node(
        lambda L, a, b: L.linalg.vecdot(a, b), [_r(4), _r(2, 4, seed=1)], [0, 1], "SumBackward1"
    )


def test_kron():
    check_node(
        lambda L, a, b: L.kron(a, b), [_r(2, 3), _r(3, 2, seed=1)], [0, 1], "UnsafeViewBackward0"
    )
    check_node(
        lambda L, a, b: L.kron(a, b), [_r(2), _r(2, 1, 3, seed=1)], [0, 1], "UnsafeViewBackward0"
    )


@pytest.mark.parametrize(
    "fn",
    [
        lambda L, a, b: a.clone().lerp_(b, 0.3),
        lambda L, a, b: a.clone().lerp_(b, b),
        lambda L, a, b: a.clone().addcmul_(a, b),
        lambda L, a, b: a.clone().addcdiv_(a, b),
        lambda L, a, b: a.clone().clamp_min_(0.1),
        lambda L, a, b: a.clone().clamp_max_(b),
        lambda L, a, b: a.clone().nan_to_num_(),
        lambda L, a, b: a.clone().round_(decimals=2),
        lambda L, a, b: a.clone().round_(),
        lambda L, a, b: a.clone().ldexp_(b),
    ],
)
def test_inplace_node_names(fn):
    a, b = _r(3, 4), _away(3, 4, seed=1)
    names = []
    for lib in (torch, mlx_compat):
        out = fn(lib, lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True))
        names.append(type(out.grad_fn).__name__)
        (out * out).sum().backward()
    assert names[0] == names[1]


def test_errors():
    check_raises(lambda L, a: L.linalg.vecdot(a, a), [np.array([1, 2, 3])])
    check_raises(lambda L, a, b: L.linalg.vecdot(a, b), [_r(3), _r(3).astype(np.float32)])
    check_raises(lambda L, a: L.round(a, decimals=0), [np.array([1, 2])])
    check_raises(lambda L, a: L.round(a, decimals=None), [_r(3)])
    check_raises(lambda L, a: L.vdot(a, a), [_r(2, 2)])
    check_raises(lambda L, a, b: L.linalg.cross(a, b), [_r(3, 2), _r(3, 2)])
    check_raises(lambda L, a: L.block_diag(a), [_r(2, 2, 2)])
    check_raises(lambda L, a: L.diff(a, n=-1), [_r(3)])
    check_raises(lambda L, a, b: L.lerp(a, b, 0.3), [_r(3), _r(3).astype(np.float32)])
    check_raises(lambda L, a, b: L.lerp(a, a, b), [_r(3), _r(3).astype(np.float32)])
