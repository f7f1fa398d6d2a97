"""Complex64 gradients against torch's conjugate-Wirtinger convention.

Each case runs the same complex (or mixed real/complex) inputs through torch
and mlx_compat, reduces the output to a real loss with a random complex weight,
and compares values, dtypes and the gradient of every input.
"""

import numpy as np
import pytest
import torch
from parity import check_raises

import mlx_compat

R = np.random.default_rng(1234)


def _c(*shape):
    return np.asarray(R.standard_normal(shape) + 1j * R.standard_normal(shape)).astype(np.complex64)


def _r(*shape):
    return R.standard_normal(shape).astype(np.float32)


def _pos(*shape):
    return R.uniform(0.5, 2.0, shape).astype(np.float32)


# name -> (fn(M, *inputs), input arrays)
CASES = {
    "mul": (lambda M, a, b: a * b, [_c(3, 4), _c(3, 4)]),
    "mul_real_complex": (lambda M, a, b: a * b, [_r(3, 4), _c(3, 4)]),
    "mul_complex_real_broadcast": (lambda M, a, b: a * b, [_c(3, 4), _r(4)]),
    "mul_scalar": (lambda M, a: a * (2 + 3j), [_c(3, 4)]),
    "mul_reals_then_complex": (lambda M, a, b: (a * b) * (1 + 2j), [_r(3, 4), _r(3, 4)]),
    "square": (lambda M, a: M.square(a), [_c(3, 4)]),
    "add_real_complex": (lambda M, a, b: a + b, [_r(3, 4), _c(3, 4)]),
    "add_alpha": (lambda M, a, b: M.add(a, b, alpha=1 - 2j), [_c(3, 4), _c(3, 4)]),
    "sub_alpha": (lambda M, a, b: M.sub(a, b, alpha=2 + 1j), [_c(3, 4), _c(3, 4)]),
    "rsub": (lambda M, a: 1 - a, [_c(3, 4)]),
    "div": (lambda M, a, b: a / b, [_c(3, 4), _c(3, 4)]),
    "div_real_complex": (lambda M, a, b: a / b, [_r(3, 4), _c(3, 4)]),
    "div_complex_real": (lambda M, a, b: a / b, [_c(3, 4), _pos(3, 4)]),
    "rdiv_scalar": (lambda M, a: (1 + 1j) / a, [_c(3, 4)]),
    "pow_int": (lambda M, a: M.pow(a, 3), [_c(3, 4)]),
    "pow_half": (lambda M, a: a**0.5, [_c(3, 4)]),
    "pow_complex_scalar": (lambda M, a: a ** (2 + 1j), [_c(3, 4)]),
    "pow_tensors": (lambda M, a, b: M.pow(a, b), [_c(3, 4), _c(3, 4)]),
    "pow_real_base": (lambda M, a, b: M.pow(a, b), [_pos(3, 4), _c(3, 4)]),
    "pow_real_exponent": (lambda M, a, b: M.pow(a, b), [_c(3, 4), _r(3, 4)]),
    "pow_scalar_base": (lambda M, a: M.pow(2.0, a), [_c(3, 4)]),
    "matmul": (lambda M, a, b: a @ b, [_c(3, 4), _c(4, 5)]),
    "matmul_batched": (lambda M, a, b: M.matmul(a, b), [_c(2, 1, 3, 4), _c(3, 4, 2)]),
    "matmul_folded": (lambda M, a, b: M.matmul(a, b), [_c(2, 3, 4), _c(4, 5)]),
    "matmul_vec_mat": (lambda M, a, b: a @ b, [_c(4), _c(4, 5)]),
    "matmul_mH": (lambda M, a, b: a @ b.mH, [_c(3, 4), _c(5, 4)]),
    "mm": (lambda M, a, b: M.mm(a, b), [_c(3, 4), _c(4, 5)]),
    "bmm": (lambda M, a, b: M.bmm(a, b), [_c(2, 3, 4), _c(2, 4, 5)]),
    "mv": (lambda M, a, b: M.mv(a, b), [_c(3, 4), _c(4)]),
    "dot": (lambda M, a, b: M.dot(a, b), [_c(4), _c(4)]),
    "vdot": (lambda M, a, b: M.vdot(a, b), [_c(4), _c(4)]),
    "outer": (lambda M, a, b: M.outer(a, b), [_c(3), _c(4)]),
    "addmm": (lambda M, c, a, b: M.addmm(c, a, b), [_c(3, 5), _c(3, 4), _c(4, 5)]),
    "addmm_complex_scalars": (
        lambda M, c, a, b: M.addmm(c, a, b, beta=1 + 1j, alpha=0.5 - 2j),
        [_c(3, 5), _c(3, 4), _c(4, 5)],
    ),
    "addmv_complex_scalars": (
        lambda M, c, a, b: M.addmv(c, a, b, beta=0.5j, alpha=2 - 1j),
        [_c(3), _c(3, 4), _c(4)],
    ),
    "addr": (lambda M, c, a, b: M.addr(c, a, b), [_c(3, 4), _c(3), _c(4)]),
    "baddbmm": (
        lambda M, c, a, b: M.baddbmm(c, a, b, alpha=1j),
        [_c(2, 3, 5), _c(2, 3, 4), _c(2, 4, 5)],
    ),
    "addbmm": (lambda M, c, a, b: M.addbmm(c, a, b), [_c(3, 5), _c(2, 3, 4), _c(2, 4, 5)]),
    "linear": (lambda M, x, w, b: M.nn.functional.linear(x, w, b), [_c(3, 4), _c(5, 4), _c(5)]),
    "einsum": (lambda M, a, b: M.einsum("ij,jk->ik", a, b), [_c(3, 4), _c(4, 5)]),
    "tensordot": (lambda M, a, b: M.tensordot(a, b, dims=1), [_c(3, 4), _c(4, 5)]),
    "inner": (lambda M, a, b: M.inner(a, b), [_c(3, 4), _c(2, 4)]),
    "kron": (lambda M, a, b: M.kron(a, b), [_c(2, 2), _c(2, 3)]),
    "exp": (lambda M, a: M.exp(a), [_c(3, 4)]),
    "exp2": (lambda M, a: M.exp2(a), [_c(3, 4)]),
    "expm1": (lambda M, a: M.expm1(a), [_c(3, 4)]),
    "log": (lambda M, a: M.log(a), [_c(3, 4)]),
    "log2": (lambda M, a: M.log2(a), [_c(3, 4)]),
    "log10": (lambda M, a: M.log10(a), [_c(3, 4)]),
    "log1p": (lambda M, a: M.log1p(a), [_c(3, 4)]),
    "sqrt": (lambda M, a: M.sqrt(a), [_c(3, 4)]),
    "rsqrt": (lambda M, a: M.rsqrt(a), [_c(3, 4)]),
    "reciprocal": (lambda M, a: M.reciprocal(a), [_c(3, 4)]),
    "sin": (lambda M, a: M.sin(a), [_c(3, 4)]),
    "cos": (lambda M, a: M.cos(a), [_c(3, 4)]),
    "tan": (lambda M, a: M.tan(a), [_c(3, 4)]),
    "sinh": (lambda M, a: M.sinh(a), [_c(3, 4)]),
    "cosh": (lambda M, a: M.cosh(a), [_c(3, 4)]),
    "tanh": (lambda M, a: M.tanh(a), [_c(3, 4)]),
    "asin": (lambda M, a: M.asin(a), [_c(3, 4)]),
    "acos": (lambda M, a: M.acos(a), [_c(3, 4)]),
    "atan": (lambda M, a: M.atan(a), [_c(3, 4)]),
    "asinh": (lambda M, a: M.asinh(a), [_c(3, 4)]),
    "acosh": (lambda M, a: M.acosh(a), [_c(3, 4)]),
    "atanh": (lambda M, a: M.atanh(a), [_c(3, 4)]),
    "sigmoid": (lambda M, a: M.sigmoid(a), [_c(3, 4)]),
    "sgn": (lambda M, a: M.sgn(a), [_c(3, 4)]),
    "sgn_with_zeros": (lambda M, a: M.sgn(a * M.tensor([1.0, 0.0, 1.0, 1.0])), [_c(3, 4)]),
    "abs": (lambda M, a: M.abs(a), [_c(3, 4)]),
    "abs_squared": (lambda M, a: M.abs(a) * M.abs(a), [_c(3, 4)]),
    "neg": (lambda M, a: -a, [_c(3, 4)]),
    "conj": (lambda M, a: M.conj(a) * 1, [_c(3, 4)]),
    "real_imag": (lambda M, a: a.real * 2 + a.imag, [_c(3, 4)]),
    "angle": (lambda M, a: M.angle(a), [_c(3, 4)]),
    "sum": (lambda M, a: a.sum(1), [_c(3, 4)]),
    "mean": (lambda M, a: a.mean(0), [_c(3, 4)]),
    "prod_dim": (lambda M, a: a.prod(1), [_c(3, 4)]),
    "prod_all": (lambda M, a: a.prod(), [_c(3, 4)]),
    "cumsum": (lambda M, a: a.cumsum(1), [_c(3, 4)]),
    "cumprod": (lambda M, a: a.cumprod(1), [_c(3, 4)]),
    "var": (lambda M, a: a.var(1), [_c(3, 4)]),
    "std": (lambda M, a: a.std(), [_c(3, 4)]),
    "norm": (lambda M, a: a.norm(), [_c(3, 4)]),
    "norm_p1": (lambda M, a: M.norm(a, p=1), [_c(3, 4)]),
    "vector_norm": (lambda M, a: M.linalg.vector_norm(a, dim=1), [_c(3, 4)]),
    "vector_norm_1": (lambda M, a: M.linalg.vector_norm(a, ord=1, dim=1), [_c(3, 4)]),
    "vector_norm_3": (lambda M, a: M.linalg.vector_norm(a, ord=3), [_c(3, 4)]),
    "vector_norm_inf": (lambda M, a: M.linalg.vector_norm(a, ord=float("inf")), [_c(3, 4)]),
    "matrix_norm_fro": (lambda M, a: M.linalg.matrix_norm(a), [_c(3, 4)]),
    "addcmul": (lambda M, a, b, c: M.addcmul(a, b, c), [_c(3, 4), _c(3, 4), _c(3, 4)]),
    "addcdiv": (lambda M, a, b, c: M.addcdiv(a, b, c), [_c(3, 4), _c(3, 4), _c(3, 4)]),
    "lerp": (lambda M, a, b: M.lerp(a, b, 0.3), [_c(3, 4), _c(3, 4)]),
    "where": (lambda M, a, b: M.where(a.real > 0, a, b), [_c(3, 4), _c(3, 4)]),
    "abs2_via_conj": (lambda M, a: (a * a.conj()).real, [_c(3, 4)]),
    "logsumexp": (lambda M, a: a.logsumexp(1), [_c(3, 4)]),
    "logaddexp": (lambda M, a, b: M.logaddexp(a, b), [_c(3, 4), _c(3, 4)]),
    "lerp_tensor_weight": (lambda M, a, b, w: M.lerp(a, b, w), [_c(3, 4), _c(3, 4), _c(3, 4)]),
    "addcmul_value": (
        lambda M, a, b, c: M.addcmul(a, b, c, value=2 - 1j),
        [_c(3, 4), _c(3, 4), _c(3, 4)],
    ),
    "cat_mixed": (lambda M, a, b: M.cat([a, b]), [_c(3, 4), _r(2, 4)]),
    "to_real": (lambda M, a: a.to(M.float32), [_c(3, 4)]),
    "real_to_complex": (lambda M, a: a.to(M.complex64) * (1 + 1j), [_r(3, 4)]),
    "exp_of_imaginary": (lambda M, a: M.exp(1j * a), [_r(3, 4)]),
    "matmul_promoted_real": (lambda M, a, b: a.to(M.complex64) @ b, [_r(3, 4), _c(4, 5)]),
    "mul_inplace": (lambda M, a, b: a.clone().mul_(b), [_c(3, 4), _c(3, 4)]),
    "conv1d": (lambda M, a, w: M.nn.functional.conv1d(a, w), [_c(1, 2, 8), _c(3, 2, 3)]),
}


