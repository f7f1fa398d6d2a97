"""The loss modules beyond CrossEntropyLoss / NLLLoss / MSELoss, against torch.

Each case builds the same module in both libraries, feeds it the same fresh
random inputs, and compares the loss (value, dtype, shape) and the gradients of
the inputs that torch differentiates.
"""

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
    randn,
    rng,
    same_dtype,
)

REDUCTIONS = ["mean", "sum", "none"]


# --------------------------------------------------------------------------- helpers


def _sign(shape, seed):
    """Targets in {-1, 1} (float32)."""
    return np.where(rng(seed).random(shape) < 0.5, -1.0, 1.0).astype(np.float32)


def _uniform(shape, seed, low=0.0, high=1.0):
    return rng(seed).uniform(low, high, size=shape).astype(np.float32)


def _sigmoid(a):
    return (1.0 / (1.0 + np.exp(-a))).astype(np.float32)


def _log_softmax(a, axis=-1):
    a = a - a.max(axis=axis, keepdims=True)
    return (a - np.log(np.exp(a).sum(axis=axis, keepdims=True))).astype(np.float32)


def _build(name, kwargs, t_tensors=(), m_tensors=()):
    """The torch and mlx_compat modules ``name(**kwargs)``; tensor kwargs given
    as numpy are converted per library."""
    kt, km = dict(kwargs), dict(kwargs)
    for key, val in kwargs.items():
        if isinstance(val, np.ndarray):
            kt[key] = torch.tensor(val)
            km[key] = ours(val)
    return getattr(torch.nn, name)(**kt), getattr(mlx_compat.nn, name)(**km)


