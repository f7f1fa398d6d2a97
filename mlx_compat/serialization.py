"""``torch.save`` / ``torch.load`` in torch's zip checkpoint format.

A checkpoint is a zip archive ``<name>/data.pkl`` (a protocol-2 pickle whose
tensors are ``torch._utils._rebuild_tensor_v2`` calls on persistent storage
ids), one raw little-endian record ``<name>/data/<key>`` per storage, and the
small ``byteorder``/``version``/``.data/serialization_id`` records, so files
move both ways between torch and mlx_compat. Loading never runs code from the
file: see ``_weights_only_unpickler``.
"""

import io
import os
import pickle
import sys
import tempfile
import zipfile
from collections import OrderedDict

import numpy as _np

from . import _C
from ._size import Size
from ._tensor import Tensor
from ._weights_only_unpickler import WeightsUnpickler, _fail
from ._zip_writer import ALIGNMENT, _ZipWriter

__all__ = ["save", "load"]

DEFAULT_PROTOCOL = 2

# torch dtype -> (legacy storage class name, numpy dtype of the raw record)
_STORAGE = {
    _C.float32: ("FloatStorage", "<f4"),
    _C.float64: ("DoubleStorage", "<f8"),
    _C.float16: ("HalfStorage", "<f2"),
    _C.bfloat16: ("BFloat16Storage", "<i2"),
    _C.int64: ("LongStorage", "<i8"),
    _C.int32: ("IntStorage", "<i4"),
    _C.int16: ("ShortStorage", "<i2"),
    _C.int8: ("CharStorage", "i1"),
    _C.uint8: ("ByteStorage", "u1"),
    _C.bool: ("BoolStorage", "?"),
    _C.complex64: ("ComplexFloatStorage", "<c8"),
}
_DTYPES = [_C.uint8, _C.int8, _C.int16, _C.int32, _C.int64, _C.float16, _C.bfloat16]
_DTYPES += [_C.float32, _C.float64, _C.complex64, _C.bool]


class _StorageType:
    """Stands for a ``torch.<Name>Storage`` class: pickled as that global, loaded as a dtype."""

    def __init__(self, name, dtype):
        self.name, self.dtype = name, dtype

    def __repr__(self):
        return f"StorageType(dtype={self.dtype})"


_STORAGE_TYPES = {dt: _StorageType(name, dt) for dt, (name, _) in _STORAGE.items()}
_UNSUPPORTED_STORAGES = {
    "ComplexDoubleStorage": "complex128",
    "ComplexHalfStorage": "complex32",
    "QInt8Storage": "qint8",
    "QUInt8Storage": "quint8",
    "QInt32Storage": "qint32",
    "QUInt4x2Storage": "quint4x2",
    "QUInt2x4Storage": "quint2x4",
}


def _is_path(f):
    return isinstance(f, (str, os.PathLike))


# ---------------------------------------------------------------------------
# loading: rebuild functions named by torch's files


class _LoadedStorage:
    """One storage read from a checkpoint; the first tensor built on it owns it."""

    def __init__(self, values, dtype, location):
        self._values = values  # 1-D host array of the storage's elements
        self.dtype = dtype
        self.location = location
        self.device = _C.device(location)
        self._owner = None

    def nbytes(self):
        return self._values.nbytes

    def size(self):
        return self._values.size

    def cpu(self):
        return self._with_location("cpu")

    def cuda(self, device=None, non_blocking=False):
        return self._with_location("cuda" if device is None else str(_C.device("cuda", device)))

    def to(self, device, non_blocking=False):
        return self._with_location(str(_C.device(device)))

    def _with_location(self, location):
        _restore_location(location)
        return _LoadedStorage(self._values, self.dtype, location)

    def _tensor(self, offset, size, stride):
        if not (
            isinstance(size, tuple)
            and isinstance(stride, tuple)
            and all(type(v) is int for v in (offset, *size, *stride))
        ):
            _fail("tensor offset, sizes and strides must be ints")
        if len(size) != len(stride):
            raise RuntimeError("mismatch in length of strides and shape")
        if self._owner is None:
            numel = 1
            for s in size:
                numel *= s
            whole = (
                offset == 0
                and min(size, default=0) >= 0
                and numel == self._values.size
                and _contiguous(size, stride)
            )
            shape = size if whole else (self._values.size,)
            self._owner = _tensor_from_host(self._values.reshape(shape), self.dtype, self.location)
            if whole:
                return self._owner
        return self._owner.as_strided(size, stride, offset)