def _weight(shape):
    rng = np.random.default_rng(7)
    w = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    return np.asarray(w).astype(np.complex64)


def _run(M, fn, arrays, w, create_graph=False):
    xs = [M.from_numpy(a.copy()).requires_grad_(True) for a in arrays]
    out = fn(M, *xs)
    W = M.from_numpy(w)
    loss = (out * W).real.sum() if out.is_complex() else (out * W.real).sum()
    grads = M.autograd.grad(loss, xs, allow_unused=True, create_graph=create_graph)
    return xs, out, grads


def _np(t):
    return t.detach().resolve_conj().numpy()


def _dtype(d):
    return str(d).split(".")[-1]


@pytest.mark.parametrize("name", sorted(CASES))
def test_complex_value_and_grad(name):
    fn, arrays = CASES[name]
    t_out = fn(torch, *[torch.from_numpy(a.copy()) for a in arrays])
    w = _weight(tuple(t_out.shape))
    _, t_out, t_grads = _run(torch, fn, arrays, w)
    _, m_out, m_grads = _run(mlx_compat, fn, arrays, w)
    assert _dtype(m_out.dtype) == _dtype(t_out.dtype)
    assert tuple(m_out.shape) == tuple(t_out.shape)
    np.testing.assert_allclose(_np(m_out), _np(t_out), rtol=1e-5, atol=1e-5)
    for i, (mg, tg) in enumerate(zip(m_grads, t_grads, strict=True)):
        assert (mg is None) == (tg is None), f"grad {i}"
        if tg is None:
            continue
        assert _dtype(mg.dtype) == _dtype(tg.dtype), f"grad {i} dtype"
        np.testing.assert_allclose(_np(mg), _np(tg), rtol=1e-4, atol=1e-4, err_msg=f"grad {i}")


