"""torch's refusals of in-place writes into restricted views (multi-output,
no_grad and inference-mode views), the engine's gradient shape validation,
and small tensor behaviours (data_ptr of empty tensors, bernoulli_ into
integer tensors, normal with a complex std), against torch."""

import numpy as np
import pytest
import torch
from parity import assert_same, check_raises

import mlx_compat


def rand(*shape, seed=0):
    return np.random.default_rng(seed).uniform(-2, 2, size=shape).astype(np.float32)


def same_error(fn, arrays=()):
    """Both raise the same class with the same message."""
    m_exc, t_exc = check_raises(fn, arrays)
    assert str(m_exc) == str(t_exc)


def name(t):
    return type(t.grad_fn).__name__ if t.grad_fn is not None else None


# --- views of ops returning several views -----------------------------------

PRODUCERS = {
    "unbind": lambda b: b.unbind(0)[1],
    "unbind_dim1": lambda b: b.unbind(1)[2],
    "split": lambda b: b.split(1)[1],
    "split_single": lambda b: b.split(3)[0],
    "split_list": lambda b: b.split([1, 2])[1],
    "chunk": lambda b: b.chunk(3)[2],
    "split_with_sizes": lambda b: b.split_with_sizes([2, 1])[0],
    "select_of_split": lambda b: b.split(1)[1][0],
    "view_of_split": lambda b: b.split(1)[1].view(-1),
    "split_of_slice": lambda b: b[1:].split(1)[1],
}

WRITES = {
    "mul_": lambda M, x: x.mul_(2),
    "add_": lambda M, x: x.add_(M.ones(x.shape)),
    "copy_": lambda M, x: x.copy_(M.zeros(x.shape)),
    "zero_": lambda M, x: x.zero_(),
    "fill_": lambda M, x: x.fill_(3.0),
    "setitem": lambda M, x: x.__setitem__(0, 1.0),
    "t_": lambda M, x: x.t_(),
    "transpose_": lambda M, x: x.transpose_(0, -1),
    "unsqueeze_": lambda M, x: x.unsqueeze_(0),
    "clamp_": lambda M, x: x.clamp_(min=0),
    "uniform_": lambda M, x: x.uniform_(),
}


@pytest.mark.parametrize("producer", sorted(PRODUCERS))
@pytest.mark.parametrize("write", sorted(WRITES))
def test_multi_output_view_write_refused(producer, write):
    def fn(M, a):
        b = a.requires_grad_() * 1
        x = PRODUCERS[producer](b)
        WRITES[write](M, x)

    same_error(fn, [rand(3, 4)])


@pytest.mark.parametrize("producer", ["unbind", "split", "chunk"])
def test_multi_output_view_of_leaf(producer):
    def fn(M, a):
        x = PRODUCERS[producer](a.requires_grad_())
        x.mul_(2)

    same_error(fn, [rand(3, 4)])


def test_multi_output_view_no_grad_anywhere_is_fine():
    for M in (torch, mlx_compat):
        a = M.tensor(rand(3, 4))
        x = a.unbind(0)[0]
        x.mul_(2)
        assert not x.requires_grad


def test_multi_output_view_written_with_grad_operand():
    # The base needs no grad: an operand that requires grad is enough.
    def fn(M, a, w):
        x = a.unbind(0)[0]
        x.mul_(w.requires_grad_())

    same_error(fn, [rand(3, 4), rand(4, seed=1)])

    def fn2(M, a, w):
        x = a.split(2)[0]
        x.copy_(w.requires_grad_())

    same_error(fn2, [rand(3, 4), rand(2, 4, seed=1)])


@pytest.mark.parametrize(
    "producer",
    [
        lambda b: b.tensor_split(2)[1],
        lambda b: b.hsplit(2)[1],
        lambda b: b.movedim(0, 1),
        lambda b: b.unflatten(1, (2, 2)),
        lambda b: b[1:],
    ],
)
def test_single_output_views_may_be_written(producer):
    arrays = [rand(3, 4), rand(1, seed=3)]
    res = {}
    for M in (torch, mlx_compat):
        a, y = (M.tensor(x, requires_grad=True) for x in arrays)
        b = a * 1
        x = producer(b)
        x.mul_(y)
        (b * b).sum().backward()
        res[M] = (b, a.grad, y.grad, name(x))
    assert res[torch][3] == res[mlx_compat][3]
    for o, t in zip(res[mlx_compat][:3], res[torch][:3], strict=True):
        assert_same(o, t, rtol=1e-4, atol=1e-5)


