"""Tensor methods around the data itself: type_as, get_device, const_data_ptr,
is_set_to, __complex__, __reversed__, fliplr/flipud/isreal/prelu as methods, and
the Python-callable maps apply_/map_/map2_ (values, dtypes, errors as torch)."""

import numpy as np
import pytest
import torch
from parity import assert_same, check_op, check_raises

import mlx_compat


@pytest.fixture
def rng():
    return np.random.default_rng()


@pytest.mark.parametrize(
    "dtype,other", [("float32", "int64"), ("int32", "float64"), ("float64", "float64")]
)
def test_type_as(rng, dtype, other):
    a = (rng.normal(size=(2, 3)) * 5).astype(dtype)
    b = rng.normal(size=(4,)).astype(other)
    check_op(lambda M, x, y: x.type_as(y), [a, b], grad=False)
    for M in (torch, mlx_compat):
        x = M.tensor(a)
        if dtype == other:
            assert x.type_as(M.tensor(b)) is x


def test_method_forms(rng):
    a = rng.normal(size=(3, 4)).astype(np.float32)
    check_op(lambda M, x: x.fliplr() * 2, [a])
    check_op(lambda M, x: x.flipud() * 2, [a])
    # prelu is a composite here (torch records PreluKernelBackward0): values and
    # gradients compared, not the node name.
    check_op(lambda M, x: x.prelu(M.tensor([0.3])), [a], check_grad_fn=False)
    c = (rng.normal(size=6) + 1j * rng.normal(size=6)).astype(np.complex64)
    c[::2] = c[::2].real
    check_op(lambda M, x: x.isreal(), [c], grad=False)
    check_op(lambda M, x: M.isreal(x.conj()), [c], grad=False)
    check_op(lambda M, x: x.isreal(), [a], grad=False)


def test_device_and_pointer_queries(rng):
    a = rng.normal(size=(4, 3)).astype(np.float32)
    for M in (torch, mlx_compat):
        x = M.tensor(a)
        assert x.get_device() == -1
        assert x.const_data_ptr() == x.data_ptr()
        assert x.is_set_to(x) and x.is_set_to(x.view(4, 3))
        assert not x.is_set_to(x[1:]) and not x.is_set_to(x.t())
        assert not x.is_set_to(x.view(12)) and not x.is_set_to(x.clone())


@pytest.mark.parametrize(
    "make",
    [
        lambda M: M.tensor([1.5]),
        lambda M: M.tensor(2.0 - 3.0j),
        lambda M: M.tensor([[True]]),
        lambda M: M.tensor(7),
    ],
)
def test_complex_conversion(make):
    assert complex(make(mlx_compat)) == complex(make(torch))


def test_complex_conversion_errors(rng):
    check_raises(lambda M, x: complex(x), [rng.normal(size=2).astype(np.float32)])


def test_reversed(rng):
    a = rng.normal(size=(3, 2)).astype(np.float32)
    t, m = list(reversed(torch.tensor(a))), list(reversed(mlx_compat.tensor(a)))
    for x, y in zip(m, t, strict=True):
        assert_same(x, y)
    for M in (torch, mlx_compat):
        s = M.tensor(2.5)
        assert reversed(s) is s


MAPS = [
    ("apply_float", lambda M, x: x.apply_(lambda v: v * 2 + 1)),
    ("apply_int_truncates", lambda M, x: x.long().apply_(lambda v: v * 1.7)),
    ("apply_transposed", lambda M, x: x.t().apply_(lambda v: v - 10)),
    ("apply_bool", lambda M, x: (x > 0).apply_(lambda v: not v)),
    ("map_broadcast", lambda M, x: x.map_(x[0].clone(), lambda a, b: a * b + 1)),
    ("map2_", lambda M, x: x.map2_(x.clone(), x[:, :1].clone(), lambda a, b, c: a - b * c)),
]


@pytest.mark.parametrize("name,fn", MAPS, ids=[m[0] for m in MAPS])
def test_maps(rng, name, fn):
    a = rng.normal(size=(3, 4)).astype(np.float32) * 4
    out = {}
    for M in (torch, mlx_compat):
        x = M.tensor(a)
        r = fn(M, x)
        out[M] = (r, x)
    assert_same(out[mlx_compat][0], out[torch][0])
    assert_same(out[mlx_compat][1], out[torch][1])  # writes through views reach the base


MAP_ERRORS = [
    ("apply_grad", lambda M, x: x.requires_grad_().apply_(lambda v: v)),
    ("map_grad_other", lambda M, x: x.map_(x.clone().requires_grad_(), lambda a, b: a)),
    ("map2_grad", lambda M, x: x.requires_grad_().map2_(x, x, lambda a, b, c: a)),
    ("map_dtype", lambda M, x: x.map_(x.long(), lambda a, b: a)),
    ("map2_dtype_x", lambda M, x: x.map2_(x.long(), x, lambda a, b, c: a)),
    ("map2_dtype_y", lambda M, x: x.map2_(x, x.double(), lambda a, b, c: a)),
    ("map_shape", lambda M, x: x.map_(M.ones(5), lambda a, b: a)),
    ("apply_not_callable", lambda M, x: x.apply_(5)),
]


@pytest.mark.parametrize("name,fn", MAP_ERRORS, ids=[m[0] for m in MAP_ERRORS])
def test_map_errors(rng, name, fn):
    m_exc, t_exc = check_raises(fn, [rng.normal(size=(2, 3)).astype(np.float32)])
    if name not in ("map_shape",):
        assert str(m_exc) == str(t_exc)
