"""``mlx_compat.nn``: torch.nn's modules, parameters, functional and init."""

from mlx_compat.nn.parameter import Buffer, Parameter  # isort: skip
from mlx_compat.nn import functional, init
from mlx_compat.nn.modules import (
    CrossEntropyLoss,
    Identity,
    Linear,
    LogSoftmax,
    Module,
    ModuleDict,
    ModuleList,
    MSELoss,
    NLLLoss,
    ReLU,
    Sequential,
    Softmax,
)

__all__ = [
    "Buffer",
    "CrossEntropyLoss",
    "Identity",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "Module",
    "ModuleDict",
    "ModuleList",
    "NLLLoss",
    "Parameter",
    "ReLU",
    "Sequential",
    "Softmax",
    "functional",
    "init",
]
