"""Elementwise losses and activations record torch's single autograd node
(grad_fn name), with torch's first and second derivatives."""

import warnings

import numpy as np
import pytest
import torch
from node_checks import check_node
from parity import check_raises

import mlx_compat


def _rand(shape, lo=-2.0, hi=2.0, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).uniform(lo, hi, shape).astype(dtype)


REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy(reduction, weighted):
    x, t = _rand((3, 4), 0.05, 0.95, 1), _rand((3, 4), 0.0, 1.0, 2)
    w = _rand((4,), 0.5, 2.0, 3) if weighted else None

    def fn(lib, x, t, w):
        return lib.nn.functional.binary_cross_entropy(x, t, w, reduction=reduction)

    check_node(fn, [x, t, w], (0, 1), "BinaryCrossEntropyBackward0")


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("pos", [False, True])
def test_binary_cross_entropy_with_logits(reduction, weighted, pos):
    x, t = _rand((3, 4), seed=4), _rand((3, 4), 0.0, 1.0, 5)
    w = _rand((3, 1), 0.5, 2.0, 6) if weighted else None
    pw = _rand((4,), 0.5, 3.0, 7) if pos else None

    def fn(lib, x, t, w, pw):
        F = lib.nn.functional
        return F.binary_cross_entropy_with_logits(x, t, w, reduction=reduction, pos_weight=pw)

    check_node(fn, [x, t, w, pw], (0, 1), "BinaryCrossEntropyWithLogitsBackward0")


def test_binary_cross_entropy_with_logits_function():
    x, t, pw = _rand((2, 5), seed=8), _rand((2, 5), 0.0, 1.0, 9), _rand((5,), 0.5, 2.0, 10)

    def fn(lib, x, t, pw):
        return lib.binary_cross_entropy_with_logits(x, t, None, pw, 2)

    check_node(fn, [x, t, pw], (0, 1), "BinaryCrossEntropyWithLogitsBackward0")


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_soft_margin_loss(reduction):
    x = _rand((4, 3), seed=11)
    t = np.sign(_rand((4, 3), seed=12))

    def fn(lib, x, t):
        return lib.nn.functional.soft_margin_loss(x, t, reduction=reduction)

    check_node(fn, [x, t], (0,), "SoftMarginLossBackward0")


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("beta", [1.0, 0.6])
def test_smooth_l1_loss(reduction, beta):
    x, t = _rand((4, 5), -3, 3, 13), _rand((4, 5), -3, 3, 14)

    def fn(lib, x, t):
        return lib.nn.functional.smooth_l1_loss(x, t, reduction=reduction, beta=beta)

    check_node(fn, [x, t], (0, 1), "SmoothL1LossBackward0")


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("delta", [1.0, 0.7, 2.0])
def test_huber_loss(reduction, delta):
    x, t = _rand((4, 5), -3, 3, 15), _rand((4, 5), -3, 3, 16)

    def fn(lib, x, t):
        return lib.nn.functional.huber_loss(x, t, reduction=reduction, delta=delta)

    check_node(fn, [x, t], (0, 1), "HuberLossBackward0")


def test_broadcast_losses_warn_and_match():
    x, t = _rand((3, 1), seed=17), _rand((4,), seed=18)
    for name, node in (
        ("smooth_l1_loss", "SmoothL1LossBackward0"),
        ("huber_loss", "HuberLossBackward0"),
    ):

        def fn(lib, x, t, name=name):
            with warnings.catch_warnings(record=True) as rec:
                warnings.simplefilter("always")
                out = getattr(lib.nn.functional, name)(x, t)
            assert any("target size" in str(r.message) for r in rec)
            return out

        check_node(fn, [x, t], (0, 1), node)


@pytest.mark.parametrize("dim", [-1, 0, 1])
def test_glu(dim):
    x = _rand((4, 6, 2), seed=19)
    check_node(lambda lib, x: lib.nn.functional.glu(x, dim), [x], (0,), "GluBackward0")


@pytest.mark.parametrize(
    "shapes", [((2, 3, 4), (3,)), ((2, 3), (1,)), ((5,), (1,)), ((5,), ()), ((), ())]
)
def test_prelu(shapes):
    xs, ws = shapes
    x, w = _rand(xs, seed=20), _rand(ws, 0.0, 0.5, 21)
    check_node(
        lambda lib, x, w: lib.nn.functional.prelu(x, w), [x, w], (0, 1), "PreluKernelBackward0"
    )
    check_node(lambda lib, x, w: x.prelu(w), [x, w], (0, 1), "PreluKernelBackward0")


@pytest.mark.parametrize("alpha", [1.0, 0.5, 2.5])
def test_celu(alpha):
    x = _rand((3, 4), seed=22)
    check_node(lambda lib, x: lib.nn.functional.celu(x, alpha), [x], (0,), "CeluBackward0")
    check_node(lambda lib, x: lib.celu(x, alpha), [x], (0,), "CeluBackward0")


def test_softsign_tanhshrink():
    x = _rand((3, 4), seed=23)
    check_node(lambda lib, x: lib.nn.functional.softsign(x), [x], (0,), "DivBackward0")
    check_node(lambda lib, x: lib.nn.functional.tanhshrink(x), [x], (0,), "SubBackward0")


