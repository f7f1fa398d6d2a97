"""Layer classes, re-exported by ``mlx_compat.nn``."""

from mlx_compat.nn.modules.activation import LogSoftmax, ReLU, Softmax
from mlx_compat.nn.modules.container import ModuleDict, ModuleList, Sequential
from mlx_compat.nn.modules.linear import Identity, Linear
from mlx_compat.nn.modules.loss import CrossEntropyLoss, MSELoss, NLLLoss
from mlx_compat.nn.modules.module import Module

__all__ = [
    "CrossEntropyLoss",
    "Identity",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "Module",
    "ModuleDict",
    "ModuleList",
    "NLLLoss",
    "ReLU",
    "Sequential",
    "Softmax",
]
