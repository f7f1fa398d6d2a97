"""Complex sampling against torch's CPU stream: a complex64 tensor is sampled
through its real view (two float32 draws per element, real part first); normal
samples have variance std^2 / 2 in each part."""

import numpy as np
import pytest
import torch
from parity import check_raises

import mlx_compat


def real_parts(x):
    return np.stack([x.real, x.imag], axis=-1)


# Draws reproduced bit for bit (uniforms; normals of fewer than 16 floats, which
# torch draws one double at a time; non-contiguous normal targets, likewise).
EXACT = [
    ("rand", lambda M: M.rand(9, dtype=M.complex64)),
    ("rand_2d", lambda M: M.rand(4, 5, dtype=M.complex64)),
    ("rand_cfloat", lambda M: M.rand(3, dtype=M.cfloat)),
    ("uniform_", lambda M: M.zeros(13, dtype=M.complex64).uniform_(-2.0, 3.5)),
    ("uniform_transposed", lambda M: M.zeros(4, 6, dtype=M.complex64).t().uniform_()),
    ("uniform_strided", lambda M: M.zeros(4, 6, dtype=M.complex64)[:, ::2].uniform_(1.0, 2.0)),
    ("rand_like", lambda M: M.rand_like(M.ones(3, 5, dtype=M.complex64))),
    ("rand_like_transposed", lambda M: M.rand_like(M.ones(6, 4, dtype=M.complex64).t())),
    ("randn_small", lambda M: M.randn(7, dtype=M.complex64)),
    ("randn_one", lambda M: M.randn(1, dtype=M.complex64)),
    ("normal_small", lambda M: M.zeros(5, dtype=M.complex64).normal_(2.0, 3.0)),
    ("normal_transposed", lambda M: M.zeros(4, 6, dtype=M.complex64).t().normal_()),
    ("randn_like_transposed", lambda M: M.randn_like(M.ones(6, 4, dtype=M.complex64).t())),
    ("randn_like_small", lambda M: M.randn_like(M.ones(2, 3, dtype=M.complex64))),
    ("generator", lambda M: M.rand(6, dtype=M.complex64, generator=M.Generator().manual_seed(3))),
    ("empty", lambda M: M.randn(0, 3, dtype=M.complex64)),
]

# 16+ floats: torch's Box-Muller over blocks of 16, then scaling and shifting.
BLOCKS = [
    ("randn", lambda M: M.randn(8, dtype=M.complex64)),
    ("randn_large", lambda M: M.randn(50, dtype=M.complex64)),
    ("randn_2d", lambda M: M.randn(3, 7, dtype=M.complex64)),
    ("randn_like", lambda M: M.randn_like(M.ones(20, dtype=M.complex64))),
    ("normal_numbers", lambda M: M.normal(0.0, 1.0, (30,), dtype=M.complex64)),
    ("normal_", lambda M: M.zeros(64, dtype=M.complex64).normal_(1.0, 3.0)),
    ("normal_mean_tensor", lambda M: M.normal(M.ones(20, dtype=M.complex64) * (1 + 2j), 0.5)),
    ("normal_numbers_scaled", lambda M: M.normal(2.0, 4.0, (12,), dtype=M.complex64)),
]


def draw(fn, seed):
    torch.manual_seed(seed)
    t = fn(torch)
    mlx_compat.manual_seed(seed)
    m = fn(mlx_compat)
    assert m.dtype == mlx_compat.complex64 and t.dtype == torch.complex64
    assert tuple(m.shape) == tuple(t.shape)
    assert m.stride() == t.stride()
    return real_parts(m.numpy()), real_parts(t.numpy())


@pytest.mark.parametrize("seed", [0, 1234])
@pytest.mark.parametrize(("name", "fn"), EXACT, ids=[e[0] for e in EXACT])
def test_bit_exact(name, fn, seed):
    m, t = draw(fn, seed)
    np.testing.assert_array_equal(m, t)


@pytest.mark.parametrize("seed", [0, 99, 2**40 + 17])
@pytest.mark.parametrize(("name", "fn"), BLOCKS, ids=[e[0] for e in BLOCKS])
def test_blocks_bit_exact(name, fn, seed):
    m, t = draw(fn, seed)
    np.testing.assert_array_equal(m, t)


