"""``nn.Parameter`` and ``nn.Buffer``: tensor markers that modules register."""

import mlx_compat as torch

__all__ = ["Parameter", "Buffer"]


def _rebuild_parameter(data, requires_grad):
    """Unpickling helper: turn ``data`` back into a Parameter."""
    return Parameter(data, requires_grad)


class Parameter(torch.Tensor):
    """A Tensor that a Module registers as one of its parameters on assignment.

    ``Parameter(data, requires_grad=True)`` aliases ``data``'s storage; it is a
    leaf that requires grad unless told otherwise.
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = torch.empty(0)
        return torch.Tensor._make_subclass(cls, data, requires_grad)

    def __init__(self, data=None, requires_grad=True):
        # Everything happens in __new__; this only swallows the arguments so
        # that the base class initialiser never sees them.
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, proto):
        # Hooks are never serialised (as in torch): data and the flag only.
        return (_rebuild_parameter, (self.data, self.requires_grad))


class _BufferMeta(type):
    # ``isinstance(t, Buffer)`` is true for any tensor tagged as a buffer.
    def __instancecheck__(cls, instance):
        if cls is Buffer:
            return isinstance(instance, torch.Tensor) and getattr(instance, "_is_buffer", False)
        return super().__instancecheck__(instance)


class Buffer(metaclass=_BufferMeta):
    """Marks a tensor to be registered as a module buffer on assignment.

    ``Buffer(data, persistent=True)`` returns a detached alias of ``data``
    tagged with ``persistent``; assigning it to a Module attribute calls
    ``register_buffer``.
    """

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = torch.empty(0)
        t = data.detach().requires_grad_(data.requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t
