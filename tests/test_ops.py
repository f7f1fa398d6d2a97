"""Operator parity: every operator of the core against torch on fresh random inputs.

Each row is ``(id, fn(M, *tensors), input specs)``; a spec is ``(shape, dtype)`` or
``(shape, dtype, low, high)``. Values, dtypes, shapes and gradients are compared.
"""

import numpy as np
import pytest
from parity import check_op, check_raises, random_array

F = "float32"
POS = (0.1, 4.0)  # inputs of log/sqrt/pow bases

OPS = [
    # arithmetic, tensor with tensor (broadcasting) and with Python scalars on either side
    ("add", lambda M, a, b: a + b, [((3, 4), F), ((4,), F)]),
    ("add_alpha", lambda M, a, b: M.add(a, b, alpha=2.5), [((2, 3), F), ((2, 3), F)]),
    ("sub", lambda M, a, b: a - b, [((3, 1), F), ((1, 5), F)]),
    ("sub_alpha_method", lambda M, a, b: a.sub(b, alpha=3), [((4,), F), ((4,), F)]),
    ("mul", lambda M, a, b: a * b, [((2, 3, 4), F), ((3, 1), F)]),
    ("div", lambda M, a, b: a / b, [((5,), F), ((5,), F, 0.5, 3.0)]),
    ("pow_tensor", lambda M, a, b: a**b, [((6,), F, *POS), ((6,), F)]),
    ("scalar_right", lambda M, a: a + 2 - 1.5 * a / 3.0, [((3, 3), F)]),
    ("scalar_left", lambda M, a: 2 + a, [((4,), F)]),
    ("rsub", lambda M, a: 1.5 - a, [((4,), F)]),
    ("rmul", lambda M, a: 3 * a, [((4,), F)]),
    ("rtruediv", lambda M, a: 2.0 / a, [((4,), F, 0.5, 2.0)]),
    ("pow_scalar", lambda M, a: a**2, [((5,), F)]),
    ("pow_scalar_float", lambda M, a: a**1.5, [((5,), F, *POS)]),
    ("rpow", lambda M, a: 2.0**a, [((5,), F)]),
    ("neg", lambda M, a: -a, [((2, 5), F)]),
    ("reciprocal", lambda M, a: M.reciprocal(a), [((2, 5), F, 0.5, 3.0)]),
    ("rsub_fn", lambda M, a, b: M.rsub(a, b, alpha=2), [((3, 4), F), ((4,), F)]),
    ("rsub_tensor", lambda M, a, b: b.__rsub__(a), [((3,), F), ((3,), F)]),
    ("int_add", lambda M, a, b: a + b, [((3, 4), "int64"), ((4,), "int64")]),
    ("int_true_div", lambda M, a, b: a / b, [((6,), "int64"), ((6,), "int64", 1, 5)]),
    ("int_plus_float_scalar", lambda M, a: a + 0.5, [((4,), "int64")]),
    ("int_times_int_scalar", lambda M, a: a * 3, [((4,), "int32")]),
    ("uint8_plus_scalar", lambda M, a: a + 300, [((4,), "uint8")]),
    ("bool_plus_int", lambda M, a: a + 1, [((4,), "bool")]),
    ("bool_add_bool", lambda M, a, b: a + b, [((4,), "bool"), ((4,), "bool")]),
    ("bool_mul_bool", lambda M, a, b: a * b, [((4,), "bool"), ((4,), "bool")]),
    ("int_pow", lambda M, a: a**2, [((4,), "int64")]),
    ("f64_mixed", lambda M, a, b: a * b, [((3,), "float64"), ((3,), F)]),
    ("int_times_float_tensor", lambda M, a, b: a * b, [((3,), "int64"), ((3,), F)]),
    ("zero_dim_weak", lambda M, a, b: a + b, [((3,), "int32"), ((), "int64")]),
    ("zero_dim_float_wins", lambda M, a, b: a + b, [((3,), "int32"), ((), F)]),
    ("maximum", lambda M, a, b: M.maximum(a, b), [((4, 3), F), ((3,), F)]),
    # comparisons
    ("eq", lambda M, a, b: a == b, [((5,), "int64", 0, 2), ((5,), "int64", 0, 2)]),
    ("ne_scalar", lambda M, a: a != 1, [((5,), "int64", 0, 2)]),
    ("lt", lambda M, a, b: a < b, [((3, 4), F), ((4,), F)]),
    ("le", lambda M, a: a <= 0.5, [((6,), F)]),
    ("gt", lambda M, a, b: M.gt(a, b), [((6,), F), ((6,), F)]),
    ("ge_mixed", lambda M, a, b: a >= b, [((6,), "int32"), ((6,), F)]),
    # unary
    ("exp", lambda M, a: M.exp(a), [((3, 4), F)]),
    ("exp_method", lambda M, a: a.exp(), [((7,), F)]),
    ("exp_int", lambda M, a: M.exp(a), [((4,), "int64")]),
    ("log", lambda M, a: M.log(a), [((3, 4), F, *POS)]),
    ("sqrt", lambda M, a: a.sqrt(), [((3, 4), F, *POS)]),
    ("sqrt_int", lambda M, a: M.sqrt(a), [((4,), "int64", 0, 9)]),
    ("abs", lambda M, a: M.abs(a), [((3, 4), F)]),
    ("abs_int", lambda M, a: abs(a), [((5,), "int64")]),
    ("relu", lambda M, a: M.relu(a), [((3, 4), F)]),
    ("relu_method", lambda M, a: a.relu(), [((10,), F)]),
    ("f64_exp", lambda M, a: M.exp(a), [((5,), "float64")]),
    # reductions
    ("sum", lambda M, a: a.sum(), [((3, 4), F)]),
    ("sum_dim", lambda M, a: a.sum(1), [((3, 4, 2), F)]),
    ("sum_dims_keepdim", lambda M, a: M.sum(a, (0, 2), keepdim=True), [((3, 4, 2), F)]),
    ("sum_neg_dim", lambda M, a: a.sum(dim=-1), [((3, 4), F)]),
    ("sum_int", lambda M, a: a.sum(), [((3, 4), "int32")]),
    ("sum_bool", lambda M, a: a.sum(0), [((3, 4), "bool")]),
    ("sum_dtype", lambda M, a: a.sum(dtype=M.float64), [((3, 4), F)]),
    ("mean", lambda M, a: a.mean(), [((3, 4), F)]),
    ("mean_dim", lambda M, a: M.mean(a, dim=0, keepdim=True), [((3, 4), F)]),
    ("mean_dims", lambda M, a: a.mean((1, 2)), [((2, 3, 4), F)]),
    ("mean_int_dtype", lambda M, a: a.mean(dtype=M.float32), [((3, 4), "int64")]),
    ("max", lambda M, a: a.max(), [((3, 4), F)]),
    ("max_dim", lambda M, a: tuple(a.max(1)), [((3, 4), F)]),
    ("max_dim_keepdim", lambda M, a: tuple(M.max(a, 0, keepdim=True)), [((3, 4), F)]),
    ("max_dim_int", lambda M, a: tuple(a.max(dim=1)), [((3, 4), "int64")]),
    ("max_other", lambda M, a, b: M.max(a, b), [((3, 4), F), ((3, 4), F)]),
    ("argmax", lambda M, a: a.argmax(), [((3, 4), F)]),
    ("argmax_dim", lambda M, a: M.argmax(a, dim=1), [((3, 5), F)]),
    ("argmax_keepdim", lambda M, a: a.argmax(0, keepdim=True), [((3, 5), F)]),
    # shape and view ops
    ("reshape", lambda M, a: a.reshape(4, 3), [((3, 4), F)]),
    ("reshape_infer", lambda M, a: M.reshape(a, (-1, 2)), [((3, 4), F)]),
    ("reshape_noncontig", lambda M, a: a.t().reshape(-1), [((3, 4), F)]),
    ("view", lambda M, a: a.view(2, 6), [((3, 4), F)]),
    ("view_tuple", lambda M, a: a.view((6, 2)) * 2, [((3, 4), F)]),
    ("flatten", lambda M, a: a.flatten(), [((2, 3, 4), F)]),
    ("flatten_range", lambda M, a: M.flatten(a, 1, 2), [((2, 3, 4, 2), F)]),
    ("transpose", lambda M, a: a.transpose(0, 2), [((2, 3, 4), F)]),
    ("t", lambda M, a: a.t(), [((3, 4), F)]),
    ("t_fn", lambda M, a: M.t(a) * 3, [((3, 4), F)]),
    ("permute", lambda M, a: a.permute(2, 0, 1), [((2, 3, 4), F)]),
    ("permute_fn", lambda M, a: M.permute(a, (1, 2, 0)), [((2, 3, 4), F)]),
    ("unsqueeze", lambda M, a: a.unsqueeze(1), [((3, 4), F)]),
    ("unsqueeze_neg", lambda M, a: M.unsqueeze(a, -1), [((3, 4), F)]),
    ("squeeze", lambda M, a: a.squeeze(), [((3, 1, 4, 1), F)]),
    ("squeeze_dim", lambda M, a: a.squeeze(1), [((3, 1, 4), F)]),
    ("view_chain", lambda M, a: a.t().unsqueeze(0).transpose(1, 2).squeeze(0), [((3, 4), F)]),
    ("split_int", lambda M, a: a.split(2, dim=1), [((3, 5), F)]),
    ("split_sizes", lambda M, a: M.split(a, [1, 3, 1], 1), [((3, 5), F)]),
    ("split_partial_use", lambda M, a: a.split(2)[1], [((5, 3), F)]),
    ("chunk", lambda M, a: a.chunk(3, 1), [((2, 7), F)]),
    ("chunk_fn", lambda M, a: M.chunk(a, 2), [((5, 3), F)]),
    ("unbind", lambda M, a: a.unbind(1), [((3, 4), F)]),
    ("unbind_partial", lambda M, a: M.unbind(a)[2] * 3, [((4, 2), F)]),
    ("movedim", lambda M, a: a.movedim(0, -1), [((2, 3, 4), F)]),
    ("movedim_multi", lambda M, a: M.movedim(a, (0, 1), (2, 0)), [((2, 3, 4), F)]),
    ("diagonal", lambda M, a: a.diagonal(), [((4, 5), F)]),
    ("diagonal_offset", lambda M, a: M.diagonal(a, 1, 0, 2), [((3, 4, 5), F)]),
    ("diagonal_neg", lambda M, a: a.diagonal(-1), [((4, 4), F)]),
    ("diagonal_of_t", lambda M, a: a.t().diagonal(1), [((4, 5), F)]),
    ("unfold", lambda M, a: a.unfold(1, 3, 2), [((2, 7), F)]),
    ("unfold_overlap", lambda M, a: a.unfold(0, 4, 1) * 2, [((6,), F)]),
    ("as_strided", lambda M, a: M.as_strided(a, (2, 2), (1, 2)), [((3, 3), F)]),
    ("as_strided_overlap", lambda M, a: a.as_strided((3, 3), (1, 1), 1), [((6,), F)]),
    ("narrow", lambda M, a: a.narrow(1, 1, 2), [((3, 4), F)]),
    ("meshgrid", lambda M, a, b: M.meshgrid(a, b, indexing="ij"), [((3,), F), ((2,), F)]),
    ("meshgrid_xy", lambda M, a, b: M.meshgrid(a, b, indexing="xy"), [((3,), F), ((4,), F)]),
    ("cartesian_prod", lambda M, a, b: M.cartesian_prod(a, b), [((3,), F), ((2,), F)]),
    (
        "complex_view_as_real",
        lambda M, a, b: M.view_as_real(M.complex(a, b)),
        [((4,), F), ((4,), F)],
    ),
    (
        "complex_bcast",
        lambda M, a, b: M.view_as_real(M.complex(a, b)) * 2,
        [((2, 3), F), ((3,), F)],
    ),
    ("polar", lambda M, a, b: M.view_as_real(M.polar(a, b)), [((5,), F, 0.1, 2.0), ((5,), F)]),
    (
        "real_imag",
        lambda M, a, b: M.complex(a, b).real * M.complex(b, a).imag,
        [((4,), F), ((4,), F)],
    ),
    (
        "view_as_complex_roundtrip",
        lambda M, a: M.view_as_real(M.view_as_complex(a)) * a,
        [((3, 2), F)],
    ),
    # indexing with ints and slices
    ("index_int", lambda M, a: a[1], [((3, 4), F)]),
    ("index_neg", lambda M, a: a[-1, 2], [((3, 4), F)]),
    ("index_slice", lambda M, a: a[1:3], [((5, 4), F)]),
    ("index_slice_step", lambda M, a: a[::2, 1:], [((5, 4), F)]),
    ("index_mixed", lambda M, a: a[1, :, ::3], [((3, 4, 7), F)]),
    ("index_none_ellipsis", lambda M, a: a[None, ..., 0], [((3, 4), F)]),
    ("index_slice_clamped", lambda M, a: a[-10:100], [((5,), F)]),
    ("index_then_math", lambda M, a: (a[1:] * a[:-1]).sum(), [((6,), F)]),
    # matrix products
    ("matmul_2d", lambda M, a, b: a @ b, [((3, 4), F), ((4, 5), F)]),
    ("matmul_1d_1d", lambda M, a, b: M.matmul(a, b), [((4,), F), ((4,), F)]),
    ("matmul_2d_1d", lambda M, a, b: a @ b, [((3, 4), F), ((4,), F)]),
    ("matmul_1d_2d", lambda M, a, b: a @ b, [((4,), F), ((4, 5), F)]),
    ("matmul_3d_2d", lambda M, a, b: a @ b, [((2, 3, 4), F), ((4, 5), F)]),
    ("matmul_3d_1d", lambda M, a, b: a.matmul(b), [((2, 3, 4), F), ((4,), F)]),
    ("matmul_3d_3d", lambda M, a, b: a @ b, [((2, 3, 4), F), ((2, 4, 5), F)]),
    ("matmul_bcast", lambda M, a, b: a @ b, [((2, 1, 3, 4), F), ((5, 4, 2), F)]),
    ("matmul_1d_3d", lambda M, a, b: a @ b, [((4,), F), ((2, 4, 3), F)]),
    ("matmul_int", lambda M, a, b: a @ b, [((3, 4), "int64"), ((4, 2), "int64")]),
    ("matmul_f64", lambda M, a, b: a @ b, [((3, 4), "float64"), ((4, 2), "float64")]),
    ("mm", lambda M, a, b: M.mm(a, b), [((3, 4), F), ((4, 2), F)]),
    ("mm_method_t", lambda M, a, b: a.mm(b.t()), [((3, 4), F), ((2, 4), F)]),
    ("addmm", lambda M, c, a, b: M.addmm(c, a, b), [((5,), F), ((3, 4), F), ((4, 5), F)]),
    (
        "addmm_scaled",
        lambda M, c, a, b: M.addmm(c, a, b, beta=0.5, alpha=2.0),
        [((3, 5), F), ((3, 4), F), ((4, 5), F)],
    ),
    # activations and losses
    ("softmax", lambda M, a: M.softmax(a, dim=1), [((4, 6), F)]),
    ("softmax_dim0", lambda M, a: a.softmax(0), [((4, 6), F)]),
    ("log_softmax", lambda M, a: M.log_softmax(a, dim=-1), [((4, 6), F)]),
    ("log_softmax_3d", lambda M, a: a.log_softmax(1), [((2, 5, 3), F)]),
    ("softmax_dtype", lambda M, a: M.softmax(a, 1, dtype=M.float64), [((3, 4), F)]),
]


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("name,fn,specs", OPS, ids=[o[0] for o in OPS])
def test_op(name, fn, specs, seed):
    rng = np.random.default_rng(abs(hash(name)) % 1000 + 17 * seed)
    arrays = [random_array(rng, s[0], s[1], *s[2:]) for s in specs]
    check_op(fn, arrays, grad_seed=seed)


