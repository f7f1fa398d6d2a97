"""torch.* functions written in Python on mlx_compat operators: those torch
itself keeps in Python (torch/functional.py: broadcast_shapes, unravel_index,
chain_matmul) and the torch.* spellings of layer functions that share
nn.functional's implementation (dropout family, distances, rms_norm, vander)."""

import itertools
import operator
import warnings
from collections.abc import Sequence

import mlx_compat as torch
from mlx_compat._size import Size

__all__ = [
    "broadcast_shapes",
    "unravel_index",
    "chain_matmul",
    "dropout",
    "dropout_",
    "alpha_dropout",
    "alpha_dropout_",
    "feature_dropout",
    "feature_dropout_",
    "feature_alpha_dropout",
    "feature_alpha_dropout_",
    "cosine_similarity",
    "pairwise_distance",
    "rms_norm",
    "vander",
    "celu_",
    "selu_",
    "threshold_",
]

# torch.<name>_(input, ...) for these in-place methods: the same call as
# input.<name>_(...).
_METHOD_FORMS = (
    "abs_ acos_ acosh_ addmv_ arccos_ arccosh_ arcsin_ arcsinh_ arctan_ arctanh_ asin_ "
    "asinh_ atan_ atanh_ ceil_ clamp_ clamp_max_ clamp_min_ clip_ cos_ cosh_ deg2rad_ erf_ "
    "erfc_ exp2_ exp_ expm1_ fill_ fix_ floor_ frac_ gcd_ i0_ index_put_ lcm_ ldexp_ log10_ "
    "log1p_ log2_ log_ logit_ nan_to_num_ neg_ negative_ rad2deg_ reciprocal_ round_ rsqrt_ "
    "sigmoid_ sin_ sinc_ sinh_ sqrt_ square_ tan_ tanh_ trunc_ xlogy_"
).split()


def _method_form(name):
    def fn(input, *args, **kwargs):
        if not isinstance(input, torch.Tensor):
            raise TypeError(
                f"{name}(): argument 'input' (position 1) must be Tensor, "
                f"not {type(input).__name__}"
            )
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__module__ = "mlx_compat"
    return fn


for _name in _METHOD_FORMS:
    globals()[_name] = _method_form(_name)
__all__ += _METHOD_FORMS


def celu_(input, alpha=1.0):
    return torch.nn.functional.celu(input, alpha, inplace=True)


def selu_(input):
    return torch.nn.functional.selu(input, inplace=True)


def threshold_(input, threshold, value):
    return torch.nn.functional.threshold(input, threshold, value, inplace=True)


def broadcast_shapes(*shapes):
    """The shape that tensors of the given shapes broadcast to (no tensors made)."""
    dims = []
    for shape in shapes:
        if isinstance(shape, int) or (hasattr(shape, "__index__") and not isinstance(shape, bool)):
            shape = (operator.index(shape),)
        if not isinstance(shape, (tuple, list, Size)):
            raise RuntimeError(
                "Input shapes should be of type ints, a tuple of ints, or a list of ints, "
                f"got {shape}"
            )
        dims.append(tuple(shape))
    ndim = max((len(s) for s in dims), default=0)
    out = [1] * ndim
    for shape in dims:
        for i, size in enumerate(shape):
            j = ndim - len(shape) + i
            if size < 0:
                raise RuntimeError(
                    f"Trying to create tensor with negative dimension ({size}): ({size})"
                )
            if size == 1 or size == out[j]:
                continue
            if out[j] != 1:
                raise RuntimeError("Shape mismatch: objects cannot be broadcast to a single shape")
            out[j] = size
    return Size(out)


def unravel_index(indices, shape):
    """Converts flat indices into a tuple of coordinate tensors for ``shape``."""
    if not isinstance(indices, torch.Tensor):
        indices = torch.tensor(indices)
    if indices.is_complex() or indices.is_floating_point() or indices.dtype == torch.bool:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    if isinstance(shape, int):
        shape = (shape,)
    if not isinstance(shape, Sequence) or not all(isinstance(d, int) for d in shape):
        raise TypeError(f"expected 'shape' to be int or sequence of ints, but got {shape!r}")
    shape = tuple(shape)
    if any(d < 0 for d in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    coefs = list(reversed(list(itertools.accumulate(reversed(shape[1:] + (1,)), operator.mul))))
    coords = indices.unsqueeze(-1).floor_divide(
        torch.tensor(coefs, dtype=torch.int64)
    ) % torch.tensor(shape, dtype=torch.int64)
    return tuple(torch.unbind(coords, dim=-1))


def chain_matmul(*matrices, out=None):
    """Deprecated product of 2-D matrices (torch.linalg.multi_dot)."""
    warnings.warn(
        "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. "
        "Use torch.linalg.multi_dot instead, which accepts a list of two or more tensors "
        "rather than multiple parameters.",
        stacklevel=2,
    )
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if len(matrices) == 1:
        return matrices[0].clone()
    result = torch.linalg.multi_dot(list(matrices))
    return result if out is None else out.copy_(result)


def _nn():
    from mlx_compat.nn import functional

    return functional


def dropout(input, p, train):
    return _nn().dropout(input, p, train)


def dropout_(input, p, train):
    return _nn().dropout(input, p, train, inplace=True)


def alpha_dropout(input, p, train):
    return _nn().alpha_dropout(input, p, train)


def alpha_dropout_(input, p, train):
    return _nn().alpha_dropout(input, p, train, inplace=True)


def feature_dropout(input, p, train):
    return _nn()._dropout_impl(input, p, train, False, feature=True)


def feature_dropout_(input, p, train):
    return _nn()._dropout_impl(input, p, train, True, feature=True)


def feature_alpha_dropout(input, p, train):
    return _nn().feature_alpha_dropout(input, p, train)


def feature_alpha_dropout_(input, p, train):
    return _nn().feature_alpha_dropout(input, p, train, inplace=True)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    return _nn().cosine_similarity(x1, x2, dim, eps)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    return _nn().pairwise_distance(x1, x2, p, eps, keepdim)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    return _nn().rms_norm(input, normalized_shape, weight, eps)


def vander(x, N=None, increasing=False):
    """Columns are powers of x (decreasing unless ``increasing``), built as torch
    builds them: a cumulative product, so gradients follow."""
    if x.dim() != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    dtype = torch.promote_types(x.dtype, torch.int64)
    if n == 0:
        return torch.empty((x.shape[0], 0), dtype=dtype)
    cols = [torch.ones((x.shape[0], 1), dtype=dtype)]
    if n > 1:
        cols.append(x.unsqueeze(1).expand(x.shape[0], n - 1).to(dtype))
    result = torch.cat(cols, 1).cumprod(1)
    return result if increasing else result.flip(1)
