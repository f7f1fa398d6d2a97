"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

import mlx_compat as torch
from mlx_compat.optim import _helpers
from mlx_compat.optim.optimizer import _to_scalar

__all__ = ["SGD"]


class SGD(_helpers.GroupwiseOptimizer):
    """torch.optim.SGD: the single-tensor update rule, one parameter at a time."""

    _group_defaults = {
        "nesterov": False,
        "maximize": False,
        "foreach": None,
        "differentiable": False,
        "fused": False,
    }

    def __init__(
        self,
        params,
        lr=1e-3,
        momentum=0,
        dampening=0,
        weight_decay=0,
        nesterov=False,
        *,
        maximize=False,
        foreach=None,
        differentiable=False,
        fused=None,
    ):
        if isinstance(lr, torch.Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        # torch's SGD compares with ``<`` here, so a NaN passes
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        _helpers.check_fused(fused, differentiable, foreach)

    def _update_group(self, group, touched):
        lr = _to_scalar(group["lr"])
        momentum = group["momentum"]
        dampening = group["dampening"]
        for p, grad in _helpers.params_with_grad(group):
            grad = _helpers.apply_weight_decay(p, grad, group["weight_decay"])
            if momentum != 0:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = grad.detach().clone()
                else:
                    buf.mul_(momentum).add_(grad, alpha=1 - dampening)
                state["momentum_buffer"] = buf
                touched.append(buf)
                grad = grad.add(buf, alpha=momentum) if group["nesterov"] else buf
            p.add_(grad, alpha=-lr)
            touched.append(p)
