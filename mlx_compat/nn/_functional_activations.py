"""Activation functions of ``nn.functional`` (re-exported there)."""

import warnings

import mlx_compat as torch

_nn = torch._C._nn

__all__ = [
    "gelu",
    "silu",
    "mish",
    "elu",
    "selu",
    "celu",
    "leaky_relu",
    "softplus",
    "hardtanh",
    "relu6",
    "hardsigmoid",
    "hardswish",
    "softsign",
    "tanhshrink",
    "softshrink",
    "hardshrink",
    "logsigmoid",
    "threshold",
    "glu",
    "prelu",
    "sigmoid",
    "tanh",
    "softmin",
    "gumbel_softmax",
    "rrelu",
    "relu_",
    "elu_",
    "leaky_relu_",
    "hardtanh_",
    "threshold_",
    "celu_",
    "selu_",
    "rrelu_",
]


def _maybe_inplace(fn, input, inplace, *args, node=None):
    """torch's inplace=True: the input tensor itself receives fn(input, *args), with
    fn's history (its node renamed to ``node`` where torch names the in-place form's
    node apart, e.g. EluBackward1).

    The in-place form computes from a (lazy) copy of the input, so the value the
    backward needs is not the one the write overwrites, as torch's in-place
    activations keep the original self for their backward.
    """
    if not inplace:
        return fn(input, *args)
    result = fn(input.clone() if input.requires_grad else input, *args)
    return torch._C._inplace_result(input, result, node)


def gelu(input, approximate="none"):
    return _nn.gelu(input, approximate)


def silu(input, inplace=False):
    return _maybe_inplace(_nn.silu, input, inplace)


def mish(input, inplace=False):
    return _maybe_inplace(_nn.mish, input, inplace)


def elu(input, alpha=1.0, inplace=False):
    return _maybe_inplace(_nn.elu, input, inplace, alpha, node="EluBackward1")


def selu(input, inplace=False):
    return _maybe_inplace(torch.selu, input, inplace, node="EluBackward1")


def celu(input, alpha=1.0, inplace=False):
    return _maybe_inplace(torch.celu, input, inplace, alpha, node="CeluBackward1")


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return _maybe_inplace(_nn.leaky_relu, input, inplace, negative_slope, node="LeakyReluBackward1")


def softplus(input, beta=1.0, threshold=20.0):
    return _nn.softplus(input, beta, threshold)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _maybe_inplace(_nn.hardtanh, input, inplace, min_val, max_val)


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


def hardsigmoid(input, inplace=False):
    return _maybe_inplace(_nn.hardsigmoid, input, inplace)


def hardswish(input, inplace=False):
    return _maybe_inplace(_nn.hardswish, input, inplace)


def softsign(input):
    return _nn.softsign(input)


def tanhshrink(input):
    return _nn.tanhshrink(input)


def softshrink(input, lambd=0.5):
    return _nn.softshrink(input, lambd)


def hardshrink(input, lambd=0.5):
    return torch.hardshrink(input, lambd)


def logsigmoid(input):
    return _nn.log_sigmoid(input)


def threshold(input, threshold, value, inplace=False):
    return _maybe_inplace(
        torch.threshold, input, inplace, threshold, value, node="ThresholdBackward1"
    )


def glu(input, dim=-1):
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    return _nn.glu(input, dim)


def prelu(input, weight):
    return torch.prelu(input, weight)


def sigmoid(input):
    return torch.sigmoid(input)


def tanh(input):
    return torch.tanh(input)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        warnings.warn(
            "Implicit dimension choice for softmin has been deprecated. "
            "Change the call to include dim=X as an argument.",
            stacklevel=_stacklevel,
        )
        dim = 0 if input.dim() in (0, 1, 3) else 1
    return torch.softmax(-input if dtype is None else -input.to(dtype), dim)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: in training each negative input is scaled by its own
    uniform(lower, upper) draw; in evaluation by (lower + upper) / 2."""
    if inplace:
        return torch.rrelu_(input, lower, upper, training)
    return torch.rrelu(input, lower, upper, training)


# In-place spellings (torch.nn.functional.relu_ ...): the inplace=True forms.
def relu_(input):
    return torch.relu_(input)


def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def threshold_(input, threshold, value):
    return _maybe_inplace(torch.threshold, input, True, threshold, value, node="ThresholdBackward1")


def celu_(input, alpha=1.0):
    return celu(input, alpha, inplace=True)


def selu_(input):
    return selu(input, inplace=True)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return torch.rrelu_(input, lower, upper, training)


def gumbel_softmax(logits, tau=1.0, hard=False, eps=1e-10, dim=-1):
    """Samples from the Gumbel-softmax distribution: softmax((logits + g) / tau) with
    g = -log(Exponential(1)) noise drawn on the generator's stream; ``hard`` returns
    one-hot samples whose gradient is the soft sample's (straight-through)."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    noise = -torch.empty_like(logits).exponential_().log()
    y_soft = ((logits + noise) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = torch.zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft
