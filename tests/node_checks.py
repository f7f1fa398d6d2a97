"""Shared by the node-name tests: a function run through torch and mlx_compat records
the same autograd node, with equal values, first and second derivatives."""

import numpy as np
import torch

import mlx_compat


def to_np(x):
    # force: resolves conjugate/negative views and torch's zero tensors
    return None if x is None else np.asarray(x.detach().numpy(force=True))


def node_name(t):
    return type(t.grad_fn).__name__ if t.grad_fn is not None else None


def close(ours, theirs, what, rtol, atol):
    if theirs is None or ours is None:
        # An unconnected derivative: torch gives None, zeros are as good.
        other = ours if theirs is None else theirs
        assert other is None or not np.any(to_np(other)), what
        return
    np.testing.assert_allclose(to_np(ours), to_np(theirs), rtol=rtol, atol=atol, err_msg=what)


def lib_inputs(lib, arrays, grads):
    """numpy arrays become tensors (requiring grad at the positions in grads)."""
    out = []
    for i, a in enumerate(arrays):
        t = lib.tensor(a) if isinstance(a, np.ndarray) else a
        if i in grads:
            t.requires_grad_(True)
        out.append(t)
    return out


def noise(lib, seed, like):
    r = lib.tensor(np.random.default_rng(seed).standard_normal(tuple(like.shape)))
    return r.to(like.dtype)


def derivatives(lib, fn, arrays, grads, seed, second):
    """Outputs of fn(lib, *inputs), gradients of a random projection of them, and
    (when second) gradients of a random projection of those gradients."""
    ins = lib_inputs(lib, arrays, grads)
    out = fn(lib, *ins)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    diff = [ins[i] for i in grads]
    total = sum((o * noise(lib, seed + 1 + k, o)).sum() for k, o in enumerate(outs))
    firsts = lib.autograd.grad(total, diff, create_graph=second, allow_unused=True)
    seconds = None
    if second:
        parts = [
            (f * noise(lib, seed + 20 + k, f)).sum() for k, f in enumerate(firsts) if f is not None
        ]
        acc = sum(parts) if parts else None
        if acc is not None and acc.requires_grad:
            seconds = lib.autograd.grad(acc, diff, allow_unused=True)
    return outs, firsts, seconds


def check_node(fn, arrays, grads, node, seed=0, second=True, rtol=1e-4, atol=1e-5):
    """fn(lib, *inputs) records `node` in both libraries, with equal values and derivatives."""
    t_outs, t_first, t_second = derivatives(torch, fn, arrays, grads, seed, second)
    m_outs, m_first, m_second = derivatives(mlx_compat, fn, arrays, grads, seed, second)
    for t, m in zip(t_outs, m_outs, strict=True):
        assert node_name(t) == node
        assert node_name(m) == node
        assert str(m.dtype) == str(t.dtype)
        assert tuple(m.shape) == tuple(t.shape)
        close(m, t, "value", rtol, atol)
    for k, (a, b) in enumerate(zip(m_first, t_first, strict=True)):
        close(a, b, f"grad {k}", rtol, atol)
    if t_second is None:
        assert m_second is None or all(s is None or not np.any(to_np(s)) for s in m_second)
    else:
        m_second = m_second or [None] * len(t_second)
        for k, (a, b) in enumerate(zip(m_second, t_second, strict=True)):
            close(a, b, f"second derivative {k}", rtol, atol)
