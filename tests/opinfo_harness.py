"""Runs PyTorch's own OpInfo database (``op_db``) against mlx_compat.

For every OpInfo whose op mlx_compat provides, each CPU sample input is converted
to mlx_compat, run through the function, the method and the in-place variant
where both libraries have them, and compared with torch (values, dtypes,
shapes); for OpInfos that support autograd the gradients of every input that
requires grad are compared too. Shared by ``tests/test_opinfo.py`` and
``tools/api_coverage.py``.
"""

from __future__ import annotations

import builtins
import dataclasses
import dis
import math
import types

import numpy as np
import torch
from torch.testing._internal.common_methods_invocations import op_db

import mlx_compat

FWD_RTOL, FWD_ATOL = 1e-5, 1e-6
GRAD_RTOL, GRAD_ATOL = 1e-4, 1e-5

# Looser tolerances where the op is ill-conditioned, with the reason.
# Matrix products: sums of K products are accumulated in a different order by
# MLX's BLAS than by torch's, so results agree to ~sqrt(K) ulps of the terms,
# which can exceed 1e-6 absolute where the sum cancels to near zero.
_MATMUL_TOL = (1e-5, 1e-4)
TOLERANCE = {
    # matrix_exp samples reach 9e4: float32 squarings leave ~0.05 absolute error on small
    # entries (torch's own float32 result is 0.05 off its float64 one, ours 0.04).
    "matrix_exp": (1e-5, 2e-1),
    "matmul": _MATMUL_TOL,
    "__rmatmul__": _MATMUL_TOL,
    "mm": _MATMUL_TOL,
    "bmm": _MATMUL_TOL,
    "mv": _MATMUL_TOL,
    "addmm": _MATMUL_TOL,
    "addmm.decomposed": _MATMUL_TOL,
    "dot": _MATMUL_TOL,
    "vdot": _MATMUL_TOL,
    "inner": _MATMUL_TOL,
    "tensordot": _MATMUL_TOL,
    "addmv": _MATMUL_TOL,
    "baddbmm": _MATMUL_TOL,
    "addbmm": _MATMUL_TOL,
    # Convolutions are sums of C*K products too (same accumulation-order effect).
    "nn.functional.conv1d": _MATMUL_TOL,
    "nn.functional.conv2d": _MATMUL_TOL,
    "nn.functional.conv3d": _MATMUL_TOL,
    "nn.functional.conv_transpose1d": _MATMUL_TOL,
    "nn.functional.conv_transpose2d": _MATMUL_TOL,
    "nn.functional.conv_transpose3d": _MATMUL_TOL,
    # float32 power/exp chains amplify one-ulp differences of MLX's kernels.
    "pow": (1e-4, 1e-5),
    "float_power": (1e-4, 1e-5),
    # log_softmax/softmax of large inputs subtract nearly equal numbers.
    "nn.functional.cross_entropy": (1e-4, 1e-5),
    # Singular vectors move by (rounding error) / (gap between singular values); two
    # float32 LAPACKs agree to ~1e-6 absolute on samples with close singular values.
    "linalg.svd": (1e-5, 1e-5),
    "svd": (1e-5, 1e-5),
    # A matrix product feeding cross_entropy: both reasons above.
    "nn.functional.linear_cross_entropy": (1e-4, 1e-5),
    # bicubic taps have negative weights: float32 sums of inputs ~10 cancel to ~1e-2 and
    # round differently from torch's kernel (both ~1e-6 from the float64 result).
    "nn.functional.interpolate": (1e-5, 1e-5),
    # op_db's attention samples have logits up to ~100: torch's own float32 outputs sit
    # up to 1.7e-5 from its float64 ones, ours as close on the other side.
    "nn.functional.scaled_dot_product_attention": (1e-5, 3e-5),
    # torch's float64 J0 / Y1 (Cephes asymptotic forms past x = 5) are off by up to
    # 3e-7 absolute for 5 < x < 8; ours agree with mpmath there.
    "special.bessel_j0": (1e-5, 1e-6),
    "special.bessel_y1": (1e-5, 1e-6),
    # float32 Hermite recurrences cancel: torch's own float32 values sit ~3e-5 (relative)
    # from its float64 ones on the op_db samples, and ours equally close on the other side.
    "special.hermite_polynomial_h": (1e-4, 1e-5),
    "special.hermite_polynomial_he": (1e-4, 1e-5),
    # FFT outputs carry float32 rounding of about eps * (largest output) * log(n) in
    # every bin (torch's own error against complex128 is the same size), so bins
    # near zero need an absolute tolerance scaled to the signal.
    "fft.hfft": (1e-5, 1e-4),
    "fft.hfft2": (1e-5, 1e-4),
    "fft.hfftn": (1e-5, 1e-4),
    "stft": (1e-5, 1e-5),
}

