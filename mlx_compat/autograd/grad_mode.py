"""Grad-mode context managers and decorators: no_grad, enable_grad, set_grad_enabled."""

import functools

from .. import _C

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled"]

is_grad_enabled = _C.is_grad_enabled


class _GradModeContext:
    """Base for context managers that are also usable as decorators."""

    _enabled: bool

    def __call__(self, func):
        if isinstance(func, type):
            raise TypeError("grad-mode decorators are applied to functions, not classes")

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return func(*args, **kwargs)

        return wrapper

    def __enter__(self):
        self._prev = _C.is_grad_enabled()
        _C._set_grad_enabled(self._enabled)
        return None

    def __exit__(self, *exc):
        _C._set_grad_enabled(self._prev)
        return False

    def clone(self):
        return self.__class__()


class no_grad(_GradModeContext):
    """Disables gradient recording inside the block or decorated function."""

    _enabled = False

    def __init__(self, orig_func=None):
        if orig_func is not None and callable(orig_func):
            raise TypeError("no_grad() takes no positional function; use @no_grad()")


class enable_grad(_GradModeContext):
    """Enables gradient recording inside the block or decorated function."""

    _enabled = True


class set_grad_enabled(_GradModeContext):
    """Sets grad mode on or off; acts at construction, as torch does, and as a context."""

    def __init__(self, mode: bool) -> None:
        self._prev = _C.is_grad_enabled()
        self._enabled = bool(mode)
        _C._set_grad_enabled(self._enabled)

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        _C._set_grad_enabled(self._prev)
        return False

    def __call__(self, func):
        _C._set_grad_enabled(self._prev)
        mode = self._enabled

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return func(*args, **kwargs)

        return wrapper

    def clone(self):
        return self.__class__(self._enabled)