def test_split_output_requires_grad_and_detach():
    for M in (torch, mlx_compat):
        b = M.tensor(rand(3, 4), requires_grad=True) * 1
        x = b.split(1)[1]
        x.requires_grad_()
        assert name(x) == "SplitBackward0"


# --- changes seen later through the view (indirect) ----------------------------

INDIRECT = {
    "base_mul": lambda M, b, x: b.mul_(2),
    "sibling_write": lambda M, b, x: b[2].mul_(2),
    "base_under_no_grad": lambda M, b, x: _no_grad(M, lambda: b.mul_(2)),
    "view_under_no_grad": lambda M, b, x: _no_grad(M, lambda: x.mul_(2)),
    "detached_alias": lambda M, b, x: x.detach().mul_(3),
}

USES = {
    "mul": lambda x: x * 2,
    "grad_fn": lambda x: x.grad_fn,
    "is_leaf": lambda x: x.is_leaf,
    "clone": lambda x: x.clone(),
    "retain_grad": lambda x: x.retain_grad(),
    "sum": lambda x: x.sum(),
}


def _no_grad(M, f):
    with M.no_grad():
        f()


@pytest.mark.parametrize("change", sorted(INDIRECT))
@pytest.mark.parametrize("use", sorted(USES))
def test_multi_output_view_changed_then_used(change, use):
    def fn(M, a):
        b = a.requires_grad_() * 1
        x = b.unbind(0)[0]
        INDIRECT[change](M, b, x)
        USES[use](x)

    same_error(fn, [rand(3, 4)])


def test_changed_view_still_usable_without_history():
    for M in (torch, mlx_compat):
        b = M.tensor(rand(3, 4), requires_grad=True) * 1
        x = b.unbind(0)[0]
        b.mul_(2)
        assert x.requires_grad
        assert "grad_fn=<Invalid>" in repr(x)
        with M.no_grad():
            y = x * 2
        assert not y.requires_grad
        assert x.detach().shape == (4,)


def test_data_writes_are_not_seen():
    res = []
    for M in (torch, mlx_compat):
        a = M.tensor(rand(3, 4), requires_grad=True)
        b = a * 1
        x = b.unbind(0)[0]
        x.data.mul_(2)
        b.data.add_(1)
        v = b._version
        (x * 3).sum().backward()
        res.append((a.grad, v, name(x)))
    assert res[0][1:] == res[1][1:]
    assert_same(res[1][0], res[0][0])


# --- views made under no_grad or in inference mode ---------------------------


def test_no_grad_view_requires_grad_like_its_base():
    for M in (torch, mlx_compat):
        a = M.tensor(rand(3, 4), requires_grad=True)
        b = a * 1
        with M.no_grad():
            x = b[0]
            xa = a[0]
            p = M.tensor(rand(3, 4))[0]
        assert x.requires_grad and x.is_leaf and x.grad_fn is None
        assert xa.requires_grad and xa.is_leaf
        assert not p.requires_grad
        y = x[1:]
        assert name(y) == "SliceBackward0"
        assert "requires_grad=True" in repr(x)


NO_GRAD_CASES = {
    # view of a non-leaf, written with grad mode on
    "mul_": lambda M, a, w: _ng_view(M, a * 1).mul_(2),
    "t_": lambda M, a, w: _ng_view(M, a * 1).t_(),
    "unsqueeze_": lambda M, a, w: _ng_view(M, a * 1).unsqueeze_(0),
    "copy_": lambda M, a, w: _ng_view(M, a * 1).copy_(w),
    "setitem": lambda M, a, w: _ng_view(M, a * 1).__setitem__(1, 0.0),
    "leaf_base": lambda M, a, w: _ng_view(M, a).mul_(w),
    "plain_base_grad_operand": lambda M, a, w: _ng_view(M, a.detach()).mul_(w),
    "view_of_view": lambda M, a, w: _ng_view(M, a * 1)[1:].mul_(w[1:]),
    "unbind_under_no_grad": lambda M, a, w: _ng_unbind(M, a * 1).mul_(2),
    "plain_unbind_grad_operand": lambda M, a, w: a.detach().unbind(0)[0].mul_(w),
}