# cumprod computes its gradient outside the graph (no double backward,
# for real inputs too); first-order-only cases carry no second derivative.
_NO_DOUBLE = {"cumprod"}


@pytest.mark.parametrize("name", sorted(set(CASES) - _NO_DOUBLE))
def test_complex_double_backward(name):
    fn, arrays = CASES[name]
    t_out = fn(torch, *[torch.from_numpy(a.copy()) for a in arrays])
    w = _weight(tuple(t_out.shape))
    results = []
    for M in (torch, mlx_compat):
        xs, _, grads = _run(M, fn, arrays, w, create_graph=True)
        live = [g for g in grads if g is not None and g.requires_grad]
        if not live:
            results.append(None)
            continue
        second = sum(
            ((g * M.from_numpy(_weight(tuple(g.shape)))).real.sum() for g in live), start=0
        )
        results.append(M.autograd.grad(second, xs, allow_unused=True))
    if results[0] is None:
        assert results[1] is None
        return
    for mg, tg in zip(results[1], results[0], strict=True):
        if tg is None or mg is None:
            # A branch torch never reaches may be an explicit zero on our side.
            other = tg if mg is None else mg
            assert other is None or not np.any(_np(other))
            continue
        np.testing.assert_allclose(_np(mg), _np(tg), rtol=1e-4, atol=1e-4, equal_nan=True)


