"""grad, grad_and_value, vjp, jvp, jacrev, jacfwd and hessian on mlx_compat's tape.

See Note [Function transforms on the tape] in _levels.py.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .. import _C, enable_grad, is_grad_enabled
from .. import autograd as _autograd
from ._levels import GradLevel, autograd_grad
from ._pytree import (
    TreeSpec,
    tree_flatten,
    tree_leaves,
    tree_map,
    tree_unflatten,
    treespec_pprint,
)
from ._vmap import _vmap_traced, check_no_randomness, rng_snapshot

__all__ = [
    "grad",
    "grad_and_value",
    "vjp",
    "jvp",
    "linearize",
    "jacrev",
    "jacfwd",
    "hessian",
    "functionalize",
    "debug_unwrap",
]

Tensor = _C.TensorBase
argnums_t = int | tuple[int, ...]


# ---------------------------------------------------------------- argnums


def _validate_and_wrap_argnum(argnum: Any, num_args: int) -> int:
    if not isinstance(argnum, int):
        raise RuntimeError(f"argnum must be int, got: {type(argnum)}")
    if 0 <= argnum < num_args:
        return argnum
    if -num_args <= argnum < 0:
        return argnum + num_args
    raise RuntimeError(f"Got argnum={argnum}, but only {num_args} positional inputs")


def _slice_argnums(args: tuple[Any, ...], argnums: Any, as_tuple: bool = True) -> Any:
    if not isinstance(argnums, (int, tuple)):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    if isinstance(argnums, int):
        i = _validate_and_wrap_argnum(argnums, len(args))
        return (args[i],) if as_tuple else args[i]
    wrapped = tuple(_validate_and_wrap_argnum(a, len(args)) for a in argnums)
    if len(wrapped) == 0:
        raise RuntimeError("argnums must be non-empty")
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    return tuple(args[i] for i in wrapped)


def _replace_args(args: tuple[Any, ...], new: Any, argnums: Any) -> tuple[Any, ...]:
    if isinstance(argnums, int):
        idx = {_validate_and_wrap_argnum(argnums, len(args)): new}
    else:
        wrapped = [_validate_and_wrap_argnum(a, len(args)) for a in argnums]
        idx = dict(zip(wrapped, new, strict=True))
    return tuple(idx.get(i, a) for i, a in enumerate(args))


# ---------------------------------------------------------------- checks


def _split_aux(out: Any, api: str) -> tuple[Any, Any]:
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(
            f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True"
        )
    return out


def _assert_non_empty_tensor_output(flat: list[Any], api: str) -> None:
    if (len(flat) == 1 and flat[0] is None) or len(flat) < 1:
        raise RuntimeError(
            f"{api}: Expected f to be a function that has non-empty output (got output = {flat})"
        )
    for o in flat:
        if not isinstance(o, Tensor):
            raise RuntimeError(
                f"{api}: expected f(*primals) to return only tensors, "
                f"got unsupported type {type(o)}"
            )


def _assert_non_empty_list_of_tensors(flat: list[Any], api: str, argname: str) -> None:
    if len(flat) == 0:
        raise RuntimeError(f"{api}: Expected {argname} to contain at least one Tensor.")
    for o in flat:
        if not isinstance(o, Tensor):
            raise RuntimeError(f"{api}: Expected {argname} to only contain Tensors, got {type(o)}")


def _error_if_complex(api: str, tree: Any, is_input: bool) -> None:
    for idx, t in enumerate(tree_leaves(tree)):
        if isinstance(t, Tensor) and t.is_complex():
            kind = "inputs" if is_input else "outputs"
            raise RuntimeError(
                f"{api}: Expected all {kind} to be real but received complex tensor at "
                f"flattened input idx: {idx}"
            )


# ---------------------------------------------------------------- grad


def _grad_and_value_traced(func, argnums, has_aux, args, kwargs):
    """grad_and_value inside a traced vmap: MLX's value_and_grad on the same function
    (the tape cannot record tracers). None when that is not possible; the tape path
    then runs and the enclosing trace falls back to the per-element run."""
    diff_args = _slice_argnums(args, argnums, as_tuple=False)
    flat_diff, spec = tree_flatten(diff_args)
    if not all(isinstance(t, Tensor) and t.is_floating_point() for t in flat_diff):
        return None
    seen: dict[str, Any] = {}

    def value(tensors: list[Any]) -> list[Any]:
        out = func(*_replace_args(args, tree_unflatten(tensors, spec), argnums), **kwargs)
        aux = None
        if has_aux:
            out, aux = _split_aux(out, "grad_and_value(f)(*args)")
        if not isinstance(out, Tensor) or out.dim() != 0 or not out.is_floating_point():
            return [None]  # not a tensor: stops the trace, the tape path raises torch's error
        if not has_aux:
            return [out]
        flat_aux, seen["aux_spec"] = tree_flatten(aux)
        return [out, *flat_aux]

    res = _C._mlx_value_and_grad(value, flat_diff)
    if res is None:
        return None
    values, grads = res
    grad_input = tree_unflatten(list(grads), spec)
    if has_aux:
        return grad_input, (values[0], tree_unflatten(list(values[1:]), seen["aux_spec"]))
    return grad_input, values[0]


def _grad_and_value_impl(func, argnums, has_aux, args, kwargs):
    if _C._mlx_tracing():
        traced = _grad_and_value_traced(func, argnums, has_aux, args, kwargs)
        if traced is not None:
            return traced
    level = GradLevel()
    with enable_grad():
        diff_args = _slice_argnums(args, argnums, as_tuple=False)
        diff_args = tree_map(level.make_differentiable, diff_args)
        flat_diff, spec = tree_flatten(diff_args)
        output = func(*_replace_args(args, diff_args, argnums), **kwargs)
        aux = None
        if has_aux:
            output, aux = _split_aux(output, "grad_and_value(f)(*args)")
        if not isinstance(output, Tensor):
            raise RuntimeError(
                "grad_and_value(f)(*args): Expected f(*args) to return a Tensor, "
                f"got {type(output)}"
            )
        if output.dim() != 0:
            raise RuntimeError(
                "grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                f"tensor with {output.dim()} dims. Maybe you wanted to use the vjp or jacrev "
                "APIs instead?"
            )
        create = level.reaches_outside(output)
        grads = autograd_grad([output], flat_diff, create_graph=create)
        grad_input = tree_unflatten([level.unwrap(g) for g in grads], spec)
        output = level.unwrap(output)
        if has_aux:
            aux = level.unwrap_tree(aux, strict=True)
            return grad_input, (output, aux)
        return grad_input, output


def grad_and_value(
    func: Callable[..., Any], argnums: argnums_t = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """Returns a function computing ``(gradient, value)`` of ``func`` at its inputs."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return _grad_and_value_impl(func, argnums, has_aux, args, kwargs)

    return wrapper


