"""Compare mlx_compat._tensor_str.format_tensor against real torch repr()."""

from __future__ import annotations

import importlib.util
import math
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
import torch
import torch._tensor_str as torch_tensor_str

# The package's compiled core may not be built yet, so load the module by path
# rather than through ``from mlx_compat import _tensor_str``.
_MODULE_PATH = Path(__file__).resolve().parents[1] / "mlx_compat" / "_tensor_str.py"
_spec = importlib.util.spec_from_file_location("_tensor_str_under_test", _MODULE_PATH)
_tensor_str = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _tensor_str  # dataclasses looks the module up here
_spec.loader.exec_module(_tensor_str)

FLOAT_DTYPES = ["float16", "bfloat16", "float32", "float64"]
COMPLEX_DTYPES = ["complex64", "complex128"]
INT_DTYPES = ["uint8", "int8", "int16", "int32", "int64"]
ALL_DTYPES = ["bool", *INT_DTYPES, *FLOAT_DTYPES, *COMPLEX_DTYPES]
SHAPES = [(), (1,), (5,), (3, 4), (2, 3, 4), (2, 2, 3, 2)]
SCALES = [1e-6, 1e-2, 1.0, 1e3, 1e9]


@pytest.fixture(autouse=True)
def _restore_print_state():
    """Reset torch's and our print options (and torch's default dtype)."""
    torch.set_printoptions(profile="default")
    _tensor_str.set_printoptions(profile="default")
    saved_dtype = torch.get_default_dtype()
    yield
    torch.set_printoptions(profile="default")
    _tensor_str.set_printoptions(profile="default")
    torch.set_default_dtype(saved_dtype)


def _rng(*key) -> np.random.Generator:
    """A generator seeded deterministically from the test's parameters."""
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def _name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def _ours(t: torch.Tensor, **extra) -> str:
    """format_tensor for the torch tensor ``t``, with metadata taken from it."""
    data = t.detach()
    if data.dtype == torch.bfloat16:
        data = data.float()
    grad_fn = type(t.grad_fn).__name__ if t.grad_fn is not None else None
    return _tensor_str.format_tensor(
        data.numpy(),
        dtype_name=_name(t.dtype),
        default_dtype_name=_name(torch.get_default_dtype()),
        requires_grad=t.requires_grad,
        grad_fn_name=grad_fn,
        **extra,
    )


def _check(t: torch.Tensor) -> None:
    assert _ours(t) == repr(t)


def _random(rng: np.random.Generator, shape, dtype: str, scale: float = 1.0):
    """Fresh random values of the given torch dtype name."""
    if dtype == "bool":
        arr = rng.integers(0, 2, size=shape).astype(bool)
    elif dtype in INT_DTYPES:
        info = np.iinfo(getattr(np, dtype))
        arr = rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=np.int64)
        if rng.random() < 0.5:
            arr = arr % 100
    elif dtype in COMPLEX_DTYPES:
        arr = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) * scale
    else:
        arr = rng.standard_normal(shape) * scale
    return torch.from_numpy(np.asarray(arr)).to(getattr(torch, dtype))


# -- random data over dtypes, shapes and magnitudes ---------------------------


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_random_floats(dtype, scale, shape):
    if dtype == "float16" and scale > 1e4:
        scale = 1e4  # keep float16 finite
    _check(_random(_rng(dtype, scale, shape), shape, dtype, scale))


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("scale", [1e-5, 1.0, 1e5])
@pytest.mark.parametrize("dtype", COMPLEX_DTYPES)
def test_random_complex(dtype, scale, shape):
    _check(_random(_rng(dtype, scale, shape), shape, dtype, scale))


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", ["bool", *INT_DTYPES])
def test_random_integers(dtype, shape):
    _check(_random(_rng(dtype, shape), shape, dtype))


# -- summarised (large) tensors -----------------------------------------------


LARGE_SHAPES = [(1001,), (2000,), (40, 40), (3, 400), (11, 10, 10), (8, 8, 4, 5)]


@pytest.mark.parametrize("shape", LARGE_SHAPES, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "int32", "bool", "complex64"])
def test_large_summarised(dtype, shape):
    _check(_random(_rng("large", dtype, shape), shape, dtype, 10.0))


def test_large_hides_middle_extremes():
    # Values only in the hidden middle must not influence the format.
    arr = np.ones(3000)
    arr[1500] = 1e20
    arr[10] = 0.5
    _check(torch.from_numpy(arr).float())


# -- special values -------------------------------------------------------------