def _ng_view(M, b):
    with M.no_grad():
        return b[0]


def _ng_unbind(M, b):
    with M.no_grad():
        return b.unbind(0)[0]


@pytest.mark.parametrize("case", sorted(NO_GRAD_CASES))
def test_no_grad_view_written_with_grad_mode(case):
    def fn(M, a, w):
        a.requires_grad_()
        w.requires_grad_()
        NO_GRAD_CASES[case](M, a, w)

    same_error(fn, [rand(3, 4), rand(4, seed=2)])


@pytest.mark.parametrize("when", ["view_written", "base_written", "param_step"])
def test_no_grad_view_changed_in_no_grad_then_used(when):
    def fn(M, a):
        a.requires_grad_()
        b = a if when == "param_step" else a * 1
        with M.no_grad():
            x = b.view(-1)
            (x if when == "view_written" else b).mul_(2)
        x.sum()

    same_error(fn, [rand(3, 4)])


def test_no_grad_view_of_plain_tensor_is_free():
    for M in (torch, mlx_compat):
        a = M.tensor(rand(3, 4))
        with M.no_grad():
            x = a[0]
        x.mul_(2)
        y = x * 2
        assert not y.requires_grad


def test_both_under_no_grad_unchanged_is_fine():
    res = []
    for M in (torch, mlx_compat):
        a = M.tensor(rand(3, 4), requires_grad=True)
        with M.no_grad():
            x = a[0]
        y = (a * 2).sum()
        y.backward()
        res.append((a.grad, x.requires_grad))
    assert res[0][1] == res[1][1]
    assert_same(res[1][0], res[0][0])


def test_inference_mode_view():
    def fn(M, a):
        b = a.requires_grad_() * 1
        with M.inference_mode():
            x = b[0]
        x.mul_(2)

    same_error(fn, [rand(3, 4)])

    def fn2(M, a):
        b = a.requires_grad_() * 1
        with M.inference_mode():
            x = b[0]
        b.mul_(2)
        x * 2

    same_error(fn2, [rand(3, 4)])

    for M in (torch, mlx_compat):
        a = M.tensor(rand(3, 4))
        with M.inference_mode():
            x = a[0]
        x.mul_(2)  # nothing requires grad: allowed


# --- views of a base written in place read the new history ------------------


def test_earlier_view_follows_base_write():
    arrays = [rand(4), rand(4, seed=5)]
    res = {}
    for M in (torch, mlx_compat):
        a, y = (M.tensor(x, requires_grad=True) for x in arrays)
        b = a * 2
        early = b[:2]
        mid = b[1]
        b.mul_(y)
        ((early * early).sum() + mid * 3).backward()
        res[M] = (a.grad, y.grad, name(early), name(mid))
    assert res[torch][2:] == res[mlx_compat][2:]
    for o, t in zip(res[mlx_compat][:2], res[torch][:2], strict=True):
        assert_same(o, t, rtol=1e-4, atol=1e-5)


def test_earlier_view_follows_copy_into_plain_base():
    arrays = [rand(2, 3), rand(2, 3, seed=6)]
    res = {}
    for M in (torch, mlx_compat):
        w = M.tensor(arrays[0], requires_grad=True)
        base = M.zeros(2, 3)
        col = base[:, 1]
        base.copy_(w * 3)
        (col * M.tensor(arrays[1][:, 0])).sum().backward()
        res[M] = (w.grad, name(col))
    assert res[torch][1] == res[mlx_compat][1]
    assert_same(res[mlx_compat][0], res[torch][0])


# --- engine: gradient shapes checked like torch's validate_outputs -----------


def _t_no_grad(M, b):
    with M.no_grad():
        b.t_()
    return b


SHAPE_CASES = {
    "sum_after_t_": lambda M, a: _t_no_grad(M, a * 1).sum().backward(),
    "mul_after_t_": lambda M, a: (_t_no_grad(M, a * 1) * 2).sum().backward(),
    "grad_after_t_": lambda M, a: M.autograd.grad((_t_no_grad(M, a * 1) * 2).sum(), a),
    "root_after_t_": lambda M, a: _t_no_grad(M, a * 1).backward(M.ones(3, 2)),
    "squeeze_": lambda M, a: (_sq(M, a[:1] * 1) * 2).sum().backward(),
}


