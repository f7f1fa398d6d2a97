"""``finfo`` and ``iinfo``: numeric limits of floating-point and integer dtypes.

The limits of an IEEE-style binary format follow from its exponent and mantissa
widths, so every floating-point constant below is derived from those two numbers
(bfloat16 included, which numpy does not know). Integer limits follow from the
width and signedness. Values, errors and ``repr`` text are torch's.
"""

from __future__ import annotations

from typing import Any, NoReturn

from . import _C
from ._C import dtype as _dtype

# name -> (exponent bits, explicit mantissa bits)
_FLOAT_LAYOUTS: dict[str, tuple[int, int]] = {
    "float16": (5, 10),
    "bfloat16": (8, 7),
    "float32": (8, 23),
    "float64": (11, 52),
}
# A complex dtype reports the limits of its real component.
_COMPLEX_PARTS = {"complex64": "float32", "complex128": "float64"}
# name -> (bits, signed)
_INT_LAYOUTS: dict[str, tuple[int, bool]] = {
    "uint8": (8, False),
    "int8": (8, True),
    "int16": (16, True),
    "int32": (32, True),
    "int64": (64, True),
}
# Python scalar types stand for the dtype a tensor built from them gets.
_PY_TYPE_NAMES = {float: "float64", int: "int64", bool: "bool", complex: "complex128"}

_MISSING: Any = object()


def _dtype_name(d: Any) -> str:
    return str(d).rpartition(".")[2]


def _resolve(kind: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """Name of the dtype given to ``finfo``/``iinfo`` (``kind``), with torch's errors."""
    _check_arguments(kind, args, kwargs)
    value = args[0] if args else kwargs.get("type", _MISSING)
    if value is _MISSING:
        return _dtype_name(_C._get_default_dtype())
    if isinstance(value, _dtype):
        return _dtype_name(value)
    if isinstance(value, type) and value in _PY_TYPE_NAMES:
        return _PY_TYPE_NAMES[value]
    raise TypeError(
        f"{kind}(): argument 'type' (position 1) must be torch.dtype, not {type(value).__name__}"
    )


def _check_arguments(kind: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """torch's errors for a call that does not match ``(type)`` (or ``()`` for finfo)."""
    extra = [k for k in kwargs if k != "type"]
    given = len(args) + ("type" in kwargs)
    if not extra and given <= 1 and (given == 1 or kind == "finfo"):
        return
    missing = TypeError(f'{kind}() missing 1 required positional arguments: "type"')
    if given == 0:
        raise missing
    if kind == "iinfo":
        if len(args) > 1:
            raise TypeError(f"iinfo() takes 1 positional argument but {len(args)} were given")
        if args and "type" in kwargs:
            raise TypeError("iinfo() got multiple values for argument 'type'")
        raise TypeError(f"iinfo() got an unexpected keyword argument '{extra[0]}'")
    got = ", ".join(
        [_describe(a) for a in args] + [f"{k}={_describe(v)}" for k, v in kwargs.items()]
    )
    raise TypeError(
        f"finfo() received an invalid combination of arguments - got ({got}), "
        "but expected one of:\n * (torch.dtype type)\n * ()\n"
    )


def _describe(value: Any) -> str:
    if isinstance(value, _dtype):
        return "torch.dtype"
    return type(value).__name__


def _largest_decimal_digits(mantissa_bits: int) -> int:
    """Decimal digits always representable: the largest d with 10**d <= 2**mantissa_bits."""
    digits = 0
    while 10 ** (digits + 1) <= 2**mantissa_bits:
        digits += 1
    return digits


def _no_pickle(name: str) -> NoReturn:
    raise TypeError(f"cannot pickle 'torch.{name}' object")


class finfo:  # noqa: N801 (torch's name)
    """Machine limits of a floating-point (or complex) dtype.

    ``finfo()`` describes the default dtype. Attributes: ``bits``, ``eps``, ``max``,
    ``min``, ``tiny``, ``smallest_normal``, ``resolution`` and ``dtype`` (the name of
    the described dtype as a string; the real part's for complex dtypes).
    """

    __slots__ = ("_bits", "_eps", "_max", "_min", "_tiny", "_resolution", "_dtype")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name = _resolve("finfo", args, kwargs)
        name = _COMPLEX_PARTS.get(name, name)
        if name not in _FLOAT_LAYOUTS:
            raise TypeError(
                "torch.finfo() requires a floating point input type. "
                "Use torch.iinfo to handle 'torch.finfo'"
            )
        exp_bits, man_bits = _FLOAT_LAYOUTS[name]
        max_exp = 2 ** (exp_bits - 1) - 1
        self._bits = 1 + exp_bits + man_bits
        self._eps = 2.0**-man_bits
        self._max = (2.0 - 2.0**-man_bits) * 2.0**max_exp
        self._min = -self._max
        self._tiny = 2.0 ** (1 - max_exp)
        self._resolution = float(f"1e-{_largest_decimal_digits(man_bits)}")
        self._dtype = name

    @property
    def bits(self) -> int:
        return self._bits

    @property
    def eps(self) -> float:
        return self._eps

    @property
    def max(self) -> float:
        return self._max

    @property
    def min(self) -> float:
        return self._min

    @property
    def tiny(self) -> float:
        return self._tiny

    @property
    def smallest_normal(self) -> float:
        return self._tiny

    @property
    def resolution(self) -> float:
        return self._resolution

    @property
    def dtype(self) -> str:
        return self._dtype

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _dtype):
            return _dtype_name(other) == self._dtype
        return isinstance(other, finfo) and other._dtype == self._dtype

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __repr__(self) -> str:
        return (
            f"finfo(resolution={self._resolution:g}, min={self._min:g}, max={self._max:g}, "
            f"eps={self._eps:g}, smallest_normal={self._tiny:g}, tiny={self._tiny:g}, "
            f"dtype={self._dtype})"
        )

    __str__ = __repr__

    def __reduce_ex__(self, protocol: Any) -> NoReturn:
        _no_pickle("finfo")


class iinfo:  # noqa: N801 (torch's name)
    """Machine limits of an integer dtype: ``bits``, ``max``, ``min`` and ``dtype`` (a string)."""

    __slots__ = ("_bits", "_max", "_min", "_dtype")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name = _resolve("iinfo", args, kwargs)
        if name == "bool":
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if name not in _INT_LAYOUTS:
            raise TypeError(
                "torch.iinfo() requires an integer input type. "
                "Use torch.finfo to handle 'torch.iinfo'"
            )
        bits, signed = _INT_LAYOUTS[name]
        self._bits = bits
        if signed:
            self._min, self._max = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
        else:
            self._min, self._max = 0, 2**bits - 1
        self._dtype = name

    @property
    def bits(self) -> int:
        return self._bits

    @property
    def max(self) -> int:
        return self._max

    @property
    def min(self) -> int:
        return self._min

    @property
    def dtype(self) -> str:
        return self._dtype

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _dtype):
            return _dtype_name(other) == self._dtype
        return isinstance(other, iinfo) and other._dtype == self._dtype

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __repr__(self) -> str:
        return f"iinfo(min={self._min:g}, max={self._max:g}, dtype={self._dtype})"

    __str__ = __repr__

    def __reduce_ex__(self, protocol: Any) -> NoReturn:
        _no_pickle("iinfo")


finfo.__module__ = iinfo.__module__ = "mlx_compat"
