"""Text rendering of tensors that matches PyTorch's ``repr()``/``str()``.

The layout rules (common column width per tensor, fixed vs. scientific
notation, ``2.`` for integer-valued floats, ``...`` summaries, line wrapping
and the ``dtype=``/``device=``/autograd suffixes) follow what PyTorch 2.13
prints.  Everything works from a numpy array of the values plus a little
metadata, so this module depends on nothing else in ``mlx_compat``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

__all__ = ["format_tensor", "get_printoptions", "printoptions", "set_printoptions"]


# ---------------------------------------------------------------------------
# Print options
# ---------------------------------------------------------------------------


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_OPTS = _PrintOptions()

# A profile resets (precision, threshold, edgeitems, linewidth).
_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Change how tensors are printed (same arguments as ``torch.set_printoptions``).

    A known ``profile`` is applied first and explicit arguments then override
    it; unknown profile names are silently ignored, as in torch.  ``sci_mode``
    is always written, so leaving it out switches back to automatic choice.
    """
    if profile in _PROFILES:
        values = _PROFILES[profile]
        _OPTS.precision, _OPTS.threshold, _OPTS.edgeitems, _OPTS.linewidth = values
    if precision is not None:
        _OPTS.precision = precision
    if threshold is not None:
        _OPTS.threshold = threshold
    if edgeitems is not None:
        _OPTS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTS.linewidth = linewidth
    _OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """Return the current print options as a plain dict."""
    return dataclasses.asdict(_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """Temporarily apply ``set_printoptions(**kwargs)`` inside a ``with`` block."""
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


# ---------------------------------------------------------------------------
# dtype handling
# ---------------------------------------------------------------------------

# numpy storage used for each dtype; bfloat16 is held in float32 after rounding.
_NUMPY_STORAGE = {
    "bool": np.bool_,
    "uint8": np.uint8,
    "int8": np.int8,
    "int16": np.int16,
    "int32": np.int32,
    "int64": np.int64,
    "float16": np.float16,
    "bfloat16": np.float32,
    "float32": np.float32,
    "float64": np.float64,
    "complex64": np.complex64,
    "complex128": np.complex128,
}
_FLOATING = {"float16", "bfloat16", "float32", "float64"}
_COMPLEX = {"complex64", "complex128"}
# Alternative spellings accepted for convenience.
_ALIASES = {
    "float": "float32",
    "double": "float64",
    "half": "float16",
    "long": "int64",
    "int": "int32",
    "short": "int16",
    "cfloat": "complex64",
    "cdouble": "complex128",
}


def _dtype_key(name: Any) -> str:
    """Normalise ``'torch.float32'``, ``'float'`` etc. to a canonical name."""
    key = str(name).removeprefix("torch.")
    key = _ALIASES.get(key, key)
    if key not in _NUMPY_STORAGE:
        raise ValueError(f"unsupported dtype for printing: {name!r}")
    return key


def _round_to_bfloat16(values: np.ndarray) -> np.ndarray:
    """Round float32 data to the nearest bfloat16 (ties to even), kept as float32."""
    f32 = np.array(values, dtype=np.float32, order="C")
    bits = f32.view(np.uint32).astype(np.uint64)
    # Add just under half an ulp, plus the kept low bit so ties go to even.
    bits = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) << 16  # type: ignore[assignment]
    rounded = bits.astype(np.uint32).view(np.float32)
    return np.where(np.isnan(f32), f32, rounded)


def _as_storage(values: Any, key: str) -> np.ndarray:
    """Convert ``values`` to the numpy type that holds ``key`` values exactly."""
    arr = np.asarray(values)
    if key == "bfloat16":
        return _round_to_bfloat16(arr)
    return arr.astype(_NUMPY_STORAGE[key], copy=False)


def _dtype_is_implicit(key: str, default_key: str) -> bool:
    """Whether a non-empty tensor of dtype ``key`` prints without ``dtype=``."""
    default_complex = "complex128" if default_key == "float64" else "complex64"
    return key in (default_key, default_complex, "int64", "bool")


# ---------------------------------------------------------------------------
# Per-element formatting
# ---------------------------------------------------------------------------


