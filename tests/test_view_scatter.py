"""View scatters and *_copy variants: ownership and error classes against torch."""

import numpy as np
import pytest
import torch
from parity import check_raises

import mlx_compat

R = np.random.default_rng()


@pytest.mark.parametrize(
    "fn",
    [
        lambda T, x: T.t_copy(x),
        lambda T, x: T.transpose_copy(x, 0, 1),
        lambda T, x: T.permute_copy(x, (1, 0)),
        lambda T, x: T.view_copy(x, (-1,)),
        lambda T, x: T.diagonal_copy(x),
        lambda T, x: T.narrow_copy(x, 1, 1, 2),
        lambda T, x: T.alias_copy(x),
        lambda T, x: T.unbind_copy(x)[0],
    ],
)
def test_copy_variants_own_their_memory(fn):
    a = R.standard_normal((3, 4)).astype(np.float32)
    for lib in (torch, mlx_compat):
        x = lib.from_numpy(a.copy())
        y = fn(lib, x)
        y.add_(1.0)
        np.testing.assert_array_equal(x.numpy(), a)
        assert y.is_contiguous()


def test_scatter_gradients_reach_input_and_src():
    a = R.standard_normal((4, 5)).astype(np.float32)
    b = R.standard_normal(5).astype(np.float32)
    g = R.standard_normal((4, 5)).astype(np.float32)
    got = []
    for lib in (torch, mlx_compat):
        x, s = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
        lib.select_scatter(x, s, 0, 2).backward(lib.tensor(g))
        got.append((x.grad.numpy(), s.grad.numpy()))
    for ours, theirs in zip(got[1], got[0], strict=True):
        np.testing.assert_allclose(ours, theirs)


ERRORS = [
    lambda T: T.select_scatter(T.ones(4, 5), T.ones(4), 0, 1),
    lambda T: T.slice_scatter(T.ones(4, 5), T.ones(2, 4), 0, 0, 2),
    lambda T: T.diagonal_scatter(T.ones(4, 5), T.ones(5)),
    lambda T: T.select_scatter(T.ones(4, 5), T.ones(5), 0, 9),
]


@pytest.mark.parametrize("fn", ERRORS)
def test_error_classes(fn):
    check_raises(fn)
