"""ReLU / Softmax / LogSoftmax modules and their functional forms."""

import os
import sys
import warnings

import pytest
import torch

import mlx_compat

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir))
from _nn_helpers import GRAD_RTOL, assert_close, ours, randn  # noqa: E402


def _run(mod_t, mod_m, x):
    xt = torch.tensor(x, requires_grad=True)
    xm = ours(x, requires_grad=True)
    out_t, out_m = mod_t(xt), mod_m(xm)
    assert_close(out_m, out_t)
    g = randn(out_t.shape, seed=99)
    out_t.backward(torch.tensor(g))
    out_m.backward(ours(g))
    assert_close(xm.grad, xt.grad, rtol=GRAD_RTOL, atol=1e-5)


def test_relu_module():
    x = randn((4, 6), 1)
    _run(torch.nn.ReLU(), mlx_compat.nn.ReLU(), x)
    assert repr(mlx_compat.nn.ReLU()) == repr(torch.nn.ReLU()) == "ReLU()"
    assert repr(mlx_compat.nn.ReLU(inplace=True)) == repr(torch.nn.ReLU(inplace=True))


def test_relu_inplace():
    x = randn((3, 5), 2)
    xt, xm = torch.tensor(x), ours(x)
    out_t = torch.nn.ReLU(inplace=True)(xt)
    out_m = mlx_compat.nn.ReLU(inplace=True)(xm)
    assert out_m is xm and out_t is xt
    assert_close(xm, xt)
    assert_close(mlx_compat.nn.functional.relu(ours(x)), torch.nn.functional.relu(torch.tensor(x)))


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("name", ["Softmax", "LogSoftmax"])
def test_softmax_modules(name, dim):
    x = randn((3, 4, 5), 3)
    mod_t = getattr(torch.nn, name)(dim=dim)
    mod_m = getattr(mlx_compat.nn, name)(dim=dim)
    _run(mod_t, mod_m, x)
    assert repr(mod_m) == repr(mod_t)


@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape", [(5,), (3, 5), (2, 3, 5), (2, 3, 4, 5)])
def test_softmax_implicit_dim(fn, shape):
    x = randn(shape, 4)
    with warnings.catch_warnings(record=True) as w_t:
        warnings.simplefilter("always")
        out_t = getattr(torch.nn.functional, fn)(torch.tensor(x))
    with warnings.catch_warnings(record=True) as w_m:
        warnings.simplefilter("always")
        out_m = getattr(mlx_compat.nn.functional, fn)(ours(x))
    assert_close(out_m, out_t)
    assert [str(w.message) for w in w_m] == [str(w.message) for w in w_t]


@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
def test_softmax_dtype(fn):
    x = randn((3, 4), 5)
    out_t = getattr(torch.nn.functional, fn)(torch.tensor(x), dim=1, dtype=torch.float64)
    out_m = getattr(mlx_compat.nn.functional, fn)(ours(x), dim=1, dtype=mlx_compat.float64)
    assert "float64" in str(out_m.dtype)
    # MLX's CPU float64 exp is accurate to ~5e-8 relative (a float32-grade
    # approximation), so float64 results agree to 1e-7, not to double precision.
    assert_close(out_m, out_t, rtol=1e-7, atol=1e-9)


def test_softmax_default_repr():
    assert repr(mlx_compat.nn.Softmax()) == repr(torch.nn.Softmax()) == "Softmax(dim=None)"
    assert repr(mlx_compat.nn.LogSoftmax(1)) == repr(torch.nn.LogSoftmax(1))
