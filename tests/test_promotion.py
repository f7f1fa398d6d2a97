"""Type promotion against torch: every pair of dtypes and Python scalar kinds
through the binary operators, result_type / promote_types / can_cast, and the
in-place refusal of results an input cannot hold."""

import itertools

import numpy as np
import pytest
import torch
from parity import dtype_name, dtype_pair

import mlx_compat

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
SCALARS = [True, 3, -2, 2.5, -0.75]
OPS = [
    ("add", lambda a, b: a + b),
    ("sub", lambda a, b: a - b),
    ("mul", lambda a, b: a * b),
    ("div", lambda a, b: a / b),
    ("lt", lambda a, b: a < b),
    ("eq", lambda a, b: a == b),
]


def make(M, name, rng, shape=(3,)):
    t_dtype, m_dtype = dtype_pair(name)
    dt = t_dtype if M is torch else m_dtype
    if name == "bool":
        data = (rng.random(shape) > 0.5).tolist()
    else:
        data = rng.integers(1, 5, size=shape).tolist()
    return M.tensor(data, dtype=dt)


def outcome(fn):
    try:
        r = fn()
    except Exception as e:  # noqa: BLE001
        return ("raise", type(e).__name__)
    return ("ok", dtype_name(r.dtype), tuple(r.shape), np.asarray(r.float().tolist()))


def same_outcome(m, t):
    assert m[:2] == t[:2], f"{m[:2]} != {t[:2]}"
    if m[0] == "ok":
        assert m[2] == t[2]
        np.testing.assert_allclose(m[3], t[3], rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("op,fn", OPS, ids=[o[0] for o in OPS])
@pytest.mark.parametrize("da,db", list(itertools.product(DTYPES, DTYPES)))
def test_tensor_tensor(op, fn, da, db):
    results = []
    for M in (torch, mlx_compat):
        rng = np.random.default_rng(hash((op, da, db)) % 2**32)
        a, b = make(M, da, rng), make(M, db, rng)
        results.append(outcome(lambda a=a, b=b: fn(a, b)))
    same_outcome(results[1], results[0])


@pytest.mark.parametrize("op,fn", OPS, ids=[o[0] for o in OPS])
@pytest.mark.parametrize("da", DTYPES)
@pytest.mark.parametrize("s", SCALARS, ids=[repr(s) for s in SCALARS])
def test_tensor_scalar_both_sides(op, fn, da, s):
    for order in (0, 1):
        results = []
        for M in (torch, mlx_compat):
            a = make(M, da, np.random.default_rng(7))
            results.append(outcome(lambda a=a, o=order: fn(a, s) if o == 0 else fn(s, a)))
        same_outcome(results[1], results[0])


@pytest.mark.parametrize("da,db", list(itertools.product(DTYPES, ["int64", "float32", "float64"])))
def test_zero_dim_operands(da, db):
    results = []
    for M in (torch, mlx_compat):
        rng = np.random.default_rng(3)
        a = make(M, da, rng)
        b = make(M, db, rng, shape=())
        results.append(outcome(lambda a=a, b=b: a * b))
        results.append(outcome(lambda a=a, b=b: b + a))
    same_outcome(results[2], results[0])
    same_outcome(results[3], results[1])


@pytest.mark.parametrize("da,db", list(itertools.product(DTYPES, DTYPES)))
def test_promotion_functions(da, db):
    (ta, ma), (tb, mb) = dtype_pair(da), dtype_pair(db)
    assert dtype_name(mlx_compat.promote_types(ma, mb)) == dtype_name(torch.promote_types(ta, tb))
    assert mlx_compat.can_cast(ma, mb) == torch.can_cast(ta, tb)
    rng = np.random.default_rng(1)
    x_t, x_m = make(torch, da, rng), make(mlx_compat, da, np.random.default_rng(1))
    for s in SCALARS:
        assert dtype_name(mlx_compat.result_type(x_m, s)) == dtype_name(torch.result_type(x_t, s))


@pytest.mark.parametrize("da", DTYPES)
@pytest.mark.parametrize("s", [2, 1.5, True])
def test_inplace_refuses_unholdable_results(da, s):
    results = []
    for M in (torch, mlx_compat):
        a = make(M, da, np.random.default_rng(5))
        results.append(outcome(lambda a=a: a.add_(s)))
        results.append(outcome(lambda a=a: a.mul_(s)))
    same_outcome(results[2], results[0])
    same_outcome(results[3], results[1])
