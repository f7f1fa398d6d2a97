"""In-place forms of the matrix-product family and of clamp_min/clamp_max/floor_divide:
values, grad_fn and gradients through a non-leaf self, torch's errors on leaves and shapes."""

import numpy as np
import pytest
from parity import check_op, check_raises

rng = np.random.default_rng()


def r(*shape):
    return rng.standard_normal(shape).astype(np.float32)


CASES = {
    "addmm_": (
        lambda M, s, a, b: (s * 1).addmm_(a, b, beta=0.5, alpha=2),
        (r(3, 4), r(3, 5), r(5, 4)),
    ),
    "addmv_": (lambda M, s, a, b: (s * 1).addmv_(a, b, alpha=-1), (r(3), r(3, 5), r(5))),
    "addr_": (lambda M, s, a, b: (s * 1).addr_(a, b, beta=2), (r(3, 4), r(3), r(4))),
    "baddbmm_": (lambda M, s, a, b: (s * 1).baddbmm_(a, b), (r(2, 3, 4), r(2, 3, 5), r(2, 5, 4))),
    "addbmm_": (
        lambda M, s, a, b: (s * 1).addbmm_(a, b, beta=0.5, alpha=2),
        (r(3, 4), r(2, 3, 5), r(2, 5, 4)),
    ),
    # torch's addbmm_ resizes a self that only broadcasts to the result.
    "addbmm_resizes": (lambda M, s, a, b: (s * 1).addbmm_(a, b), (r(4), r(2, 3, 5), r(2, 5, 4))),
    "clamp_min_": (lambda M, s: (s * 1).clamp_min_(-0.2), (r(4, 5),)),
    "clamp_max_": (lambda M, s: (s * 1).clamp_max_(0.3), (r(4, 5),)),
    "clamp_min_tensor": (lambda M, s, m: (s * 1).clamp_min_(m), (r(4, 5), r(5))),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_inplace_matches_torch(name):
    fn, arrays = CASES[name]
    # clamp_min/clamp_max are composites here (their out-of-place forms too):
    # values and gradients match, the recorded node names do not.
    check_op(fn, list(arrays), check_grad_fn=not name.startswith("clamp"))


def test_floor_divide_inplace():
    a, b = r(4, 5) * 5, r(4, 5) + 3
    check_op(lambda M, x, y: (x * 1).floor_divide_(y), [a, b], grad=False)
    check_op(lambda M, x: (x * 1).floor_divide_(2), [a], grad=False)


def test_errors():
    check_raises(lambda M, s, a, b: s.requires_grad_().addmm_(a, b), [r(3, 4), r(3, 5), r(5, 4)])
    check_raises(lambda M, s, a, b: s.addmm_(a, b), [r(1), r(3, 5), r(5, 4)])
    check_raises(lambda M, s, a, b: s.addmv_(a, b), [r(3), r(3, 5), r(4)])
    check_raises(lambda M, s: s.long().clamp_min_(0.5), [r(3)])
    check_raises(
        lambda M, s, a, b: s.requires_grad_().addbmm_(a, b), [r(4), r(2, 3, 5), r(2, 5, 4)]
    )
    check_raises(lambda M, s, a, b: s.addbmm_(a, b), [r(3), r(2, 3, 5), r(2, 5, 4)])


def test_addbmm_inplace_resize_keeps_identity():
    s_np, a, b = r(4), r(2, 3, 5), r(2, 5, 4)
    out = []
    for M in (__import__("torch"), __import__("mlx_compat")):
        s = M.tensor(s_np)
        view = s.view(4)
        assert s.addbmm_(M.tensor(a), M.tensor(b)) is s
        out.append((tuple(s.shape), s.stride(), tuple(view.shape), s._version))
    assert out[0] == out[1]


@pytest.mark.parametrize(
    "shape,wrap",
    [
        ((4, 4), False),
        ((7, 3), False),
        ((7, 3), True),
        ((8, 3), True),
        ((3, 6), True),
        ((3, 3, 3), False),
    ],
)
def test_fill_diagonal(shape, wrap):
    check_op(lambda M, x: (x * 1).fill_diagonal_(0.5, wrap=wrap), [r(*shape)])
    check_op(
        lambda M, x: (x * 1).t().fill_diagonal_(-2.0, wrap=wrap) if x.dim() == 2 else x * 1,
        [r(*shape)],
    )


def test_fill_diagonal_errors():
    check_raises(lambda M, x: x.fill_diagonal_(1.0), [r(4)])
    check_raises(lambda M, x: x.fill_diagonal_(1.0), [r(2, 3, 3)])
    check_raises(lambda M, x: x.requires_grad_().fill_diagonal_(1.0), [r(3, 3)])
