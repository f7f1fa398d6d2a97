"""ASGD: averaged stochastic gradient descent."""

import mlx_compat as torch
from mlx_compat.optim import _helpers
from mlx_compat.optim.optimizer import _get_value, _to_scalar

__all__ = ["ASGD"]


class ASGD(_helpers.GroupwiseOptimizer):
    """torch.optim.ASGD: the single-tensor update rule, one parameter at a time."""

    _group_defaults = _helpers.FLAG_DEFAULTS
    _tensor_state = ("step", "eta", "mu")

    def __init__(
        self,
        params,
        lr=1e-2,
        lambd=1e-4,
        alpha=0.75,
        t0=1e6,
        weight_decay=0,
        foreach=None,
        maximize=False,
        differentiable=False,
        capturable=False,
    ):
        _helpers.check_args(lr=lr, weight_decay=weight_decay)
        defaults = {
            "lr": lr,
            "lambd": lambd,
            "alpha": alpha,
            "t0": t0,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _update_group(self, group, touched):
        lr = _to_scalar(group["lr"])
        lambd, alpha, t0 = group["lambd"], group["alpha"], group["t0"]
        updates = self._updates(
            group,
            touched,
            "ASGD does not support sparse gradients",
            ("ax",),
            {"eta": lr, "mu": 1.0},
        )
        for param, grad, state in updates:
            mu, ax, eta, step_t = state["mu"], state["ax"], state["eta"], state["step"]
            if param.is_complex():
                grad, param, ax = _helpers.as_real(grad, param, ax)
            step_t += 1
            grad = _helpers.apply_weight_decay(param, grad, group["weight_decay"])
            eta_value = _get_value(eta)
            param.mul_(1 - lambd * eta_value)
            param.add_(grad, alpha=-eta_value)
            if mu.item() != 1:
                ax.add_(param.sub(ax).mul_(mu))
            else:
                ax.copy_(param)
            step = _get_value(step_t)
            eta.copy_(torch.as_tensor(lr / ((1 + lambd * lr * step) ** alpha)))
            mu.copy_(torch.as_tensor(1 / max(1, step - t0)))
