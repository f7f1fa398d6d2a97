"""Stacking/splitting entry points beyond the OpInfo samples: argument forms,
properties, complex mH, and error classes, against torch."""

import numpy as np
import pytest
import torch
from parity import check_raises

import mlx_compat

R = np.random.default_rng()


def _pair(shape, dtype=np.float32):
    a = R.standard_normal(shape).astype(dtype)
    return torch.from_numpy(a.copy()), mlx_compat.from_numpy(a.copy())


def _same(m, t):
    if isinstance(t, tuple):
        assert isinstance(m, tuple) and len(m) == len(t)
        for a, b in zip(m, t, strict=True):
            _same(a, b)
        return
    assert tuple(m.shape) == tuple(t.shape) and str(m.dtype) == str(t.dtype)
    np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-6)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_atleast_argument_forms(n):
    (t0, m0), (t1, m1), (t2, m2) = _pair(()), _pair((4,)), _pair((2, 3))
    tf, mf = getattr(torch, f"atleast_{n}d"), getattr(mlx_compat, f"atleast_{n}d")
    _same(mf(m1), tf(t1))
    _same(mf(m0, m1, m2), tf(t0, t1, t2))
    _same(mf([m0, m2]), tf([t0, t2]))
    _same(mf((m1,)), tf((t1,)))


@pytest.mark.parametrize(
    "spec", [3, [1, 4], (2,), [], "t0", "t1"], ids=["int", "list", "tuple", "empty", "t0", "t1"]
)
def test_tensor_split_specs(spec):
    t, m = _pair((7, 5))
    if spec == "t0":
        st, sm = torch.tensor(3), mlx_compat.tensor(3)
    elif spec == "t1":
        st, sm = torch.tensor([2, 5]), mlx_compat.tensor([2, 5])
    else:
        st = sm = spec
    _same(mlx_compat.tensor_split(m, sm), torch.tensor_split(t, st))
    _same(m.tensor_split(sm, 1), t.tensor_split(st, 1))


def test_mt_mh_adjoint():
    t, m = _pair((2, 3, 4))
    _same(m.mT, t.mT)
    _same(m.mH, t.mH)
    _same(m.adjoint(), t.adjoint())
    re, im = R.standard_normal((3, 2)), R.standard_normal((3, 2))
    c = (re + 1j * im).astype(np.complex64)
    tc, mc = torch.from_numpy(c), mlx_compat.from_numpy(c)
    assert mc.mH.is_conj() and tc.mH.is_conj()
    np.testing.assert_allclose(mc.mH.resolve_conj().numpy(), tc.mH.resolve_conj().numpy())
    np.testing.assert_allclose(mc.mT.numpy(), tc.mT.numpy())


def test_gradients_through_splits_and_stacks():
    a = R.standard_normal((6, 4)).astype(np.float32)
    g = R.standard_normal((4, 6)).astype(np.float32)
    res = []
    for lib in (torch, mlx_compat):
        x = lib.tensor(a, requires_grad=True)
        parts = lib.hsplit(x, [1, 3])
        y = lib.vstack([p.mT for p in parts]).unflatten(0, (2, 2)).ravel()
        y.backward(lib.tensor(g.reshape(-1)))
        res.append(x.grad.numpy())
    np.testing.assert_allclose(res[1], res[0])


ERRORS = [
    lambda T: T.hsplit(T.ones(5, 7), 3),
    lambda T: T.vsplit(T.ones(3), 1),
    lambda T: T.dsplit(T.ones(2, 2), 1),
    lambda T: T.hsplit(T.ones(()), 1),
    lambda T: T.tensor_split(T.ones(5), 0),
    lambda T: T.tensor_split(T.ones(()), 2),
    lambda T: T.tensor_split(T.ones(5), T.tensor([[1]])),
    lambda T: T.tensor_split(T.ones(5), T.tensor([1.0])),
    lambda T: T.ones(5, 7).unflatten(1, (2, 4)),
    lambda T: T.ones(3).mT,
    lambda T: T.hstack([]),
    lambda T: T.vstack([]),
    lambda T: T.column_stack([]),
]


@pytest.mark.parametrize("fn", ERRORS)
def test_error_classes(fn):
    check_raises(fn)


def test_row_stack_and_adjoint_function_with_gradients():
    a, b = (R.standard_normal(s).astype(np.float32) for s in ((3,), (2, 3)))
    g = R.standard_normal((3, 3)).astype(np.float32)
    got = []
    for lib in (torch, mlx_compat):
        x, y = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
        out = lib.adjoint(lib.row_stack([x, y]))
        out.backward(lib.tensor(g))
        got.append((out.detach().numpy(), x.grad.numpy(), y.grad.numpy()))
    for ours, theirs in zip(got[1], got[0], strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
