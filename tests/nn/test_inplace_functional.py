"""In-place function spellings (torch.abs_, F.relu_, F.elu_, ...), the nodes that
nn.functional's inplace=True forms record, and F.gumbel_softmax on torch's stream."""

import numpy as np
import pytest
import torch
from parity import assert_same, check_op, check_raises

import mlx_compat

rng = np.random.default_rng()


def _positive(*shape):
    return rng.uniform(0.2, 0.9, size=shape).astype(np.float32)


TORCH_FORMS = [
    ("abs_", ()),
    ("asin_", ()),
    ("ceil_", ()),
    ("exp_", ()),
    ("log1p_", ()),
    ("sigmoid_", ()),
    ("sqrt_", ()),
    ("trunc_", ()),
    ("square_", ()),
    ("logit_", (1e-3,)),
    ("clamp_", (0.3, 0.6)),
    ("clip_", (None, 0.5)),
    ("fill_", (2.5,)),
    ("nan_to_num_", ()),
    ("celu_", (0.7,)),
    ("selu_", ()),
    ("threshold_", (0.5, -1.0)),
]


@pytest.mark.parametrize("name,args", TORCH_FORMS, ids=[f[0] for f in TORCH_FORMS])
def test_torch_inplace_functions(name, args):
    a = _positive(3, 4)

    def fn(M, x):
        y = x * 1
        r = getattr(M, name)(y, *args)
        assert r is y
        return r

    # nan_to_num is a composite here: its node name differs from torch's.
    composite = name == "nan_to_num_"
    check_op(fn, [a], grad=name not in ("ceil_", "trunc_", "fill_"), check_grad_fn=not composite)


def test_torch_inplace_function_errors():
    check_raises(lambda M: M.abs_(3.0))
    check_raises(lambda M, x: M.exp_(x.requires_grad_()), [_positive(3)])


F_FORMS = [
    ("relu_", ()),
    ("elu_", (0.5,)),
    ("leaky_relu_", (0.2,)),
    ("hardtanh_", (-0.5, 0.5)),
    ("threshold_", (0.1, 2.0)),
    ("celu_", (1.5,)),
    ("selu_", ()),
    ("rrelu_", (0.1, 0.3, False)),
]


@pytest.mark.parametrize("name,args", F_FORMS, ids=[f[0] for f in F_FORMS])
def test_functional_inplace_forms(name, args):
    a = rng.normal(size=(3, 4)).astype(np.float32)

    def fn(M, x):
        y = x * 1
        r = getattr(M.nn.functional, name)(y, *args)
        assert r is y
        return r

    check_op(fn, [a])


ACTIVATIONS = [
    ("elu", ()),
    ("selu", ()),
    ("celu", ()),
    ("leaky_relu", ()),
    ("hardtanh", ()),
    ("relu6", ()),
    ("silu", ()),
    ("mish", ()),
    ("threshold", (0.5, 0.1)),
    ("rrelu", ()),
    ("hardsigmoid", ()),
    ("hardswish", ()),
    ("dropout", ()),
]


@pytest.mark.parametrize("name,args", ACTIVATIONS, ids=[f[0] for f in ACTIVATIONS])
def test_inplace_activation_nodes(name, args):
    a = rng.normal(size=(4, 5)).astype(np.float32)
    names = []
    for M in (torch, mlx_compat):
        x = M.tensor(a, requires_grad=True)
        y = x * 1
        r = getattr(M.nn.functional, name)(y, *args, inplace=True)
        assert r is y
        names.append(type(r.grad_fn).__name__)
    assert names[1] == names[0]


@pytest.mark.parametrize("hard", [False, True])
def test_gumbel_softmax_matches_torch_stream(hard):
    a = rng.normal(size=(4, 6)).astype(np.float32)
    w = rng.normal(size=(4, 6)).astype(np.float32)
    seed = int(rng.integers(0, 2**31))
    res = {}
    for M in (torch, mlx_compat):
        M.manual_seed(seed)
        x = M.tensor(a, requires_grad=True)
        y = M.nn.functional.gumbel_softmax(x, tau=0.5, hard=hard, dim=-1)
        (y * M.tensor(w)).sum().backward()
        res[M] = (y, x.grad)
    assert_same(res[mlx_compat][0], res[torch][0], 1e-5, 1e-6)
    assert_same(res[mlx_compat][1], res[torch][1], 1e-4, 1e-5)


def test_gumbel_softmax_eps_warns():
    for M in (torch, mlx_compat):
        with pytest.warns(UserWarning, match="eps"):
            M.nn.functional.gumbel_softmax(M.zeros(2, 3), eps=1e-5)