# Gradient tolerances loosened where torch itself is imprecise, with the reason.
GRAD_TOLERANCE = {
    # float32 lstsq gradients of magnitude ~35 (pinv products): torch's own float32
    # result is 4e-5 off its float64 one, ours 5e-5.
    ("linalg.lstsq", "float32"): (1e-4, 3e-4),
    ("linalg.lstsq.grad_oriented", "float32"): (1e-4, 3e-4),
    # torch's float32 logcumsumexp backward loses ~3e-3 on a sample with inputs of
    # magnitude 1e4 (checked against torch's float64 result; ours is within 7e-7).
    ("logcumsumexp", "float32"): (1e-4, 5e-3),
    # cov's gradient w.r.t. aweights cancels to ~1e-13 (float64); float32 leaves
    # ~3e-5 of rounding noise in torch and here alike.
    ("cov", "float32"): (1e-4, 1e-4),
    # saturated causal attention (inputs up to 9): torch's float32 query gradient is
    # 4e-5 off its float64 one, ours 1e-5.
    ("nn.functional.scaled_dot_product_attention", "float32"): (1e-4, 1e-4),
    # CTC over 50 steps (losses ~200): alpha + beta + nll cancels; torch's own float32
    # gradient is 1e-4 off its float64 one, ours equally.
    ("nn.functional.ctc_loss", "float32"): (1e-4, 3e-4),
    # 3-D grid gradients sum 8 corners x 21 channels of terms ~100 down to ~5e-2:
    # torch's float32 sum is 2e-5 off its float64 one (ours, accumulated in float64, 7e-6).
    ("grid_sampler_3d", "float32"): (1e-4, 5e-5),
}

# OpInfo entries that exercise parts of torch outside this project's scope.
EXCLUDED_PREFIXES = ("sparse.", "_refs.", "jiterator_", "_masked.", "masked.")
EXCLUDED = {"to_sparse", "sparse_sampled_addmm", "sparse_mm"}

# Known deviations: (OpInfo key, dtype name or "*") -> reason. Keep this short.
KNOWN_DEVIATIONS: dict[tuple[str, str], str] = {
    ("complex", "float64"): "MLX has no complex128",
    ("polar", "float64"): "MLX has no complex128",
    ("view_as_complex", "float64"): "MLX has no complex128",
    ("nn.functional.triplet_margin_with_distance_loss", "*"): (
        "samples pass torch's own PairwiseDistance module as distance_function; "
        "covered by tests/nn/test_sampling_ops.py"
    ),
    **{
        (f"fft.{name}", "float64"): "MLX has no complex128"
        for base in ("fft", "rfft", "hfft")
        for name in (base, base + "2", base + "n", "i" + base, "i" + base + "2", "i" + base + "n")
    },
    ("stft", "float64"): "MLX has no complex128",
}

# Sorting ops whose index outputs are unspecified among equal values (torch's
# sorts are not stable unless asked): indices are checked by the values they pick.
TIE_AMBIGUOUS = {"sort", "argsort", "topk", "kthvalue", "median", "nanmedian", "msort", "mode"}

