"""Adadelta."""

import mlx_compat as torch
from mlx_compat.optim import _helpers
from mlx_compat.optim.optimizer import _to_scalar

__all__ = ["Adadelta"]


class Adadelta(_helpers.GroupwiseOptimizer):
    """torch.optim.Adadelta: the single-tensor update rule, one parameter at a time."""

    _group_defaults = _helpers.FLAG_DEFAULTS
    _tensor_state = ("step",)

    def __init__(
        self,
        params,
        lr=1.0,
        rho=0.9,
        eps=1e-6,
        weight_decay=0,
        foreach=None,
        *,
        capturable=False,
        maximize=False,
        differentiable=False,
    ):
        _helpers.check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _helpers.check_args(eps=eps, weight_decay=weight_decay)
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "capturable": capturable,
            "foreach": foreach,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _update_group(self, group, touched):
        lr = _to_scalar(group["lr"])
        rho, eps = group["rho"], group["eps"]
        updates = self._updates(
            group,
            touched,
            "Adadelta does not support sparse gradients",
            ("square_avg", "acc_delta"),
        )
        for param, grad, state in updates:
            square_avg, acc_delta = state["square_avg"], state["acc_delta"]
            state["step"] += 1
            grad = _helpers.apply_weight_decay(param, grad, group["weight_decay"])
            is_complex = param.is_complex()
            if is_complex:
                square_avg, acc_delta, grad = _helpers.as_real(square_avg, acc_delta, grad)
            square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
            std = square_avg.add(eps).sqrt_()
            delta = acc_delta.add(eps).sqrt_()
            if group["differentiable"]:
                delta = delta.clone()
            delta.div_(std).mul_(grad)
            acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
            if is_complex:
                delta = torch.view_as_complex(delta)
            param.add_(delta, alpha=-lr)
