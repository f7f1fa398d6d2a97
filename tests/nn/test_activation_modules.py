"""Activation modules of ``mlx_compat.nn`` against torch.nn's.

Every class runs the same fresh random input (numpy, handed to both libraries) with default and
non-default constructor arguments: forward values, the input's gradient, repr text, constructor
signature, ``__constants__`` and attribute values, and ``inplace=True`` behaviour.
"""

import copy
import inspect
import os
import sys
import warnings

import numpy as np
import pytest
import torch

import mlx_compat

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir))
from _nn_helpers import (  # noqa: E402
    GRAD_RTOL,
    assert_close,
    ours,
    raises_same,
    rng,
    same_dtype,
)

# (class name, positional args, keyword args, input shape). The first row of each class uses
# the defaults; the others move every argument away from its default.
CASES = [
    ("ELU", (), {}, (4, 7)),
    ("ELU", (0.5,), {}, (3, 4, 5)),
    ("ELU", (), {"alpha": 2}, (6,)),
    ("SELU", (), {}, (4, 7)),
    ("CELU", (), {}, (4, 7)),
    ("CELU", (2.0,), {}, (2, 3, 4)),
    ("CELU", (), {"alpha": 0.3}, (5,)),
    ("GELU", (), {}, (4, 7)),
    ("GELU", ("tanh",), {}, (2, 3, 4)),
    ("GELU", (), {"approximate": "none"}, (9,)),
    ("SiLU", (), {}, (4, 7)),
    ("Mish", (), {}, (4, 7)),
    ("LeakyReLU", (), {}, (4, 7)),
    ("LeakyReLU", (0.2,), {}, (2, 3, 4)),
    ("LeakyReLU", (), {"negative_slope": 1.5}, (8,)),
    ("Softplus", (), {}, (4, 7)),
    ("Softplus", (2, 1.5), {}, (2, 3, 4)),
    ("Softplus", (), {"beta": 0.5}, (8,)),
    ("Hardtanh", (), {}, (4, 7)),
    ("Hardtanh", (-2, 0.5), {}, (2, 3, 4)),
    ("Hardtanh", (), {"min_val": 0.0, "max_val": 3.0}, (8,)),
    ("ReLU6", (), {}, (4, 7)),
    ("Hardsigmoid", (), {}, (4, 7)),
    ("Hardswish", (), {}, (4, 7)),
    ("Softsign", (), {}, (4, 7)),
    ("Tanhshrink", (), {}, (4, 7)),
    ("Softshrink", (), {}, (4, 7)),
    ("Softshrink", (1,), {}, (2, 3, 4)),
    ("Softshrink", (), {"lambd": 0.25}, (8,)),
    ("Hardshrink", (), {}, (4, 7)),
    ("Hardshrink", (1.5,), {}, (2, 3, 4)),
    ("Hardshrink", (), {"lambd": 0.25}, (8,)),
    ("LogSigmoid", (), {}, (4, 7)),
    ("Threshold", (0.1, 20.0), {}, (4, 7)),
    ("Threshold", (-1, 2), {}, (2, 3, 4)),
    ("Threshold", (), {"threshold": 0.5, "value": -3.0}, (8,)),
    ("GLU", (), {}, (4, 6)),
    ("GLU", (0,), {}, (4, 3, 5)),
    ("GLU", (), {"dim": 1}, (3, 8, 2)),
    ("PReLU", (), {}, (4, 7)),
    ("PReLU", (3, 0.1), {}, (2, 3, 4)),
    ("PReLU", (), {"num_parameters": 5, "init": -0.5}, (2, 5, 3, 2)),
    ("Sigmoid", (), {}, (4, 7)),
    ("Tanh", (), {}, (4, 7)),
    ("Softmin", (1,), {}, (4, 7)),
    ("Softmin", (), {"dim": -1}, (2, 3, 4)),
    ("Softmin", (0,), {}, (6,)),
]

