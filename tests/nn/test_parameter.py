"""nn.Parameter / nn.Buffer parity."""

import copy
import os
import pickle
import sys

import torch

import mlx_compat

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir))
from _nn_helpers import assert_close, ours, randn  # noqa: E402


def test_parameter_basics():
    data = ours(randn((2, 3), 1))
    p = mlx_compat.nn.Parameter(data)
    assert isinstance(p, mlx_compat.nn.Parameter)
    assert isinstance(p, mlx_compat.Tensor)
    assert p.requires_grad and p.is_leaf and p.grad_fn is None
    assert_close(p, data)
    frozen = mlx_compat.nn.Parameter(data, requires_grad=False)
    assert not frozen.requires_grad
    empty = mlx_compat.nn.Parameter()
    assert tuple(empty.shape) == (0,)


def test_parameter_aliases_data():
    data = ours(randn((4,), 2))
    p = mlx_compat.nn.Parameter(data)
    with mlx_compat.no_grad():
        p.mul_(2)
    assert_close(data, randn((4,), 2) * 2)


def test_parameter_repr_prefix():
    x = randn((2,), 3)
    rt = repr(torch.nn.Parameter(torch.tensor(x)))
    rm = repr(mlx_compat.nn.Parameter(ours(x)))
    assert rm.startswith("Parameter containing:\n")
    assert rm == rt


def test_parameter_deepcopy():
    p = mlx_compat.nn.Parameter(ours(randn((3,), 4)), requires_grad=False)
    q = copy.deepcopy(p)
    assert type(q) is mlx_compat.nn.Parameter and q is not p
    assert not q.requires_grad
    assert_close(q, p)


def test_parameter_pickle_roundtrip():
    p = mlx_compat.nn.Parameter(ours(randn((3,), 4)), requires_grad=False)
    r = pickle.loads(pickle.dumps(p))
    assert type(r) is mlx_compat.nn.Parameter
    assert_close(r, p)


def test_parameter_grad_flow():
    w = randn((3,), 5)
    pt = torch.nn.Parameter(torch.tensor(w))
    pm = mlx_compat.nn.Parameter(ours(w))
    (pt * pt).sum().backward()
    (pm * pm).sum().backward()
    assert_close(pm.grad, pt.grad)


def test_buffer_marker():
    b = mlx_compat.nn.Buffer(ours(randn((2,), 6)), persistent=False)
    assert isinstance(b, mlx_compat.Tensor)
    assert isinstance(b, mlx_compat.nn.Buffer)
    assert not isinstance(ours(randn((2,), 6)), mlx_compat.nn.Buffer)
    assert b.persistent is False
