"""Autograd through in-place writes into views (CopySlices), regenerated view
histories, and torch's errors for in-place writes, against torch."""

import numpy as np
import pytest
import torch
from parity import assert_same, check_raises

import mlx_compat


def grads_of(M, fn, arrays):
    ins = [M.tensor(a, requires_grad=True) for a in arrays]
    out, names = fn(M, *ins)
    out.backward()
    return [x.grad for x in ins], out, names


def name(t):
    return type(t.grad_fn).__name__ if t.grad_fn is not None else None


def case_mul_slice(M, a, y):
    b = a * 1
    v = b[1:3]
    v.mul_(y)
    w = b[0:2]
    return (b * b).sum() + v.exp().sum() + w.sum(), [name(b), name(v), name(w)]


def case_copy_into_zeros(M, a, y):
    x = M.zeros(3)
    x[1:].copy_(y * 2)
    return (x * a).sum(), [name(x)]


def case_select_add(M, a, y):
    b = a.clone()
    b[0].add_(y.sum())
    b[1].zero_()
    return (b * b).sum(), [name(b)]


def case_transposed_view(M, a, y):
    b = a.reshape(2, 2) * 1
    b.t()[0].mul_(y)
    return (b.exp()).sum(), [name(b)]


def case_stale_view(M, a, y):
    b = a * 2
    early = b[:2]
    b[1:3].mul_(y)
    return (early * early).sum() + b.sum(), [name(early), name(b)]


def case_nonleaf_inplace_saved_self(M, a, y):
    b = a * 1
    b.mul_(a)
    b.add_(y.sum())
    return b.sum(), [name(b)]


CASES = [
    ("mul_slice", case_mul_slice, [(4,), (2,)]),
    ("copy_into_zeros", case_copy_into_zeros, [(3,), (2,)]),
    ("select_add", case_select_add, [(3,), (2,)]),
    ("transposed_view", case_transposed_view, [(4,), (2,)]),
    ("stale_view", case_stale_view, [(4,), (2,)]),
    ("nonleaf_inplace_saved_self", case_nonleaf_inplace_saved_self, [(4,), (2,)]),
]


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("cid,fn,shapes", CASES, ids=[c[0] for c in CASES])
def test_inplace_through_views(cid, fn, shapes, seed):
    rng = np.random.default_rng(seed + 40)
    arrays = [rng.normal(size=s).astype(np.float32) for s in shapes]
    tg, tout, tnames = grads_of(torch, fn, arrays)
    mg, mout, mnames = grads_of(mlx_compat, fn, arrays)
    assert mnames == tnames
    assert_same(mout, tout)
    for m, t in zip(mg, tg, strict=True):
        if t is None:
            assert m is None
        else:
            assert_same(m, t, 1e-4, 1e-5)


def _leaf_view(M, a):
    a.requires_grad_(True)
    a[0].mul_(2)


def _expanded_write(M, a):
    a.expand(2, 3).add_(1)


def _saved_result_modified(M, a):
    a.requires_grad_(True)
    b = a.exp()
    b[1:].zero_()
    b.sum().backward()


@pytest.mark.parametrize("fn", [_leaf_view, _expanded_write, _saved_result_modified])
def test_inplace_errors(fn):
    check_raises(fn, [np.random.default_rng(2).normal(size=(3,)).astype(np.float32)])
