"""``mlx_compat.utils``: data loading and hook handles."""

from mlx_compat.utils import data, hooks

__all__ = ["data", "hooks"]
