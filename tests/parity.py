"""Parity harness: run the same inputs through torch and mlx_compat and compare.

An op under test is written once as ``fn(M, *tensors)`` where ``M`` is either the
``torch`` module or ``mlx_compat``; the harness builds matching inputs for both,
compares outputs (values, dtype, shape) and the gradients of every float input.
"""

from __future__ import annotations

import numpy as np
import torch

import mlx_compat

FWD_RTOL, FWD_ATOL = 1e-5, 1e-6
GRAD_RTOL, GRAD_ATOL = 1e-4, 1e-5

_DTYPES = {
    "float32": (np.float32, torch.float32, mlx_compat.float32),
    "float64": (np.float64, torch.float64, mlx_compat.float64),
    "float16": (np.float16, torch.float16, mlx_compat.float16),
    "int64": (np.int64, torch.int64, mlx_compat.int64),
    "int32": (np.int32, torch.int32, mlx_compat.int32),
    "int16": (np.int16, torch.int16, mlx_compat.int16),
    "int8": (np.int8, torch.int8, mlx_compat.int8),
    "uint8": (np.uint8, torch.uint8, mlx_compat.uint8),
    "bool": (np.bool_, torch.bool, mlx_compat.bool),
}


def dtype_pair(name):
    """(torch dtype, mlx_compat dtype) for a dtype name."""
    _, t, m = _DTYPES[name]
    return t, m


def random_array(rng, shape, dtype="float32", low=-3.0, high=3.0):
    """Fresh random data of the given numpy-style dtype name."""
    np_dtype = _DTYPES[dtype][0]
    if dtype == "bool":
        return rng.random(shape) > 0.5
    if np.issubdtype(np_dtype, np.integer):
        lo = 0 if dtype == "uint8" else int(low)
        return rng.integers(lo, max(int(high), lo + 1) + 1, size=shape).astype(np_dtype)
    return rng.uniform(low, high, size=shape).astype(np_dtype)


def to_numpy(x):
    """Host copy of a torch or mlx_compat tensor (bf16 via float32)."""
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().resolve_conj().resolve_neg().numpy()
    return x.detach().resolve_conj().resolve_neg().numpy()


def pair(arr, requires_grad=False):
    """The same numpy data as a torch tensor and an mlx_compat tensor."""
    t = torch.from_numpy(np.array(arr))
    m = mlx_compat.from_numpy(np.array(arr))
    if requires_grad:
        t.requires_grad_(True)
        m.requires_grad_(True)
    return t, m


def dtype_name(dt) -> str:
    return repr(dt).removeprefix("torch.")


def assert_same(ours, theirs, rtol=FWD_RTOL, atol=FWD_ATOL, what="output"):
    """Compares one result (tensor, tuple of tensors, or Python value)."""
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)), f"{what}: expected a sequence, got {type(ours)}"
        assert len(ours) == len(theirs), f"{what}: length {len(ours)} != {len(theirs)}"
        for i, (o, t) in enumerate(zip(ours, theirs, strict=True)):
            assert_same(o, t, rtol, atol, f"{what}[{i}]")
        return
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, mlx_compat.Tensor), f"{what}: got {type(ours)}"
        assert dtype_name(ours.dtype) == dtype_name(theirs.dtype), (
            f"{what}: dtype {ours.dtype} != {theirs.dtype}"
        )
        assert tuple(ours.shape) == tuple(theirs.shape), (
            f"{what}: shape {tuple(ours.shape)} != {tuple(theirs.shape)}"
        )
        a, b = to_numpy(ours), to_numpy(theirs)
        if a.dtype == np.bool_ or np.issubdtype(a.dtype, np.integer):
            np.testing.assert_array_equal(a, b, err_msg=what)
        else:
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=what)
        return
    assert type(ours) is type(theirs) or (isinstance(ours, float) and isinstance(theirs, float)), (
        f"{what}: {type(ours)} != {type(theirs)}"
    )
    if isinstance(theirs, float):
        assert np.isclose(ours, theirs, rtol=rtol, atol=atol), f"{what}: {ours} != {theirs}"
    else:
        assert ours == theirs, f"{what}: {ours!r} != {theirs!r}"


def check_op(fn, arrays, grad=True, rtol=FWD_RTOL, atol=FWD_ATOL, grad_seed=0, check_grad_fn=True):
    """Runs ``fn(M, *tensors)`` for both libraries and compares outputs and grads."""
    pairs = [
        pair(a, requires_grad=grad and np.issubdtype(np.asarray(a).dtype, np.floating))
        for a in arrays
    ]
    t_in = [p[0] for p in pairs]
    m_in = [p[1] for p in pairs]
    t_out = fn(torch, *t_in)
    m_out = fn(mlx_compat, *m_in)
    assert_same(m_out, t_out, rtol, atol)
    if check_grad_fn:
        assert_same_grad_fn(m_out, t_out)
    if not grad or not any(t.requires_grad for t in t_in):
        return
    t_outs = t_out if isinstance(t_out, (tuple, list)) else (t_out,)
    m_outs = m_out if isinstance(m_out, (tuple, list)) else (m_out,)
    rng = np.random.default_rng(grad_seed)
    t_total, m_total = None, None
    for t_o, m_o in zip(t_outs, m_outs, strict=True):
        if not (isinstance(t_o, torch.Tensor) and t_o.requires_grad):
            continue
        w = rng.uniform(-1, 1, size=tuple(t_o.shape)).astype(to_numpy(t_o).dtype)
        tw, mw = pair(w)
        t_term = (t_o * tw).sum()
        m_term = (m_o * mw).sum()
        t_total = t_term if t_total is None else t_total + t_term
        m_total = m_term if m_total is None else m_total + m_term
    if t_total is None:
        return
    t_total.backward()
    m_total.backward()
    for i, (t, m) in enumerate(zip(t_in, m_in, strict=True)):
        if not t.requires_grad:
            continue
        if t.grad is None:
            assert m.grad is None, f"grad[{i}] should be None"
            continue
        assert m.grad is not None, f"grad[{i}] missing"
        assert_same(m.grad, t.grad, GRAD_RTOL, GRAD_ATOL, f"grad[{i}]")


def assert_same_grad_fn(ours, theirs):
    """The result's grad_fn has torch's node name (the graph records the same op)."""
    if isinstance(theirs, (tuple, list)):
        for o, t in zip(ours, theirs, strict=True):
            assert_same_grad_fn(o, t)
        return
    if not isinstance(theirs, torch.Tensor):
        return
    t_name = type(theirs.grad_fn).__name__ if theirs.grad_fn is not None else None
    m_name = type(ours.grad_fn).__name__ if ours.grad_fn is not None else None
    assert m_name == t_name, f"grad_fn {m_name} != {t_name}"


def check_raises(fn, arrays=()):
    """Both libraries raise, and with the same exception class."""
    t_in = [pair(a)[0] for a in arrays]
    m_in = [pair(a)[1] for a in arrays]
    t_exc = m_exc = None
    try:
        fn(torch, *t_in)
    except Exception as e:  # noqa: BLE001
        t_exc = e
    try:
        fn(mlx_compat, *m_in)
    except Exception as e:  # noqa: BLE001
        m_exc = e
    assert t_exc is not None, "torch did not raise"
    assert m_exc is not None, f"mlx_compat did not raise (torch raised {t_exc!r})"
    assert type(m_exc) is type(t_exc), f"{type(m_exc).__name__} != {type(t_exc).__name__}: {m_exc}"
    return m_exc, t_exc
