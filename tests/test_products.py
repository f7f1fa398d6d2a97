"""Products composed from the matrix kernels: scalar rules and error classes against torch."""

import numpy as np
import pytest
import torch
from parity import check_raises

import mlx_compat

R = np.random.default_rng()


def _ints(*shape):
    return R.integers(-5, 6, size=shape).astype(np.int64)


@pytest.mark.parametrize("beta,alpha", [(0.2, 0.6), (1.7, 2.6), (0, 3), (-2.5, 1)])
@pytest.mark.parametrize("name", ["addmv", "baddbmm", "addbmm"])
def test_integral_inputs_truncate_scalars(name, beta, alpha):
    shapes = {
        "addmv": [(4,), (4, 6), (6,)],
        "baddbmm": [(3, 4, 5), (3, 4, 2), (3, 2, 5)],
        "addbmm": [(4, 5), (3, 4, 2), (3, 2, 5)],
    }[name]
    arrays = [_ints(*s) for s in shapes]
    t = getattr(torch, name)(*map(torch.from_numpy, arrays), beta=beta, alpha=alpha)
    m = getattr(mlx_compat, name)(*map(mlx_compat.from_numpy, arrays), beta=beta, alpha=alpha)
    assert str(m.dtype) == str(t.dtype)
    np.testing.assert_array_equal(m.numpy(), t.numpy())


@pytest.mark.parametrize("beta,alpha", [(True, True), (False, True), (True, False)])
def test_addr_bool(beta, alpha):
    a, v1, v2 = (R.random(s) > 0.5 for s in [(3, 4), (3,), (4,)])
    t = torch.addr(*map(torch.from_numpy, (a, v1, v2)), beta=beta, alpha=alpha)
    m = mlx_compat.addr(*map(mlx_compat.from_numpy, (a, v1, v2)), beta=beta, alpha=alpha)
    np.testing.assert_array_equal(m.numpy(), t.numpy())


def test_beta_zero_ignores_nan_input():
    x = np.full((3,), np.nan, np.float32)
    mat, vec = R.standard_normal((3, 4)).astype(np.float32), R.standard_normal(4).astype(np.float32)
    t = torch.addmv(torch.from_numpy(x), torch.from_numpy(mat), torch.from_numpy(vec), beta=0)
    m = mlx_compat.addmv(*map(mlx_compat.from_numpy, (x, mat, vec)), beta=0)
    np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-5, atol=1e-5)


ERRORS = [
    lambda T: T.outer(T.ones(2, 2), T.ones(2)),
    lambda T: T.inner(T.ones(2, 3), T.ones(4, 5)),
    lambda T: T.addmv(T.ones(3), T.ones(3, 4), T.ones(5)),
    lambda T: T.baddbmm(T.ones(2, 3, 4), T.ones(2, 3, 5), T.ones(2, 4, 4)),
    lambda T: T.addbmm(T.ones(3, 4), T.ones(2, 3, 5), T.ones(2, 4, 4)),
    lambda T: T.addr(
        T.ones(2, 2, dtype=T.int64), T.ones(2, dtype=T.int64), T.ones(2, dtype=T.int64), beta=1.5
    ),
    lambda T: T.tensordot(T.ones(2, 3), T.ones(4, 3), dims=([1], [0])),
    lambda T: T.tensordot(T.ones(2, 3), T.ones(3, 4), dims=-1),
    lambda T: T.vdot(T.ones(2), T.ones(3)),
    lambda T: T.vdot(T.ones(2), T.ones(2, dtype=T.float64)),
    lambda T: T.vdot(T.ones(2, 2), T.ones(2, 2)),
]


@pytest.mark.parametrize("fn", ERRORS)
def test_error_classes(fn):
    check_raises(fn)


def test_tensordot_int_dims_and_broadcast_contraction():
    a = R.standard_normal((2, 3, 4)).astype(np.float32)
    b = R.standard_normal((3, 4, 5)).astype(np.float32)
    t = torch.tensordot(torch.from_numpy(a), torch.from_numpy(b), dims=2)
    m = mlx_compat.tensordot(mlx_compat.from_numpy(a), mlx_compat.from_numpy(b), dims=2)
    np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-5, atol=1e-5)
    c = R.standard_normal((1, 3)).astype(np.float32)
    d = R.standard_normal((2, 3)).astype(np.float32)
    t = torch.tensordot(torch.from_numpy(c), torch.from_numpy(d), dims=([0, 1], [0, 1]))
    m = mlx_compat.tensordot(mlx_compat.from_numpy(c), mlx_compat.from_numpy(d), ([0, 1], [0, 1]))
    np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-5, atol=1e-5)


def test_ger_is_outer_with_gradients():
    a, b = (R.standard_normal(n).astype(np.float32) for n in (4, 5))
    g = R.standard_normal((4, 5)).astype(np.float32)
    got = []
    for lib in (torch, mlx_compat):
        x, y = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
        out = lib.ger(x, y)
        out.backward(lib.tensor(g))
        got.append((out.detach().numpy(), x.grad.numpy(), y.grad.numpy()))
    for ours, theirs in zip(got[1], got[0], strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
