"""Optimizer base class: param groups, errors, hooks, load_state_dict checks."""

import os
import sys
import warnings

import pytest
import torch

import mlx_compat

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir))
from _nn_helpers import ours, raises_same, randn  # noqa: E402
from _optim_cases import param_pair  # noqa: E402


@pytest.mark.parametrize("cls", ["SGD", "Adam"])
def test_construction_errors(cls):
    pt, pm = param_pair()
    Tt, Tm = getattr(torch.optim, cls), getattr(mlx_compat.optim, cls)
    raises_same(lambda: Tt([]), lambda: Tm([]))
    raises_same(lambda: Tt(pt[0]), lambda: Tm(pm[0]), match_message=False)
    raises_same(lambda: Tt([{"params": set(pt)}]), lambda: Tm([{"params": set(pm)}]))
    raises_same(
        lambda: Tt([{"params": pt[:2]}, {"params": pt[1:]}]),
        lambda: Tm([{"params": pm[:2]}, {"params": pm[1:]}]),
    )
    raises_same(lambda: Tt([pt[0], 3]), lambda: Tm([pm[0], 3]))
    raises_same(lambda: Tt([pt[0] * 2]), lambda: Tm([pm[0] * 2]))
    raises_same(lambda: Tt([pt[0]]).add_param_group([pt[1]]),
                lambda: Tm([pm[0]]).add_param_group([pm[1]]))  # fmt: skip


def test_add_param_group_and_defaults():
    pt, pm = param_pair()
    opt_t = torch.optim.SGD(pt[:1], lr=0.1, momentum=0.5)
    opt_m = mlx_compat.optim.SGD(pm[:1], lr=0.1, momentum=0.5)
    opt_t.add_param_group({"params": pt[1], "lr": 0.01})
    opt_m.add_param_group({"params": pm[1], "lr": 0.01})
    assert opt_m.state_dict()["param_groups"] == opt_t.state_dict()["param_groups"]
    assert opt_m.param_groups[1]["params"][0] is pm[1]


def test_named_parameters_groups():
    t = torch.nn.Linear(3, 2)
    m = mlx_compat.nn.Linear(3, 2)
    opt_t = torch.optim.Adam(t.named_parameters())
    opt_m = mlx_compat.optim.Adam(m.named_parameters())
    assert opt_m.param_groups[0]["param_names"] == opt_t.param_groups[0]["param_names"]
    assert opt_m.state_dict()["param_groups"] == opt_t.state_dict()["param_groups"]


def test_duplicate_params_warn():
    _, pm = param_pair()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mlx_compat.optim.SGD([pm[0], pm[0]], lr=0.1)
    assert any("duplicate parameters" in str(w.message) for w in caught)


def test_load_state_dict_mismatch_errors():
    pt, pm = param_pair()
    sd_t = torch.optim.SGD(pt, lr=0.1).state_dict()
    sd_m = mlx_compat.optim.SGD(pm, lr=0.1).state_dict()
    raises_same(
        lambda: torch.optim.SGD(pt[:2], lr=0.1).load_state_dict(sd_t),
        lambda: mlx_compat.optim.SGD(pm[:2], lr=0.1).load_state_dict(sd_m),
    )
    two_t = torch.optim.SGD([{"params": pt[:1]}, {"params": pt[1:]}], lr=0.1)
    two_m = mlx_compat.optim.SGD([{"params": pm[:1]}, {"params": pm[1:]}], lr=0.1)
    raises_same(lambda: two_t.load_state_dict(sd_t), lambda: two_m.load_state_dict(sd_m))


def test_step_hooks_and_eval_step_called():
    _, pm = param_pair()
    opt = mlx_compat.optim.SGD(pm, lr=0.1)
    events = []
    h1 = opt.register_step_pre_hook(lambda o, a, k: events.append("pre"))
    opt.register_step_post_hook(lambda o, a, k: events.append("post"))
    for p in pm:
        p.grad = ours(randn(p.shape, 3))
    opt.step()
    assert events == ["pre", "post"]
    h1.remove()
    opt.step()
    assert events == ["pre", "post", "post"]
    assert getattr(opt, "_opt_called", False)


def test_step_runs_without_grad_recording():
    _, pm = param_pair()
    opt = mlx_compat.optim.Adam(pm, lr=0.1)
    for p in pm:
        p.grad = ours(randn(p.shape, 4))
    opt.step()
    for p in pm:
        assert p.is_leaf and p.grad_fn is None and p.requires_grad
    assert mlx_compat.is_grad_enabled()


def test_base_step_not_implemented():
    _, pm = param_pair()

    class Bare(mlx_compat.optim.Optimizer):
        pass

    with pytest.raises(NotImplementedError):
        Bare(pm, {"lr": 0.1}).step()


def test_required_default():
    _, pm = param_pair()
    from mlx_compat.optim.optimizer import required

    class NeedsLr(mlx_compat.optim.Optimizer):
        def __init__(self, params, lr=required):
            super().__init__(params, {"lr": lr})

    with pytest.raises(ValueError, match="optimization parameter lr"):
        NeedsLr(pm)
    assert NeedsLr([{"params": pm, "lr": 0.3}]).param_groups[0]["lr"] == 0.3
    assert repr(required) == "<required parameter>"


@pytest.mark.parametrize(
    "cls,kwargs,per_param",
    [("SGD", {"lr": 0.1}, 1), ("SGD", {"lr": 0.1, "momentum": 0.9}, 2),
     ("Adam", {}, 4), ("Adam", {"amsgrad": True}, 5)],
)  # fmt: skip
def test_step_evaluates_params_and_state_once(monkeypatch, cls, kwargs, per_param):
    _, pm = param_pair()
    calls = []
    original = mlx_compat._C._eval_step

    def spy(tensors):
        calls.append(list(tensors))
        return original(tensors)

    monkeypatch.setattr(mlx_compat._C, "_eval_step", spy)
    opt = getattr(mlx_compat.optim, cls)(pm, **kwargs)
    for p in pm:
        p.grad = ours(randn(p.shape, 5))
    opt.step()
    assert len(calls) == 1
    assert len(calls[0]) == per_param * len(pm)
    assert all(isinstance(t, mlx_compat.Tensor) for t in calls[0])
    assert any(t is pm[0] for t in calls[0])
