"""NAdam: Adam with Nesterov momentum and a momentum-decay schedule."""

from mlx_compat.optim import _helpers
from mlx_compat.optim.optimizer import _get_value, _to_scalar

__all__ = ["NAdam"]


class NAdam(_helpers.GroupwiseOptimizer):
    """torch.optim.NAdam: the single-tensor update rule, one parameter at a time."""

    _group_defaults = {
        "maximize": False,
        "foreach": None,
        "capturable": False,
        "differentiable": False,
        "decoupled_weight_decay": False,
    }
    _tensor_state = ("step", "mu_product")

    def __init__(
        self,
        params,
        lr=2e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        momentum_decay=4e-3,
        decoupled_weight_decay=False,
        *,
        foreach=None,
        maximize=False,
        capturable=False,
        differentiable=False,
    ):
        _helpers.check_args(
            lr=lr, eps=eps, betas=betas, weight_decay=weight_decay, momentum_decay=momentum_decay
        )
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _update_group(self, group, touched):
        lr = _to_scalar(group["lr"])
        beta1, beta2 = group["betas"]
        eps = group["eps"]
        momentum_decay = group["momentum_decay"]
        updates = self._updates(
            group,
            touched,
            "NAdam does not support sparse gradients",
            ("exp_avg", "exp_avg_sq"),
            {"mu_product": 1.0},
        )
        for param, grad, state in updates:
            exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
            mu_product, step_t = state["mu_product"], state["step"]
            if param.is_complex():
                param, grad, exp_avg, exp_avg_sq = _helpers.as_real(
                    param, grad, exp_avg, exp_avg_sq
                )
            step_t += 1
            step = _get_value(step_t)
            bias_correction2 = 1 - beta2**step
            grad = _helpers.apply_weight_decay(
                param, grad, group["weight_decay"], lr, group["decoupled_weight_decay"]
            )
            mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
            mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
            mu_product *= mu
            exp_avg.lerp_(grad, 1 - beta1)
            exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            denom = exp_avg_sq.div(bias_correction2).sqrt()
            if group["differentiable"]:
                denom = denom.add(eps)
                mu_product_next = mu_product * mu_next
                grad = grad * (-lr * (1.0 - mu) / (1.0 - mu_product))
                exp_avg = exp_avg * (-lr * mu_next / (1.0 - mu_product_next))
                param.addcdiv_(grad, denom)
                param.addcdiv_(exp_avg, denom)
                continue
            mu_product_value = _get_value(mu_product)
            mu_product_next = mu_product_value * mu_next
            denom.add_(eps)
            param.addcdiv_(grad, denom, value=(-lr * (1.0 - mu) / (1.0 - mu_product_value)))
            param.addcdiv_(exp_avg, denom, value=(-lr * mu_next) / (1.0 - mu_product_next))