def _check(loss_t, loss_m, inputs, grad=(0,), seed=90, rtol=1e-5, atol=1e-6):
    """Run both modules on ``inputs`` (numpy arrays or python floats), compare
    the output and the gradients of the inputs whose index is in ``grad``."""
    args_t, args_m = [], []
    for i, x in enumerate(inputs):
        if isinstance(x, np.ndarray):
            args_t.append(torch.tensor(x, requires_grad=i in grad))
            args_m.append(ours(x, requires_grad=i in grad))
        else:
            args_t.append(x)
            args_m.append(x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out_t = loss_t(*args_t)
        out_m = loss_m(*args_m)
    assert tuple(out_m.shape) == tuple(out_t.shape)
    assert same_dtype(out_m, out_t), (out_m.dtype, out_t.dtype)
    assert_close(out_m, out_t, rtol=rtol, atol=atol)
    g = randn(tuple(out_t.shape), seed=seed)
    out_t.backward(torch.tensor(g))
    out_m.backward(ours(g))
    for i in grad:
        assert args_m[i].grad is not None, f"no gradient for input {i}"
        assert_close(args_m[i].grad, args_t[i].grad, rtol=GRAD_RTOL, atol=1e-5)
    return out_t, out_m


def _check_attrs(loss_t, loss_m, attrs):
    assert repr(loss_m) == repr(loss_t)
    for a in attrs:
        assert getattr(loss_m, a) == getattr(loss_t, a), a
    assert getattr(type(loss_m), "__constants__", None) == getattr(
        type(loss_t), "__constants__", None
    )
    assert list(loss_m.state_dict()) == list(loss_t.state_dict())


# --------------------------------------------------------------------------- L1 / SmoothL1 / Huber


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_l1_loss(reduction):
    x, y = randn((4, 5), 1), randn((4, 5), 2)
    t, m = _build("L1Loss", {"reduction": reduction})
    _check(t, m, [x, y], grad=(0, 1))
    _check_attrs(t, m, ["reduction"])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("beta", [1.0, 0.6, 0.0])
def test_smooth_l1_loss(reduction, beta):
    x, y = 2 * randn((4, 5), 3), randn((4, 5), 4)
    t, m = _build("SmoothL1Loss", {"reduction": reduction, "beta": beta})
    _check(t, m, [x, y], grad=(0, 1))
    _check_attrs(t, m, ["reduction", "beta"])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("delta", [1.0, 0.7, 2])
def test_huber_loss(reduction, delta):
    x, y = 2 * randn((3, 6), 5), randn((3, 6), 6)
    t, m = _build("HuberLoss", {"reduction": reduction, "delta": delta})
    _check(t, m, [x, y], grad=(0, 1))
    _check_attrs(t, m, ["reduction", "delta"])


@pytest.mark.parametrize("name", ["L1Loss", "SmoothL1Loss", "HuberLoss", "SoftMarginLoss"])
def test_float64_inputs(name):
    x, y = randn((3, 4), 80, np.float64), randn((3, 4), 81, np.float64)
    if name == "SoftMarginLoss":
        y = np.sign(y)
    t, m = _build(name, {})
    _check(t, m, [x, y])


# --------------------------------------------------------------------------- BCE


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_loss(reduction, weighted):
    p = _sigmoid(2 * randn((4, 5), 7))
    y = _uniform((4, 5), 8)
    kw = {"reduction": reduction}
    if weighted:
        kw["weight"] = np.abs(randn((5,), 9)) + 0.1
    t, m = _build("BCELoss", kw)
    _check(t, m, [p, y])
    _check_attrs(t, m, ["reduction"])
    assert list(m.state_dict()) == (["weight"] if weighted else [])


def test_bce_loss_binary_targets():
    p = _sigmoid(3 * randn((6,), 10))
    y = (rng(11).random(6) < 0.5).astype(np.float32)
    t, m = _build("BCELoss", {})
    _check(t, m, [p, y])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("pos_weighted", [False, True])
def test_bce_with_logits_loss(reduction, weighted, pos_weighted):
    x = 3 * randn((4, 5), 12)
    y = _uniform((4, 5), 13)
    kw = {"reduction": reduction}
    if weighted:
        kw["weight"] = np.abs(randn((4, 1), 14)) + 0.1
    if pos_weighted:
        kw["pos_weight"] = np.abs(randn((5,), 15)) + 0.2
    t, m = _build("BCEWithLogitsLoss", kw)
    _check(t, m, [x, y], grad=(0, 1))
    _check_attrs(t, m, ["reduction"])
    expected = [k for k, on in (("weight", weighted), ("pos_weight", pos_weighted)) if on]
    assert list(m.state_dict()) == expected
    if pos_weighted:
        assert_close(m.pos_weight, t.pos_weight)
    assert (m.weight is None) == (t.weight is None)
    assert (m.pos_weight is None) == (t.pos_weight is None)


def test_bce_with_logits_loss_large_logits_stay_finite():
    x = np.array([-80.0, -30.0, 30.0, 80.0], dtype=np.float32)
    y = np.array([1.0, 0.0, 1.0, 0.0], dtype=np.float32)
    t, m = _build("BCEWithLogitsLoss", {"reduction": "none"})
    _check(t, m, [x, y])


# --------------------------------------------------------------------------- KLDiv


@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_loss(reduction, log_target):
    inp = _log_softmax(randn((4, 6), 16))
    tgt = _log_softmax(randn((4, 6), 17))
    if not log_target:
        tgt = np.exp(tgt).astype(np.float32)
    t, m = _build("KLDivLoss", {"reduction": reduction, "log_target": log_target})
    _check(t, m, [inp, tgt], grad=(0, 1))
    _check_attrs(t, m, ["reduction", "log_target"])


def test_kl_div_loss_zero_target_probability():
    inp = _log_softmax(randn((3, 4), 18))
    tgt = np.exp(_log_softmax(randn((3, 4), 19)))
    tgt[:, 0] = 0.0
    t, m = _build("KLDivLoss", {"reduction": "sum"})
    _check(t, m, [inp, tgt.astype(np.float32)])


# --------------------------------------------------------------------------- SoftMargin


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_soft_margin_loss(reduction):
    x, y = 2 * randn((5, 3), 20), _sign((5, 3), 21)
    t, m = _build("SoftMarginLoss", {"reduction": reduction})
    _check(t, m, [x, y])
    _check_attrs(t, m, ["reduction"])


# --------------------------------------------------------------------------- PoissonNLL


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_input", [True, False])
@pytest.mark.parametrize("full", [False, True])
def test_poisson_nll_loss(reduction, log_input, full):
    x = randn((4, 5), 22)
    if not log_input:
        x = np.exp(x).astype(np.float32)
    y = rng(23).poisson(2.0, size=(4, 5)).astype(np.float32)
    y.flat[:3] = [0.0, 1.0, 5.0]
    kw = {"log_input": log_input, "full": full, "eps": 1e-3, "reduction": reduction}
    t, m = _build("PoissonNLLLoss", kw)
    _check(t, m, [x, y])
    _check_attrs(t, m, ["log_input", "full", "eps", "reduction"])


# --------------------------------------------------------------------------- GaussianNLL


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("var_shape", [(4, 3), (4,), (4, 1)])
def test_gaussian_nll_loss(reduction, full, var_shape):
    x, y = randn((4, 3), 24), randn((4, 3), 25)
    var = _uniform(var_shape, 26, 0.2, 2.0)
    var.flat[0] = 1e-4  # below eps: clamped, gradient still flows through clone
    t, m = _build("GaussianNLLLoss", {"full": full, "eps": 1e-3, "reduction": reduction})
    _check(t, m, [x, y, var], grad=(0, 1, 2))
    _check_attrs(t, m, ["full", "eps", "reduction"])


def test_gaussian_nll_loss_one_broadcast_dim():
    x, y = randn((4, 3, 2), 77), randn((4, 3, 2), 78)
    var = _uniform((4, 1, 2), 79, 0.2, 2.0)
    t, m = _build("GaussianNLLLoss", {"reduction": "none"})
    _check(t, m, [x, y, var], grad=(0, 1, 2))


def test_gaussian_nll_loss_float_var():
    x, y = randn((3, 2), 27), randn((3, 2), 28)
    t, m = _build("GaussianNLLLoss", {"reduction": "none"})
    _check(t, m, [x, y, 0.5], grad=(0, 1))


def test_gaussian_nll_loss_is_keyword_only():
    with pytest.raises(TypeError):
        torch.nn.GaussianNLLLoss(True)
    with pytest.raises(TypeError):
        mlx_compat.nn.GaussianNLLLoss(True)


# --------------------------------------------------------------------------- MarginRanking / Hinge


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.4])
def test_margin_ranking_loss(reduction, margin):
    x1, x2, y = randn((7,), 29), randn((7,), 30), _sign((7,), 31)
    t, m = _build("MarginRankingLoss", {"margin": margin, "reduction": reduction})
    _check(t, m, [x1, x2, y], grad=(0, 1))
    _check_attrs(t, m, ["margin", "reduction"])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [1.0, 0.5])