SPECIAL_VALUES = {
    "tiny": [1e-8, 2e-7, 3e-9],
    "huge": [1e10, 2.5e12, -3e9],
    "big_ratio": [0.5, 1234.5, -1.25],
    "small_ratio": [0.001, 0.5, 0.75],
    "below_1e-4": [5e-5, 0.5],
    "int_valued": [1.0, -2.0, 30.0, 400.0],
    "int_big_ratio": [1.0, 5000.0, -3.0],
    "int_huge": [1e9, 2.0, 3.0],
    "int_1e8": [1e8, 3.0],
    "inf_nan": [1.5, math.inf, -math.inf, math.nan],
    "int_with_inf": [1.0, math.inf, -2.0, math.nan],
    "only_nonfinite": [math.nan, math.inf, -math.inf],
    "zeros": [0.0, 0.0, 0.0],
    "neg_zero": [-0.0, 1.0, 0.0],
    "neg_zero_only": [-0.0, 0.0],
    "neg_zero_frac": [-0.0, 0.25],
    "neg_nan": [-math.nan, 2.5],
    "rounding_up": [9.99996, 0.5],
    "rounding_sci": [9.99996e-5, 1.0],
    "mixed_sign": [-123.456, 0.001, 7.0],
    "tiny_with_inf": [1e-10, math.inf, 0.0],
}


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
@pytest.mark.parametrize("case", list(SPECIAL_VALUES))
def test_special_values(case, dtype):
    values = SPECIAL_VALUES[case]
    t = torch.tensor(values, dtype=torch.float64).to(getattr(torch, dtype))
    _check(t)
    _check(t.reshape(1, -1))
    _check(t[0])


@pytest.mark.parametrize("dtype", COMPLEX_DTYPES)
@pytest.mark.parametrize(
    "values",
    [
        [1 + 2j, -0.5 - 0j, 3j],
        [complex(0.0, -0.0), complex(-0.0, 0.0)],
        [complex(math.nan, 1.0), complex(1.0, math.inf), complex(2.0, -math.inf)],
        [1e-7 + 1e7j, 1 + 1j],
        [1 + 2j, 3 + 4j],
        [0.25 - 1e-5j, 1.5 + 0.5j],
    ],
    ids=lambda v: f"c{len(v)}",
)
def test_complex_special(values, dtype):
    t = torch.tensor(values, dtype=getattr(torch, dtype))
    _check(t)
    _check(t[0])
    _check(t.reshape(-1, 1))


def test_integer_extremes():
    for dtype in INT_DTYPES:
        info = torch.iinfo(getattr(torch, dtype))
        _check(torch.tensor([info.min, 0, info.max], dtype=getattr(torch, dtype)))


# -- empty tensors ------------------------------------------------------------


@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0, 4), (3, 0)], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool", "complex64", "uint8"])
def test_empty(dtype, shape):
    _check(torch.zeros(shape, dtype=getattr(torch, dtype)))


def test_empty_requires_grad():
    _check(torch.zeros(0, 2, requires_grad=True))


# -- autograd suffixes ----------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float32", "float64", "bfloat16", "complex64"])
@pytest.mark.parametrize("shape", [(), (4,), (3, 5), (30, 30)], ids=str)
def test_requires_grad_and_grad_fn(shape, dtype):
    x = _random(_rng("grad", dtype, shape), shape, dtype).requires_grad_()
    _check(x)
    _check(x * 2)
    _check(x + 1)
    _check((x * 2).sum())


def test_grad_fn_overrides_requires_grad():
    got = _tensor_str.format_tensor(
        np.array([1.0]),
        dtype_name="float32",
        requires_grad=True,
        grad_fn_name="AddBackward0",
    )
    assert got == "tensor([1.], grad_fn=<AddBackward0>)"


@pytest.mark.parametrize("shape", [(2, 3), (5,), (40, 30)], ids=str)
def test_parameter(shape):
    param = torch.nn.Parameter(torch.from_numpy(_rng("param", shape).standard_normal(shape)))
    got = _ours(param, is_param=True)
    assert got == repr(param)
    frozen = torch.nn.Parameter(torch.ones(2), requires_grad=False)
    assert _ours(frozen, is_param=True) == repr(frozen)


# -- suffix wrapping and devices ----------------------------------------------


@pytest.mark.parametrize("count", [4, 5, 6, 7, 8, 9, 10, 11, 12, 13])
def test_suffix_wrapping(count):
    x = torch.arange(count, dtype=torch.float64) * 1.5 + 100
    _check(x)
    _check(x.requires_grad_())
    _check(x * 2)
    _check(torch.arange(count * 7, dtype=torch.int16).reshape(7, count))


def test_device_suffix():
    fmt = _tensor_str.format_tensor
    assert fmt(np.array([1.0, 2.0]), dtype_name="float32", device="cuda:0") == (
        "tensor([1., 2.], device='cuda:0')"
    )
    assert fmt(np.array([1, 2]), dtype_name="int32", device="cuda:0", requires_grad=False) == (
        "tensor([1, 2], device='cuda:0', dtype=torch.int32)"
    )
    assert fmt(np.zeros((0, 3)), dtype_name="float64", device="mps:0") == (
        "tensor([], device='mps:0', size=(0, 3), dtype=torch.float64)"
    )
    assert fmt(
        np.array(2.5),
        dtype_name="float32",
        device="cuda:1",
        grad_fn_name="MulBackward0",
    ) == ("tensor(2.5000, device='cuda:1', grad_fn=<MulBackward0>)")


