"""``torch.random``: seeding and state of the default CPU generator.

mlx_compat's generator reproduces torch's CPU random stream, so a seed gives the
same ``rand``/``randint``/``randperm`` numbers as torch. Its state tensor is
private to mlx_compat: states round-trip through ``get_rng_state`` and
``set_rng_state`` but cannot be exchanged with torch.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

from . import _C, cuda
from ._C import Generator, default_generator

__all__ = [
    "fork_rng",
    "get_rng_state",
    "initial_seed",
    "manual_seed",
    "seed",
    "set_rng_state",
]


def manual_seed(seed: Any) -> Generator:
    """Seeds the generators of every device and returns the default CPU generator.

    ``seed`` is converted with ``int()``; negative values are taken modulo 2**64.
    """
    seed = int(seed)
    cuda.manual_seed_all(seed)
    default_generator.manual_seed(seed)
    return default_generator


def seed() -> int:
    """Reseeds every device from a non-deterministic source; returns the new 64-bit seed."""
    new_seed = default_generator.seed()
    cuda.manual_seed_all(new_seed)
    return new_seed


def initial_seed() -> int:
    """The seed the default CPU generator was last seeded with."""
    return default_generator.initial_seed()


def get_rng_state() -> Any:
    """A copy of the default CPU generator's state, as a uint8 tensor."""
    return default_generator.get_state()


def set_rng_state(new_state: Any) -> None:
    """Restores the default CPU generator from a tensor returned by ``get_rng_state``."""
    default_generator.set_state(new_state)


# Device types whose generators fork_rng knows; MLX keeps no per-device generator
# state beyond the CPU one, so forking them only checks that the devices exist.
_DEVICE_MODULES: dict[str, Any] = {"cuda": cuda, "mps": None}


@contextlib.contextmanager
def fork_rng(
    devices: Iterable[Any] | None = None,
    enabled: bool = True,
    _caller: str = "fork_rng",
    _devices_kw: str = "devices",
    device_type: str | None = None,
) -> Iterator[None]:
    """Context manager that restores the random state on exit.

    The CPU state is always saved. ``devices`` lists the accelerator devices of
    ``device_type`` (default: the machine's accelerator) to fork too, all of them
    when omitted; ``enabled=False`` turns the manager into a no-op and
    ``device_type="meta"`` forks nothing.
    """
    if device_type == "meta":
        yield
        return
    if device_type is None:
        # the current accelerator, else cuda (the CPU state is forked regardless)
        device_type = "mps" if _C._device_available("mps") and not cuda.is_available() else "cuda"
    if device_type not in _DEVICE_MODULES:
        _C.device(device_type)  # an unknown type raises torch's error here
        raise RuntimeError(
            f"torch has no module of `{device_type}`, you should register "
            "a module by `torch._register_device_module`."
        )
    if not enabled:
        yield
        return
    device_mod = _DEVICE_MODULES[device_type]
    if devices is None:
        devices = range(device_mod.device_count()) if device_mod is not None else []
    devices = list(devices)
    if device_mod is not None:
        for device in devices:
            device_mod._check_device(device)
    cpu_state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(cpu_state)