def _contiguous(size, stride):
    expected = 1
    for s, st in zip(reversed(size), reversed(stride), strict=True):
        if s != 1 and st != expected:
            return False
        expected *= s
    return True


def _tensor_from_host(arr, dtype, location):
    if dtype == _C.bfloat16:
        t = _C._VariableFunctions.from_numpy(_np.asarray(arr, order="C")).view(_C.bfloat16)
    else:
        t = _C._VariableFunctions.from_numpy(_np.asarray(arr, order="C"))
    return t if location == "cpu" else t.to(location)


def _rebuild_tensor(storage, storage_offset, size, stride):
    if not isinstance(storage, _LoadedStorage):
        _fail(f"expected a storage, got {type(storage).__name__}")
    return storage._tensor(storage_offset, size, stride)


def _rebuild_tensor_v2(
    storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None
):
    t = _rebuild_tensor(storage, storage_offset, size, stride)
    if metadata:
        t = _apply_metadata(t, metadata)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _apply_metadata(t, metadata):
    """torch's tensor metadata: a dict of the conjugate and negative bits."""
    if not isinstance(metadata, dict) or not set(metadata) <= {"conj", "neg"}:
        _fail(f"unsupported tensor metadata {metadata!r}")
    if metadata.get("conj"):
        if not t.is_complex():
            _fail("the conjugate bit is set on a tensor that is not complex")
        t = t.conj()
    if metadata.get("neg"):
        t = t._neg_view()
    return t


def _rebuild_parameter(data, requires_grad, backward_hooks):
    from .nn.parameter import Parameter

    return Parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    param = _rebuild_parameter(data, requires_grad, backward_hooks)
    _set_tensor_state(param, state)
    return param


def _rebuild_from_type_v2(func, new_type, args, state):
    from .nn.parameter import Parameter

    if func not in (_rebuild_tensor_v2, _rebuild_tensor, _rebuild_parameter):
        _fail(f"Unsupported rebuild function {func!r}")
    ret = func(*args)
    if new_type is Parameter and type(ret) is not Parameter:
        ret = Parameter(ret, ret.requires_grad)
    elif new_type not in (Tensor, Parameter):
        _fail(f"Unsupported tensor type {new_type!r}")
    _set_tensor_state(ret, state)
    return ret


def _set_tensor_state(t, state):
    # a dict of attributes, or (dict state, slot state) as torch writes them
    if isinstance(state, tuple) and len(state) == 2:
        for part in state:
            _set_tensor_state(t, part)
        return
    if state is None:
        return
    if not isinstance(state, dict) or not all(isinstance(k, str) for k in state):
        _fail(f"Unsupported state for {type(t).__name__}")
    for k, v in state.items():
        if k.startswith("__"):
            _fail(f"Unsupported attribute {k!r} in tensor state")
        setattr(t, k, v)


def _set_state(inst, state):
    if isinstance(inst, Tensor):
        _set_tensor_state(inst, state)
    else:
        _fail(f"Unsupported BUILD on {type(inst).__name__}")


def _allowed_globals():
    from .nn.parameter import Parameter

    rc = {
        "torch.Size": Size,
        "torch.device": _C.device,
        "torch.Tensor": Tensor,
        "torch.nn.parameter.Parameter": Parameter,
        "torch._utils._rebuild_tensor": _rebuild_tensor,
        "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
        "torch._utils._rebuild_parameter": _rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
        "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
    }
    for dt in _DTYPES:
        rc[str(dt)] = dt
    for st in _STORAGE_TYPES.values():
        rc[f"torch.{st.name}"] = st
    for name in _UNSUPPORTED_STORAGES:
        rc[f"torch.{name}"] = _StorageType(name, None)
    return rc