# Ops whose values are unspecified (uninitialised memory in torch): compare
# dtype and shape only.
UNINITIALISED = {
    "empty",
    "empty_like",
    "empty_strided",
    "new_empty",
    "new_empty_strided",
    "empty_permuted",
}

DTYPES = [torch.float32, torch.float64, torch.int64, torch.bool]
# Entries also run with complex64 inputs (forward only): complex-number helpers
# and the transforms, several of which accept complex inputs only.
COMPLEX_ENTRIES = {
    "conj",
    "conj_physical",
    "resolve_conj",
    "resolve_neg",
    "imag",
    "view_as_real",
    "stft",
    "istft",
    *(f"fft.{n}" for n in ("fft", "fft2", "fftn", "ifft", "ifft2", "ifftn", "irfft", "irfft2")),
    *(f"fft.{n}" for n in ("irfftn", "hfft", "hfft2", "hfftn", "fftshift", "ifftshift")),
}


# Variants of provided functions that mlx_compat does not implement yet: they
# count as not provided (absent), not as failures.
NOT_PROVIDED: set[str] = set()


def entry_key(op) -> str:
    return op.name + ("." + op.variant_test_name if op.variant_test_name else "")


def in_scope(op) -> bool:
    return not op.name.startswith(EXCLUDED_PREFIXES) and op.name not in EXCLUDED


def _resolve(root, dotted: str):
    obj = root
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def _is_torch_function(op) -> bool:
    """Whether op.op is torch's public function itself (not a test wrapper)."""
    target = _resolve(torch, op.name)
    return target is not None and op.op is target


def _method_name(op) -> str:
    return op.name if op.name.startswith("__") else op.name.split(".")[-1]


def our_function(op):
    """mlx_compat's counterpart of the OpInfo's function form, or None."""
    if op.name.startswith("__"):
        return None
    if not _is_torch_function(op):
        return _rebound(op)
    fn = _resolve(mlx_compat, op.name)
    return fn if callable(fn) and not isinstance(fn, (type, mlx_compat.dtype)) else None


def _our_wrapper_set_seed(op, *args, **kwargs):
    # torch's test wrapper seeds its generator with 42 before a random op.
    mlx_compat.manual_seed(42)
    return op(*args, **kwargs)


# Globals a test wrapper may use, and what they become when the wrapper is run
# against mlx_compat: the wrapper's own code runs unchanged, as a user program would.
_REBIND = {
    "torch": mlx_compat,
    "F": mlx_compat.nn.functional,
    "wrapper_set_seed": _our_wrapper_set_seed,
    "np": np,
    "math": math,
}


def _global_names(code) -> set[str]:
    names = {i.argval for i in dis.get_instructions(code) if i.opname == "LOAD_GLOBAL"}
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names |= _global_names(c)
    return names


def _rebound(op):
    """An OpInfo whose op is a test wrapper (a lambda over torch functions): the same
    wrapper with ``torch`` meaning mlx_compat, when the wrapper uses nothing else and
    mlx_compat has the op the entry is named after."""
    fn = op.op
    if not isinstance(fn, types.FunctionType) or fn.__closure__:
        return None
    if not _global_names(fn.__code__) <= _REBIND.keys():
        return None
    target = (
        _resolve(mlx_compat, op.name)
        or _resolve(mlx_compat.Tensor, op.name)
        or _resolve(mlx_compat.Tensor, op.name + "_")
    )
    if target is None:
        return None
    return types.FunctionType(
        fn.__code__, {**_REBIND, "__builtins__": builtins}, fn.__name__, fn.__defaults__
    )


def _has_method(op) -> bool:
    # Only when the OpInfo's method is torch's own (not a test wrapper lambda).
    name = _method_name(op)
    return (
        op.method_variant is not None
        and op.method_variant is getattr(torch.Tensor, name, None)
        and hasattr(mlx_compat.Tensor, name)
    )


