"""``torch.backends``: queries about the compute backends of this build."""

from . import mps

__all__ = ["mps"]