@pytest.mark.parametrize(
    "fn",
    [
        lambda M, a: M.abs(a),
        lambda M, a: a.abs(),
        lambda M, a: M.linalg.vector_norm(a),
        lambda M, a: M.linalg.vector_norm(a, ord=0),
        lambda M, a: M.linalg.vector_norm(a, ord=3, dim=0),
        lambda M, a: M.norm(a),
        lambda M, a: M.norm(a, p=0),
        lambda M, a: a.norm(p=1, dim=1),
        lambda M, a: a.var(),
        lambda M, a: M.linalg.norm(a),
    ],
)
def test_real_results_of_complex_inputs(fn):
    a = _c(3, 4)
    t = fn(torch, torch.from_numpy(a))
    m = fn(mlx_compat, mlx_compat.from_numpy(a))
    assert _dtype(m.dtype) == _dtype(t.dtype) == "float32"
    np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-5, atol=1e-6)


def test_abs_prints_magnitudes():
    m = mlx_compat.abs(mlx_compat.tensor([3 + 4j, -1 + 0j]))
    assert m.tolist() == [5.0, 1.0]
    assert "5." in repr(m) and "complex" not in repr(m)


@pytest.mark.parametrize(
    "name",
    ["sign", "relu", "floor", "ceil", "trunc", "erf", "erfinv", "frac", "deg2rad", "rad2deg"],
)
def test_unary_ops_refusing_complex(name):
    m_exc, t_exc = check_raises(lambda M, a: getattr(M, name)(a), [_c(3)])
    assert str(m_exc) == str(t_exc)