def grad(func: Callable[..., Any], argnums: argnums_t = 0, has_aux: bool = False) -> Callable:
    """Returns a function computing the gradient of scalar ``func`` w.r.t. ``argnums``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g, value = _grad_and_value_impl(func, argnums, has_aux, args, kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


# ---------------------------------------------------------------- vjp


def _vjp_with_argnums(func, *primals, argnums=None, has_aux=False):
    level = GradLevel()
    with enable_grad():
        if argnums is None:
            diff = tree_map(level.make_differentiable, primals)
            call_args = diff
        else:
            diff = tree_map(level.make_differentiable, _slice_argnums(primals, argnums, False))
            call_args = _replace_args(primals, diff, argnums)
        out = func(*call_args)
        aux = None
        if has_aux:
            out, aux = _split_aux(out, "vjp(f, *primals)")
            aux = level.unwrap_tree(aux, strict=True)
        flat_out, out_spec = tree_flatten(out)
        _assert_non_empty_tensor_output(flat_out, "vjp(f, *primals)")
        for o in flat_out:
            if not (o.is_floating_point() or o.is_complex()):
                raise RuntimeError(
                    "vjp(f, ...): All outputs of f must be floating-point or complex Tensors, "
                    f"got Tensor with dtype {o.dtype}"
                )
        flat_diff, diff_spec = tree_flatten(diff)
        out_reach = any([level.reaches_outside(o) for o in flat_out])
        results = tree_unflatten([level.unwrap(o) for o in flat_out], out_spec)

    def vjp_fn(cotangents: Any, retain_graph: bool = True, create_graph: bool | None = None):
        if create_graph is None:
            create_graph = is_grad_enabled()
        flat_cot, cot_spec = tree_flatten(cotangents)
        if cot_spec != out_spec:
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure of "
                f"outputs to the function. cotangents: {treespec_pprint(cot_spec)}, "
                f"primal output: {treespec_pprint(out_spec)}"
            )
        create = create_graph and (
            out_reach or any(isinstance(c, Tensor) and c.requires_grad for c in flat_cot)
        )
        with enable_grad():
            grads = autograd_grad(
                flat_out, flat_diff, flat_cot, retain_graph=retain_graph, create_graph=create
            )
        if create:
            grads = tuple(level.unwrap(g) for g in grads)
        return tree_unflatten(list(grads), diff_spec)

    if has_aux:
        return results, vjp_fn, aux
    return results, vjp_fn


def vjp(func: Callable[..., Any], *primals: Any, has_aux: bool = False) -> Any:
    """Returns ``(func(*primals), vjp_fn)``; ``vjp_fn(v)`` is the vector-Jacobian product."""
    return _vjp_with_argnums(func, *primals, has_aux=has_aux)


# ---------------------------------------------------------------- jvp

_JVP = "jvp(f, primals, tangents)"


class _Linearized:
    """``func`` evaluated once, with ``J^T u`` built so Jacobian-vector products are vjps in u.

    The double-vjp trick: g(u) = J^T u is linear in u, so the vjp of g with cotangent v is J v.
    """

    def __init__(
        self, func: Callable[..., Any], primals: Any, argnums: Any, has_aux: bool, api: str
    ) -> None:
        self.level = level = GradLevel()
        with enable_grad():
            diff_args = primals if argnums is None else _slice_argnums(primals, argnums)
            flat_p, self.primals_spec = tree_flatten(diff_args)
            self.flat_primals = flat_p
            _assert_non_empty_list_of_tensors(flat_p, api, "primals")
            flat_d = [level.make_differentiable(p) for p in flat_p]
            duals = tree_unflatten(flat_d, self.primals_spec)
            if argnums is None:
                call_args = duals
            else:
                new = duals[0] if isinstance(argnums, int) else duals
                call_args = _replace_args(primals, new, argnums)
            out = func(*call_args)
            self.aux = None
            if has_aux:
                out, aux = _split_aux(out, api)
                self.aux = level.unwrap_tree(aux, strict=True)
            flat_out, self.out_spec = tree_flatten(out)
            _assert_non_empty_tensor_output(flat_out, api)
            self.out_reach = any([level.reaches_outside(o) for o in flat_out])
            self.outputs = [level.unwrap(o) for o in flat_out]
            self.us = [
                level.own(o.detach().new_zeros(o.shape).requires_grad_())
                if o.requires_grad and (o.is_floating_point() or o.is_complex())
                else None
                for o in flat_out
            ]
            pairs = [(o, u) for o, u in zip(flat_out, self.us, strict=True) if u is not None]
            self.gs: list[Any] = [None] * len(flat_d)
            if pairs:
                gs = _autograd.grad(
                    [o for o, _ in pairs],
                    flat_d,
                    [u for _, u in pairs],
                    create_graph=True,
                    allow_unused=True,
                )
                self.gs = [g if g is not None and g.requires_grad else None for g in gs]

    def push(self, flat_tangents: list[Any], create: bool) -> list[Any]:
        """J t for each output (None where the output does not depend on the primals)."""
        live = [(g, t) for g, t in zip(self.gs, flat_tangents, strict=True) if g is not None]
        us = [u for u in self.us if u is not None]
        res: list[Any] = [None] * len(self.us)
        if live and us:
            with enable_grad():
                outs = _autograd.grad(
                    [g for g, _ in live],
                    us,
                    [t for _, t in live],
                    retain_graph=True,
                    create_graph=create,
                    allow_unused=True,
                )
            it = iter(outs)
            res = [None if u is None else next(it) for u in self.us]
        if create:
            res = [None if r is None else self.level.unwrap(r) for r in res]
        return res


def _jvp_with_argnums(func, primals, tangents, argnums, *, strict=False, has_aux=False):
    if not isinstance(primals, tuple):
        raise RuntimeError(
            f"{_JVP}: Expected primals to be a tuple. E.g. it should be valid to call f(*primals)."
        )
    diff_args = primals if argnums is None else _slice_argnums(primals, argnums)
    flat_p, p_spec = tree_flatten(diff_args)
    flat_t, t_spec = tree_flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError(
            f"{_JVP}: Expected primals and tangents to have the same python structure. For "
            "example, if primals is a tuple of 3 tensors, tangents also must be. Got primals "
            f"with structure {p_spec} and tangents with structure {t_spec}"
        )
    _assert_non_empty_list_of_tensors(flat_p, _JVP, "primals")
    _assert_non_empty_list_of_tensors(flat_t, _JVP, "tangents")
    for p, t in zip(flat_p, flat_t, strict=True):
        if tuple(p.shape) != tuple(t.shape):
            raise RuntimeError(
                "Trying to set a forward gradient that has a different size than that of the "
                "original Tensor, this is not supported. Tensor is of size "
                f"{list(p.shape)} while the given forward gradient is of size {list(t.shape)}."
            )
    lin = _Linearized(func, primals, argnums, has_aux, _JVP)
    create = lin.level.outer_enabled and (lin.out_reach or any(t.requires_grad for t in flat_t))
    tangent_out = []
    for o, r in zip(lin.outputs, lin.push(flat_t, create), strict=True):
        if r is None:
            if strict:
                raise RuntimeError(
                    "jvp(f, primals, tangents, strict=True): The output of f is independent of "
                    "the inputs. This is not allowed with strict=True."
                )
            r = o.new_zeros(o.shape)
        tangent_out.append(r)
    primals_out = tree_unflatten(lin.outputs, lin.out_spec)
    tangents_out = tree_unflatten(tangent_out, lin.out_spec)
    if has_aux:
        return primals_out, tangents_out, lin.aux
    return primals_out, tangents_out


def jvp(
    func: Callable[..., Any],
    primals: Any,
    tangents: Any,
    *,
    strict: bool = False,
    has_aux: bool = False,
) -> Any:
    """Returns ``(func(*primals), J @ tangents)``: the Jacobian-vector product."""
    return _jvp_with_argnums(func, primals, tangents, None, strict=strict, has_aux=has_aux)


def linearize(func: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[..., Any]]:
    """Returns ``(func(*primals), jvp_fn)``; ``jvp_fn(*tangents)`` is the Jacobian-vector product.

    ``func`` runs twice, as in torch: once for the output, once to record ``J^T u``.
    """
    output = func(*primals)
    flat_p, p_spec = tree_flatten(primals)
    lin = _Linearized(func, primals, None, False, "linearize")
    shapes = [(p.shape, p.dtype) for p in flat_p]

    def jvp_fn(*tangents: Any) -> Any:
        flat_t, t_spec = tree_flatten(tangents)
        if t_spec != p_spec:
            raise RuntimeError(
                f"Expected the tangents {t_spec} to have the same argspec as the primals {p_spec}"
            )
        for idx, (t, (shape, dtype)) in enumerate(zip(flat_t, shapes, strict=True)):
            if tuple(t.shape) != tuple(shape):
                raise RuntimeError(
                    f"tangent:{idx} with shape {t.shape} in flattened pytree doesn't match the "
                    f"shape {shape} of the corresponding primal."
                )
            if t.dtype != dtype:
                raise RuntimeError(
                    f"tangent:{idx} with dtype {t.dtype} in flattened pytree doesn't match the "
                    f"dtype {dtype} of the corresponding primal."
                )
        create = is_grad_enabled() and (lin.out_reach or any(t.requires_grad for t in flat_t))
        res = lin.push(flat_t, create)
        res = [
            o.new_zeros(o.shape) if r is None else r for r, o in zip(res, lin.outputs, strict=True)
        ]
        return tree_unflatten(res, lin.out_spec)

    return output, jvp_fn


def functionalize(func: Callable[..., Any], *, remove: str = "mutations") -> Callable[..., Any]:
    """Returns ``func`` as a program without mutation.

    Run eagerly, a functionalized program computes the same outputs and writes the same
    final values back into mutated inputs as ``func`` itself, so ``func`` runs unchanged.
    """
    if remove not in ("mutations", "mutations_and_views"):
        raise RuntimeError(
            f"functionalize(f, remove='mutations'): received invalid argument for remove={remove}."
            " Valid options are:\n     remove='mutations': all inplace and out= operators will be"
            " removed from the program, and replaced with their out-of-place equivalents.\n"
            "     remove='mutations_and_views': In addition to the above, all aliasing operators"
            " {view} will be replaced with their non-aliasing counterparts, {view}_copy.\n"
        )

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


# ---------------------------------------------------------------- jacobians


def _basis(flat: list[Any], numels: list[int]) -> list[Any]:
    """The standard basis of the concatenated ``flat`` tensors: one ``[total, *t.shape]`` block
    per tensor, row k being the k-th one-hot vector."""
    total = sum(numels)
    blocks = []
    off = 0
    for t, n in zip(flat, numels, strict=True):
        b = t.new_zeros((total, n))
        if n:
            b.diagonal(-off).fill_(1)
        blocks.append(b.view(total, *t.shape))
        off += n
    return blocks


def _assemble(per_out_in: list[list[Any]], out_spec: TreeSpec, in_spec: TreeSpec, argnums):
    """Nest ``[output][input]`` Jacobian blocks as torch.func returns them."""
    per_out = [tree_unflatten(blocks, in_spec) for blocks in per_out_in]
    if isinstance(argnums, int):
        per_out = [b[0] for b in per_out]
    return tree_unflatten(per_out, out_spec)


def _stack_or_empty(rows: list[Any], like: Any, lead: int) -> Any:
    if rows:
        return _C._VariableFunctions.stack(rows)
    return like.new_zeros((lead, *like.shape))


def _over_basis_traced(fn: Callable[..., Any], basis: list[Any], out_dim: int, n_out: int):
    """``fn`` over every row of the basis blocks at once, traced under MLX's vmap (the
    per-row loop's results, stacked along ``out_dim``), or None when it cannot be traced."""
    spec = tree_flatten(tuple(basis))[1]
    out = _vmap_traced(fn, out_dim, [0] * len(basis), list(basis), spec, {})
    if out is None or len(out) != n_out:
        return None
    return out


