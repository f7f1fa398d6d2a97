"""``torch.backends.mps``: whether Apple's Metal GPU backend can be used."""

from ... import _C

__all__ = ["is_available", "is_built"]


def is_available() -> bool:
    """True if tensors can be placed on the ``mps`` device."""
    return bool(_C._device_available("mps"))


def is_built() -> bool:
    """True if this build can use the Metal backend (MLX was built with Metal and finds a GPU)."""
    return bool(_C._device_available("mps"))