class _ElementFormatter:
    """Chooses one notation and column width for a set of real values.

    The choice is made from the values torch itself would inspect (the
    summarised subset for large tensors); ``render`` then formats any single
    value of the tensor right-aligned to that width.
    """

    def __init__(self, values: np.ndarray, floating: bool) -> None:
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        flat = values.reshape(-1)
        if not floating:
            for item in flat.tolist():
                self.width = max(self.width, len(str(item)))
            return
        self._inspect_floats(flat)

    def _inspect_floats(self, flat: np.ndarray) -> None:
        wide = flat.astype(np.float64)
        keep = np.isfinite(wide) & (wide != 0)
        if not keep.any():
            # Only zeros / non-finite values: keep the defaults and, as torch
            # does, ignore a forced sci_mode option.
            return
        chosen = flat[keep]
        magnitudes = np.abs(wide[keep])
        smallest, largest = magnitudes.min(), magnitudes.max()
        self.int_mode = bool(np.all(chosen == np.ceil(chosen)))
        wide_range = largest / smallest > 1000.0 or largest > 1.0e8
        if _OPTS.sci_mode is not None:
            self.sci_mode = _OPTS.sci_mode
        elif self.int_mode:
            self.sci_mode = bool(wide_range)
        else:
            self.sci_mode = bool(wide_range or smallest < 1.0e-4)

        # The column width comes from the finite non-zero values only, in the
        # notation finally chosen; inf/nan/0 simply get padded to it.
        prec = _OPTS.precision
        if self.sci_mode:
            texts = (f"{v:.{prec}e}" for v in chosen.tolist())
        elif self.int_mode:
            texts = (f"{v:.0f}." for v in chosen.tolist())
        else:
            texts = (f"{v:.{prec}f}" for v in chosen.tolist())
        self.width = max(self.width, max(len(t) for t in texts))

    def render(self, value: Any) -> str:
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.width}.{_OPTS.precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if math.isfinite(value):
                text += "."
        else:
            text = f"{value:.{_OPTS.precision}f}"
        return text.rjust(self.width)


def _complex_renderer(real: _ElementFormatter, imag: _ElementFormatter) -> Callable[[complex], str]:
    """Build a function printing ``a+bj`` with separate real/imag formatters."""

    def render(value: complex) -> str:
        head = real.render(value.real)
        tail = (imag.render(value.imag) + "j").lstrip()
        # A leading sign on the imaginary part already acts as the joiner.
        if tail[0] in "+-":
            return head + tail
        return head + "+" + tail

    return render


# ---------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------


def _summary_values(arr: np.ndarray, edge: int) -> np.ndarray:
    """Flat array of the values shown when ``arr`` is printed summarised."""
    if arr.ndim == 0:
        return arr.reshape(-1)
    count = arr.shape[0]
    if arr.ndim == 1:
        if count > 2 * edge:
            # Note arr[-0:] is the whole array, so edge == 0 keeps everything.
            return np.concatenate((arr[:edge], arr[-edge:]))
        return arr
    if not edge:
        return arr.reshape(-1)[:0]
    rows = range(count) if count <= 2 * edge else [*range(edge), *range(count - edge, count)]
    return np.concatenate([_summary_values(arr[i], edge).reshape(-1) for i in rows])


def _render_row(
    arr: np.ndarray,
    indent: int,
    summarize: bool,
    render: Callable[[Any], str],
    cell_width: int,
) -> str:
    """Render a 1-d array, wrapping so lines fit in the line width."""
    edge = _OPTS.edgeitems
    if summarize and not edge:
        cells = ["..."]
    elif summarize and arr.shape[0] > 2 * edge:
        head = [render(v) for v in arr[:edge].tolist()]
        tail = [render(v) for v in arr[-edge:].tolist()]
        cells = [*head, " ...", *tail]
    else:
        cells = [render(v) for v in arr.tolist()]
    per_line = max(1, math.floor((_OPTS.linewidth - indent) / cell_width))
    lines = [", ".join(cells[i : i + per_line]) for i in range(0, len(cells), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _render_block(
    arr: np.ndarray,
    indent: int,
    summarize: bool,
    render: Callable[[Any], str],
    cell_width: int,
) -> str:
    """Recursively render an n-d array; sub-blocks are separated by blank lines."""
    if arr.ndim == 0:
        return render(arr.item())
    if arr.ndim == 1:
        return _render_row(arr, indent, summarize, render, cell_width)
    edge = _OPTS.edgeitems
    count = arr.shape[0]
    if summarize and count > 2 * edge:
        picks: list[int | None] = [*range(edge), None, *range(count - edge, count)]
    else:
        picks = list(range(count))
    parts = [
        "..." if i is None else _render_block(arr[i], indent + 1, summarize, render, cell_width)
        for i in picks
    ]
    joiner = "," + "\n" * (arr.ndim - 1) + " " * (indent + 1)
    return "[" + joiner.join(parts) + "]"


def _render_values(arr: np.ndarray, key: str, indent: int) -> str:
    """Render the bracketed body of a non-empty tensor."""
    summarize = arr.size > _OPTS.threshold
    shown = _summary_values(arr, _OPTS.edgeitems) if summarize else arr
    if key in _COMPLEX:
        real = _ElementFormatter(shown.real, floating=True)
        imag = _ElementFormatter(shown.imag, floating=True)
        render = _complex_renderer(real, imag)
        # Room for ", " plus the imaginary part and its trailing "j".
        cell_width = real.width + 2 + imag.width + 1
    else:
        formatter = _ElementFormatter(shown, floating=key in _FLOATING)
        render = formatter.render
        cell_width = formatter.width + 2
    return _render_block(arr, indent, summarize, render, cell_width)


def _attach_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """Append ``, key=value`` suffixes; one that would overflow starts a new line."""
    pieces = [text]
    # Like torch, this running length counts two more characters than the
    # last line really holds; keeping that keeps the wrapping identical.
    current = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if current + len(suffix) + 2 > _OPTS.linewidth:
            pieces.append(",\n" + " " * indent + suffix)
            current = indent + len(suffix)
        else:
            pieces.append(", " + suffix)
            current += len(suffix) + 2
    pieces.append(")")
    return "".join(pieces)


def format_tensor(
    values: Any,
    *,
    dtype_name: str,
    default_dtype_name: str = "float32",
    device: Any = "cpu",
    requires_grad: bool = False,
    grad_fn_name: str | None = None,
    is_param: bool = False,
) -> str:
    """Return what ``repr(t)`` prints in torch for a tensor holding ``values``.

    ``values`` is a numpy array (or array-like) of the tensor's contents;
    ``dtype_name`` names the tensor's real dtype (e.g. ``"bfloat16"`` while
    the data arrives as float32).  ``default_dtype_name`` is the current
    default floating dtype, which decides whether ``dtype=`` is shown.
    ``grad_fn_name`` takes precedence over ``requires_grad`` as in torch.
    ``is_param`` prefixes ``Parameter containing:`` the way
    ``nn.Parameter.__repr__`` does; pass ``requires_grad`` as well to get the
    ``requires_grad=True`` suffix a trainable parameter shows.
    """
    key = _dtype_key(dtype_name)
    default_key = _dtype_key(default_dtype_name)
    arr = _as_storage(values, key)
    prefix = "tensor("
    indent = len(prefix)
    suffixes: list[str] = []

    if str(device) != "cpu":
        suffixes.append(f"device='{device}'")
    if arr.size == 0:
        # Like numpy, the shape is spelled out unless it is simply (0,).
        if arr.ndim != 1:
            suffixes.append(f"size={tuple(arr.shape)}")
        # An empty tensor gives no hint of its type, so only the default
        # floating dtype goes unmentioned.
        if key != default_key:
            suffixes.append(f"dtype=torch.{key}")
        body = "[]"
    else:
        if not _OPTS.edgeitems:
            suffixes.append(f"size={tuple(arr.shape)}")
        if not _dtype_is_implicit(key, default_key):
            suffixes.append(f"dtype=torch.{key}")
        body = _render_values(arr, key, indent)

    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")

    text = _attach_suffixes(prefix + body, suffixes, indent)
    if is_param:
        return "Parameter containing:\n" + text
    return text


def _str(tensor: Any) -> str:
    """``repr`` of an mlx_compat tensor, in torch's exact format."""
    from . import _C

    dtype_name = repr(tensor.dtype).removeprefix("torch.")
    t = tensor.detach()
    if dtype_name == "bfloat16":
        t = t.float()
    values = t.numpy(force=True)  # conjugate/negative views print their values
    grad_fn_name: str | None
    try:
        grad_fn = tensor.grad_fn
    except RuntimeError:
        # A view whose base changed in a way its history cannot follow.
        grad_fn = None
        grad_fn_name = "Invalid"
    else:
        grad_fn_name = grad_fn.name() if grad_fn is not None else None
    is_param = type(tensor).__name__ == "Parameter"
    return format_tensor(
        values,
        dtype_name=dtype_name,
        default_dtype_name=repr(_C._get_default_dtype()).removeprefix("torch."),
        device=str(tensor.device),
        requires_grad=tensor.requires_grad and grad_fn is None,
        grad_fn_name=grad_fn_name,
        is_param=is_param,
    )