def _rows_traced(vjp_fn: Callable[..., Any], basis: list[Any], out_spec: TreeSpec, n_in: int):
    """All rows of a reverse-mode Jacobian in one traced vjp, or None."""

    def rows(*cotangents: Any) -> list[Any]:
        return tree_leaves(vjp_fn(tree_unflatten(list(cotangents), out_spec)))

    return _over_basis_traced(rows, basis, 0, n_in)


def jacrev(
    func: Callable[..., Any],
    argnums: argnums_t = 0,
    *,
    has_aux: bool = False,
    chunk_size: int | None = None,
) -> Callable[..., Any]:
    """Returns a function computing the Jacobian of ``func`` row by row (reverse mode)."""
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")

    @functools.wraps(func)
    def wrapper_fn(*args: Any) -> Any:
        _error_if_complex("jacrev", args, is_input=True)
        res = _vjp_with_argnums(func, *args, argnums=argnums, has_aux=has_aux)
        output, vjp_fn = res[0], res[1]
        flat_out, out_spec = tree_flatten(output)
        _error_if_complex("jacrev", flat_out, is_input=False)
        numels = [o.numel() for o in flat_out]
        flat_p, p_spec = tree_flatten(_slice_argnums(args, argnums))
        total = sum(numels)
        rows_per_input: list[list[Any]] = [[] for _ in flat_p]
        basis = _basis(flat_out, numels)
        stacked = _rows_traced(vjp_fn, basis, out_spec, len(flat_p)) if total else None
        if stacked is None:
            for k in range(total):
                row = [b[k] for b in basis]
                grads = tree_leaves(vjp_fn(tree_unflatten(row, out_spec)))
                for acc, g in zip(rows_per_input, grads, strict=True):
                    acc.append(g)
            stacked = [
                _stack_or_empty(rows, p, total)
                for rows, p in zip(rows_per_input, flat_p, strict=True)
            ]
        blocks_in = []
        for jac, p in zip(stacked, flat_p, strict=True):
            parts = jac.split(numels, 0) if flat_out else []
            blocks_in.append(
                [part.reshape(*o.shape, *p.shape) for part, o in zip(parts, flat_out, strict=True)]
            )
        per_out_in = [list(b) for b in zip(*blocks_in, strict=True)]
        jac = _assemble(per_out_in, out_spec, p_spec, argnums)
        return (jac, res[2]) if has_aux else jac

    return wrapper_fn


