"""``torch.Tensor``: the Python class of every tensor (its C++ base is ``_C.TensorBase``)."""

from . import _C, _tensor_str
from . import _memory_format as _mf

__all__ = ["Tensor"]


class Tensor(_C.TensorBase):
    """A multi-dimensional array with autograd support, backed by MLX."""

    __module__ = "mlx_compat"

    def __repr__(self, *, tensor_contents=None):
        return _tensor_str._str(self)

    def __str__(self):
        return self.__repr__()

    def __format__(self, spec):
        if self.dim() == 0 and not self.requires_grad:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Computes the gradient of this tensor with respect to graph leaves."""
        from . import autograd

        autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def __iter__(self):
        if self.dim() == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (
            iter(self.unbind(0))
            if hasattr(self, "unbind")
            else (self[i] for i in range(self.shape[0]))
        )

    def __dlpack__(self, stream=None, **kwargs):
        """DLPack capsule over the tensor's memory (CPU), shared without a copy."""
        if self.requires_grad:
            raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
        if self.is_conj():
            raise BufferError("Can't export tensors with the conjugate bit set")
        return self.numpy(force=self.is_neg()).__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return (1, 0)  # kDLCPU, device 0

    def __array__(self, dtype=None, copy=None):
        arr = self.detach().numpy()
        return arr if dtype is None else arr.astype(dtype, copy=False)

    def __reduce_ex__(self, protocol):
        # Rebuilt from a numpy copy of the values; no code is stored. A conjugate or
        # negative view keeps its bit, as torch's pickles do: the values are stored
        # as the storage holds them.
        args = (type(self), _host_values(self), repr(self.dtype), self.requires_grad)
        if self.is_conj() or self.is_neg():
            raw = self.detach()
            raw = raw.conj() if raw.is_conj() else raw
            raw = raw._neg_view() if raw.is_neg() else raw
            args = (*args[:1], _host_values(raw), *args[2:], self.is_conj(), self.is_neg())
        return (_rebuild_tensor, args)

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        with _C_no_grad():
            new = self.clone()
        new = (
            type(self)._make_subclass(type(self), new, self.requires_grad)
            if (type(self) is not Tensor)
            else new.requires_grad_(self.requires_grad and self.is_leaf)
        )
        if self.grad is not None:
            new.grad = self.grad.clone()
        memo[id(self)] = new
        if hasattr(self, "__dict__"):
            import copy

            for k, v in self.__dict__.items():
                setattr(new, k, copy.deepcopy(v, memo))
        return new

    def __contains__(self, element):
        return (
            bool((self == element).any())
            if hasattr(self, "any")
            else any(bool(x == element) for x in self.flatten().tolist())
        )

    def to(self, *args, **kwargs):
        """Converts dtype and/or device: to(dtype), to(device, dtype), to(other), kwargs."""
        fmt = _mf.check(kwargs.pop("memory_format", None), "to", None)
        device, dtype, _, copy = _parse_to(*args, **kwargs)
        out = self._to(dtype, device, copy)  # a copy keeps a dense input's strides
        if fmt is None or fmt is _mf.preserve_format:
            return out
        _mf.check(fmt, "to", self)
        if out is self:
            if _mf.suggest(self) is fmt:
                return self  # as torch: nothing to convert
            out = self._to(dtype, device, True)  # one copy (ToCopyBackward0), as torch
        return _mf.adopt(out, fmt)

    # memory formats (see _memory_format.py); the default paths go straight to C++.
    def clone(self, *, memory_format=None):
        if memory_format is None or memory_format is _mf.preserve_format:
            return _C.TensorBase.clone(self)
        return _mf.laid_out(self, _mf.check(memory_format, "clone", self), copy=True)

    def contiguous(self, memory_format=None):
        if memory_format is None or memory_format is _mf.contiguous_format:
            return _C.TensorBase.contiguous(self)
        fmt = _mf.check(memory_format, "contiguous", self)
        if fmt is _mf.preserve_format:
            if _C.TensorBase.is_contiguous(self):
                return self
            raise RuntimeError("preserve memory format is unsupported by the contiguous operator")
        return _mf.laid_out(self, fmt, copy=False)

    def is_contiguous(self, memory_format=None):
        if memory_format is None:
            return _C.TensorBase.is_contiguous(self)
        return _mf.is_contiguous_as(self, _mf.check(memory_format, "is_contiguous"))

    def fill_diagonal_(self, fill_value, wrap=False):
        """Fills the main diagonal (all indices equal) in place; a tall 2-D matrix with
        ``wrap`` continues the diagonal every ``columns + 1`` rows, as torch does."""
        n = self.dim()
        if n < 2:
            raise RuntimeError("dimensions must larger than 1")
        if n > 2 and any(s != self.size(0) for s in self.shape):
            raise RuntimeError("all dimensions of input must be of equal length")
        step = sum(self.stride())
        size = min(self.shape)
        offset = self.storage_offset()
        self.as_strided((size,), (step,), offset).fill_(fill_value)
        height, width = (self.size(0), self.size(1)) if n == 2 else (0, 0)
        if wrap and n == 2 and height > width + 1:
            extra = (self.numel() + width) // (width + 1) - size
            start = offset + self.stride(0) * (width + 1)
            self.as_strided((extra,), (step,), start).fill_(fill_value)
        return self

    # new_* factories: this tensor's dtype and device unless given.
    def _new_opts(self, dtype, device, requires_grad):
        return {
            "dtype": self.dtype if dtype is None else dtype,
            "device": self.device if device is None else device,
            "requires_grad": requires_grad,
        }

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, **kw):
        return _C._VariableFunctions.zeros(*size, **self._new_opts(dtype, device, requires_grad))

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False, **kw):
        return _C._VariableFunctions.ones(*size, **self._new_opts(dtype, device, requires_grad))

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False, **kw):
        return _C._VariableFunctions.empty(*size, **self._new_opts(dtype, device, requires_grad))

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, **kw):
        opts = self._new_opts(dtype, device, requires_grad)
        return _C._VariableFunctions.full(size, fill_value, **opts)

    def new_empty_strided(
        self, size, stride, *, dtype=None, device=None, requires_grad=False, **kw
    ):
        opts = self._new_opts(dtype, device, requires_grad)
        return _C._VariableFunctions.empty_strided(size, stride, **opts)

    def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, **kw):
        opts = self._new_opts(dtype, device, requires_grad)
        return _C._VariableFunctions.tensor(data, **opts)

    def type(self, dtype=None, non_blocking=False, **kwargs):
        if dtype is None:
            return "torch." + _LEGACY[self.dtype]
        if isinstance(dtype, str):
            for k, v in _LEGACY.items():
                if dtype in (v, "torch." + v):
                    return self.to(k)
            raise ValueError(f"invalid type: '{dtype}'")
        return self.to(dtype)

    def type_as(self, other):
        return self.type(other.type())

    def fliplr(self):
        return _C._VariableFunctions.fliplr(self)

    def flipud(self):
        return _C._VariableFunctions.flipud(self)

    def prelu(self, weight):
        return _C._VariableFunctions.prelu(self, weight)

    def get_device(self):
        """-1 for CPU tensors, the device index otherwise (as torch)."""
        return -1 if self.device.type == "cpu" else (self.device.index or 0)

    def const_data_ptr(self):
        return self.data_ptr()

    def is_set_to(self, tensor):
        """Same storage, offset, sizes and strides."""
        return (
            self.untyped_storage().data_ptr() == tensor.untyped_storage().data_ptr()
            and self.storage_offset() == tensor.storage_offset()
            and self.shape == tensor.shape
            and self.stride() == tensor.stride()
        )

    def __complex__(self):
        if self.numel() != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return complex(self.detach().reshape(()).item())

    def __reversed__(self):
        return self if self.dim() == 0 else self.flip(0)

    # Python callables over the elements (CPU, as torch's): each writes its results
    # into self, converted to self's dtype.
    def apply_(self, callable):
        _check_map("apply_", self)
        return _map_into(self, callable)

    def map_(self, tensor, callable):
        _check_map("map_", self, tensor)
        _check_map_dtype("map_", self, tensor, "'other'")
        return _map_into(self, callable, tensor)

    def map2_(self, x, y, callable):
        _check_map("map2_", self, x, y)
        _check_map_dtype("map2_", self, x, "argument 'x'")
        _check_map_dtype("map2_", self, y, "argument 'y'")
        return _map_into(self, callable, x, y)

    def float(self, memory_format=None):
        return self.to(_C.float32)

    def double(self, memory_format=None):
        return self.to(_C.float64)

    def cfloat(self, memory_format=None):
        return self.to(_C.complex64)

    def half(self, memory_format=None):
        return self.to(_C.float16)

    def bfloat16(self, memory_format=None):
        return self.to(_C.bfloat16)

    def long(self, memory_format=None):
        return self.to(_C.int64)

    def int(self, memory_format=None):
        return self.to(_C.int32)

    def short(self, memory_format=None):
        return self.to(_C.int16)

    def char(self, memory_format=None):
        return self.to(_C.int8)

    def byte(self, memory_format=None):
        return self.to(_C.uint8)

    def bool(self, memory_format=None):
        return self.to(_C.bool)

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None, non_blocking=False):
        return self.to("cuda" if device is None else device)


