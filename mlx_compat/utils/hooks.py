"""Handles returned by ``register_*_hook`` methods (mirrors ``torch.utils.hooks``)."""

import weakref
from typing import Any

__all__ = ["RemovableHandle"]


def _ref(container: Any) -> Any:
    """Weak reference when the container allows one, else a callable returning it."""
    try:
        return weakref.ref(container)
    except TypeError:
        return lambda: container


class RemovableHandle:
    """Removes one registered hook (by id) from the dict(s) it was stored in."""

    id: int
    next_id: int = 0

    def __init__(self, hooks_dict: Any, *, extra_dict: Any = None) -> None:
        self.hooks_dict_ref = _ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        if extra_dict is None:
            extras: tuple = ()
        elif isinstance(extra_dict, list):
            extras = tuple(extra_dict)
        else:
            extras = (extra_dict,)
        self.extra_dict_ref = tuple(_ref(d) for d in extras)

    def remove(self) -> None:
        for ref in (self.hooks_dict_ref, *self.extra_dict_ref):
            container = ref()
            if container is not None and self.id in container:
                del container[self.id]

    def __getstate__(self):
        if self.extra_dict_ref:
            extras = [ref() for ref in self.extra_dict_ref]
            return (self.hooks_dict_ref(), self.id, extras)
        return (self.hooks_dict_ref(), self.id)

    def __setstate__(self, state) -> None:
        self.hooks_dict_ref = _ref({} if state[0] is None else state[0])
        self.id = state[1]
        RemovableHandle.next_id = max(RemovableHandle.next_id, self.id + 1)
        extras = state[2] if len(state) > 2 else []
        self.extra_dict_ref = tuple(_ref({} if d is None else d) for d in extras)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, exc_type: Any, exc_value: Any, tb: Any) -> None:
        self.remove()
