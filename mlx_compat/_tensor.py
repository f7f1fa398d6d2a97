"""``torch.Tensor``: the Python class of every tensor (its C++ base is ``_C.TensorBase``)."""

from . import _C, _tensor_str

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
        return iter(self.unbind(0)) if hasattr(self, "unbind") else (
            self[i] for i in range(self.shape[0])
        )

    def __array__(self, dtype=None, copy=None):
        arr = self.detach().numpy()
        return arr if dtype is None else arr.astype(dtype, copy=False)

    def __reduce_ex__(self, protocol):
        raise TypeError("pickling tensors is provided by mlx_compat.save")

    def __contains__(self, element):
        return bool((self == element).any()) if hasattr(self, "any") else any(
            bool(x == element) for x in self.flatten().tolist()
        )

    def __rfloordiv__(self, other):
        return NotImplemented

    def to(self, *args, **kwargs):
        """Converts dtype and/or device: to(dtype), to(device, dtype), to(other), kwargs."""
        dtype = kwargs.pop("dtype", None)
        device = kwargs.pop("device", None)
        copy = kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None)
        kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
        for a in args:
            if isinstance(a, _C.dtype):
                dtype = a
            elif isinstance(a, _C.TensorBase):
                dtype, device = a.dtype, a.device
            elif isinstance(a, (str, _C.device, int)):
                device = a
            elif isinstance(a, bool):
                continue
            else:
                raise TypeError(f"to() received an invalid combination of arguments: {a!r}")
        return self._to(dtype, device, copy)

    def type(self, dtype=None, non_blocking=False, **kwargs):
        if dtype is None:
            return "torch." + _LEGACY[self.dtype]
        if isinstance(dtype, str):
            for k, v in _LEGACY.items():
                if dtype in (v, "torch." + v):
                    return self.to(k)
            raise ValueError(f"invalid type: '{dtype}'")
        return self.to(dtype)

    def float(self):
        return self.to(_C.float32)

    def double(self):
        return self.to(_C.float64)

    def half(self):
        return self.to(_C.float16)

    def bfloat16(self):
        return self.to(_C.bfloat16)

    def long(self):
        return self.to(_C.int64)

    def int(self):
        return self.to(_C.int32)

    def short(self):
        return self.to(_C.int16)

    def char(self):
        return self.to(_C.int8)

    def byte(self):
        return self.to(_C.uint8)

    def bool(self):
        return self.to(_C.bool)

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None, non_blocking=False):
        return self.to("cuda" if device is None else device)

    def retain_grad(self):
        if self.is_leaf:
            return
        raise RuntimeError("retain_grad() on non-leaf tensors is not available yet")


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

_C._set_tensor_class(Tensor)