# -- default dtype --------------------------------------------------------------


@pytest.mark.parametrize("default", ["float64", "float16", "bfloat16"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128", "int64"])
def test_default_dtype(default, dtype):
    torch.set_default_dtype(getattr(torch, default))
    _check(_random(_rng("default", default, dtype), (2, 3), dtype))
    _check(torch.zeros(0, dtype=getattr(torch, dtype)))


# -- print options ------------------------------------------------------------

OPTION_TENSORS = {
    "normal": lambda rng: torch.from_numpy(rng.standard_normal((4, 6))).float(),
    "tiny": lambda rng: torch.from_numpy(rng.standard_normal(9) * 1e-6),
    "ints": lambda rng: torch.from_numpy(rng.integers(-50, 50, (3, 5)).astype(np.float32)),
    "long": lambda rng: torch.from_numpy(rng.standard_normal(1500)).float(),
    "cube": lambda rng: torch.from_numpy(rng.standard_normal((12, 12, 12)) * 100),
    "complex": lambda rng: torch.from_numpy(rng.standard_normal((3, 4)) + 2j),
    "int64": lambda rng: torch.from_numpy(rng.integers(-(10**9), 10**9, 30)),
    "zeros": lambda rng: torch.zeros(2000),
    "scalar": lambda rng: torch.tensor(rng.standard_normal() * 1e5),
}

OPTIONS = [
    {"precision": 0},
    {"precision": 1},
    {"precision": 2},
    {"precision": 8},
    {"threshold": 0},
    {"threshold": 5},
    {"threshold": 50, "edgeitems": 1},
    {"edgeitems": 0},
    {"edgeitems": 1},
    {"edgeitems": 5},
    {"linewidth": 10},
    {"linewidth": 40},
    {"linewidth": 120},
    {"linewidth": 200},
    {"sci_mode": True},
    {"sci_mode": False},
    {"sci_mode": True, "precision": 2},
    {"profile": "short"},
    {"profile": "full"},
    {"profile": "default"},
    {"profile": "short", "precision": 6, "linewidth": 60},
]


@pytest.mark.parametrize("which", list(OPTION_TENSORS))
@pytest.mark.parametrize(
    "options", OPTIONS, ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items())
)
def test_print_options(options, which):
    t = OPTION_TENSORS[which](_rng("opt", which))
    torch.set_printoptions(**options)
    _tensor_str.set_printoptions(**options)
    assert _tensor_str.get_printoptions() == torch_tensor_str.get_printoptions()
    _check(t)


def test_sci_mode_false_on_wide_integers():
    torch.set_printoptions(sci_mode=False)
    _tensor_str.set_printoptions(sci_mode=False)
    _check(torch.tensor([1.0, 1e9, 5.0]))
    _check(torch.tensor([1e-9, 1.0]))


def test_printoptions_defaults_and_reset():
    assert _tensor_str.get_printoptions() == {
        "precision": 4,
        "threshold": 1000,
        "edgeitems": 3,
        "linewidth": 80,
        "sci_mode": None,
    }
    _tensor_str.set_printoptions(sci_mode=True)
    _tensor_str.set_printoptions(precision=3)  # sci_mode resets to None
    torch.set_printoptions(sci_mode=True)
    torch.set_printoptions(precision=3)
    assert _tensor_str.get_printoptions() == torch_tensor_str.get_printoptions()
    _tensor_str.set_printoptions(profile="no-such-profile")
    torch.set_printoptions(profile="no-such-profile")
    assert _tensor_str.get_printoptions() == torch_tensor_str.get_printoptions()


def test_printoptions_context_manager():
    t = torch.tensor([1.123456, 2.5])
    with (
        _tensor_str.printoptions(precision=2, sci_mode=True),
        torch_tensor_str.printoptions(precision=2, sci_mode=True),
    ):
        assert _tensor_str.get_printoptions()["precision"] == 2
        _check(t)
    assert _tensor_str.get_printoptions() == torch_tensor_str.get_printoptions()
    _check(t)


# -- input coercion -------------------------------------------------------------


def test_bfloat16_rounds_float32_input():
    values = np.array([1.00390625, 3.14159, -2.71828, 1e-3, 65504.0, math.nan], np.float32)
    expected = repr(torch.from_numpy(values).to(torch.bfloat16))
    assert _tensor_str.format_tensor(values, dtype_name="bfloat16") == expected


def test_float16_from_float32_input():
    t = torch.tensor([0.1, 2.5, -7.125], dtype=torch.float16)
    got = _tensor_str.format_tensor(t.float().numpy(), dtype_name="torch.float16")
    assert got == repr(t)


def test_all_dtypes_listed_and_exports():
    assert set(_tensor_str.__all__) == {
        "format_tensor",
        "get_printoptions",
        "printoptions",
        "set_printoptions",
    }
    for dtype in ALL_DTYPES:
        _check(_random(_rng("all", dtype), (2, 2), dtype))