def provided(op) -> bool:
    """Whether mlx_compat provides this op (its function form, or its method)."""
    if entry_key(op) in NOT_PROVIDED:
        return False
    return our_function(op) is not None or _has_method(op)


# --- conversion --------------------------------------------------------------


def to_ours(x):
    if (
        isinstance(x, torch.Tensor)
        and x._base is not None
        and x._base.dtype == x.dtype
        and x._base.is_contiguous()
    ):
        # Rebuild views over a converted base, so storage-level ops (as_strided)
        # see the same storage torch sees (a base stored non-contiguously, as
        # LAPACK's column-major results are, is copied by value instead).
        base = to_ours(x._base if x.requires_grad else x._base.detach())
        view = base.as_strided(tuple(x.size()), x.stride(), x.storage_offset())
        if not x.requires_grad:
            return view.detach()
        if x.is_leaf or not view.requires_grad:
            return view.detach().requires_grad_(True)  # a leaf view, as the sample's
        return view
    if isinstance(x, torch.Tensor):
        if x.dtype == torch.bfloat16:
            t = mlx_compat.from_numpy(x.detach().float().numpy()).to(mlx_compat.bfloat16)
        else:
            t = mlx_compat.from_numpy(np.array(x.detach().cpu().numpy()))
        if x.requires_grad:
            t.requires_grad_(True)
        return t
    if isinstance(x, torch.dtype):
        return getattr(mlx_compat, str(x).removeprefix("torch."))
    if isinstance(x, torch.device):
        return mlx_compat.device(str(x))
    if isinstance(x, torch.memory_format):
        return getattr(mlx_compat, str(x).removeprefix("torch."))
    if isinstance(x, torch.Size):
        return tuple(x)
    if isinstance(x, (list, tuple)):
        return type(x)(to_ours(v) for v in x)
    if isinstance(x, dict):
        return {k: to_ours(v) for k, v in x.items()}
    return x


@dataclasses.dataclass
class Outcome:
    forward: bool
    backward: bool | None  # None: not applicable
    detail: str = ""


class Mismatch(AssertionError):
    pass


def _compare(ours, theirs, rtol, atol, what):
    if isinstance(theirs, torch.Tensor):
        if not isinstance(ours, mlx_compat.Tensor):
            raise Mismatch(f"{what}: expected a tensor, got {type(ours).__name__}")
        if str(ours.dtype) != str(theirs.dtype):
            raise Mismatch(f"{what}: dtype {ours.dtype} != {theirs.dtype}")
        if tuple(ours.shape) != tuple(theirs.shape):
            raise Mismatch(f"{what}: shape {tuple(ours.shape)} != {tuple(theirs.shape)}")
        t = theirs.detach()
        o = ours.detach()
        if t.dtype == torch.bfloat16:
            t, o = t.float(), o.float()
        a, b = o.numpy(force=True), t.numpy(force=True)
        if a.dtype.kind in "biu":
            if not np.array_equal(a, b):
                raise Mismatch(f"{what}: values differ")
        elif not np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True):
            err = np.nanmax(np.abs(a - b)) if a.size else 0
            raise Mismatch(f"{what}: values differ (max abs err {err:.3g})")
        return
    if isinstance(theirs, (tuple, list)):
        if not isinstance(ours, (tuple, list)) or len(ours) != len(theirs):
            raise Mismatch(f"{what}: expected a sequence of {len(theirs)}")
        for i, (o, t) in enumerate(zip(ours, theirs, strict=True)):
            _compare(o, t, rtol, atol, f"{what}[{i}]")
        return
    if isinstance(theirs, float) and isinstance(ours, float):
        if not (
            math.isclose(ours, theirs, rel_tol=rtol, abs_tol=atol)
            or (math.isnan(ours) and math.isnan(theirs))
        ):
            raise Mismatch(f"{what}: {ours} != {theirs}")
        return
    if isinstance(theirs, torch.dtype):
        if str(ours) != str(theirs):
            raise Mismatch(f"{what}: {ours} != {theirs}")
        return
    if ours != theirs:
        raise Mismatch(f"{what}: {ours!r} != {theirs!r}")