def test_hinge_embedding_loss(reduction, margin):
    x, y = np.abs(randn((5, 4), 32)), _sign((5, 4), 33)
    t, m = _build("HingeEmbeddingLoss", {"margin": margin, "reduction": reduction})
    _check(t, m, [x, y])
    _check_attrs(t, m, ["margin", "reduction"])


# --------------------------------------------------------------------------- CosineEmbedding


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, -0.3, 0.25])
def test_cosine_embedding_loss(reduction, margin):
    x1, x2, y = randn((6, 4), 34), randn((6, 4), 35), _sign((6,), 36)
    t, m = _build("CosineEmbeddingLoss", {"margin": margin, "reduction": reduction})
    _check(t, m, [x1, x2, y], grad=(0, 1))
    _check_attrs(t, m, ["margin", "reduction"])


def test_cosine_embedding_loss_unbatched():
    x1, x2 = randn((5,), 37), randn((5,), 38)
    y = np.array(-1.0, dtype=np.float32)
    t, m = _build("CosineEmbeddingLoss", {"margin": -0.5, "reduction": "none"})
    _check(t, m, [x1, x2, y], grad=(0, 1))


# --------------------------------------------------------------------------- TripletMargin


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p,swap", [(2.0, False), (1.0, True), (3, False), (2.0, True)])
def test_triplet_margin_loss(reduction, p, swap):
    a, pos, neg = randn((6, 4), 39), randn((6, 4), 40), randn((6, 4), 41)
    kw = {"margin": 1.5, "p": p, "eps": 1e-4, "swap": swap, "reduction": reduction}
    t, m = _build("TripletMarginLoss", kw)
    _check(t, m, [a, pos, neg], grad=(0, 1, 2))
    _check_attrs(t, m, ["margin", "p", "eps", "swap", "reduction"])


# --------------------------------------------------------------------------- legacy args, defaults

_LEGACY = [
    "L1Loss",
    "SmoothL1Loss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "KLDivLoss",
    "SoftMarginLoss",
    "PoissonNLLLoss",
    "MarginRankingLoss",
    "HingeEmbeddingLoss",
    "CosineEmbeddingLoss",
    "TripletMarginLoss",
]


@pytest.mark.parametrize("name", _LEGACY)
@pytest.mark.parametrize("size_average,reduce", [(False, None), (None, False), (True, True)])
def test_legacy_reduction_args(name, size_average, reduce):
    with warnings.catch_warnings(record=True) as w_t:
        warnings.simplefilter("always")
        t = getattr(torch.nn, name)(size_average=size_average, reduce=reduce)
    with warnings.catch_warnings(record=True) as w_m:
        warnings.simplefilter("always")
        m = getattr(mlx_compat.nn, name)(size_average=size_average, reduce=reduce)
    assert m.reduction == t.reduction
    assert [str(w.message) for w in w_m] == [str(w.message) for w in w_t]


_ALL = _LEGACY + ["HuberLoss", "GaussianNLLLoss"]


