"""nn.Linear / nn.Identity / F.linear parity."""

import math
import os
import sys

import pytest
import torch

import mlx_compat

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir))
from _nn_helpers import (  # noqa: E402
    GRAD_RTOL,
    assert_close,
    copy_weights,
    ours,
    randn,
    to_np,
)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(7,), (4, 7), (2, 3, 7)])
def test_linear_forward_backward(bias, shape):
    t = torch.nn.Linear(7, 5, bias=bias)
    m = mlx_compat.nn.Linear(7, 5, bias=bias)
    copy_weights(t, m)
    x = randn(shape, seed=len(shape))
    xt = torch.tensor(x, requires_grad=True)
    xm = ours(x, requires_grad=True)
    out_t, out_m = t(xt), m(xm)
    assert_close(out_m, out_t)
    g = randn(out_t.shape, seed=11)
    out_t.backward(torch.tensor(g))
    out_m.backward(ours(g))
    assert_close(xm.grad, xt.grad, rtol=GRAD_RTOL, atol=1e-5)
    assert_close(m.weight.grad, t.weight.grad, rtol=GRAD_RTOL, atol=1e-5)
    if bias:
        assert_close(m.bias.grad, t.bias.grad, rtol=GRAD_RTOL, atol=1e-5)
    else:
        assert m.bias is None


def test_linear_attributes_and_repr():
    t = torch.nn.Linear(3, 4)
    m = mlx_compat.nn.Linear(3, 4)
    assert repr(m) == repr(t)
    assert (m.in_features, m.out_features) == (3, 4)
    assert tuple(m.weight.shape) == (4, 3) and tuple(m.bias.shape) == (4,)
    assert isinstance(m.weight, mlx_compat.nn.Parameter)
    assert m.weight.requires_grad and m.weight.is_leaf
    assert [n for n, _ in m.named_parameters()] == ["weight", "bias"]
    assert list(m.state_dict()) == list(t.state_dict())


def test_linear_dtype_argument():
    m = mlx_compat.nn.Linear(3, 2, dtype=mlx_compat.float64)
    assert "float64" in str(m.weight.dtype) and "float64" in str(m.bias.dtype)
    x = randn((2, 3), seed=4).astype("float64")
    t = torch.nn.Linear(3, 2, dtype=torch.float64)
    copy_weights(t, m)
    assert_close(m(ours(x)), t(torch.tensor(x)), rtol=1e-12, atol=1e-12)


def test_linear_default_init_bounds():
    m = mlx_compat.nn.Linear(50, 40)
    bound = 1 / math.sqrt(50)
    w, b = to_np(m.weight), to_np(m.bias)
    assert abs(w).max() <= bound + 1e-7 and abs(b).max() <= bound + 1e-7
    # kaiming_uniform_(a=sqrt(5)) gives U(-1/sqrt(fan_in), 1/sqrt(fan_in)): std = bound/sqrt(3)
    assert abs(w.std() - bound / math.sqrt(3)) < 0.1 * bound
    assert len(set(w.ravel().tolist())) > 1000


def test_linear_seeded_init_matches_torch():
    torch.manual_seed(1234)
    t = torch.nn.Linear(6, 3)
    mlx_compat.manual_seed(1234)
    m = mlx_compat.nn.Linear(6, 3)
    assert_close(m.weight, t.weight, rtol=1e-6, atol=1e-7)
    assert_close(m.bias, t.bias, rtol=1e-6, atol=1e-7)


def test_functional_linear():
    x, w, b = randn((3, 4), 1), randn((2, 4), 2), randn((2,), 3)
    F_t, F_m = torch.nn.functional, mlx_compat.nn.functional
    assert_close(F_m.linear(ours(x), ours(w), ours(b)), F_t.linear(*map(torch.tensor, (x, w, b))))
    assert_close(F_m.linear(ours(x), ours(w)), F_t.linear(torch.tensor(x), torch.tensor(w)))
    x3 = randn((2, 3, 4), 4)
    assert_close(F_m.linear(ours(x3), ours(w), ours(b)), F_t.linear(*map(torch.tensor, (x3, w, b))))


def test_identity():
    x = randn((3, 2), 7)
    m = mlx_compat.nn.Identity(54, unused="x")
    xm = ours(x)
    assert m(xm) is xm
    assert repr(m) == repr(torch.nn.Identity(54, unused="x"))
    assert list(m.parameters()) == []