def _sq(M, b):
    with M.no_grad():
        b.squeeze_()
    return b


@pytest.mark.parametrize("case", sorted(SHAPE_CASES))
def test_invalid_gradient_shape(case):
    def fn(M, a):
        SHAPE_CASES[case](M, a.requires_grad_())

    same_error(fn, [rand(2, 3)])


def test_broadcast_gradient_is_summed_down():
    res = {}
    for M in (torch, mlx_compat):
        a = M.tensor(rand(3), requires_grad=True)
        b = a * 1
        with M.no_grad():
            b.unsqueeze_(0)
        (b * M.tensor(rand(1, 3, seed=7))).sum().backward()
        g1 = a.grad
        a2 = M.tensor(rand(3), requires_grad=True)
        c = a2 * 1
        with M.no_grad():
            c.unsqueeze_(0)
        c.backward(M.tensor(rand(1, 3, seed=8)))
        res[M] = (g1, a2.grad)
    assert_same(res[mlx_compat], res[torch])


def test_leaf_reshaped_in_no_grad_takes_new_shape():
    res = {}
    for M in (torch, mlx_compat):
        a = M.tensor(rand(2, 3), requires_grad=True)
        with M.no_grad():
            a.t_()
        (a * 2).sum().backward()
        res[M] = a.grad
    assert_same(res[mlx_compat], res[torch])


def _custom(M, back):
    class F(M.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return back(g)

    return F


@pytest.mark.parametrize(
    "back",
    [lambda g: g.t(), lambda g: g[0], lambda g: g.expand(4, *g.shape), lambda g: g.double()],
    ids=["transposed", "too_small", "broadcast", "float64"],
)
def test_custom_function_gradient_checked(back):
    outs = []
    for M in (torch, mlx_compat):
        x = M.tensor(rand(2, 3), requires_grad=True)
        try:
            _custom(M, back).apply(x).sum().backward()
            outs.append((None, x.grad))
        except RuntimeError as e:
            outs.append((str(e), None))
    assert (outs[0][0] is None) == (outs[1][0] is None)
    if outs[0][0] is None:
        assert_same(outs[1][1], outs[0][1])
    else:
        assert outs[0][0] == outs[1][0]


# --- small tensor behaviours -------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda M: M.empty(0),
        lambda M: M.zeros(0, 3).t(),
        lambda M: M.zeros(3)[3:],
        lambda M: M.ones(2, 0, dtype=M.int64),
    ],
)
def test_data_ptr_of_empty_is_zero(make):
    assert make(torch).data_ptr() == 0
    assert make(mlx_compat).data_ptr() == 0
    assert mlx_compat.zeros(3).data_ptr() != 0


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool", "float64"])
@pytest.mark.parametrize("pdtype", ["float32", "float64"])
def test_bernoulli_into_any_dtype(dtype, pdtype):
    p = np.random.default_rng(3).uniform(0, 1, size=(4, 5))
    res = []
    for M in (torch, mlx_compat):
        M.manual_seed(11)
        x = M.zeros(4, 5, dtype=getattr(M, dtype))
        r = x.bernoulli_(M.tensor(p, dtype=getattr(M, pdtype)))
        assert r is x
        res.append(x)
    assert_same(res[1], res[0])


@pytest.mark.parametrize(
    "fn",
    [
        lambda M: M.zeros(3, dtype=M.int64).bernoulli_(M.ones(3, dtype=M.int64)),
        lambda M: M.zeros(3).bernoulli_(M.ones(3, dtype=M.bool)),
        lambda M: M.zeros(3, dtype=M.complex64).bernoulli_(M.full((3,), 0.5)),
    ],
)
def test_bernoulli_bad_dtypes(fn):
    same_error(lambda M: fn(M))


@pytest.mark.parametrize(
    "args",
    [
        lambda M, a: (a, M.ones(3, dtype=M.complex64)),
        lambda M, a: (0.0, M.ones(3, dtype=M.complex64)),
        lambda M, a: (a.to(M.complex64), M.ones(3, dtype=M.complex64)),
    ],
)
def test_normal_complex_std(args):
    same_error(lambda M, a: M.normal(*args(M, a)), [rand(3)])


# --- every in-place method refuses a restricted view ---------------------------