# Decompositions whose vectors are unique only up to sign (LAPACK implementations
# pick different signs): both results are compared, values and gradients, after
# scaling each vector by the sign of the component where torch's is largest.
# With full_matrices=True only the first min(m, n) singular vectors are defined.
SIGN_AMBIGUOUS = {"linalg.svd", "svd", "linalg.eigh"}


def _signs(lib, vecs, idx):
    picked = lib.gather(vecs.detach(), -2, idx)
    return lib.where(picked < 0, -lib.ones_like(picked), lib.ones_like(picked))


def _canonical_signs(name, expected, got):
    if not isinstance(expected, (tuple, list)) or expected[-1].numel() == 0:
        return expected, got
    if name == "linalg.eigh":
        (tl, tq), (ml, mq) = expected, got
        idx = tq.detach().abs().argmax(-2, keepdim=True)
        midx = to_ours(idx)
        return (tl, tq * _signs(torch, tq, idx)), (ml, mq * _signs(mlx_compat, mq, midx))
    (tu, ts, tv), (mu, ms, mv) = expected, got
    if tu.numel() == 0:
        return expected, got
    k = ts.shape[-1]
    tu, mu = tu[..., :k], mu[..., :k]
    # linalg.svd returns Vh (vectors as rows), torch.svd returns V (columns).
    if name == "linalg.svd":
        tv, mv = tv[..., :k, :], mv[..., :k, :]
    else:
        tv, mv = tv[..., :k], mv[..., :k]
    idx = tu.detach().abs().argmax(-2, keepdim=True)
    t_sign, m_sign = _signs(torch, tu, idx), _signs(mlx_compat, mu, to_ours(idx))
    if name == "linalg.svd":
        tv, mv = tv * t_sign.mT, mv * m_sign.mT
    else:
        tv, mv = tv * t_sign, mv * m_sign
    return (tu * t_sign, ts, tv), (mu * m_sign, ms, mv)


def _compare_tie_insensitive(op, t_in, t_args, t_kwargs, got, expected, tol, what):
    """Values must match; index tensors must select the same values, not the same positions."""
    if op.name == "argsort":
        dim = t_kwargs.get("dim", t_args[0] if t_args else -1)
        t_vals = torch.take_along_dim(t_in, expected, dim) if t_in.dim() else t_in
        m_idx = torch.from_numpy(got.numpy())
        m_vals = torch.take_along_dim(t_in, m_idx, dim) if t_in.dim() else t_in
        _compare_meta(got, expected, what)
        if not torch.equal(t_vals.detach(), m_vals.detach()) and not (
            t_vals.is_floating_point() and torch.allclose(t_vals, m_vals, equal_nan=True)
        ):
            raise Mismatch(f"{what}: indices select different values")
        return
    if isinstance(expected, (tuple, list)) and len(expected) == 2:
        _compare(got[0], expected[0], *tol, f"{what}[0]")
        _compare_meta(got[1], expected[1], f"{what}[1]")
        # Our indices must pick our values out of the input.
        dim, keepdim = _selection_dim(op, t_args, t_kwargs)
        if dim is not None and t_in.dim() > 0:
            idx = torch.from_numpy(got[1].numpy())
            vals = torch.from_numpy(got[0].detach().float().numpy()).to(t_in.dtype)
            if not keepdim and idx.dim() < t_in.dim():
                idx, vals = idx.unsqueeze(dim), vals.unsqueeze(dim)
            picked = torch.take_along_dim(t_in.detach(), idx, dim)
            if not torch.allclose(picked.double(), vals.double(), equal_nan=True):
                raise Mismatch(f"{what}[1]: indices do not select the values")
        return
    _compare(got, expected, *tol, what)


