"""Private helpers of ``utils.data`` (collation)."""

from mlx_compat.utils.data._utils import collate

__all__ = ["collate"]
