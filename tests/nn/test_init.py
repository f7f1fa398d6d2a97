"""nn.init parity: gains, fans, formulas, seeded streams."""

import math
import os
import sys

import numpy as np
import pytest
import torch

import mlx_compat

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir))
from _nn_helpers import assert_close, ours, raises_same, randn, to_np  # noqa: E402

init_t, init_m = torch.nn.init, mlx_compat.nn.init


@pytest.mark.parametrize(
    "nonlinearity,param",
    [
        ("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None),
        ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 3),
        ("selu", None),
    ],
)  # fmt: skip
def test_calculate_gain(nonlinearity, param):
    assert init_m.calculate_gain(nonlinearity, param) == init_t.calculate_gain(nonlinearity, param)


def test_calculate_gain_errors():
    raises_same(lambda: init_t.calculate_gain("swish"), lambda: init_m.calculate_gain("swish"))
    raises_same(
        lambda: init_t.calculate_gain("leaky_relu", True),
        lambda: init_m.calculate_gain("leaky_relu", True),
    )


@pytest.mark.parametrize("shape", [(3, 4), (5, 2, 3), (6, 3, 2, 2)])
def test_fan_in_and_fan_out(shape):
    x = randn(shape, 1)
    assert init_m._calculate_fan_in_and_fan_out(ours(x)) == (
        init_t._calculate_fan_in_and_fan_out(torch.tensor(x))
    )


def test_fan_errors():
    raises_same(
        lambda: init_t._calculate_fan_in_and_fan_out(torch.zeros(3)),
        lambda: init_m._calculate_fan_in_and_fan_out(mlx_compat.zeros(3)),
    )
    raises_same(
        lambda: init_t.kaiming_uniform_(torch.zeros(3, 3), mode="fan_avg"),
        lambda: init_m.kaiming_uniform_(mlx_compat.zeros(3, 3), mode="fan_avg"),
    )


def test_constant_zeros_ones():
    x = randn((3, 4), 2)
    a = ours(x)
    assert init_m.constant_(a, 0.25) is a
    assert np.all(to_np(a) == 0.25)
    init_m.zeros_(a)
    assert np.all(to_np(a) == 0)
    init_m.ones_(a)
    assert np.all(to_np(a) == 1)


def test_init_does_not_record_grad():
    p = mlx_compat.nn.Parameter(ours(randn((4, 4), 3)))
    for fn in (init_m.uniform_, init_m.normal_, init_m.xavier_uniform_, init_m.kaiming_normal_):
        fn(p)
        assert p.is_leaf and p.grad_fn is None and p.requires_grad


def _big():
    return mlx_compat.empty(400, 300)


def test_uniform_and_normal_statistics():
    w = to_np(init_m.uniform_(_big(), -2.0, 3.0))
    assert w.min() >= -2.0 and w.max() <= 3.0
    assert abs(w.mean() - 0.5) < 0.05
    w = to_np(init_m.normal_(_big(), 1.5, 0.5))
    assert abs(w.mean() - 1.5) < 0.01 and abs(w.std() - 0.5) < 0.01


@pytest.mark.parametrize("gain", [1.0, 2.0])
def test_xavier_statistics(gain):
    bound = gain * math.sqrt(6.0 / 700)
    w = to_np(init_m.xavier_uniform_(_big(), gain=gain))
    assert abs(w).max() <= bound and abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound
    std = gain * math.sqrt(2.0 / 700)
    w = to_np(init_m.xavier_normal_(_big(), gain=gain))
    assert abs(w.std() - std) < 0.02 * std


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nonlinearity,a", [("relu", 0), ("leaky_relu", 0.1)])
def test_kaiming_statistics(mode, nonlinearity, a):
    fan = 300 if mode == "fan_in" else 400
    std = init_t.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    w = to_np(init_m.kaiming_uniform_(_big(), a=a, mode=mode, nonlinearity=nonlinearity))
    assert abs(w).max() <= math.sqrt(3) * std * (1 + 1e-6)
    assert abs(w.std() - std) < 0.02 * std
    w = to_np(init_m.kaiming_normal_(_big(), a=a, mode=mode, nonlinearity=nonlinearity))
    assert abs(w.std() - std) < 0.02 * std


def test_kaiming_zero_element_warns():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        init_m.kaiming_uniform_(mlx_compat.empty(0, 3))


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("uniform_", {"a": -0.5, "b": 0.5}),
        ("normal_", {"mean": 0.1, "std": 0.3}),
        ("xavier_uniform_", {}),
        ("xavier_normal_", {"gain": 0.5}),
        ("kaiming_uniform_", {"a": math.sqrt(5)}),
        ("kaiming_normal_", {"mode": "fan_out"}),
    ],
)
def test_seeded_generator_matches_torch(name, kwargs):
    gt = torch.Generator().manual_seed(2024)
    gm = mlx_compat.Generator().manual_seed(2024)
    wt = getattr(init_t, name)(torch.empty(6, 5), generator=gt, **kwargs)
    wm = getattr(init_m, name)(mlx_compat.empty(6, 5), generator=gm, **kwargs)
    assert_close(wm, wt, rtol=1e-5, atol=1e-6)