@pytest.mark.parametrize("name", _ALL)
def test_defaults_repr_constants(name):
    t, m = getattr(torch.nn, name)(), getattr(mlx_compat.nn, name)()
    attrs = [a for a in ("reduction", "beta", "delta", "log_target", "log_input", "full",
                         "eps", "margin", "p", "swap") if hasattr(t, a)]  # fmt: skip
    _check_attrs(t, m, attrs)
    assert name in mlx_compat.nn.__all__
    assert name in mlx_compat.nn.modules.__all__
    assert isinstance(m, mlx_compat.nn.Module)


# --------------------------------------------------------------------------- errors


def _both(name, kwargs, inputs):
    """Thunks that build ``name(**kwargs)`` and call it on ``inputs``."""

    def run(lib, conv):
        mod = getattr(lib.nn, name)(**kwargs)
        args = [conv(x) if isinstance(x, np.ndarray) else x for x in inputs]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return mod(*args)

    return (lambda: run(torch, torch.tensor)), (lambda: run(mlx_compat, ours))


@pytest.mark.parametrize(
    "name,inputs",
    [
        ("L1Loss", 2),
        ("SmoothL1Loss", 2),
        ("HuberLoss", 2),
        ("SoftMarginLoss", 2),
        ("PoissonNLLLoss", 2),
        ("HingeEmbeddingLoss", 2),
        ("MarginRankingLoss", 3),
        ("TripletMarginLoss", 3),
        ("GaussianNLLLoss", 3),
    ],
)
def test_bad_reduction(name, inputs):
    xs = [np.abs(randn((4, 3), 50 + i)) + 0.1 for i in range(inputs)]
    ft, fm = _both(name, {"reduction": "avg"}, xs)
    raises_same(ft, fm)


@pytest.mark.parametrize("name", ["BCELoss", "BCEWithLogitsLoss", "KLDivLoss"])
def test_bad_reduction_probability_losses(name):
    xs = [_uniform((4, 3), 55), _uniform((4, 3), 56)]
    ft, fm = _both(name, {"reduction": "avg"}, xs)
    raises_same(ft, fm)


@pytest.mark.parametrize("name", ["L1Loss", "SmoothL1Loss", "HuberLoss", "KLDivLoss"])
def test_unbroadcastable_shapes(name):
    ft, fm = _both(name, {}, [randn((3, 4), 57), randn((5, 4), 58)])
    # Same class; the text is the core's broadcast message, not torch's.
    raises_same(ft, fm, match_message=False)


@pytest.mark.parametrize("name", ["BCELoss", "BCEWithLogitsLoss"])
def test_bce_target_size_mismatch(name):
    ft, fm = _both(name, {}, [_uniform((4, 3), 59), _uniform((4, 1), 60)])
    raises_same(ft, fm)


def test_smooth_l1_negative_beta():
    ft, fm = _both("SmoothL1Loss", {"beta": -0.5}, [randn((3,), 61), randn((3,), 62)])
    raises_same(ft, fm)


def test_huber_bad_delta():
    ft, fm = _both("HuberLoss", {"delta": 0.0}, [randn((3,), 63), randn((3,), 64)])
    raises_same(ft, fm)
    raises_same(
        lambda: torch.nn.HuberLoss(delta="1"),
        lambda: mlx_compat.nn.HuberLoss(delta="1"),
    )


def test_triplet_non_positive_margin():
    raises_same(
        lambda: torch.nn.TripletMarginLoss(margin=0.0),
        lambda: mlx_compat.nn.TripletMarginLoss(margin=0.0),
    )


def test_gaussian_nll_negative_var():
    x, y = randn((4, 3), 65), randn((4, 3), 66)
    var = _uniform((4, 3), 67)
    var[1, 1] = -0.1
    raises_same(*_both("GaussianNLLLoss", {}, [x, y, var]))
    raises_same(*_both("GaussianNLLLoss", {}, [x, y, -1.0]))


@pytest.mark.parametrize("var_shape", [(3,), (2, 3), (4, 3, 1)])
def test_gaussian_nll_var_wrong_size(var_shape):
    x, y = randn((4, 3), 68), randn((4, 3), 69)
    raises_same(*_both("GaussianNLLLoss", {}, [x, y, _uniform(var_shape, 70, 0.5, 1.0)]))


def test_cosine_embedding_bad_dims():
    x1, x2 = randn((2, 3, 4), 71), randn((2, 3, 4), 72)
    raises_same(*_both("CosineEmbeddingLoss", {}, [x1, x2, _sign((2,), 73)]))


def test_margin_ranking_dim_mismatch():
    ft, fm = _both("MarginRankingLoss", {}, [randn((4,), 74), randn((1, 4), 75), _sign((4,), 76)])
    raises_same(ft, fm)