def _selection_dim(op, args, kwargs):
    """(dim, keepdim) of a selection op's call, or (None, False) if unknown."""
    positions = {"sort": 0, "topk": 1, "kthvalue": 1, "median": 0, "nanmedian": 0, "mode": 0}
    if op.name not in positions:
        return None, False
    pos = positions[op.name]
    dim = kwargs.get("dim", args[pos] if len(args) > pos else None)
    if dim is None:
        dim = -1 if op.name in ("sort", "topk", "kthvalue", "mode") else None
    keep_pos = pos + 1
    keepdim = kwargs.get("keepdim", args[keep_pos] if len(args) > keep_pos else False)
    if op.name in ("sort", "topk"):
        keepdim = True
    return dim, bool(keepdim)


def _compare_meta(ours, theirs, what):
    if str(ours.dtype) != str(theirs.dtype) or tuple(ours.shape) != tuple(theirs.shape):
        raise Mismatch(
            f"{what}: {ours.dtype}{tuple(ours.shape)} != {theirs.dtype}{tuple(theirs.shape)}"
        )


def _tensors(x):
    if isinstance(x, (torch.Tensor, mlx_compat.Tensor)):
        return [x]
    if isinstance(x, (list, tuple)):
        return [t for v in x for t in _tensors(v)]
    if isinstance(x, dict):
        return [t for v in x.values() for t in _tensors(v)]
    return []


def _variants(op):
    """(label, torch callable, ours callable) for function, method and in-place forms."""
    out = []
    ours_fn = our_function(op)
    if op.op is not None and ours_fn is not None:
        out.append(("function", op.op, ours_fn))
    name = op.name.split(".")[-1]
    if _has_method(op):
        meth = _method_name(op)
        out.append(("method", op.method_variant, lambda x, *a, **k: getattr(x, meth)(*a, **k)))
    if (
        op.inplace_variant is not None
        and op.inplace_variant is getattr(torch.Tensor, name + "_", None)
        and hasattr(mlx_compat.Tensor, name + "_")
    ):
        out.append(
            ("inplace", op.inplace_variant, lambda x, *a, **k: getattr(x, name + "_")(*a, **k))
        )
    return out


def check_sample(op, sample, tol, check_grad, grad_tol=(GRAD_RTOL, GRAD_ATOL)) -> bool | None:
    """Compares one sample; raises Mismatch. Returns whether gradients were compared."""
    grads_checked = None
    for label, t_fn, m_fn in _variants(op):
        inplace = label == "inplace"
        t_in = sample.input
        m_in = to_ours(sample.input)
        t_args, t_kwargs = sample.args, sample.kwargs
        m_args, m_kwargs = to_ours(sample.args), to_ours(sample.kwargs)
        if inplace:
            if not isinstance(t_in, torch.Tensor):
                continue
            t_in = t_in.detach().clone()
            m_in = m_in.detach().clone()
        # Random ops draw from the same seeded stream in both libraries.
        try:
            torch.manual_seed(1234)
            expected = t_fn(t_in, *t_args, **t_kwargs)
        except Exception:  # noqa: BLE001 - torch itself refuses this variant
            continue
        try:
            mlx_compat.manual_seed(1234)
            got = m_fn(m_in, *m_args, **m_kwargs)
        except Exception as e:  # noqa: BLE001
            raise Mismatch(f"{label}: raised {type(e).__name__}: {e}") from e
        if op.name in UNINITIALISED:
            _compare_meta(got, expected, label)
            continue
        if op.name in SIGN_AMBIGUOUS:
            expected, got = _canonical_signs(op.name, expected, got)
        if op.name in TIE_AMBIGUOUS and not t_kwargs.get("stable", False):
            _compare_tie_insensitive(op, t_in, t_args, t_kwargs, got, expected, tol, label)
        else:
            _compare(got, expected, *tol, label)
        if label != "function" or not check_grad:
            continue
        t_inputs = [
            t for t in _tensors([sample.input, sample.args, sample.kwargs]) if t.requires_grad
        ]
        m_inputs = [t for t in _tensors([m_in, m_args, m_kwargs]) if t.requires_grad]
        t_outs = [t for t in _tensors(expected) if t.requires_grad]
        m_outs = [t for t in _tensors(got) if isinstance(t, mlx_compat.Tensor) and t.requires_grad]
        if not t_inputs or not t_outs:
            continue
        if len(m_outs) != len(t_outs) or len(m_inputs) != len(t_inputs):
            raise Mismatch("gradients: different differentiable outputs or inputs")
        rng = np.random.default_rng(0)
        cot = [
            rng.standard_normal(tuple(t.shape)).astype(
                t.detach().float().numpy().dtype
                if t.dtype == torch.bfloat16
                else t.detach().resolve_conj().numpy().dtype
            )
            for t in t_outs
        ]
        t_grads = torch.autograd.grad(
            t_outs,
            t_inputs,
            [torch.from_numpy(c).to(t.dtype) for c, t in zip(cot, t_outs, strict=True)],
            allow_unused=True,
        )
        try:
            m_grads = mlx_compat.autograd.grad(
                m_outs,
                m_inputs,
                [mlx_compat.from_numpy(c).to(t.dtype) for c, t in zip(cot, m_outs, strict=True)],
                allow_unused=True,
            )
        except Exception as e:  # noqa: BLE001
            raise Mismatch(f"grad: raised {type(e).__name__}: {e}") from e
        for i, (mg, tg) in enumerate(zip(m_grads, t_grads, strict=True)):
            if tg is None:
                if mg is not None and bool((mg != 0).any()):
                    raise Mismatch(f"grad[{i}]: expected none")
                continue
            if mg is None:
                raise Mismatch(f"grad[{i}]: missing")
            _compare(mg, tg, *grad_tol, f"grad[{i}]")
        grads_checked = True
    return grads_checked