_LEGACY = {
    _C.float32: "FloatTensor",
    _C.float64: "DoubleTensor",
    _C.float16: "HalfTensor",
    _C.bfloat16: "BFloat16Tensor",
    _C.int64: "LongTensor",
    _C.int32: "IntTensor",
    _C.int16: "ShortTensor",
    _C.int8: "CharTensor",
    _C.uint8: "ByteTensor",
    _C.bool: "BoolTensor",
    _C.complex64: "ComplexFloatTensor",
}


def _parse_to(*args, **kwargs):
    """Splits the arguments of ``Tensor.to``/``Module.to`` into
    (device, dtype, non_blocking, copy), accepting torch's forms: to(dtype),
    to(device[, dtype]), to(tensor), then non_blocking and copy flags, or keywords."""
    device = kwargs.pop("device", None)
    dtype = kwargs.pop("dtype", None)
    non_blocking = kwargs.pop("non_blocking", False)
    copy = kwargs.pop("copy", False)
    _mf.check(kwargs.pop("memory_format", None), "to")
    if kwargs:
        raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
    rest = list(args)
    if rest and isinstance(rest[0], _C.TensorBase):
        other = rest.pop(0)
        device, dtype = other.device, other.dtype
    elif rest and (
        rest[0] is None or isinstance(rest[0], (str, _C.device)) or type(rest[0]) is int
    ):
        device = rest.pop(0)
    if rest and (rest[0] is None or isinstance(rest[0], _C.dtype)):
        dtype = rest.pop(0)
    if len(rest) > 2 or not all(isinstance(a, bool) for a in rest):
        raise TypeError(f"to() received an invalid combination of arguments: {args!r}")
    if rest:
        non_blocking = rest[0]
    if len(rest) == 2:
        copy = rest[1]
    if device is not None and not isinstance(device, _C.device):
        device = _C.device(device)
    return device, dtype, non_blocking, copy