def _ce(reduction, **kw):
    def fn(M, x, t):
        return M.nn.functional.cross_entropy(x, t.long(), reduction=reduction, **kw)

    return fn


LOSSES = [
    ("ce_mean", _ce("mean")),
    ("ce_sum", _ce("sum")),
    ("ce_none", _ce("none")),
    ("ce_ignore", _ce("mean", ignore_index=1)),
    ("ce_smooth", _ce("mean", label_smoothing=0.1)),
    ("nll_mean", lambda M, x, t: M.nn.functional.nll_loss(x.log_softmax(1), t.long())),
    (
        "nll_sum",
        lambda M, x, t: M.nn.functional.nll_loss(x.log_softmax(1), t.long(), reduction="sum"),
    ),
]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name,fn", LOSSES, ids=[x[0] for x in LOSSES])
def test_class_index_losses(name, fn, seed):
    rng = np.random.default_rng(seed + 100)
    x = rng.normal(size=(8, 5)).astype(np.float32)
    t = rng.integers(0, 5, size=(8,)).astype(np.int64)
    check_op(fn, [x, t], grad_seed=seed)


def test_cross_entropy_module_and_3d():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(4, 3, 2, 2)).astype(np.float32)
    t = rng.integers(0, 3, size=(4, 2, 2)).astype(np.int64)
    check_op(lambda M, x, t: M.nn.CrossEntropyLoss()(x, t), [x, t])


