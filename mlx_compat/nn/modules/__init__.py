"""Layer classes, re-exported by ``mlx_compat.nn``. One family per file; each file's
``__all__`` lists what it contributes."""

from mlx_compat.nn.modules import (
    activation,
    container,
    distance,
    dropout,
    linear,
    loss,
    module,
    normalization,
    padding,
    sparse,
)
from mlx_compat.nn.modules.activation import *  # noqa: F403
from mlx_compat.nn.modules.container import *  # noqa: F403
from mlx_compat.nn.modules.distance import *  # noqa: F403
from mlx_compat.nn.modules.dropout import *  # noqa: F403
from mlx_compat.nn.modules.linear import *  # noqa: F403
from mlx_compat.nn.modules.loss import *  # noqa: F403
from mlx_compat.nn.modules.module import *  # noqa: F403
from mlx_compat.nn.modules.normalization import *  # noqa: F403
from mlx_compat.nn.modules.padding import *  # noqa: F403
from mlx_compat.nn.modules.sparse import *  # noqa: F403

__all__ = sorted(
    activation.__all__
    + container.__all__
    + distance.__all__
    + dropout.__all__
    + linear.__all__
    + loss.__all__
    + module.__all__
    + normalization.__all__
    + padding.__all__
    + sparse.__all__
)