# Classes with an ``inplace`` flag, constructed with ``inplace=True`` (other args non-default).
INPLACE = [
    ("ReLU", (), {}),
    ("ELU", (0.5,), {}),
    ("SELU", (), {}),
    ("CELU", (2.0,), {}),
    ("SiLU", (), {}),
    ("Mish", (), {}),
    ("LeakyReLU", (0.2,), {}),
    ("Hardtanh", (-2, 0.5), {}),
    ("ReLU6", (), {}),
    ("Hardsigmoid", (), {}),
    ("Hardswish", (), {}),
    ("Threshold", (0.1, 20.0), {}),
]

ALL_NAMES = sorted({c[0] for c in CASES} | {c[0] for c in INPLACE})


def _ids(cases):
    return [f"{c[0]}-{i}" for i, c in enumerate(cases)]


def _pair(name, args=(), kwargs=None):
    kwargs = kwargs or {}
    return getattr(torch.nn, name)(*args, **kwargs), getattr(mlx_compat.nn, name)(*args, **kwargs)


def _fresh(shape, seed, scale=3.0):
    """Random input spread over the interesting range of every activation (kinks, thresholds)."""
    return np.asarray(rng(seed).standard_normal(shape) * scale, dtype=np.float32)


def _sync_params(mod_t, mod_m):
    """Give PReLU's weight the same non-constant values in both (a fresh draw)."""
    if "weight" not in mod_t._parameters:
        return
    w = _fresh(tuple(mod_t.weight.shape), seed=1000, scale=0.5)
    with torch.no_grad():
        mod_t.weight.copy_(torch.tensor(w))
    mod_m.load_state_dict({"weight": ours(w)})


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_forward_and_input_gradient(case):
    name, args, kwargs, shape = case
    mod_t, mod_m = _pair(name, args, kwargs)
    _sync_params(mod_t, mod_m)
    seed = CASES.index(case)
    x = _fresh(shape, seed)
    xt = torch.tensor(x, requires_grad=True)
    xm = ours(x, requires_grad=True)
    out_t, out_m = mod_t(xt), mod_m(xm)
    assert same_dtype(out_m, out_t)
    assert_close(out_m, out_t)
    g = _fresh(tuple(out_t.shape), seed + 500, scale=1.0)
    out_t.backward(torch.tensor(g))
    out_m.backward(ours(g))
    assert_close(xm.grad, xt.grad, rtol=GRAD_RTOL, atol=1e-5)
    if name == "PReLU":
        assert_close(mod_m.weight.grad, mod_t.weight.grad, rtol=GRAD_RTOL, atol=1e-5)


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_float64_forward(case):
    name, args, kwargs, shape = case
    dtype_kw = {"dtype": torch.float64} if name == "PReLU" else {}
    mod_t = getattr(torch.nn, name)(*args, **kwargs, **dtype_kw)
    dtype_kw = {"dtype": mlx_compat.float64} if name == "PReLU" else {}
    mod_m = getattr(mlx_compat.nn, name)(*args, **kwargs, **dtype_kw)
    x = _fresh(shape, CASES.index(case) + 50).astype(np.float64)
    out_t, out_m = mod_t(torch.tensor(x)), mod_m(ours(x))
    assert same_dtype(out_m, out_t)
    # MLX's CPU float64 transcendentals are float32-grade, hence the float32 tolerance.
    assert_close(out_m, out_t, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("case", CASES + [(*c, None) for c in INPLACE], ids=_ids(CASES + INPLACE))
def test_repr(case):
    name, args, kwargs = case[:3]
    mod_t, mod_m = _pair(name, args, kwargs)
    assert repr(mod_m) == repr(mod_t)
    assert mod_m.extra_repr() == mod_t.extra_repr()


@pytest.mark.parametrize("case", INPLACE, ids=_ids(INPLACE))
def test_repr_inplace(case):
    name, args, kwargs = case
    mod_t, mod_m = _pair(name, args, {**kwargs, "inplace": True})
    assert repr(mod_m) == repr(mod_t)


def test_repr_inside_sequential():
    def build(nn):
        return nn.Sequential(
            nn.ELU(0.5, inplace=True),
            nn.GELU("tanh"),
            nn.Hardtanh(-2, 3),
            nn.Softshrink(),
            nn.PReLU(4),
            nn.Softmin(dim=1),
            nn.Tanh(),
        )

    assert repr(build(mlx_compat.nn)) == repr(build(torch.nn))


@pytest.mark.parametrize("name", ALL_NAMES)
def test_signature_and_constants(name):
    cls_t, cls_m = getattr(torch.nn, name), getattr(mlx_compat.nn, name)
    assert issubclass(cls_m, mlx_compat.nn.Module)
    params_t = inspect.signature(cls_t.__init__).parameters
    params_m = inspect.signature(cls_m.__init__).parameters
    assert [(p.name, p.kind, p.default) for p in params_m.values()] == [
        (p.name, p.kind, p.default) for p in params_t.values()
    ]
    assert getattr(cls_m, "__constants__", None) == getattr(cls_t, "__constants__", None)


@pytest.mark.parametrize("case", CASES + [(*c, None) for c in INPLACE], ids=_ids(CASES + INPLACE))
def test_attributes(case):
    name, args, kwargs = case[:3]
    mod_t, mod_m = _pair(name, args, kwargs)
    for attr in getattr(type(mod_t), "__constants__", []):
        assert getattr(mod_m, attr) == getattr(mod_t, attr), attr
    if name == "PReLU":
        assert mod_m.init == mod_t.init
    else:
        assert list(mod_m.state_dict()) == list(mod_t.state_dict()) == []
        assert list(mod_m.parameters()) == []


@pytest.mark.parametrize("case", INPLACE, ids=_ids(INPLACE))
def test_inplace_overwrites_input(case):
    name, args, kwargs = case
    mod_t, mod_m = _pair(name, args, {**kwargs, "inplace": True})
    x = _fresh((3, 5), INPLACE.index(case) + 200)
    xt, xm = torch.tensor(x), ours(x)
    vt, vm = xt._version, xm._version
    out_t, out_m = mod_t(xt), mod_m(xm)
    assert out_t is xt and out_m is xm
    assert xm._version - vm == xt._version - vt
    assert_close(xm, xt)
    assert not np.allclose(xm.numpy(), x)


@pytest.mark.parametrize("case", INPLACE, ids=_ids(INPLACE))
def test_not_inplace_leaves_input(case):
    name, args, kwargs = case
    mod_t, mod_m = _pair(name, args, kwargs)
    x = _fresh((3, 5), INPLACE.index(case) + 300)
    xm = ours(x)
    out_m = mod_m(xm)
    assert out_m is not xm
    assert_close(xm, x, rtol=0, atol=0)
    assert_close(out_m, mod_t(torch.tensor(x)))


@pytest.mark.parametrize("case", INPLACE, ids=_ids(INPLACE))
def test_inplace_on_leaf_requiring_grad_raises(case):
    name, args, kwargs = case
    mod_t, mod_m = _pair(name, args, {**kwargs, "inplace": True})
    x = _fresh((2, 3), 7)
    raises_same(
        lambda: mod_t(torch.tensor(x, requires_grad=True)),
        lambda: mod_m(ours(x, requires_grad=True)),
    )


@pytest.mark.parametrize("case", INPLACE, ids=_ids(INPLACE))
def test_inplace_gradient_through_non_leaf(case):
    name, args, kwargs = case
    mod_t, mod_m = _pair(name, args, {**kwargs, "inplace": True})
    x = _fresh((3, 5), INPLACE.index(case) + 400)
    g = _fresh((3, 5), INPLACE.index(case) + 450, scale=1.0)
    xt, xm = torch.tensor(x, requires_grad=True), ours(x, requires_grad=True)
    ht, hm = xt * 1.5, xm * 1.5
    out_t, out_m = mod_t(ht), mod_m(hm)
    assert out_t is ht and out_m is hm
    assert_close(out_m, out_t)
    out_t.backward(torch.tensor(g))
    out_m.backward(ours(g))
    assert_close(xm.grad, xt.grad, rtol=GRAD_RTOL, atol=1e-5)


# ---------------------------------------------------------------------------
# PReLU
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("num_parameters, init", [(1, 0.25), (3, 0.1), (6, -1.0)])
def test_prelu_parameter(num_parameters, init):
    mod_t = torch.nn.PReLU(num_parameters, init)
    mod_m = mlx_compat.nn.PReLU(num_parameters, init)
    assert mod_m.num_parameters == num_parameters and mod_m.init == init
    assert isinstance(mod_m.weight, mlx_compat.nn.Parameter)
    assert mod_m.weight.requires_grad and mod_m.weight.is_leaf
    names_t = [(n, tuple(p.shape)) for n, p in mod_t.named_parameters()]
    names_m = [(n, tuple(p.shape)) for n, p in mod_m.named_parameters()]
    assert names_m == names_t == [("weight", (num_parameters,))]
    assert list(mod_m.state_dict()) == list(mod_t.state_dict()) == ["weight"]
    assert same_dtype(mod_m.weight, mod_t.weight)
    assert_close(mod_m.weight, mod_t.weight, rtol=0, atol=0)
    assert_close(mod_m.state_dict()["weight"], mod_t.state_dict()["weight"], rtol=0, atol=0)


def test_prelu_dtype_and_reset():
    mod_m = mlx_compat.nn.PReLU(2, 0.7, dtype=mlx_compat.float64)
    assert "float64" in str(mod_m.weight.dtype)
    with mlx_compat.no_grad():
        mod_m.weight.fill_(3.0)
    mod_m.reset_parameters()
    assert mod_m.weight.tolist() == [0.7, 0.7]


@pytest.mark.parametrize(
    "num_parameters, shape",
    [(1, ()), (1, (5,)), (1, (2, 3, 4)), (4, (3, 4)), (3, (2, 3, 4, 5)), (2, (2, 2, 3, 2, 2))],
)
def test_prelu_weight_gradient(num_parameters, shape):
    mod_t = torch.nn.PReLU(num_parameters)
    mod_m = mlx_compat.nn.PReLU(num_parameters)
    _sync_params(mod_t, mod_m)
    x = _fresh(shape, seed=num_parameters + len(shape))
    g = _fresh(shape, seed=77, scale=1.0)
    xt, xm = torch.tensor(x, requires_grad=True), ours(x, requires_grad=True)
    out_t, out_m = mod_t(xt), mod_m(xm)
    assert_close(out_m, out_t)
    out_t.backward(torch.tensor(g))
    out_m.backward(ours(g))
    assert_close(xm.grad, xt.grad, rtol=GRAD_RTOL, atol=1e-5)
    assert_close(mod_m.weight.grad, mod_t.weight.grad, rtol=GRAD_RTOL, atol=1e-5)


def test_prelu_channel_mismatch_raises():
    x = _fresh((2, 3), 5)
    raises_same(lambda: torch.nn.PReLU(4)(torch.tensor(x)), lambda: mlx_compat.nn.PReLU(4)(ours(x)))


def test_prelu_1d_input_with_several_weights_raises():
    x = _fresh((4,), 5)
    raises_same(lambda: torch.nn.PReLU(4)(torch.tensor(x)), lambda: mlx_compat.nn.PReLU(4)(ours(x)))


def test_prelu_deepcopy_keeps_weight():
    mod_m = mlx_compat.nn.PReLU(3, 0.4)
    dup = copy.deepcopy(mod_m)
    assert dup.weight is not mod_m.weight
    assert_close(dup.weight, mod_m.weight, rtol=0, atol=0)
    assert repr(dup) == repr(mod_m)


# ---------------------------------------------------------------------------
# constructor checks and errors
# ---------------------------------------------------------------------------
def _warnings_of(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    return result, [(w.category, str(w.message), os.path.basename(w.filename)) for w in caught]


@pytest.mark.parametrize(
    "kwargs", [{"min_value": -3}, {"max_value": 2}, {"min_value": -0.5, "max_value": 4}]
)
def test_hardtanh_renamed_keywords_warn(kwargs):
    mod_t, w_t = _warnings_of(lambda: torch.nn.Hardtanh(**kwargs))
    mod_m, w_m = _warnings_of(lambda: mlx_compat.nn.Hardtanh(**kwargs))
    assert w_m == w_t and len(w_t) == len(kwargs)
    assert all(name == os.path.basename(__file__) for _, _, name in w_m)
    assert (mod_m.min_val, mod_m.max_val) == (mod_t.min_val, mod_t.max_val)
    assert repr(mod_m) == repr(mod_t)


@pytest.mark.parametrize("bounds", [(1, 1), (2.0, -2.0)])
def test_hardtanh_bounds_checked(bounds):
    raises_same(lambda: torch.nn.Hardtanh(*bounds), lambda: mlx_compat.nn.Hardtanh(*bounds))


@pytest.mark.parametrize(
    "build",
    [
        lambda nn: nn.Threshold(1.0),
        lambda nn: nn.Sigmoid(3),
        lambda nn: nn.Softsign(a=1),
        lambda nn: nn.ReLU6(0.0, 6.0),
        lambda nn: nn.GELU(approximate="tanh", inplace=True),
    ],
)
def test_constructor_argument_errors(build):
    raises_same(lambda: build(torch.nn), lambda: build(mlx_compat.nn))


@pytest.mark.parametrize(
    "name, args, shape",
    [("GLU", (), (2, 3)), ("GLU", (0,), (5, 2)), ("GLU", (), ()), ("GELU", ("foo",), (3,))],
)
def test_forward_errors(name, args, shape):
    mod_t, mod_m = _pair(name, args)
    x = _fresh(shape, 9)
    raises_same(lambda: mod_t(torch.tensor(x)), lambda: mod_m(ours(x)))


@pytest.mark.parametrize("shape", [(5,), (3, 5), (2, 3, 5)])
def test_softmin_implicit_dim_values(shape):
    x = _fresh(shape, 11)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out_t = torch.nn.Softmin()(torch.tensor(x))
        out_m = mlx_compat.nn.Softmin()(ours(x))
    assert_close(out_m, out_t)


def test_softmin_implicit_dim_warns():
    x = _fresh((3, 5), 12)
    _, w_t = _warnings_of(lambda: torch.nn.Softmin()(torch.tensor(x)))
    _, w_m = _warnings_of(lambda: mlx_compat.nn.Softmin()(ours(x)))
    # The attributed frame depends on Module.__call__'s depth; compare the warning itself.
    assert [w[:2] for w in w_m] == [w[:2] for w in w_t]


def test_softmin_setstate_fills_dim():
    mod_m = mlx_compat.nn.Softmin(1)
    state = dict(mod_m.__dict__)
    del state["dim"]
    fresh = mlx_compat.nn.Softmin.__new__(mlx_compat.nn.Softmin)
    fresh.__setstate__(state)
    assert fresh.dim is None


def test_exported_names():
    for name in ALL_NAMES:
        assert name in mlx_compat.nn.__all__
        assert name in mlx_compat.nn.modules.__all__
        assert getattr(mlx_compat.nn, name) is getattr(mlx_compat.nn.modules, name)
    for mod in (mlx_compat.nn, mlx_compat.nn.modules):
        assert list(mod.__all__) == sorted(mod.__all__)
