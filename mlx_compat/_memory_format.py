"""``torch.memory_format``: the stride orders torch names (contiguous, channels_last,
channels_last_3d, preserve). A layout only changes strides; values and gradients are those
of the plain tensor. The channels-last layouts are dense copies in N, spatial..., C order
with sizes and indexing in N, C, spatial... order (``_C._adopt_memory_order``)."""

from . import _C

__all__ = [
    "memory_format",
    "preserve_format",
    "contiguous_format",
    "channels_last",
    "channels_last_3d",
]


class memory_format:  # noqa: N801 (torch's name)
    __module__ = "mlx_compat"

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return f"torch.{self._name}"

    def __reduce__(self):
        return self._name


preserve_format = memory_format("preserve_format")
contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")

# dims from outermost to innermost in storage
_ORDER = {channels_last: (0, 2, 3, 1), channels_last_3d: (0, 2, 3, 4, 1)}


def check(fmt, fn, t=None):
    """torch's argument errors; returns the format (None means the default)."""
    if fmt is None:
        return fmt
    if not isinstance(fmt, memory_format):
        raise TypeError(
            f"{fn}(): argument 'memory_format' must be torch.memory_format, not "
            f"{type(fmt).__name__}"
        )
    if t is not None and fmt in _ORDER and t.dim() != len(_ORDER[fmt]):
        raise RuntimeError(f"required rank {len(_ORDER[fmt])} tensor to use {fmt._name} format")
    return fmt


def is_contiguous_as(t, fmt):
    """``Tensor.is_contiguous(memory_format=fmt)``: strides dense in fmt's order (size-1
    dimensions may have any stride, as torch checks)."""
    if fmt is None or fmt is contiguous_format or fmt is preserve_format:
        return _C.TensorBase.is_contiguous(t)
    order = _ORDER[fmt]
    if t.dim() != len(order):
        return False
    expected = 1
    sizes, strides = t.shape, t.stride()
    for d in reversed(order):
        if sizes[d] != 1:
            if strides[d] != expected:
                return False
            expected *= sizes[d]
    return True


def suggest(t):
    """torch's suggest_memory_format: channels-last when t is laid out so, else contiguous."""
    for fmt in (channels_last, channels_last_3d):
        if t.dim() == len(_ORDER[fmt]) and not t.is_contiguous() and is_contiguous_as(t, fmt):
            return fmt
    return contiguous_format


def laid_out(t, fmt, copy):
    """t's values with an explicit format's strides; a copy (CloneBackward0, as torch
    records) when ``copy`` or when the layout differs (preserve_format never gets here:
    C++ copies keep a dense input's strides)."""
    fmt = contiguous_format if fmt is None else fmt
    if not copy and is_contiguous_as(t, fmt):
        return t
    return adopt(_C.TensorBase.clone(t), fmt)


def adopt(fresh, fmt):
    """Lays out a tensor nothing else holds yet (a fresh copy) in ``fmt``; it keeps its
    identity and history."""
    if fmt is contiguous_format:
        _C._adopt_memory_order(fresh, list(range(fresh.dim())))
    elif fmt is not None and fmt is not preserve_format:
        _C._adopt_memory_order(fresh, _ORDER[fmt])
    return fresh


def _like(fn, name):
    def like(input, *args, memory_format=None, **kwargs):
        fmt = check(memory_format, name, input)
        if fmt is not None and fmt is not preserve_format:
            # The result takes the layout of the input laid out in fmt (random fills
            # draw in that memory order, as torch's do).
            input = laid_out(input.detach(), fmt, copy=False)
        return fn(input, *args, **kwargs)

    return _named(like, fn)


def _empty(fn):
    def empty(*args, memory_format=None, **kwargs):
        out = fn(*args, **kwargs)
        fmt = check(memory_format, "empty", out)
        if fmt is preserve_format:
            raise RuntimeError("preserve memory format is unsupported by the empty operator")
        return adopt(out, fmt)

    return _named(empty, fn)


def _clone(input, *, memory_format=None):
    return input.clone(memory_format=memory_format)


def _named(wrapper, fn):
    wrapper.__name__ = wrapper.__qualname__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    wrapper.__module__ = "mlx_compat"
    return wrapper


def install(ns):
    """Adds memory_format= to the factories of the mlx_compat namespace ``ns``."""
    for name in (
        "empty_like",
        "zeros_like",
        "ones_like",
        "full_like",
        "rand_like",
        "randn_like",
        "randint_like",
    ):
        ns[name] = _like(ns[name], name)
    ns["empty"] = _empty(ns["empty"])
    ns["clone"] = _named(_clone, ns["clone"])