def _check_map(name, *tensors):
    if any(t.requires_grad for t in tensors):
        raise RuntimeError(
            f"Can't call {name}() on Variable that requires grad. "
            f"Use var.detach().{name}() instead."
        )


def _check_map_dtype(name, self, other, what):
    if other.dtype != self.dtype:
        raise TypeError(f"{name}: expected {self.type()} for {what} (got {other.type()})")


def _map_into(self, fn, *others):
    if not callable(fn):
        raise TypeError(f"'{type(fn).__name__}' object is not callable")
    columns = [self.reshape(-1).tolist()]
    columns += [o.expand_as(self).reshape(-1).tolist() for o in others]
    values = [fn(*args) for args in zip(*columns, strict=True)]
    new = _C._VariableFunctions.tensor(values, dtype=self.dtype).reshape(self.shape)
    return self.copy_(new)


def _host_values(t):
    v = t.detach()
    if v.dtype == _C.bfloat16:
        v = v.float()
    return v.numpy(force=True).copy()


def _rebuild_tensor(cls, values, dtype_repr, requires_grad, conj=False, neg=False):
    from . import _C as C

    dtype = getattr(C, dtype_repr.removeprefix("torch."))
    t = C._VariableFunctions.tensor(values, dtype=dtype)
    if conj:
        t = t.conj().detach()
    if neg:
        t = t._neg_view().detach()
    if cls is Tensor:
        return t.requires_grad_(requires_grad) if requires_grad else t
    return cls._make_subclass(cls, t, requires_grad)


class _C_no_grad:
    def __enter__(self):
        self.prev = _C.is_grad_enabled()
        _C._set_grad_enabled(False)

    def __exit__(self, *exc):
        _C._set_grad_enabled(self.prev)


_C._set_tensor_class(Tensor)