def _arg(M, k):
    rng = np.random.default_rng(4)
    table = {
        "T": lambda: M.tensor(rng.uniform(0.1, 0.9, (2, 2)).astype(np.float32)),
        "T1": lambda: M.tensor(rng.uniform(0.1, 0.9, (1, 2)).astype(np.float32)),
        "T1v": lambda: M.tensor(rng.uniform(0.1, 0.9, (1,)).astype(np.float32)),
        "M": lambda: M.tensor([[True, False], [False, True]]),
        "I": lambda: M.tensor([1]),
        "IL": lambda: M.tensor([[1, 0]]),
    }
    if isinstance(k, tuple):
        return tuple(_arg(M, x) for x in k)
    return table[k]() if isinstance(k, str) and k in table else k


METHODS = {
    "abs_": (),
    "neg_": (),
    "exp_": (),
    "sigmoid_": (),
    "relu_": (),
    "sqrt_": (),
    "clamp_": (0,),
    "pow_": (2,),
    "div_": (2,),
    "sub_": (1,),
    "fmod_": (2,),
    "atan2_": ("T",),
    "addcmul_": ("T", "T"),
    "addcdiv_": ("T", "T"),
    "lerp_": ("T", 0.5),
    "masked_fill_": ("M", 0.0),
    "index_fill_": (0, "I", 1.0),
    "index_add_": (0, "I", "T1"),
    "index_copy_": (0, "I", "T1"),
    "scatter_": (0, "IL", "T1"),
    "scatter_add_": (0, "IL", "T1"),
    "scatter_reduce_": (0, "IL", "T1", "sum"),
    "index_put_": (("I",), "T1v"),
    "masked_scatter_": ("M", "T"),
    "tril_": (),
    "triu_": (),
    "cumsum_": (0,),
    "renorm_": (2, 0, 1.0),
    "nan_to_num_": (),
    "normal_": (),
    "bernoulli_": (),
    "exponential_": (),
    "random_": (),
    "squeeze_": (),
    "swapdims_": (0, 1),
    "as_strided_": ((2, 2), (1, 1)),
}


@pytest.mark.parametrize("setup", ["split", "no_grad", "unbind"])
@pytest.mark.parametrize("method", sorted(METHODS))
def test_inplace_methods_on_restricted_views(setup, method):
    def fn(M, a):
        b = a.requires_grad_() * 1
        if setup == "split":
            x = b.split(2)[1]
        elif setup == "unbind":
            x = b.view(2, 2, 2).unbind(0)[1]
        else:
            with M.no_grad():
                x = b[2:]
        getattr(x, method)(*[_arg(M, k) for k in METHODS[method]])

    same_error(fn, [rand(4, 2)])


SETITEM = {
    "column": lambda M, x: x.__setitem__((slice(None), 1), 0.0),
    "mask": lambda M, x: x.__setitem__(x > 0, 0.0),
    "list": lambda M, x: x.__setitem__([0], 1.0),
    "ellipsis": lambda M, x: x.__setitem__(Ellipsis, 2.0),
    "slice_tensor": lambda M, x: x.__setitem__(slice(0, 1), M.ones(1, 3)),
    "none": lambda M, x: x.__setitem__(None, 2.0),
    "int_tensor": lambda M, x: x.__setitem__(M.tensor(1), 2.0),
}


@pytest.mark.parametrize("case", sorted(SETITEM))
def test_setitem_on_split_output(case):
    def fn(M, a):
        x = (a.requires_grad_() * 1).split(2)[1]
        SETITEM[case](M, x)

    same_error(fn, [rand(4, 3)])


def test_earlier_view_follows_custom_function_dirty_write():
    arrays = [rand(3), rand(2, seed=9)]
    res = {}
    for M in (torch, mlx_compat):

        class Double(M.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.mul_(2)
                ctx.mark_dirty(x)
                return x

            @staticmethod
            def backward(ctx, g):
                return g * 2

        a = M.tensor(arrays[0], requires_grad=True)
        b = a * 1
        early = b[:2]
        Double.apply(b)
        (early * M.tensor(arrays[1])).sum().backward()
        res[M] = (a.grad, name(early))
    assert res[torch][1] == res[mlx_compat][1]
    assert_same(res[mlx_compat][0], res[torch][0])