def test_streams_continue_in_step():
    # A complex draw consumes the same amount of the stream as torch's.
    torch.manual_seed(7)
    mlx_compat.manual_seed(7)
    for _ in range(3):
        mlx_compat.randn(5, dtype=mlx_compat.complex64)
        torch.randn(5, dtype=torch.complex64)
        mlx_compat.rand(3, dtype=mlx_compat.complex64)
        torch.rand(3, dtype=torch.complex64)
        np.testing.assert_array_equal(mlx_compat.rand(4).numpy(), torch.rand(4).numpy())


def test_in_place_identity_and_version():
    for M in (torch, mlx_compat):
        x = M.zeros(3, 2, dtype=M.complex64)
        ptr = x.data_ptr()
        assert x.normal_() is x and x.uniform_() is x
        assert x.data_ptr() == ptr and x._version == 2


def test_requires_grad_factory():
    for M in (torch, mlx_compat):
        x = M.randn(2, 3, dtype=M.complex64, requires_grad=True)
        assert x.requires_grad and x.is_leaf and x.dtype == M.complex64
        (x.abs() ** 2).sum().backward()
        assert x.grad.dtype == M.complex64


def test_statistics():
    mlx_compat.manual_seed(0)
    z = mlx_compat.randn(20000, dtype=mlx_compat.complex64).numpy()
    assert abs(z.real.var() - 0.5) < 0.03 and abs(z.imag.var() - 0.5) < 0.03
    assert abs(np.mean(np.abs(z) ** 2) - 1.0) < 0.05
    u = mlx_compat.rand(20000, dtype=mlx_compat.complex64).numpy()
    assert 0 <= u.real.min() and u.real.max() < 1 and 0 <= u.imag.min() and u.imag.max() < 1


ERRORS = [
    lambda M: M.zeros(3, dtype=M.complex64).uniform_(3.0, 2.0),
    lambda M: M.zeros(3, dtype=M.complex64).normal_(0.0, -1.0),
    lambda M: M.zeros(3, dtype=M.complex64).exponential_(),
    lambda M: M.zeros(3, dtype=M.complex64).cauchy_(),
    lambda M: M.zeros(3, dtype=M.complex64).log_normal_(),
    lambda M: M.zeros(3, dtype=M.complex64).geometric_(0.5),
    lambda M: M.zeros(3, dtype=M.complex64).random_(),
    lambda M: M.zeros(3, dtype=M.complex64).random_(10),
    lambda M: M.zeros(3, dtype=M.complex64).random_(2, 5),
    lambda M: M.zeros(3, dtype=M.complex64).bernoulli_(0.5),
    lambda M: M.bernoulli(M.zeros(3, dtype=M.complex64)),
    lambda M: M.randint(0, 5, (3,), dtype=M.complex64),
    lambda M: M.randint_like(M.zeros(3, dtype=M.complex64), 5),
    lambda M: M.zeros(3, dtype=M.int64).normal_(),
    lambda M: M.zeros(3, dtype=M.bool).uniform_(),
    lambda M: M.zeros(3, dtype=M.int64).exponential_(),
    lambda M: M.zeros(3, dtype=M.int32).cauchy_(),
    lambda M: M.zeros(3, dtype=M.bool).geometric_(0.5),
    lambda M: M.zeros(3, dtype=M.uint8).random_(-1, 3),
    lambda M: M.zeros(3, dtype=M.int8).random_(0, 200),
    lambda M: M.zeros(3, dtype=M.bool).random_(0, 3),
    lambda M: M.randint(0, 300, (2,), dtype=M.uint8),
    lambda M: M.randint(-2, 2, (2,), dtype=M.int16).random_(0, 2**15 + 1),
]


@pytest.mark.parametrize("fn", ERRORS)
def test_errors(fn):
    m_exc, t_exc = check_raises(lambda M: fn(M))
    assert str(m_exc) == str(t_exc)


def test_empty_targets_skip_dtype_checks():
    # torch returns early on empty tensors for these samplers.
    for M in (torch, mlx_compat):
        M.zeros(0, dtype=M.int64).normal_()
        M.zeros(0, dtype=M.int64).exponential_()
        M.zeros(0, dtype=M.complex64).geometric_(0.5)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_small_normal_uses_double_parameters(dtype):
    # Fewer than 16 draws: torch samples in double with the exact mean and std.
    torch.manual_seed(3)
    t = torch.zeros(9, dtype=getattr(torch, dtype)).normal_(0.1, 0.7).numpy()
    mlx_compat.manual_seed(3)
    m = mlx_compat.zeros(9, dtype=getattr(mlx_compat, dtype)).normal_(0.1, 0.7).numpy()
    np.testing.assert_array_equal(m, t)
