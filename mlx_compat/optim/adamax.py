"""Adamax: Adam with the infinity norm."""

import mlx_compat as torch
from mlx_compat.optim import _helpers
from mlx_compat.optim.optimizer import _get_value, _to_scalar

__all__ = ["Adamax"]


class Adamax(_helpers.GroupwiseOptimizer):
    """torch.optim.Adamax: the single-tensor update rule, one parameter at a time."""

    _group_defaults = _helpers.FLAG_DEFAULTS
    _tensor_state = ("step",)

    def __init__(
        self,
        params,
        lr=2e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        foreach=None,
        *,
        maximize=False,
        differentiable=False,
        capturable=False,
    ):
        _helpers.check_args(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _update_group(self, group, touched):
        lr = _to_scalar(group["lr"])
        beta1, beta2 = group["betas"]
        eps = group["eps"]
        updates = self._updates(
            group, touched, "Adamax does not support sparse gradients", ("exp_avg", "exp_inf")
        )
        for param, grad, state in updates:
            exp_avg, exp_inf, step_t = state["exp_avg"], state["exp_inf"], state["step"]
            step_t += 1
            grad = _helpers.apply_weight_decay(param, grad, group["weight_decay"])
            if param.is_complex():
                param, grad, exp_avg, exp_inf = _helpers.as_real(param, grad, exp_avg, exp_inf)
            exp_avg.lerp_(grad, 1 - beta1)
            if group["differentiable"]:
                stacked = torch.cat(
                    [exp_inf.mul_(beta2).unsqueeze(0), grad.abs().add_(eps).unsqueeze(0)], 0
                )
                exp_inf.copy_(torch.amax(stacked, 0, keepdim=False))
            else:
                torch.maximum(exp_inf.mul_(beta2), grad.abs().add_(eps), out=exp_inf)
            clr = lr / (1 - beta1 ** _get_value(step_t))
            param.addcdiv_(exp_avg, exp_inf, value=-clr)
