"""``torch.cuda``: CUDA device queries, answered from MLX's view of the machine.

When MLX has no CUDA device these behave as in a torch build without CUDA:
queries report nothing available, seeding is silently accepted, and calls that
need a device raise ``AssertionError("Torch not compiled with CUDA enabled")``.
"""

from __future__ import annotations

from typing import Any

from .. import _C

__all__ = [
    "current_device",
    "device_count",
    "empty_cache",
    "get_device_name",
    "is_available",
    "is_initialized",
    "manual_seed",
    "manual_seed_all",
    "synchronize",
]

_NOT_COMPILED = "Torch not compiled with CUDA enabled"


def is_available() -> bool:
    """True if a CUDA device can run tensors."""
    return bool(_C._device_available("cuda"))


def device_count() -> int:
    """Number of usable CUDA devices (0 when none)."""
    return int(_C._device_count("cuda"))


def is_initialized() -> bool:
    """Whether CUDA state is set up; MLX sets up its device on first use of the backend."""
    return is_available()


def _require() -> None:
    if not is_available():
        raise AssertionError(_NOT_COMPILED)


def _device_index(device: Any) -> int:
    """Index named by ``device`` (None, int, str or device) for the CUDA functions."""
    if device is None:
        return current_device()
    if isinstance(device, int):
        index = device
    else:
        d = device if isinstance(device, _C.device) else _C.device(device)
        if d.type != "cuda":
            raise ValueError(f"Expected a cuda device, but got: {d}")
        index = current_device() if d.index is None else d.index
    if not 0 <= index < device_count():
        raise AssertionError("Invalid device id")
    return index


def _check_device(device: Any) -> int:
    """Index of ``device``, raising torch's errors when it does not exist."""
    _require()
    return _device_index(device)


def current_device() -> int:
    """Index of the selected CUDA device."""
    _require()
    return 0


def synchronize(device: Any = None) -> None:
    """Waits for queued work on ``device``; MLX evaluates at sync points, so nothing is pending."""
    _check_device(device)


def get_device_name(device: Any = None) -> str:
    """Name of a CUDA device."""
    _check_device(device)
    return "CUDA GPU (MLX)"


def manual_seed(seed: int) -> None:
    """Seeds the current CUDA device's generator; accepted and ignored without a device."""
    int(seed)


def manual_seed_all(seed: int) -> None:
    """Seeds every CUDA device's generator; accepted and ignored without a device."""
    int(seed)


def empty_cache() -> None:
    """Releases cached device memory; a no-op here."""
