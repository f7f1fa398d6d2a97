"""torch.utils.checkpoint: recompute a segment's forward during backward instead of
keeping its intermediate values. Both of torch's variants:

- reentrant (use_reentrant=True): an autograd.Function that runs the segment under
  no_grad, then in backward reruns it with grad enabled and backpropagates through it;
- non-reentrant (use_reentrant=False): the segment runs normally under
  saved_tensors_hooks that keep only a placeholder per saved value; the first unpack
  reruns the segment once, capturing the saved values in the same order.

The random-number state is restored for the rerun (preserve_rng_state), so dropout
draws the same mask twice.
"""

import contextlib
import warnings

import mlx_compat as torch
from mlx_compat.autograd.function import Function
from mlx_compat.autograd.graph import saved_tensors_hooks

__all__ = ["checkpoint", "checkpoint_sequential", "noop_context_fn", "CheckpointError"]


class CheckpointError(RuntimeError):
    """Raised when the recomputed forward does not match the original one."""


def noop_context_fn():
    return contextlib.nullcontext(), contextlib.nullcontext()


@contextlib.contextmanager
def _rng_state(state):
    """Runs the block from the saved generator state, then restores the current one."""
    if state is None:
        yield
        return
    current = torch.get_rng_state()
    torch.set_rng_state(state)
    try:
        yield
    finally:
        torch.set_rng_state(current)


class _CheckpointFunction(Function):
    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        ctx.run_function = run_function
        ctx.rng = torch.get_rng_state() if preserve_rng_state else None
        ctx.inputs = []
        tensor_indices, tensors = [], []
        for i, arg in enumerate(args):
            if isinstance(arg, torch.Tensor):
                tensor_indices.append(i)
                tensors.append(arg)
                ctx.inputs.append(None)
            else:
                ctx.inputs.append(arg)
        ctx.tensor_indices = tensor_indices
        ctx.save_for_backward(*tensors)
        with torch.no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *grads):
        inputs = list(ctx.inputs)
        for i, t in zip(ctx.tensor_indices, ctx.saved_tensors, strict=True):
            inputs[i] = t.detach().requires_grad_(t.requires_grad)
        with _rng_state(ctx.rng), torch.enable_grad():
            outputs = ctx.run_function(*inputs)
        if isinstance(outputs, torch.Tensor):
            outputs = (outputs,)
        pairs = [
            (o, g)
            for o, g in zip(outputs, grads, strict=False)
            if isinstance(o, torch.Tensor) and o.requires_grad
        ]
        if not pairs:
            raise RuntimeError(
                "none of output has requires_grad=True, this checkpoint() is not necessary"
            )
        torch.autograd.backward([o for o, _ in pairs], [g for _, g in pairs])
        grads_in = tuple(inp.grad if isinstance(inp, torch.Tensor) else None for inp in inputs)
        return (None, None) + grads_in


def _checkpoint_without_reentrant(function, preserve_rng_state, context_fn, args, kwargs):
    forward_ctx, recompute_ctx = context_fn()
    rng = torch.get_rng_state() if preserve_rng_state else None
    frame = {"values": None, "count": 0}

    def pack(_value):
        index = frame["count"]
        frame["count"] += 1
        return index

    def recompute():
        values = []
        with (
            _rng_state(rng),
            torch.enable_grad(),
            recompute_ctx,
            saved_tensors_hooks(lambda v: values.append(v) or len(values) - 1, values.__getitem__),
        ):
            function(*args, **kwargs)
        if len(values) != frame["count"]:
            raise CheckpointError(
                "torch.utils.checkpoint: A different number of tensors was saved during the "
                f"original forward and recomputation.\nNumber of tensors saved during forward: "
                f"{frame['count']}\nNumber of tensors saved during recomputation: {len(values)}"
            )
        frame["values"] = values

    def unpack(index):
        # Each recomputed value is handed out once and then dropped, so that it can
        # be freed as soon as its backward has used it; a later backward through
        # the same graph (retain_graph) recomputes again.
        if frame["values"] is None or frame["values"][index] is None:
            recompute()
        value = frame["values"][index]
        frame["values"][index] = None
        return value

    with saved_tensors_hooks(pack, unpack), forward_ctx:
        return function(*args, **kwargs)


def checkpoint(
    function,
    *args,
    use_reentrant=None,
    context_fn=noop_context_fn,
    determinism_check="default",
    debug=False,
    early_stop=True,
    preserve_rng_state=True,
    **kwargs,
):
    """Runs ``function(*args, **kwargs)`` without keeping its intermediate values for
    backward; they are recomputed when backward needs them."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
            "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an "
            "exception. use_reentrant=False is recommended, but if you need to preserve the "
            "current default behavior, you can pass use_reentrant=True. Refer to docs for more "
            "details on the differences between the two variants.",
            stacklevel=2,
        )
        use_reentrant = True
    if determinism_check not in ("default", "none"):
        raise ValueError(
            f"determinism_check should be one of ['default', 'none'], but got {determinism_check}"
        )
    if use_reentrant:
        if context_fn is not noop_context_fn or debug:
            raise ValueError(
                "Passing `context_fn` or `debug` is only supported when use_reentrant=False."
            )
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
        if not any(isinstance(a, torch.Tensor) and a.requires_grad for a in args):
            warnings.warn(
                "None of the inputs have requires_grad=True. Gradients will be None",
                stacklevel=2,
            )
        return _CheckpointFunction.apply(function, preserve_rng_state, *args)
    return _checkpoint_without_reentrant(function, preserve_rng_state, context_fn, args, kwargs)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Splits a sequence of modules/functions into ``segments`` checkpointed chunks (the
    last chunk runs normally)."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should "
            "be passed explicitly. In version 2.9 we will raise an exception if use_reentrant "
            "is not passed. use_reentrant=False is recommended, but if you need to preserve the "
            "current default behavior, you can pass use_reentrant=True. Refer to docs for more "
            "details on the differences between the two variants.",
            stacklevel=2,
        )
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if isinstance(functions, torch.nn.Sequential):
        functions = list(functions.children())
    size = len(functions) // segments

    def run(start, end):
        def forward(x):
            for j in range(start, end + 1):
                x = functions[j](x)
            return x

        return forward

    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(
            run(start, end), input, use_reentrant=use_reentrant, preserve_rng_state=preserve
        )
    return run(end + 1, len(functions) - 1)(input)
