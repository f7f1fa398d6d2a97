"""Adagrad with learning-rate decay and an initial accumulator value."""

from mlx_compat.optim import _helpers
from mlx_compat.optim.optimizer import _get_value, _to_scalar

__all__ = ["Adagrad"]


class Adagrad(_helpers.GroupwiseOptimizer):
    """torch.optim.Adagrad: the single-tensor update rule; state is created up front."""

    _group_defaults = {
        "foreach": None,
        "maximize": False,
        "differentiable": False,
        "fused": None,
    }
    _tensor_state = ("step",)

    def __init__(
        self,
        params,
        lr=1e-2,
        lr_decay=0,
        weight_decay=0,
        initial_accumulator_value=0,
        eps=1e-10,
        foreach=None,
        *,
        maximize=False,
        differentiable=False,
        fused=None,
    ):
        _helpers.check_args(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
        )
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        _helpers.check_fused(fused, differentiable, foreach)
        for group in self.param_groups:
            for p in group["params"]:
                self._param_state(p, filled=self._accumulator())

    def _accumulator(self):
        # the sum starts at the constructor's initial_accumulator_value
        return {"sum": self.defaults["initial_accumulator_value"]}

    def share_memory(self):
        """Kept for torch's API; MLX arrays need no shared-memory move."""

    def _update_group(self, group, touched):
        lr = _to_scalar(group["lr"])
        lr_decay, eps = group["lr_decay"], group["eps"]
        updates = self._updates(
            group,
            touched,
            "Adagrad with sparse gradients is not supported",
            filled=self._accumulator(),
        )
        for param, grad, state in updates:
            state_sum, step_t = state["sum"], state["step"]
            step_t += 1
            step = _get_value(step_t)
            grad = _helpers.apply_weight_decay(param, grad, group["weight_decay"])
            clr = lr / (1 + (step - 1) * lr_decay)
            if param.is_complex():
                grad, state_sum, param = _helpers.as_real(grad, state_sum, param)
            state_sum.addcmul_(grad, grad, value=1)
            if group["differentiable"]:
                std = state_sum.sqrt() + eps
            else:
                std = state_sum.sqrt().add_(eps)
            param.addcdiv_(grad, std, value=-clr)