def _columns_traced(lin: _Linearized, basis: list[Any]) -> list[Any] | None:
    """All columns of a forward-mode Jacobian (outputs' shapes, columns last) in one traced
    double-vjp, or None."""

    def columns(*tangents: Any) -> list[Any]:
        outs = lin.push(list(tangents), False)
        return [
            o.new_zeros(o.shape) if r is None else r for r, o in zip(outs, lin.outputs, strict=True)
        ]

    return _over_basis_traced(columns, basis, -1, len(lin.outputs))


def jacfwd(
    func: Callable[..., Any],
    argnums: argnums_t = 0,
    has_aux: bool = False,
    *,
    randomness: str = "error",
) -> Callable[..., Any]:
    """Returns a function computing the Jacobian of ``func`` column by column (forward mode)."""

    @functools.wraps(func)
    def wrapper_fn(*args: Any) -> Any:
        _error_if_complex("jacfwd", args, is_input=True)
        before = rng_snapshot() if randomness == "error" else None
        lin = _Linearized(func, args, argnums, has_aux, _JVP)
        if before is not None:
            check_no_randomness(before)
        _error_if_complex("jacfwd", lin.outputs, is_input=False)
        flat_p = lin.flat_primals
        numels = [p.numel() for p in flat_p]
        create = lin.level.outer_enabled and lin.out_reach
        cols: list[list[Any]] = [[] for _ in lin.outputs]
        basis = _basis(flat_p, numels)
        traced = None if create or not sum(numels) else _columns_traced(lin, basis)
        if traced is None:
            for k in range(sum(numels)):
                outs = lin.push([b[k] for b in basis], create)
                for acc, r, o in zip(cols, outs, lin.outputs, strict=True):
                    acc.append(o.new_zeros(o.shape) if r is None else r)
        per_out_in = []
        for i, (acc, o) in enumerate(zip(cols, lin.outputs, strict=True)):
            if traced is not None:
                jac = traced[i]
            elif acc:
                jac = _C._VariableFunctions.stack(acc, -1)
            else:
                jac = o.new_zeros((*o.shape, 0))
            parts = jac.split(numels, -1)
            per_out_in.append(
                [part.reshape(*o.shape, *p.shape) for part, p in zip(parts, flat_p, strict=True)]
            )
        jac = _assemble(per_out_in, lin.out_spec, lin.primals_spec, argnums)
        return (jac, lin.aux) if has_aux else jac

    return wrapper_fn


def hessian(func: Callable[..., Any], argnums: argnums_t = 0) -> Callable[..., Any]:
    """Returns a function computing the Hessian of ``func`` w.r.t. ``argnums``.

    torch composes jacfwd(jacrev(func)); on the tape that would differentiate the backward
    graph twice more, so the same matrix is taken as jacrev(jacrev(func)), which needs only
    second derivatives of each operator.
    """
    inner = jacrev(jacrev(func, argnums), argnums)

    @functools.wraps(func)
    def wrapper_fn(*args: Any) -> Any:
        _error_if_complex("jacfwd", args, is_input=True)
        before = rng_snapshot()
        out = inner(*args)
        check_no_randomness(before)
        return out

    return wrapper_fn


def debug_unwrap(tensor: Any, *, recurse: bool = True) -> Any:
    """The plain tensor under a transform's wrapper; transforms here pass plain tensors."""
    return tensor