def _markers():
    from .nn.parameter import Parameter

    return (Tensor, Parameter)


def _restore_location(location):
    """Checks that ``location`` names a device tensors can be put on here."""
    kind = location.split(":")[0]
    if kind == "cpu":
        return
    if kind in ("cuda", "mps"):
        from . import backends, cuda

        available = cuda.is_available() if kind == "cuda" else backends.mps.is_available()
        if not available:
            raise RuntimeError(
                f"Attempting to deserialize object on a {kind.upper()} device but "
                f"torch.{kind}.is_available() is False. If you are running on a CPU-only "
                "machine, please use torch.load with map_location=torch.device('cpu') "
                "to map your storages to the CPU."
            )
        return
    raise RuntimeError(
        f"don't know how to restore data location of torch.storage.UntypedStorage "
        f"(tagged with {location})"
    )


def _location_fn(map_location):
    if map_location is None:
        return lambda storage, loc: loc
    if isinstance(map_location, dict):
        return lambda storage, loc: map_location.get(loc, loc)
    if isinstance(map_location, (str, bytes)):
        loc = map_location.decode() if isinstance(map_location, bytes) else map_location
        return lambda storage, _: loc
    if isinstance(map_location, _C.device):
        return lambda storage, _: str(map_location)
    if callable(map_location):
        return map_location
    raise TypeError(f"map_location should be a str, device, dict or callable, got {map_location!r}")


def _check_storage_type(storage_type):
    if not isinstance(storage_type, _StorageType):
        _fail(f"Unsupported storage type {storage_type!r}")
    if storage_type.dtype is None:
        raise TypeError(
            f"mlx_compat has no {_UNSUPPORTED_STORAGES[storage_type.name]} dtype "
            f"(storage {storage_type.name})"
        )


def _place(values, dtype, location, choose):
    """The storage for ``values`` saved at ``location``, where map_location puts it."""
    storage = _LoadedStorage(values, dtype, "cpu")
    result = choose(storage, location)
    if result is None:
        result = location
    if isinstance(result, _LoadedStorage):
        return result
    loc = str(result)
    _restore_location(loc)
    return _LoadedStorage(values, dtype, loc)


def _load_zip(zf, map_location, pickle_load_args):
    names = zf.namelist()
    pkl = next((n for n in names if n.endswith("data.pkl") and n.count("/") == 1), None)
    if pkl is None:
        raise RuntimeError("PytorchStreamReader failed locating file data.pkl: file not found")
    prefix = pkl[: -len("data.pkl")]
    byteorder = "little"
    if prefix + "byteorder" in names:
        byteorder = zf.read(prefix + "byteorder").decode()
    choose = _location_fn(map_location)
    loaded = {}

    def persistent_load(pid):
        if not isinstance(pid, tuple) or len(pid) != 5 or pid[0] != "storage":
            _fail(f"Unsupported persistent id {pid!r}")
        _, storage_type, key, location, numel = pid
        _check_storage_type(storage_type)
        if key in loaded:
            return loaded[key]
        try:
            raw = zf.read(f"{prefix}data/{key}")
        except KeyError:
            raise RuntimeError(
                f"PytorchStreamReader failed locating file data/{key}: file not found"
            ) from None
        np_dt = _np.dtype(_STORAGE[storage_type.dtype][1])
        if byteorder == "big":
            np_dt = np_dt.newbyteorder(">")
        values = _np.frombuffer(raw, dtype=np_dt, count=int(numel)).astype(np_dt.newbyteorder("="))
        loaded[key] = _place(values, storage_type.dtype, location, choose)
        return loaded[key]

    unpickler = WeightsUnpickler(
        io.BytesIO(zf.read(pkl)),
        _allowed_globals(),
        persistent_load,
        _set_state,
        encoding=pickle_load_args.get("encoding", "ASCII"),
        markers=_markers(),
    )
    return unpickler.load()


