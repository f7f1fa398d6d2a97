"""SGD parity: 20-step trajectories, state_dict layout, argument checks."""

import copy
import os
import sys

import pytest
import torch

import mlx_compat

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir))
from _nn_helpers import assert_close, ours, raises_same  # noqa: E402
from _optim_cases import (  # noqa: E402
    compare_state_dicts,
    param_pair,
    run_training,
    run_with_grads,
)

CONFIGS = [
    {"lr": 0.1},
    {"lr": 0.05, "momentum": 0.9},
    {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-2},
    {"lr": 0.05, "momentum": 0.8, "dampening": 0.3},
    {"lr": 0.05, "momentum": 0.5, "dampening": 0.1, "weight_decay": 0.05, "maximize": True},
]


@pytest.mark.parametrize("kwargs", CONFIGS)
def test_sgd_trajectory_with_given_grads(kwargs):
    opt_t, opt_m, _, _ = run_with_grads(torch.optim.SGD, mlx_compat.optim.SGD, kwargs)
    compare_state_dicts(opt_t, opt_m)


@pytest.mark.parametrize("kwargs", CONFIGS[1:3])
def test_sgd_skips_params_without_grad(kwargs):
    opt_t, opt_m, _, _ = run_with_grads(torch.optim.SGD, mlx_compat.optim.SGD, kwargs, skip_every=3)
    compare_state_dicts(opt_t, opt_m)


@pytest.mark.parametrize("kwargs", CONFIGS[1:4])
def test_sgd_training_parity(kwargs):
    opt_t, opt_m = run_training(torch.optim.SGD, mlx_compat.optim.SGD, kwargs)
    compare_state_dicts(opt_t, opt_m, atol=1e-5)


def test_sgd_state_dict_layout_and_repr():
    pt, pm = param_pair()
    opt_t = torch.optim.SGD(pt, lr=0.1, momentum=0.9)
    opt_m = mlx_compat.optim.SGD(pm, lr=0.1, momentum=0.9)
    assert opt_m.state_dict() == {"state": {}, "param_groups": opt_t.state_dict()["param_groups"]}
    assert opt_m.defaults == opt_t.defaults
    assert repr(opt_m) == repr(opt_t)
    plain = mlx_compat.optim.SGD(pm, lr=0.1)
    for p in pm:
        p.grad = mlx_compat.ones_like(p)
    plain.step()
    assert plain.state_dict()["state"] == {}


def test_sgd_param_groups():
    pt, pm = param_pair(seed=3)

    def build(opt_cls, params):
        return opt_cls(
            [{"params": params[:1]}, {"params": params[1:], "lr": 0.5, "momentum": 0.3}],
            lr=0.1,
            momentum=0.9,
        )

    opt_t, opt_m = build(torch.optim.SGD, pt), build(mlx_compat.optim.SGD, pm)
    for step in range(5):
        for a, b in zip(pt, pm, strict=True):
            g = (a.detach() * (step + 1)).sin().numpy()
            a.grad, b.grad = torch.tensor(g), ours(g)
        opt_t.step()
        opt_m.step()
    for a, b in zip(pt, pm, strict=True):
        assert_close(b, a)
    compare_state_dicts(opt_t, opt_m)
    assert repr(opt_m) == repr(opt_t)


def test_sgd_load_state_dict_resumes_identically():
    opt_t, opt_m, pt, pm = run_with_grads(
        torch.optim.SGD, mlx_compat.optim.SGD, {"lr": 0.05, "momentum": 0.9}, steps=5
    )
    saved = copy.deepcopy(opt_m.state_dict())
    fresh = [mlx_compat.nn.Parameter(p.detach().clone()) for p in pm]
    opt_new = mlx_compat.optim.SGD(fresh, lr=0.05, momentum=0.9)
    opt_new.load_state_dict(saved)
    assert opt_new.state_dict()["param_groups"] == opt_m.state_dict()["param_groups"]
    for a, b, c in zip(pt, pm, fresh, strict=True):
        g = (a.detach() + 1).cos().numpy()
        a.grad, b.grad, c.grad = torch.tensor(g), ours(g), ours(g)
    opt_t.step()
    opt_m.step()
    opt_new.step()
    for a, b, c in zip(pt, pm, fresh, strict=True):
        assert_close(b, a)
        assert_close(c, a)


def test_sgd_closure_and_zero_grad():
    pt, pm = param_pair(seed=4)
    opt_t = torch.optim.SGD(pt, lr=0.1)
    opt_m = mlx_compat.optim.SGD(pm, lr=0.1)

    def closure_for(params, opt):
        def closure():
            opt.zero_grad()
            loss = sum((p * p).sum() for p in params)
            loss.backward()
            return loss

        return closure

    lt = opt_t.step(closure_for(pt, opt_t))
    lm = opt_m.step(closure_for(pm, opt_m))
    assert_close(lm, lt)
    for a, b in zip(pt, pm, strict=True):
        assert_close(b, a)
    opt_m.zero_grad(set_to_none=False)
    assert all(float(p.grad.abs().sum().item()) == 0.0 for p in pm)
    opt_m.zero_grad()
    assert all(p.grad is None for p in pm)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lr": -1.0},
        {"lr": 0.1, "momentum": -0.5},
        {"lr": 0.1, "weight_decay": -1},
        {"lr": 0.1, "nesterov": True},
        {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True},
    ],
)
def test_sgd_argument_errors(kwargs):
    pt, pm = param_pair()
    raises_same(lambda: torch.optim.SGD(pt, **kwargs), lambda: mlx_compat.optim.SGD(pm, **kwargs))
