"""vmap: maps a function over a batch dimension of its inputs.

The function runs once per batch element on ``select``-ed views of the batched inputs and
the per-element outputs are stacked along ``out_dims``.  Every mlx_compat operator is then
used exactly as outside vmap, so results, dtypes and errors match torch's batching rules,
and vmap composes with the differentiation transforms and with itself.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .. import _C
from ._pytree import broadcast_to_and_flatten, tree_flatten, tree_unflatten

__all__ = ["vmap"]

Tensor = _C.TensorBase
_F = _C._VariableFunctions


def rng_snapshot() -> Any:
    return _C.default_generator.get_state()


def check_no_randomness(before: Any) -> None:
    if not _F.equal(before, _C.default_generator.get_state()):
        raise RuntimeError(
            "vmap: called random operation while in randomness error mode. Please either use "
            "the 'same' or 'different' randomness flags on vmap or perform the randomness "
            "operation out of vmap"
        )


def _get_name(func: Any) -> str:
    if hasattr(func, "__name__"):
        return func.__name__
    if isinstance(func, functools.partial):
        return f"functools.partial({_get_name(func.func)}, ...)"
    return repr(func)


def _check_randomness_arg(randomness: str) -> None:
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(
            "Only allowed values for randomness are 'error', 'different', or 'same'. "
            f"Got {randomness}"
        )


def _check_out_dims(out_dims: Any, func: Any) -> None:
    if isinstance(out_dims, int):
        return
    for d in tree_flatten(out_dims)[0]:
        if d is not None and not isinstance(d, int):
            raise ValueError(
                f"vmap({_get_name(func)}, ..., out_dims={out_dims}): `out_dims` must be an int, "
                "None or a python collection of ints representing where in the outputs the "
                "vmapped dimension should appear."
            )


def _process_inputs(in_dims: Any, args: tuple[Any, ...], func: Any):
    name = _get_name(func)
    if not isinstance(in_dims, (int, tuple)):
        raise ValueError(
            f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int or "
            "a (potentially nested) tuple matching the structure of inputs, got: "
            f"{type(in_dims)}."
        )
    if len(args) == 0:
        raise ValueError(
            f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you "
            "are trying to vmap over a function with no inputs. The latter is unsupported."
        )
    flat_args, spec = tree_flatten(args)
    flat_dims = broadcast_to_and_flatten(in_dims, spec)
    if flat_dims is None:
        raise ValueError(
            f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with "
            f"the structure of `inputs`. in_dims has structure {tree_flatten(in_dims)[1]} but "
            f"inputs has structure {spec}."
        )
    for i, (arg, d) in enumerate(zip(flat_args, flat_dims, strict=True)):
        if d is not None and not isinstance(d, int):
            raise ValueError(
                f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an input "
                "but in_dim must be either an integer dimension or None."
            )
        if d is not None and not isinstance(arg, Tensor):
            raise ValueError(
                f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an input "
                f"but the input is of type {type(arg)}. We cannot vmap over non-Tensor "
                "arguments, please use None as the respective in_dim"
            )
        if d is not None and not -arg.dim() <= d < arg.dim():
            raise ValueError(
                f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for some "
                f"input, but that input is a Tensor of dimensionality {arg.dim()} so expected "
                f"in_dim to satisfy -{arg.dim()} <= in_dim < {arg.dim()}."
            )
        if d is not None and d < 0:
            flat_dims[i] = d % arg.dim()
    sizes = [a.size(d) for a, d in zip(flat_args, flat_dims, strict=True) if d is not None]
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if any(s != sizes[0] for s in sizes):
        raise ValueError(
            "vmap: Expected all tensors to have the same size in the mapped dimension, got "
            f"sizes {sizes} for the mapped dimension"
        )
    return sizes[0], flat_dims, flat_args, spec


def _flat_out_dims(outputs: Any, out_spec: Any, out_dims: Any, func: Any) -> list[Any]:
    def incompatible() -> ValueError:
        return ValueError(
            f"vmap({_get_name(func)}, ..., out_dims={out_dims})(<inputs>): out_dims is not "
            "compatible with the structure of `outputs`. out_dims has structure "
            f"{tree_flatten(out_dims)[1]} but outputs has structure {out_spec}."
        )

    if isinstance(outputs, Tensor):
        if isinstance(out_dims, int) or out_dims is None:
            return [out_dims]
        if isinstance(out_dims, tuple) and len(out_dims) == 1:
            return list(out_dims)
        raise incompatible()
    flat = broadcast_to_and_flatten(out_dims, out_spec)
    if flat is None:
        raise incompatible()
    return flat


def _combine(name: str, values: list[Any], out_dim: Any) -> Any:
    first = values[0]
    if out_dim is None:
        if all(v is first for v in values):
            return first
        if isinstance(first, Tensor) and not all(
            isinstance(v, Tensor) and v.shape == first.shape and _F.equal(v, first) for v in values
        ):
            raise ValueError(
                f"vmap({name}, ...): `{name}` can not return a BatchedTensor when out_dim is None"
            )
        return first
    if not isinstance(first, Tensor):
        raise ValueError(
            f"vmap({name}, ...): `{name}` must only return Tensors, got type {type(first)}. "
            "Did you mean to set out_dims= to None for output?"
        )
    return _F.stack(values, out_dim)


def _vmap_traced(func, out_dims, flat_dims, flat_args, spec, kwargs):
    """Runs ``func`` once under MLX's vmap (see Note [Running under MLX transforms] in
    csrc/core/eval.h). None when the function cannot be traced: it evaluated a value,
    recorded autograd history, wrote into a tensor, drew random numbers or returned
    something other than tensors; the caller then runs it once per batch element."""
    mapped = [i for i, d in enumerate(flat_dims) if d is not None]
    if not all(isinstance(flat_args[i], Tensor) for i in mapped):
        return None
    if _C.is_grad_enabled() and any(flat_args[i].requires_grad for i in mapped):
        return None  # the outputs must carry autograd history through each element
    seen: dict[str, Any] = {}

    def traced(tensors: list[Any]) -> list[Any]:
        args = list(flat_args)
        for i, t in zip(mapped, tensors, strict=True):
            args[i] = t
        out = func(*tree_unflatten(args, spec), **kwargs)
        flat, seen["spec"] = tree_flatten(out)
        seen["out"] = out
        return flat

    start = rng_snapshot()
    result = _C._mlx_vmap(traced, [flat_args[i] for i in mapped], [flat_dims[i] for i in mapped])
    if start.numpy().tobytes() != rng_snapshot().numpy().tobytes():  # host bytes, no MLX op
        _C.default_generator.set_state(start)
        return None
    if result is None or not seen["spec"].num_leaves:
        return None
    flat_out_dims = _flat_out_dims(seen["out"], seen["spec"], out_dims, func)
    if any(d is None for d in flat_out_dims):
        return None
    return tree_unflatten(
        [r.movedim(0, d) for r, d in zip(result, flat_out_dims, strict=True)], seen["spec"]
    )


def _vmap_impl(func, in_dims, out_dims, randomness, args, kwargs):
    _check_out_dims(out_dims, func)
    batch, flat_dims, flat_args, spec = _process_inputs(in_dims, args, func)
    name = _get_name(func)
    if batch > 0 and randomness == "error":
        traced = _vmap_traced(func, out_dims, flat_dims, flat_args, spec, kwargs)
        if traced is not None:
            return traced

    def sample(b: int | None) -> list[Any]:
        out = []
        for a, d in zip(flat_args, flat_dims, strict=True):
            if d is None:
                out.append(a)
            elif b is None:  # an empty batch: run once on a zero element to learn the outputs
                shape = list(a.shape)
                del shape[d]
                out.append(a.new_zeros(shape))
            else:
                out.append(a.select(d, b))
        return out

    start = rng_snapshot() if randomness in ("error", "same") else None
    per_sample = []
    out_spec = None
    for b in [None] if batch == 0 else range(batch):
        if randomness == "same" and b:
            _C.default_generator.set_state(start)
        out = func(*tree_unflatten(sample(b), spec), **kwargs)
        if randomness == "error" and not b:
            check_no_randomness(start)
        flat, s = tree_flatten(out)
        if out_spec is None:
            out_spec, first_out = s, out
        elif s != out_spec:
            raise ValueError(
                f"vmap({name}, ...): `{name}` returned outputs of different structure for "
                "different batch elements"
            )
        per_sample.append(flat)
    flat_out_dims = _flat_out_dims(first_out, out_spec, out_dims, func)
    results = []
    for i, d in enumerate(flat_out_dims):
        values = [flat[i] for flat in per_sample]
        if batch == 0 and d is not None and isinstance(values[0], Tensor):
            v = values[0]
            shape = list(v.shape)
            shape.insert(d if d >= 0 else len(shape) + 1 + d, 0)
            results.append(v.new_zeros(shape))
        else:
            results.append(_combine(name, values, d))
    return tree_unflatten(results, out_spec)


def vmap(
    func: Callable[..., Any],
    in_dims: Any = 0,
    out_dims: Any = 0,
    randomness: str = "error",
    *,
    chunk_size: int | None = None,
) -> Callable[..., Any]:
    """Returns ``func`` mapped over dimension ``in_dims`` of its inputs."""
    _check_randomness_arg(randomness)
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return _vmap_impl(func, in_dims, out_dims, randomness, args, kwargs)

    return wrapped