def run_entry(op, dtype) -> Outcome:
    """Forward (and, where supported, backward) parity of one OpInfo at one dtype."""
    tol = TOLERANCE.get(op.name, (FWD_RTOL, FWD_ATOL))
    if dtype == torch.float64:
        tol = (tol[0] * 1e-2, tol[1] * 1e-2) if op.name not in TOLERANCE else tol
    check_grad = op.supports_autograd and dtype.is_floating_point
    torch.manual_seed(0)
    try:
        samples = list(op.sample_inputs("cpu", dtype, requires_grad=check_grad))
    except Exception as e:  # noqa: BLE001
        return Outcome(False, None, f"torch sample generation failed: {e}")
    fwd_ok, bwd = True, None
    for i, s in enumerate(samples):
        try:
            gtol = GRAD_TOLERANCE.get(
                (entry_key(op), str(dtype).removeprefix("torch.")), (GRAD_RTOL, GRAD_ATOL)
            )
            g = check_sample(op, s, tol, check_grad, gtol)
            if g:
                bwd = True if bwd is None else bwd
        except Mismatch as e:
            msg = f"sample {i}: {e}"
            if str(e).startswith("grad"):
                bwd = False
                return Outcome(fwd_ok, False, msg)
            return Outcome(False, False if check_grad else None, msg)
    return Outcome(fwd_ok, bwd if check_grad else None)


def entries():
    """(key, op, dtype) for every in-scope OpInfo mlx_compat provides, at its CPU dtypes."""
    out = []
    for op in op_db:
        if not in_scope(op) or not provided(op):
            continue
        supported = op.supported_dtypes("cpu")
        extra = [torch.complex64] if entry_key(op) in COMPLEX_ENTRIES else []
        for dt in DTYPES + extra:
            if dt in supported:
                out.append((entry_key(op), op, dt))
    return out


def deviation(key: str, dtype) -> str | None:
    """The recorded reason this entry deviates from torch, if any."""
    name = str(dtype).removeprefix("torch.")
    return KNOWN_DEVIATIONS.get((key, name)) or KNOWN_DEVIATIONS.get((key, "*"))


def all_in_scope():
    return [op for op in op_db if in_scope(op)]
