"""Parity of RMSprop, Adagrad, Adadelta, Adamax, NAdam, RAdam, ASGD and Rprop with torch."""

import copy
import os
import sys

import numpy as np
import pytest
import torch

import mlx_compat

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir))
from _nn_helpers import assert_close, ours  # noqa: E402
from _optim_cases import (  # noqa: E402
    compare_state_dicts,
    param_pair,
    run_training,
    run_with_grads,
)

NAMES = ["RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam", "ASGD", "Rprop"]

CONFIGS = {
    "RMSprop": [
        {},
        {"lr": 0.01, "momentum": 0.9},
        {"lr": 0.01, "centered": True, "weight_decay": 0.1},
        {"lr": 0.005, "centered": True, "momentum": 0.5, "alpha": 0.9, "maximize": True},
    ],
    "Adagrad": [
        {},
        {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1},
        {"lr": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-6, "maximize": True},
    ],
    "Adadelta": [
        {},
        {"lr": 0.5, "rho": 0.8, "weight_decay": 0.1},
        {"lr": 0.1, "eps": 1e-4, "maximize": True},
    ],
    "Adamax": [
        {},
        {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1},
        {"lr": 0.01, "eps": 1e-4, "maximize": True},
    ],
    "NAdam": [
        {},
        {"lr": 0.01, "momentum_decay": 0.01, "weight_decay": 0.1},
        {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
        {"lr": 0.01, "betas": (0.8, 0.9), "maximize": True},
    ],
    "RAdam": [
        {},
        {"lr": 0.01, "weight_decay": 0.1},
        {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
        {"lr": 0.01, "betas": (0.5, 0.9), "maximize": True},
    ],
    "ASGD": [
        {},
        {"lr": 0.05, "lambd": 1e-3, "alpha": 0.5, "t0": 5, "weight_decay": 0.1},
        {"lr": 0.05, "t0": 0, "maximize": True},
    ],
    "Rprop": [
        {},
        {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.1)},
        {"lr": 0.01, "maximize": True},
    ],
}

CASES = [(name, kw) for name in NAMES for kw in CONFIGS[name]]


def classes(name):
    return getattr(torch.optim, name), getattr(mlx_compat.optim, name)


@pytest.mark.parametrize(("name", "kwargs"), CASES)
def test_trajectory_with_given_grads(name, kwargs):
    opt_t, opt_m, _, _ = run_with_grads(*classes(name), kwargs)
    compare_state_dicts(opt_t, opt_m)


@pytest.mark.parametrize("name", NAMES)
def test_skips_params_without_grad(name):
    kwargs = CONFIGS[name][1]
    opt_t, opt_m, _, _ = run_with_grads(*classes(name), kwargs, skip_every=3)
    compare_state_dicts(opt_t, opt_m)


@pytest.mark.parametrize("name", NAMES)
def test_training_parity(name):
    opt_t, opt_m = run_training(*classes(name), CONFIGS[name][1])
    # 20 float32 training steps: rounding differences in the gradients grow in the
    # momentum buffers (RMSprop divides by sqrt(square_avg)), so compare at 1e-4.
    compare_state_dicts(opt_t, opt_m, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("name", NAMES)
def test_defaults_param_groups_and_repr(name):
    pt, pm = param_pair()
    cls_t, cls_m = classes(name)
    opt_t, opt_m = cls_t(pt), cls_m(pm)
    assert opt_m.defaults == opt_t.defaults
    assert opt_m.state_dict()["param_groups"] == opt_t.state_dict()["param_groups"]
    assert repr(opt_m) == repr(opt_t)


@pytest.mark.parametrize("name", NAMES)
def test_load_state_dict_resumes_identically(name):
    kwargs = CONFIGS[name][1]
    cls_t, cls_m = classes(name)
    opt_t, opt_m, pt, pm = run_with_grads(cls_t, cls_m, kwargs, steps=4)
    saved = copy.deepcopy(opt_m.state_dict())
    fresh = [mlx_compat.nn.Parameter(p.detach().clone()) for p in pm]
    opt_new = cls_m(fresh, **kwargs)
    opt_new.load_state_dict(saved)
    for a, b, c in zip(pt, pm, fresh, strict=True):
        g = (a.detach() * 3).sin().numpy()
        a.grad, b.grad, c.grad = torch.tensor(g), ours(g), ours(g)
    for opt in (opt_t, opt_m, opt_new):
        opt.step()
    for a, b, c in zip(pt, pm, fresh, strict=True):
        assert_close(b, a, rtol=1e-5, atol=1e-6)
        assert_close(c, a, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_torch_state_dict_loads(name):
    """A state saved by torch (converted tensor by tensor) resumes the same run."""
    kwargs = CONFIGS[name][1]
    cls_t, cls_m = classes(name)
    opt_t, _, pt, pm = run_with_grads(cls_t, cls_m, kwargs, steps=3)
    sd = opt_t.state_dict()
    converted = {
        "state": {
            k: {n: ours(v.numpy()) if isinstance(v, torch.Tensor) else v for n, v in s.items()}
            for k, s in sd["state"].items()
        },
        "param_groups": copy.deepcopy(sd["param_groups"]),
    }
    opt_m = cls_m(pm, **kwargs)
    opt_m.load_state_dict(converted)
    compare_state_dicts(opt_t, opt_m)


BAD = [
    ("RMSprop", {"lr": -1.0}),
    ("RMSprop", {"alpha": -0.1}),
    ("RMSprop", {"momentum": -0.1}),
    ("Adagrad", {"lr_decay": -1.0}),
    ("Adagrad", {"initial_accumulator_value": -1.0}),
    ("Adadelta", {"rho": 1.5}),
    ("Adadelta", {"eps": -1.0}),
    ("Adamax", {"betas": (1.0, 0.9)}),
    ("NAdam", {"momentum_decay": -1.0}),
    ("NAdam", {"betas": (0.9, 1.0)}),
    ("RAdam", {"weight_decay": -1.0}),
    ("ASGD", {"weight_decay": -1.0}),
    ("Rprop", {"etas": (1.2, 0.5)}),
]


@pytest.mark.parametrize(("name", "kwargs"), BAD)
def test_bad_arguments_raise_like_torch(name, kwargs):
    pt, pm = param_pair()
    cls_t, cls_m = classes(name)
    with pytest.raises(ValueError) as et:
        cls_t(pt, **kwargs)
    with pytest.raises(ValueError) as em:
        cls_m(pm, **kwargs)
    assert str(em.value) == str(et.value)


def test_adagrad_creates_state_up_front():
    pt, pm = param_pair()
    opt_t = torch.optim.Adagrad(pt, initial_accumulator_value=0.3)
    opt_m = mlx_compat.optim.Adagrad(pm, initial_accumulator_value=0.3)
    compare_state_dicts(opt_t, opt_m)


def _optim_db_cases():
    from torch.testing._internal.common_optimizers import optim_db

    cases = []
    for info in optim_db:
        name = info.optim_cls.__name__
        if name not in NAMES:
            continue
        for i, oi in enumerate(info.optim_inputs_func("cpu")):
            cases.append(pytest.param(name, oi.kwargs, id=f"{name}-{i}-{oi.desc}"))
    return cases


def _to_ours(value):
    if isinstance(value, torch.Tensor):
        return mlx_compat.tensor(value.numpy())
    return value


@pytest.mark.parametrize(("name", "kwargs"), _optim_db_cases())
def test_optim_db_inputs(name, kwargs):
    """torch's own OptimizerInfo kwargs: parameters agree after 10 steps."""
    cls_t, cls_m = classes(name)
    pt, pm = param_pair(seed=3)
    opt_t = cls_t(pt, **kwargs)
    opt_m = cls_m(pm, **{k: _to_ours(v) for k, v in kwargs.items()})
    for step in range(10):
        for i, (a, b) in enumerate(zip(pt, pm, strict=True)):
            g = (
                torch.randn(a.shape, generator=torch.Generator().manual_seed(step * 10 + i))
            ).numpy()
            a.grad, b.grad = torch.tensor(g), ours(g)
        opt_t.step()
        opt_m.step()
    for a, b in zip(pt, pm, strict=True):
        assert_close(b, a, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_complex_params(name):
    r = np.random.default_rng(5)

    def cplx(shape):
        return (r.standard_normal(shape) + 1j * r.standard_normal(shape)).astype(np.complex64)

    a = cplx((3, 2))
    pt = torch.nn.Parameter(torch.tensor(a))
    pm = mlx_compat.nn.Parameter(mlx_compat.tensor(a))
    kwargs = CONFIGS[name][1]
    cls_t, cls_m = classes(name)
    opt_t, opt_m = cls_t([pt], **kwargs), cls_m([pm], **kwargs)
    for _ in range(6):
        g = cplx((3, 2))
        pt.grad, pm.grad = torch.tensor(g), mlx_compat.tensor(g)
        opt_t.step()
        opt_m.step()
    np.testing.assert_allclose(pm.detach().numpy(), pt.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_our_state_dict_loads_into_torch(name):
    kwargs = CONFIGS[name][1]
    cls_t, cls_m = classes(name)
    opt_t, opt_m, pt, _ = run_with_grads(cls_t, cls_m, kwargs, steps=3)
    sd = opt_m.state_dict()
    converted = {
        "state": {
            k: {
                n: torch.tensor(v.numpy()) if isinstance(v, mlx_compat.Tensor) else v
                for n, v in s.items()
            }
            for k, s in sd["state"].items()
        },
        "param_groups": copy.deepcopy(sd["param_groups"]),
    }
    fresh = [torch.nn.Parameter(p.detach().clone()) for p in pt]
    opt_new = cls_t(fresh, **kwargs)
    opt_new.load_state_dict(converted)
    for a, c in zip(pt, fresh, strict=True):
        g = torch.randn(a.shape, generator=torch.Generator().manual_seed(11))
        a.grad, c.grad = g.clone(), g.clone()
    opt_t.step()
    opt_new.step()
    for a, c in zip(pt, fresh, strict=True):
        torch.testing.assert_close(c, a, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["RMSprop", "Adagrad", "Adadelta", "ASGD"])
def test_differentiable_step_gradients(name):
    """differentiable=True: gradients flow from the updated parameter to p0 and grad."""
    r = np.random.default_rng(1)
    p0 = r.standard_normal(4).astype(np.float32)
    g0 = r.standard_normal(4).astype(np.float32)
    results = []
    for lib in (torch, mlx_compat):
        p = lib.tensor(p0, requires_grad=True)
        g = lib.tensor(g0, requires_grad=True)
        x = p.clone()
        kwargs = {**CONFIGS[name][1], "differentiable": True}
        opt = getattr(lib.optim, name)([x], **kwargs)
        for _ in range(3):
            x.grad = g * 1.0
            opt.step()
        (x * x).sum().backward()
        results.append([t.detach().numpy() for t in (x, p.grad, g.grad)])
    for got, want in zip(results[1], results[0], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", [*NAMES, "Adam", "AdamW"])
def test_state_without_step_is_refused_on_load(name):
    """A saved per-parameter state lacking ``step`` fails in load_state_dict, as in torch."""
    for lib in (torch, mlx_compat):
        p = lib.nn.Parameter(lib.ones(3))
        opt = getattr(lib.optim, name)([p], lr=0.1)
        groups = opt.state_dict()["param_groups"]
        with pytest.raises(KeyError, match="step"):
            opt.load_state_dict({"state": {0: {"foo": lib.zeros(3)}}, "param_groups": groups})


@pytest.mark.parametrize("name", [*NAMES, "Adam", "AdamW", "SGD"])
def test_setstate_fills_missing_group_keys(name):
    """State saved without the newer flags gets torch's defaults, numbers become tensors."""
    states = []
    for lib in (torch, mlx_compat):
        p = lib.nn.Parameter(lib.ones(3))
        opt = getattr(lib.optim, name)([p], lr=0.1)
        p.grad = lib.ones(3)
        opt.step()
        saved = opt.__getstate__()
        for group in saved["param_groups"]:
            for key in ("foreach", "maximize", "differentiable", "capturable", "fused"):
                group.pop(key, None)
        for entry in saved["state"].values():
            for key, value in entry.items():
                if isinstance(value, lib.Tensor) and value.ndim == 0:
                    entry[key] = value.item()
        opt.__setstate__(saved)
        group = opt.param_groups[0]
        entry = opt.state[p]
        states.append(
            (
                {k: v for k, v in group.items() if k != "params"},
                {
                    k: (type(v).__name__, float(v) if v.ndim == 0 else None)
                    for k, v in entry.items()
                },
            )
        )
    assert states[1] == states[0]
