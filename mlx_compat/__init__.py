"""mlx_compat: PyTorch's API on Apple's MLX.

``import mlx_compat as torch`` gives tensors, autograd, ``nn``, ``optim`` and
``utils.data`` with torch's names, signatures, dtypes and errors.
"""

import copyreg as _copyreg

from . import _C
from ._C import (
    Generator,
    TensorBase,
    bfloat16,
    complex64,
    default_generator,
    device,
    dtype,
    float16,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    is_inference,
    uint8,
)
from ._C import bool as bool  # noqa: A004
from ._size import Size
from ._tensor import Tensor
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)

# dtype aliases as torch spells them.
float = float32  # noqa: A001
double = float64
half = float16
long = int64
int = int32  # noqa: A001
short = int16
cfloat = complex64

_fns = _C._VariableFunctions
_function_names = [n for n in dir(_fns) if not n.startswith("__")]
globals().update({n: getattr(_fns, n) for n in _function_names})
del _fns

from . import _memory_format  # noqa: E402
from ._memory_format import (  # noqa: E402
    channels_last,
    channels_last_3d,
    contiguous_format,
    memory_format,
    preserve_format,
)

_memory_format.install(globals())


def _function_by_name(path, name):
    """The compiled function ``name`` of the (sub)module at dotted ``path``."""
    obj = __import__(path.split(".")[0])
    for part in path.split(".")[1:]:
        obj = getattr(obj, part)
    return getattr(obj, name)


def _reduce_function(fn):
    # Compiled functions (mlx_compat.tanh, ...) copy and pickle by name, as torch's
    # builtins do, so modules holding one (an activation) can be deep-copied.
    return (_function_by_name, (fn.__module__, fn.__name__))


_copyreg.pickle(type(_C._VariableFunctions.tanh), _reduce_function)


def get_default_dtype():
    """The dtype that float factories and Python floats produce (float32 unless changed)."""
    return _C._get_default_dtype()


def set_default_dtype(d):
    """Sets the default floating-point dtype."""
    _C._set_default_dtype(d)


def set_anomaly_enabled(mode, check_nan=True):
    """Turns anomaly detection on or off (see ``autograd.set_detect_anomaly``)."""
    _C._set_anomaly_enabled(mode, check_nan)


def is_tensor(obj):
    """True if ``obj`` is an mlx_compat tensor."""
    return isinstance(obj, TensorBase)


def from_dlpack(ext_tensor):
    """A tensor from any object exporting DLPack on the CPU (its data is copied)."""
    import numpy as _np

    return _C._VariableFunctions.from_numpy(_np.from_dlpack(ext_tensor))


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """torch.asarray: reuses a tensor when no conversion is asked for, else converts."""
    if isinstance(obj, TensorBase):
        if copy:
            out = obj.clone().detach() if dtype is None else obj.to(dtype, copy=True).detach()
        else:
            out = obj if dtype is None else obj.to(dtype)
        if device is not None:
            out = out.to(device)
    else:
        out = _C._VariableFunctions.tensor(obj, dtype=dtype, device=device)
    if requires_grad:
        out.requires_grad_(True)
    return out


def typename(obj):
    """torch.typename: 'torch.FloatTensor' for tensors, else the qualified name."""
    if isinstance(obj, TensorBase):
        return obj.type()
    if hasattr(obj, "__qualname__"):
        module, name = getattr(obj, "__module__", "") or "", obj.__qualname__
    elif hasattr(obj, "__name__"):
        module, name = getattr(obj, "__module__", "") or "", obj.__name__
    else:
        module, name = type(obj).__module__ or "", type(obj).__qualname__
    return name if module in ("", "builtins") else f"{module}.{name}"


def numel(input):
    """Number of elements of ``input``."""
    return input.numel()


from . import autograd, backends, cuda, fft, linalg, nn, optim, random, signal, special, utils  # noqa: E402
from ._finfo import finfo, iinfo  # noqa: E402
from ._tensor_str import set_printoptions  # noqa: E402
from .func import vmap  # noqa: E402
from .functional import *  # noqa: E402, F403
from .functional import __all__ as _python_function_names  # noqa: E402
from .random import get_rng_state, set_rng_state  # noqa: E402
from .serialization import load, save  # noqa: E402

__all__ = [
    "Tensor",
    "memory_format",
    "preserve_format",
    "contiguous_format",
    "channels_last",
    "channels_last_3d",
    "Size",
    "Generator",
    "device",
    "dtype",
    "bool",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "float16",
    "bfloat16",
    "float32",
    "float64",
    "complex64",
    "float",
    "double",
    "half",
    "long",
    "int",
    "short",
    "cfloat",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "inference_mode",
    "is_inference_mode_enabled",
    "is_inference",
    "set_anomaly_enabled",
    "is_anomaly_enabled",
    "is_anomaly_check_nan_enabled",
    "get_default_dtype",
    "set_default_dtype",
    "is_tensor",
    "numel",
    "typename",
    "from_dlpack",
    "asarray",
    "default_generator",
    "autograd",
    "fft",
    "linalg",
    "signal",
    "special",
    "nn",
    "optim",
    "utils",
    "backends",
    "cuda",
    "random",
    "vmap",
    "finfo",
    "iinfo",
    "set_printoptions",
    "get_rng_state",
    "set_rng_state",
    "save",
    "load",
    *_python_function_names,
    *_function_names,
]