def load(
    f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args
):
    """Loads an object saved with ``torch.save`` (by torch or mlx_compat).

    Only tensors, parameters, containers, numbers, strings, sizes, dtypes and
    devices are rebuilt; any other object in the file raises
    ``pickle.UnpicklingError``, with ``weights_only=False`` too.
    """
    if weights_only is None or weights_only:
        if pickle_module is not None:
            raise RuntimeError(
                "Can not safely load weights when explicit pickle_module is specified"
            )
    if mmap and not _is_path(f):
        raise ValueError("f must be a file path in order to use the mmap argument")
    unknown = set(pickle_load_args) - {"encoding", "errors", "fix_imports"}
    if unknown:
        raise TypeError(f"load() got an unexpected keyword argument '{sorted(unknown)[0]}'")
    if _is_path(f):
        with open(f, "rb") as fh:
            return _load_file(fh, map_location, pickle_load_args)
    return _load_file(f, map_location, pickle_load_args)


def _load_file(fh, map_location, pickle_load_args):
    start = fh.tell()
    is_zip = zipfile.is_zipfile(fh)
    fh.seek(start)
    if not is_zip:
        from ._legacy_serialization import legacy_load

        return legacy_load(fh, map_location, pickle_load_args)
    with zipfile.ZipFile(fh) as zf:
        return _load_zip(zf, map_location, pickle_load_args)


# ---------------------------------------------------------------------------
# saving


class _GlobalName:
    """An object the pickler writes as ``GLOBAL module name``."""

    def __init__(self, module, name):
        self.module, self.name = module, name


def _torch_names():
    from .nn.parameter import Parameter

    names = {
        id(Size): ("torch", "Size"),
        id(_C.device): ("torch", "device"),
        id(_rebuild_tensor_v2): ("torch._utils", "_rebuild_tensor_v2"),
        id(_rebuild_parameter): ("torch._utils", "_rebuild_parameter"),
        id(_rebuild_parameter_with_state): ("torch._utils", "_rebuild_parameter_with_state"),
        id(_rebuild_from_type_v2): ("torch._tensor", "_rebuild_from_type_v2"),
        id(Tensor): ("torch", "Tensor"),
        id(Parameter): ("torch.nn.parameter", "Parameter"),
    }
    for dt in _DTYPES:
        names[id(dt)] = ("torch", str(dt).removeprefix("torch."))
    return names


_PLAIN = {int, float, str, bytes, bool, type(None), tuple, list, dict, OrderedDict}


class _StorageKey:
    def __init__(self, tensor):
        self.tensor = tensor


def _location_tag(device):
    s = str(device)
    return s + ":0" if s == "cuda" else s


def _storage_numel(t):
    return t.untyped_storage().nbytes() // t.element_size()


class _Pickler(pickle._Pickler):
    """Writes mlx_compat objects under the names torch's loader knows."""

    def __init__(self, file, protocol, legacy=False):
        super().__init__(file, protocol)
        self._legacy = legacy
        self._names = _torch_names()
        self._storage_types = {}
        self.storages = {}  # storage data_ptr -> (key, tensor, dtype)

    def save_global(self, obj, name=None):
        if isinstance(obj, _GlobalName):
            module, name = obj.module, obj.name
        elif id(obj) in self._names:
            module, name = self._names[id(obj)]
        else:
            return super().save_global(obj, name)
        self.write(pickle.GLOBAL + module.encode() + b"\n" + name.encode() + b"\n")
        self.memoize(obj)

    def reducer_override(self, obj):
        from .nn.parameter import Parameter

        if type(obj) in _PLAIN:
            return NotImplemented
        # a str makes pickle call self.save_global, which writes torch's name
        if isinstance(obj, _GlobalName):
            return obj.name
        if id(obj) in self._names:
            return self._names[id(obj)][1]
        if isinstance(obj, _C.device):
            return (_C.device, (str(obj),))
        if isinstance(obj, Size):
            return (Size, (tuple(obj),))
        state = dict(getattr(obj, "__dict__", None) or {})
        if isinstance(obj, Parameter):
            args = (obj.detach(), obj.requires_grad, OrderedDict())
            if state:
                return (_rebuild_parameter_with_state, (*args, state))
            return (_rebuild_parameter, args)
        if isinstance(obj, Tensor):
            args = (
                _StorageKey(obj),
                obj.storage_offset(),
                tuple(obj.shape),
                tuple(obj.stride()),
                obj.requires_grad,
                OrderedDict(),
            )
            # torch's tensor metadata: the conjugate and negative bits
            metadata = {k: True for k, on in (("conj", obj.is_conj()), ("neg", obj.is_neg())) if on}
            if metadata:
                args = (*args, metadata)
            if type(obj) is Tensor and not state:
                return (_rebuild_tensor_v2, args)
            return (_rebuild_from_type_v2, (_rebuild_tensor_v2, type(obj), args, state))
        return NotImplemented

    def persistent_id(self, obj):
        if not isinstance(obj, _StorageKey):
            return None
        t = obj.tensor
        storage = t.untyped_storage()
        ptr = storage.data_ptr()
        if ptr in self.storages:
            key, _, dtype, _ = self.storages[ptr]
            if dtype != t.dtype:
                raise RuntimeError(
                    "Cannot save multiple tensors or storages that view the same data as "
                    "different types"
                )
        else:
            key = str(ptr) if self._legacy else str(len(self.storages))
            # the storage object stays referenced so its address is not reused
            self.storages[ptr] = (key, t, t.dtype, storage)
        if t.dtype not in self._storage_types:
            self._storage_types[t.dtype] = _GlobalName("torch", _STORAGE[t.dtype][0])
        pid = ("storage", self._storage_types[t.dtype], key, _location_tag(t.device))
        return (*pid, _storage_numel(t), None) if self._legacy else (*pid, _storage_numel(t))


