"""RMSprop with optional momentum and centering."""

from mlx_compat.optim import _helpers
from mlx_compat.optim.optimizer import _to_scalar

__all__ = ["RMSprop"]


class RMSprop(_helpers.GroupwiseOptimizer):
    """torch.optim.RMSprop: the single-tensor update rule, one parameter at a time."""

    _group_defaults = {
        "momentum": 0,
        "centered": False,
        "foreach": None,
        "maximize": False,
        "differentiable": False,
        "capturable": False,
    }
    _tensor_state = ("step",)

    def __init__(
        self,
        params,
        lr=1e-2,
        alpha=0.99,
        eps=1e-8,
        weight_decay=0,
        momentum=0,
        centered=False,
        capturable=False,
        foreach=None,
        maximize=False,
        differentiable=False,
    ):
        _helpers.check_args(
            lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha
        )
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _update_group(self, group, touched):
        lr = _to_scalar(group["lr"])
        alpha, eps, momentum = group["alpha"], group["eps"], group["momentum"]
        centered = group["centered"]
        buffers = ("square_avg",)
        buffers += ("momentum_buffer",) if momentum > 0 else ()
        buffers += ("grad_avg",) if centered else ()
        updates = self._updates(
            group, touched, "RMSprop does not support sparse gradients", buffers
        )
        for param, grad, state in updates:
            square_avg = state["square_avg"]
            state["step"] += 1
            grad = _helpers.apply_weight_decay(param, grad, group["weight_decay"])
            is_complex = param.is_complex()
            if is_complex:
                param, grad, square_avg = _helpers.as_real(param, grad, square_avg)
            square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
            if centered:
                grad_avg = state["grad_avg"]
                if is_complex:
                    (grad_avg,) = _helpers.as_real(grad_avg)
                grad_avg.lerp_(grad, 1 - alpha)
                avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
            else:
                avg = square_avg.sqrt()
            avg = avg.add(eps) if group["differentiable"] else avg.add_(eps)
            if momentum > 0:
                buf = state["momentum_buffer"]
                if is_complex:
                    (buf,) = _helpers.as_real(buf)
                buf.mul_(momentum).addcdiv_(grad, avg)
                param.add_(buf, alpha=-lr)
            else:
                param.addcdiv_(grad, avg, value=-lr)