def test_grad_fn_names():
    a = mlx_compat.from_numpy(_c(3)).requires_grad_(True)
    assert type(mlx_compat.abs(a).grad_fn).__name__ == "AbsBackward0"
    assert type(mlx_compat.sgn(a).grad_fn).__name__ == "SgnBackward0"
    assert type(mlx_compat.sigmoid(a).grad_fn).__name__ == "SigmoidBackward0"


REFUSING_COMPLEX = {
    "max": lambda M, a: a.max(),
    "max_dim": lambda M, a: a.max(0),
    "min": lambda M, a: a.min(),
    "min_dim": lambda M, a: a.min(0),
    "amax": lambda M, a: a.amax(),
    "amin": lambda M, a: a.amin(),
    "argmax": lambda M, a: a.argmax(),
    "argmin": lambda M, a: a.argmin(),
    "nansum": lambda M, a: M.nansum(a),
    "nanmean": lambda M, a: M.nanmean(a),
    "maximum": lambda M, a: M.maximum(a, a),
    "minimum": lambda M, a: M.minimum(a, a),
    "fmax": lambda M, a: M.fmax(a, a),
    "fmin": lambda M, a: M.fmin(a, a),
    "lt": lambda M, a: a < a,
    "le": lambda M, a: a <= a,
    "gt": lambda M, a: a > a,
    "ge": lambda M, a: a >= a,
    "clamp": lambda M, a: a.clamp(0, 1),
    "clamp_min": lambda M, a: a.clamp(min=0),
    "atan2": lambda M, a: M.atan2(a, a),
    "hypot": lambda M, a: M.hypot(a, a),
    "fmod": lambda M, a: M.fmod(a, a),
    "remainder": lambda M, a: a % a,
    "floor_divide": lambda M, a: a // a,
    "div_trunc": lambda M, a: M.div(a, a, rounding_mode="trunc"),
    "copysign": lambda M, a: M.copysign(a, a),
    "logaddexp2": lambda M, a: M.logaddexp2(a, a),
    "xlogy": lambda M, a: M.xlogy(a, a),
    "round": lambda M, a: a.round(),
    "round_decimals": lambda M, a: a.round(decimals=1),
    "signbit": lambda M, a: M.signbit(a),
    "isposinf": lambda M, a: M.isposinf(a),
    "isneginf": lambda M, a: M.isneginf(a),
    "heaviside": lambda M, a: M.heaviside(a, a),
}


@pytest.mark.parametrize("name", sorted(REFUSING_COMPLEX))
def test_ops_refusing_complex(name):
    m_exc, t_exc = check_raises(REFUSING_COMPLEX[name], [_c(3)])
    assert str(m_exc).strip() == str(t_exc).strip()


