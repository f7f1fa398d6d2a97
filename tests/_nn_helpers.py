"""Parity helpers shared by the nn / optim / utils.data tests.

Each test runs the same case through real torch and mlx_compat; these helpers
move values between the two (always through numpy) and compare them.
"""

import numpy as np
import torch

import mlx_compat

FWD_RTOL = 1e-5
GRAD_RTOL = 1e-4


def rng(seed=0):
    """A numpy Generator for fresh, reproducible test data."""
    return np.random.default_rng(seed)


def randn(shape, seed=0, dtype=np.float32):
    return rng(seed).standard_normal(shape).astype(dtype)


def to_np(x):
    """numpy copy of a torch or mlx_compat tensor (or pass numpy through)."""
    if isinstance(x, np.ndarray):
        return x
    return np.array(x.detach().numpy())


def ours(x, requires_grad=False):
    """mlx_compat tensor holding the same values and dtype as ``x``."""
    arr = to_np(x) if not isinstance(x, np.ndarray) else x
    t = mlx_compat.tensor(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def theirs(x, requires_grad=False):
    """torch tensor holding the same values and dtype as ``x``."""
    arr = to_np(x) if not isinstance(x, np.ndarray) else x
    t = torch.tensor(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def assert_close(actual, expected, rtol=FWD_RTOL, atol=1e-6):
    a, e = to_np(actual), to_np(expected)
    assert a.shape == e.shape, (a.shape, e.shape)
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol)


def same_dtype(ours_t, torch_t):
    return str(ours_t.dtype).split(".")[-1] == str(torch_t.dtype).split(".")[-1]


def copy_weights(torch_module, our_module):
    """Load torch_module's state into our_module (strictly, same keys)."""
    state = {k: ours(v) for k, v in torch_module.state_dict().items()}
    our_module.load_state_dict(state)


def mlp(nn, dims=(5, 8, 3)):
    """The same small MLP built from either library's ``nn``."""
    layers = []
    for i in range(len(dims) - 1):
        layers.append(nn.Linear(dims[i], dims[i + 1]))
        if i < len(dims) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def mlp_pair(dims=(5, 8, 3)):
    """(torch model, our model) with identical weights."""
    t = mlp(torch.nn, dims)
    m = mlp(mlx_compat.nn, dims)
    copy_weights(t, m)
    return t, m


def raises_same(fn_torch, fn_ours, match_message=True):
    """Both callables raise the same exception class (and message)."""
    try:
        fn_torch()
    except Exception as exc:  # noqa: BLE001
        expected = exc
    else:
        raise AssertionError("torch did not raise")
    try:
        fn_ours()
    except Exception as exc:  # noqa: BLE001
        got = exc
    else:
        raise AssertionError(f"mlx_compat did not raise (torch raised {expected!r})")
    assert type(got) is type(expected), (type(got), type(expected), got, expected)
    if match_message:
        assert str(got) == str(expected), (str(got), str(expected))
    return got
