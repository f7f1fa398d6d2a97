"""Pieces the optimizers share: argument checks, per-parameter state and step plumbing."""

import mlx_compat as torch
from mlx_compat.optim.optimizer import (
    Optimizer,
    _get_scalar_dtype,
    _use_grad_for_differentiable,
)

# names torch spells differently in its "Invalid ... value" messages
_LABELS = {"eps": "epsilon"}

# group entries most optimizers fill in when loading an older saved state
FLAG_DEFAULTS: dict = {
    "foreach": None,
    "maximize": False,
    "differentiable": False,
    "capturable": False,
}


def check_lr(lr):
    if isinstance(lr, torch.Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def check_args(**values):
    """Raise torch's ValueError for the first out-of-range value, in the order given.

    ``lr`` and ``betas`` get their own checks; every other value must be >= 0.
    """
    for name, value in values.items():
        if name == "lr":
            check_lr(value)
        elif name == "betas":
            for i in (0, 1):
                if not 0.0 <= value[i] < 1.0:
                    raise ValueError(f"Invalid beta parameter at index {i}: {value[i]}")
        elif not 0.0 <= value:
            raise ValueError(f"Invalid {_LABELS.get(name, name)} value: {value}")


def check_fused(fused, differentiable, foreach):
    if fused:
        if differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


def params_with_grad(group, sparse_message=None):
    """(param, grad) for each param of ``group`` that has a gradient, negated for ``maximize``.

    A sparse gradient raises RuntimeError(``sparse_message``) when a message is given.
    """
    for param in group["params"]:
        if param.grad is None:
            continue
        if sparse_message is not None and getattr(param.grad, "is_sparse", False):
            raise RuntimeError(sparse_message)
        yield param, (param.grad if not group["maximize"] else -param.grad)


def apply_weight_decay(param, grad, weight_decay, lr=None, decoupled=False):
    """Shrink ``param`` in place when ``decoupled``, else add it to ``grad``; returns the grad."""
    if weight_decay == 0:
        return grad
    if decoupled:
        param.mul_(1 - lr * weight_decay)
        return grad
    return grad.add(param, alpha=weight_decay)


def as_real(*tensors):
    """Real views (trailing dim of 2) of complex tensors."""
    return tuple(torch.view_as_real(t) for t in tensors)


class GroupwiseOptimizer(Optimizer):
    """An optimizer whose step updates each param group in turn, then evaluates once.

    Subclasses define ``_update_group(group, touched)``: move the group's parameters one
    step and add every tensor written to ``touched``.
    """

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()``'s loss."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        touched = []
        for group in self.param_groups:
            self._update_group(group, touched)
        self._eval_step(touched)
        return loss

    def _param_state(self, param, zeros=(), scalars=None, filled=None):
        """``param``'s state, made on first use.

        In this order: a 0-d ``step`` of 0, the 0-d ``scalars`` (name: value), a zero buffer
        like ``param`` per name in ``zeros``, a buffer like ``param`` per ``filled`` entry
        holding its value (a real value fills both parts of a complex buffer).
        """
        state = self.state[param]
        if len(state) == 0:
            dtype = _get_scalar_dtype()
            state["step"] = torch.tensor(0.0, dtype=dtype)
            for name, value in (scalars or {}).items():
                state[name] = torch.as_tensor(value, dtype=dtype).clone().detach()
            for name in zeros:
                state[name] = torch.zeros_like(param)
            for name, value in (filled or {}).items():
                if param.is_complex():
                    value = complex(value, value)
                state[name] = torch.full_like(param, value)
        return state

    def _updates(self, group, touched, sparse_message, zeros=(), scalars=None, filled=None):
        """(param, grad, state) for each param of ``group`` with a gradient.

        The state is made on first use (see ``_param_state``); the param and all of its
        state go into ``touched``.
        """
        for param, grad in params_with_grad(group, sparse_message):
            state = self._param_state(param, zeros, scalars, filled)
            touched += [param, *state.values()]
            yield param, grad, state