def test_complex_ops_still_supported():
    a = _c(3)
    for fn in (
        lambda M, x: x == x,
        lambda M, x: x != x,
        lambda M, x: M.logaddexp(x, x),
        lambda M, x: x.logsumexp(0),
        lambda M, x: M.isinf(x),
        lambda M, x: M.isnan(x),
    ):
        t = fn(torch, torch.from_numpy(a))
        m = fn(mlx_compat, mlx_compat.from_numpy(a))
        assert _dtype(m.dtype) == _dtype(t.dtype)
        np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-5, atol=1e-6)


COMPLEX_SCALAR_ON_REAL = {
    "add_alpha": lambda M, a: M.add(a, a, alpha=1j),
    "sub_alpha": lambda M, a: M.sub(a, a, alpha=1j),
    "rsub_alpha": lambda M, a: M.rsub(a, a, alpha=1j),
    "add_inplace_alpha": lambda M, a: a.clone().add_(a, alpha=1j),
    "addmm_alpha": lambda M, a: M.addmm(a, a, a, alpha=1j),
    "addmm_beta": lambda M, a: M.addmm(a, a, a, beta=1j),
    "addmv_alpha": lambda M, a: M.addmv(a[0], a, a[0], alpha=1j),
    "addr_alpha": lambda M, a: M.addr(a, a[0], a[0], alpha=1j),
    "baddbmm_alpha": lambda M, a: M.baddbmm(a[None], a[None], a[None], alpha=1j),
    "addcmul_value": lambda M, a: M.addcmul(a, a, a, value=1j),
    "addcdiv_value": lambda M, a: M.addcdiv(a, a, a, value=1j),
    "lerp_weight": lambda M, a: M.lerp(a, a, 1j),
}


@pytest.mark.parametrize("name", sorted(COMPLEX_SCALAR_ON_REAL))
def test_complex_scalar_on_real_tensors(name):
    m_exc, t_exc = check_raises(COMPLEX_SCALAR_ON_REAL[name], [_r(3, 3)])
    assert str(m_exc) == str(t_exc)


@pytest.mark.parametrize(
    "fn",
    [
        lambda M, a: M.addmm(a, a, a, alpha=2 + 0j, beta=0.5 + 0j),
        lambda M, a: M.addmv(a[0], a, a[0], alpha=2 + 0j),
        lambda M, a: M.addcmul(a, a, a, value=3 + 0j),
        lambda M, a: M.lerp(a, a * 2, 0.25 + 0j),
    ],
)
def test_real_valued_complex_scalars_keep_real_dtype(fn):
    a = _r(3, 3)
    t = fn(torch, torch.from_numpy(a))
    m = fn(mlx_compat, mlx_compat.from_numpy(a))
    assert _dtype(m.dtype) == _dtype(t.dtype)
    np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("zeros", [0, 1, 2])
@pytest.mark.parametrize("dim", [None, 1])
def test_prod_double_backward_real(zeros, dim):
    a = R.standard_normal((3, 4))
    a[:, :zeros] = 0.0
    v = R.standard_normal((3, 4))
    results = []
    for M in (torch, mlx_compat):
        x = M.from_numpy(a.copy()).requires_grad_(True)
        out = x.prod() if dim is None else x.prod(dim)
        (g,) = M.autograd.grad(out.sum(), [x], create_graph=True)
        results.append(M.autograd.grad((g * M.from_numpy(v)).sum(), [x])[0])
    np.testing.assert_allclose(_np(results[1]), _np(results[0]), rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize(
    "fn",
    [
        lambda M: M.float_power(M.tensor([1 + 2j]), 2),
        lambda M: M.float_power(M.tensor([1.0]), 1j),
    ],
)
def test_float_power_complex_needs_complex128(fn):
    # torch returns complex128 here; MLX has no double-precision complex dtype.
    assert fn(torch).dtype == torch.complex128
    with pytest.raises(TypeError, match="complex128 is not supported"):
        fn(mlx_compat)