def test_int_softsign_tanhshrink_promote():
    a = np.arange(-3, 3)
    for name in ("softsign", "tanhshrink"):
        t = getattr(torch.nn.functional, name)(torch.tensor(a))
        m = getattr(mlx_compat.nn.functional, name)(mlx_compat.tensor(a))
        assert str(m.dtype) == str(t.dtype)
        np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-6)


def _req(lib, a):
    return lib.tensor(a).requires_grad_(True)


X = _rand((3, 4), 0.1, 0.9, 30).astype(np.float32)
T = _rand((3, 4), 0.0, 1.0, 31).astype(np.float32)


@pytest.mark.parametrize(
    "fn",
    [
        # arguments the kernels treat as constants
        lambda lib: lib.nn.functional.binary_cross_entropy(
            lib.tensor(X), lib.tensor(T), _req(lib, T[0])
        ),
        lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(
            lib.tensor(X), lib.tensor(T), _req(lib, T[0])
        ),
        lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(
            lib.tensor(X), lib.tensor(T), pos_weight=_req(lib, T[0])
        ),
        lambda lib: lib.nn.functional.soft_margin_loss(_req(lib, X), _req(lib, T)),
        # dtypes
        lambda lib: lib.nn.functional.binary_cross_entropy(lib.tensor(X), lib.tensor(T).double()),
        lambda lib: lib.nn.functional.binary_cross_entropy(
            lib.tensor(X).long(), lib.tensor(T).long()
        ),
        lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(
            lib.tensor(X), lib.tensor(T).long()
        ),
        lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(
            lib.tensor(X).long(), lib.tensor(T)
        ),
        lambda lib: lib.nn.functional.soft_margin_loss(lib.tensor(X).long(), lib.tensor(T)),
        lambda lib: lib.nn.functional.smooth_l1_loss(lib.tensor(X).long(), lib.tensor(T).long()),
        lambda lib: lib.nn.functional.huber_loss(lib.tensor(X).long(), lib.tensor(T).long()),
        lambda lib: lib.nn.functional.huber_loss(lib.tensor(X).long(), lib.tensor(T)),
        # values and shapes
        lambda lib: lib.nn.functional.binary_cross_entropy(lib.tensor(X) * 2, lib.tensor(T)),
        lambda lib: lib.nn.functional.binary_cross_entropy(lib.tensor(X), lib.tensor(T) * 2),
        lambda lib: lib.nn.functional.binary_cross_entropy(
            lib.tensor(X), lib.tensor(T), lib.ones(5, 3, 4)
        ),
        lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(
            lib.tensor(X), lib.tensor(T), lib.ones(5, 3, 4)
        ),
        lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(
            lib.tensor(X), lib.tensor(T), pos_weight=lib.ones(5, 3, 4)
        ),
        lambda lib: lib.nn.functional.soft_margin_loss(
            lib.tensor(X[:, :1]), lib.tensor(T[0]), reduction="none"
        ),
        lambda lib: lib.nn.functional.smooth_l1_loss(lib.tensor(X), lib.tensor(T), beta=-1.0),
        lambda lib: lib.nn.functional.huber_loss(lib.tensor(X), lib.tensor(T), delta=0.0),
        lambda lib: lib.nn.functional.huber_loss(
            lib.tensor(X), lib.tensor(T), reduction="bad", weight=lib.tensor(T)
        ),
        lambda lib: lib.nn.functional.soft_margin_loss(
            lib.tensor(X), lib.tensor(T), reduction="bad"
        ),
        # activations
        lambda lib: lib.nn.functional.glu(lib.tensor(X).long()),
        lambda lib: lib.nn.functional.glu(lib.tensor(X[0, :3])),
        lambda lib: lib.nn.functional.prelu(lib.tensor(X), lib.tensor(T[0]).double()),
        lambda lib: lib.nn.functional.prelu(lib.tensor(X), lib.tensor(T[:, :1])),
        lambda lib: lib.nn.functional.prelu(lib.tensor(X).long(), lib.tensor([1])),
        lambda lib: lib.nn.functional.prelu(lib.tensor(1.0), lib.tensor([1.0, 2.0])),
        lambda lib: lib.nn.functional.celu(lib.tensor(X), alpha=0.0),
        lambda lib: lib.nn.functional.celu(lib.tensor(X).long()),
    ],
)
def test_errors(fn):
    check_raises(lambda lib: fn(lib))


def test_huber_backward_mixed_dtypes_raises():
    def fn(lib):
        x = lib.tensor(X).requires_grad_(True)
        lib.nn.functional.huber_loss(x, lib.tensor(T).double()).backward()

    check_raises(fn)


def test_mixed_dtype_results():
    for name in (
        "binary_cross_entropy_with_logits",
        "soft_margin_loss",
        "smooth_l1_loss",
        "huber_loss",
    ):
        for a, b in ((np.float32, np.float64), (np.float64, np.float32)):
            t = getattr(torch.nn.functional, name)(
                torch.tensor(X.astype(a)), torch.tensor(T.astype(b))
            )
            m = getattr(mlx_compat.nn.functional, name)(
                mlx_compat.tensor(X.astype(a)), mlx_compat.tensor(T.astype(b))
            )
            assert str(m.dtype) == str(t.dtype), name
            np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-5)
