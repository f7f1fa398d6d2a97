"""Padding layers over ``F.pad``: constant, zero, reflection, replication and circular, each
in 1d/2d/3d. ``padding`` is an int (same on every side) or a tuple, expanded as torch's
``_ntuple`` does; ``extra_repr`` text follows torch's classes."""

import collections.abc
from itertools import repeat

from mlx_compat.nn import functional as F
from mlx_compat.nn.modules.module import Module

__all__ = [
    "CircularPad1d",
    "CircularPad2d",
    "CircularPad3d",
    "ConstantPad1d",
    "ConstantPad2d",
    "ConstantPad3d",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReflectionPad3d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "ReplicationPad3d",
    "ZeroPad1d",
    "ZeroPad2d",
    "ZeroPad3d",
]


def _ntuple(x, n):
    """An iterable becomes a tuple as is (no length check, like torch); a scalar repeats."""
    if isinstance(x, collections.abc.Iterable):
        return tuple(x)
    return tuple(repeat(x, n))


# Number of padding values for each spatial rank.
_PAD_LEN = {1: 2, 2: 4, 3: 6}


class _CircularPadNd(Module):
    __constants__ = ["padding"]
    _ndim = 0

    def __init__(self, padding):
        super().__init__()
        self.padding = _ntuple(padding, _PAD_LEN[self._ndim])

    def _check_input_dim(self, input):
        # Accepts unbatched (ndim + 1) or batched (ndim + 2) input.
        lo, hi = self._ndim + 1, self._ndim + 2
        if input.dim() not in (lo, hi):
            raise ValueError(f"expected {lo}D or {hi}D input (got {input.dim()}D input)")

    def forward(self, input):
        self._check_input_dim(input)
        return F.pad(input, self.padding, "circular")

    def extra_repr(self):
        return f"{self.padding}"


class CircularPad1d(_CircularPadNd):
    """Pads the last dim by wrapping around: (left, right)."""

    _ndim = 1


class CircularPad2d(_CircularPadNd):
    """Pads the last two dims by wrapping around: (left, right, top, bottom)."""

    _ndim = 2


class CircularPad3d(_CircularPadNd):
    """Pads the last three dims by wrapping around: (left, right, top, bottom, front, back)."""

    _ndim = 3


class _ConstantPadNd(Module):
    __constants__ = ["padding", "value"]
    _ndim = 0

    def __init__(self, padding, value):
        super().__init__()
        self.value = value
        self.padding = _ntuple(padding, _PAD_LEN[self._ndim])

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pads the last dim with ``value``."""

    _ndim = 1


class ConstantPad2d(_ConstantPadNd):
    """Pads the last two dims with ``value``."""

    _ndim = 2


class ConstantPad3d(_ConstantPadNd):
    """Pads the last three dims with ``value``."""

    _ndim = 3


class ZeroPad1d(ConstantPad1d):
    """Pads the last dim with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pads the last two dims with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    """Pads the last three dims with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class _ModePadNd(Module):
    __constants__ = ["padding"]
    _ndim = 0
    _mode = ""

    def __init__(self, padding):
        super().__init__()
        self.padding = _ntuple(padding, _PAD_LEN[self._ndim])

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ReflectionPadNd(_ModePadNd):
    _mode = "reflect"


class ReflectionPad1d(_ReflectionPadNd):
    """Pads the last dim with its reflection (edge not repeated)."""

    _ndim = 1


class ReflectionPad2d(_ReflectionPadNd):
    """Pads the last two dims with their reflection (edge not repeated)."""

    _ndim = 2


class ReflectionPad3d(_ReflectionPadNd):
    """Pads the last three dims with their reflection (edge not repeated)."""

    _ndim = 3


class _ReplicationPadNd(_ModePadNd):
    _mode = "replicate"


class ReplicationPad1d(_ReplicationPadNd):
    """Pads the last dim by repeating its edge value."""

    _ndim = 1


class ReplicationPad2d(_ReplicationPadNd):
    """Pads the last two dims by repeating their edge values."""

    _ndim = 2


class ReplicationPad3d(_ReplicationPadNd):
    """Pads the last three dims by repeating their edge values."""

    _ndim = 3
