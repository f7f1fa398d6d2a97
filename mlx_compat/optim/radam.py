"""RAdam: Adam with a rectified adaptive learning rate."""

from mlx_compat.optim import _helpers
from mlx_compat.optim.optimizer import _get_value, _to_scalar

__all__ = ["RAdam"]


class RAdam(_helpers.GroupwiseOptimizer):
    """torch.optim.RAdam: the single-tensor update rule, one parameter at a time."""

    _group_defaults = {
        "foreach": None,
        "maximize": False,
        "differentiable": False,
        "decoupled_weight_decay": False,
        "capturable": False,
    }
    _tensor_state = ("step",)

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        decoupled_weight_decay=False,
        *,
        foreach=None,
        maximize=False,
        capturable=False,
        differentiable=False,
    ):
        _helpers.check_args(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "decoupled_weight_decay": decoupled_weight_decay,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _update_group(self, group, touched):
        lr = _to_scalar(group["lr"])
        beta1, beta2 = group["betas"]
        eps = group["eps"]
        rho_inf = 2 / (1 - beta2) - 1
        updates = self._updates(
            group, touched, "RAdam does not support sparse gradients", ("exp_avg", "exp_avg_sq")
        )
        for param, grad, state in updates:
            exp_avg, exp_avg_sq, step_t = state["exp_avg"], state["exp_avg_sq"], state["step"]
            if param.is_complex():
                param, grad, exp_avg, exp_avg_sq = _helpers.as_real(
                    param, grad, exp_avg, exp_avg_sq
                )
            step_t += 1
            step = _get_value(step_t)
            grad = _helpers.apply_weight_decay(
                param, grad, group["weight_decay"], lr, group["decoupled_weight_decay"]
            )
            exp_avg.lerp_(grad, 1 - beta1)
            exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            bias_correction1 = 1 - beta1**step
            bias_correction2 = 1 - beta2**step
            corrected = exp_avg / bias_correction1
            rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
            if rho_t > 5.0:
                rect = (
                    (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
                ) ** 0.5
                sq_sqrt = exp_avg_sq.sqrt()
                if group["differentiable"]:
                    sq_sqrt = sq_sqrt.add(eps)
                else:
                    sq_sqrt = sq_sqrt.add_(eps)
                adaptive = (bias_correction2**0.5) / sq_sqrt
                param.add_(corrected * lr * adaptive * rect, alpha=-1.0)
            else:
                param.add_(corrected * lr, alpha=-1.0)
