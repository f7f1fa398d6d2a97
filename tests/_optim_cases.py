"""Shared driver for optimizer parity tests (torch vs mlx_compat, same data)."""

import numpy as np
import torch
from _nn_helpers import assert_close, mlp_pair, ours, randn, rng

import mlx_compat

SHAPES = [(4, 3), (3,), (2, 2, 2)]


def param_pair(seed=0, shapes=SHAPES):
    """Matching lists of leaf parameters for torch and mlx_compat."""
    arrays = [randn(s, seed + i) for i, s in enumerate(shapes)]
    pt = [torch.nn.Parameter(torch.tensor(a)) for a in arrays]
    pm = [mlx_compat.nn.Parameter(ours(a)) for a in arrays]
    return pt, pm


def run_with_grads(opt_cls_t, opt_cls_m, kwargs, steps=20, seed=0, skip_every=None):
    """Feed both optimizers the same random gradients for ``steps`` steps."""
    pt, pm = param_pair(seed)
    opt_t = opt_cls_t(pt, **kwargs)
    opt_m = opt_cls_m(pm, **kwargs)
    for step in range(steps):
        for i, (a, b) in enumerate(zip(pt, pm, strict=True)):
            if skip_every and (step + i) % skip_every == 0:
                a.grad = None
                b.grad = None
                continue
            g = randn(a.shape, seed=1000 * step + i + 7)
            a.grad = torch.tensor(g)
            b.grad = ours(g)
        opt_t.step()
        opt_m.step()
    for a, b in zip(pt, pm, strict=True):
        assert_close(b, a, rtol=1e-5, atol=1e-6)
    return opt_t, opt_m, pt, pm


def run_training(opt_cls_t, opt_cls_m, kwargs, steps=20, seed=0):
    """Train the same MLP on the same random batches with both libraries."""
    t, m = mlp_pair((5, 8, 3))
    opt_t = opt_cls_t(t.parameters(), **kwargs)
    opt_m = opt_cls_m(m.parameters(), **kwargs)
    loss_t_fn = torch.nn.CrossEntropyLoss()
    loss_m_fn = mlx_compat.nn.CrossEntropyLoss()
    r = rng(seed)
    for _ in range(steps):
        x = r.standard_normal((16, 5)).astype(np.float32)
        y = r.integers(0, 3, size=(16,)).astype(np.int64)
        opt_t.zero_grad()
        opt_m.zero_grad()
        lt = loss_t_fn(t(torch.tensor(x)), torch.tensor(y))
        lm = loss_m_fn(m(ours(x)), ours(y))
        lt.backward()
        lm.backward()
        assert_close(lm, lt, rtol=1e-4, atol=1e-5)
        opt_t.step()
        opt_m.step()
    sd_t = t.state_dict()
    for k, v in m.state_dict().items():
        assert_close(v, sd_t[k], rtol=1e-5, atol=1e-6)
    return opt_t, opt_m


def compare_state_dicts(opt_t, opt_m, atol=1e-6, rtol=1e-5):
    """Same layout: integer-keyed state with matching entries, same param_groups."""
    sd_t, sd_m = opt_t.state_dict(), opt_m.state_dict()
    assert list(sd_m) == list(sd_t) == ["state", "param_groups"]
    assert sd_m["param_groups"] == sd_t["param_groups"]
    assert list(sd_m["state"]) == list(sd_t["state"])
    for idx, entry_t in sd_t["state"].items():
        entry_m = sd_m["state"][idx]
        assert list(entry_m) == list(entry_t)
        for key, value in entry_t.items():
            got = entry_m[key]
            assert isinstance(got, mlx_compat.Tensor)
            assert tuple(got.shape) == tuple(value.shape)
            assert str(got.dtype).split(".")[-1] == str(value.dtype).split(".")[-1]
            assert_close(got, value, rtol=rtol, atol=atol)