def _storage_bytes(t):
    """The raw little-endian bytes of ``t``'s whole storage, as a uint8 array."""
    # Read through the tensor that owns the storage: a dtype view (view_as_real,
    # view(dtype)) shares it but counts its elements differently.
    root = t
    while root._base is not None:
        root = root._base
    flat = root.detach().as_strided((_storage_numel(root),), (1,), 0)
    # The storage as held, not as a conjugate/negative view reads it.
    if flat.is_conj():
        flat = flat.conj()
    if flat.is_neg():
        flat = flat._neg_view()
    if root.dtype == _C.bfloat16:
        flat = flat.view(_C.int16)
    arr = _np.ascontiguousarray(flat.cpu().numpy())
    return arr.astype(arr.dtype.newbyteorder("<"), copy=False).reshape(-1).view(_np.uint8)


def _archive_name(f):
    if not _is_path(f):
        return "archive"
    base = os.path.basename(os.fspath(f))
    stem, dot, _ = base.rpartition(".")
    return stem if dot and stem else base


def _write_archive(fileobj, prefix, data_pkl, storages, records):
    zw = _ZipWriter(fileobj, prefix)
    zw.write("data.pkl", data_pkl)
    zw.write(".format_version", b"1")
    zw.write(".storage_alignment", str(ALIGNMENT).encode())
    if "byteorder" in records:
        zw.write("byteorder", sys.byteorder.encode())
    for key, t, _, _ in storages.values():
        zw.write(f"data/{key}", _storage_bytes(t))
    zw.write("version", b"3\n")
    zw.close()


def save(
    obj,
    f,
    pickle_module=pickle,
    pickle_protocol=DEFAULT_PROTOCOL,
    _use_new_zipfile_serialization=True,
    _disable_byteorder_record=False,
):
    """Saves ``obj`` to ``f`` (a path or a writable binary file) in torch's zip format.

    A path is written atomically: the archive goes to a temporary file in the
    same directory that replaces ``f`` only once complete.
    """
    if _use_new_zipfile_serialization:
        buf = io.BytesIO()
        pickler = _Pickler(buf, pickle_protocol)
        pickler.dump(obj)
        prefix = _archive_name(f)

        def write(fh):
            records = [] if _disable_byteorder_record else ["byteorder"]
            _write_archive(fh, prefix, buf.getbuffer(), pickler.storages, records)

    else:
        from ._legacy_serialization import legacy_save

        write = legacy_save(obj, pickle_protocol)
    if not _is_path(f):
        write(f)
        return
    path = os.fspath(f)
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise RuntimeError(f"Parent directory {os.path.dirname(path) or parent} does not exist.")
    fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