ERRORS = [
    ("matmul_shape", lambda M, a, b: a @ b, [((3, 4), F), ((5, 2), F)]),
    ("mm_shape", lambda M, a, b: M.mm(a, b), [((3, 4), F), ((3, 4), F)]),
    ("matmul_0d", lambda M, a, b: M.matmul(a, b), [((), F), ((3,), F)]),
    ("dim_out_of_range_sum", lambda M, a: a.sum(3), [((3, 4), F)]),
    ("dim_out_of_range_softmax", lambda M, a: M.softmax(a, dim=2), [((3, 4), F)]),
    ("dim_out_of_range_transpose", lambda M, a: a.transpose(0, 5), [((3, 4), F)]),
    ("dim_out_of_range_unsqueeze", lambda M, a: a.unsqueeze(4), [((3, 4), F)]),
    ("item_multi", lambda M, a: a.item(), [((3,), F)]),
    ("index_out_of_range", lambda M, a: a[5], [((3, 4), F)]),
    ("too_many_indices", lambda M, a: a[0, 0, 0], [((3, 4), F)]),
    ("view_noncontig", lambda M, a: a.t().view(-1), [((3, 4), F)]),
    ("reshape_bad", lambda M, a: a.reshape(5, -1), [((3, 4), F)]),
    ("reshape_two_infer", lambda M, a: a.reshape(-1, -1), [((3, 4), F)]),
    ("broadcast_mismatch", lambda M, a, b: a + b, [((3, 4), F), ((3,), F)]),
    ("bool_sub", lambda M, a, b: a - b, [((3,), "bool"), ((3,), "bool")]),
    ("bool_neg", lambda M, a: -a, [((3,), "bool")]),
    ("int_neg_pow", lambda M, a: a ** (-1), [((3,), "int64")]),
    ("mean_int", lambda M, a: a.mean(), [((3,), "int64")]),
    ("softmax_int", lambda M, a: M.softmax(a, 0), [((3,), "int64")]),
    ("t_3d", lambda M, a: a.t(), [((2, 3, 4), F)]),
    ("permute_len", lambda M, a: a.permute(1, 0, 2), [((3, 4), F)]),
    ("inplace_int_from_float", lambda M, a: a.add_(1.5), [((3,), "int64")]),
    (
        "cross_entropy_target_oob",
        lambda M, a, t: M.nn.functional.cross_entropy(a, t + 7),
        [((4, 3), F), ((4,), "int64", 0, 2)],
    ),
    ("randn_int", lambda M: M.randn(3, dtype=M.int64), []),
    ("zeros_negative", lambda M: M.zeros(2, -1), []),
    ("requires_grad_int", lambda M: M.zeros(2, dtype=M.int64).requires_grad_(), []),
]


@pytest.mark.parametrize("name,fn,specs", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(name, fn, specs):
    rng = np.random.default_rng(3)
    check_raises(fn, [random_array(rng, s[0], s[1], *s[2:]) for s in specs])
