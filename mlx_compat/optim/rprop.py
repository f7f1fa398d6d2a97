"""Rprop: resilient backpropagation."""

import mlx_compat as torch
from mlx_compat.optim import _helpers
from mlx_compat.optim.optimizer import _to_scalar

__all__ = ["Rprop"]


class Rprop(_helpers.GroupwiseOptimizer):
    """torch.optim.Rprop: the single-tensor update rule, one parameter at a time."""

    _group_defaults = _helpers.FLAG_DEFAULTS
    _tensor_state = ("step",)

    def __init__(
        self,
        params,
        lr=1e-2,
        etas=(0.5, 1.2),
        step_sizes=(1e-6, 50),
        *,
        capturable=False,
        foreach=None,
        maximize=False,
        differentiable=False,
    ):
        _helpers.check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {
            "lr": lr,
            "etas": etas,
            "step_sizes": step_sizes,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _update_group(self, group, touched):
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        for param, grad in _helpers.params_with_grad(
            group, "Rprop does not support sparse gradients"
        ):
            state = self.state[param]
            if len(state) == 0:
                # the lr is read back only when the state is first made
                lr = _to_scalar(group["lr"])
                self._param_state(param, ("prev",), filled={"step_size": lr})
            prev, step_size = state["prev"], state["step_size"]
            touched += [param, *state.values()]
            state["step"] += 1
            if param.is_complex():
                grad, prev, param, step_size = _helpers.as_real(grad, prev, param, step_size)
            sign = grad.mul(prev.clone() if group["differentiable"] else prev).sign()
            factor = torch.where(sign.gt(0), etaplus, torch.where(sign.lt(0), etaminus, 1.0)).to(
                sign.dtype
            )
            step_size.mul_(factor).clamp_(step_size_min, step_size_max)
            grad = torch.where(sign.lt(0), torch.zeros_like(grad), grad)
            param.addcmul_(grad.sign(), step_size, value=-1)
            prev.copy_(grad)
