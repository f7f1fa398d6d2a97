"""The CPU generator reproduces torch's random streams: same seed, same numbers,
bit for bit (normal samples of 16+ elements included: Note [Box-Muller kernels]
in csrc/ops/normal_fill.cpp)."""

import numpy as np
import pytest
import torch

import mlx_compat

EXACT = [
    ("rand", lambda M: M.rand(37)),
    ("rand_f64", lambda M: M.rand(5, 3, dtype=M.float64)),
    ("randint", lambda M: M.randint(-7, 100, (41,))),
    ("randint_high", lambda M: M.randint(5, (3, 4))),
    ("randperm", lambda M: M.randperm(73)),
    ("uniform_", lambda M: M.empty(30).uniform_(-2.5, 4.0)),
    ("uniform_f64", lambda M: M.empty(30, dtype=M.float64).uniform_(1.0, 2.0)),
    ("random_", lambda M: M.empty(20, dtype=M.int64).random_()),
    ("random_to", lambda M: M.empty(20).random_(10)),
    ("random_from_to", lambda M: M.empty(20, dtype=M.int32).random_(-5, 5)),
    ("bernoulli_scalar", lambda M: M.empty(64).bernoulli_(0.3)),
    ("bernoulli_scalar_f64", lambda M: M.empty(64, dtype=M.float64).bernoulli_(0.8)),
    ("bernoulli_tensor", lambda M: M.bernoulli(M.rand(64))),
    ("bernoulli_tensor_f64", lambda M: M.bernoulli(M.rand(64, dtype=M.float64))),
    ("exponential_", lambda M: M.empty(50).exponential_()),
    ("exponential_lambda", lambda M: M.empty(50, dtype=M.float64).exponential_(2.5)),
    ("multinomial_replacement", lambda M: M.multinomial(M.rand(4, 7), 10, True)),
    ("multinomial", lambda M: M.multinomial(M.rand(4, 7), 5)),
    ("multinomial_1d", lambda M: M.multinomial(M.rand(9), 1)),
    ("poisson_small", lambda M: M.poisson(M.rand(40) * 8)),
    ("poisson_large", lambda M: M.poisson(M.rand(40) * 90 + 10)),
    ("poisson_f64", lambda M: M.poisson(M.rand(10, dtype=M.float64) * 20)),
    ("randn_small", lambda M: M.randn(15)),
    ("randn_f64", lambda M: M.randn(40, dtype=M.float64)),
    ("normal_small", lambda M: M.empty(10).normal_(2.0, 0.5)),
    ("rand_like", lambda M: M.rand_like(M.ones(3, 3))),
    ("randint_like", lambda M: M.randint_like(M.ones(7), 3, 9)),
    ("generator", lambda M: M.rand(20, generator=M.Generator().manual_seed(11))),
    ("linear_init", lambda M: M.nn.Linear(30, 20).weight.detach()),
    # Non-contiguous targets are filled in memory order, as torch's TensorIterator does.
    ("uniform_transposed", lambda M: M.zeros(4, 6).t().uniform_()),
    ("normal_transposed", lambda M: M.zeros(4, 6).t().normal_()),
    ("normal_strided", lambda M: M.zeros(4, 6)[:, ::2].normal_(1.0, 2.0)),
    ("bernoulli_transposed", lambda M: M.zeros(4, 6).t().bernoulli_(0.3)),
    ("random_transposed", lambda M: M.zeros(4, 6, dtype=M.int64).t().random_(0, 10)),
    ("exponential_transposed", lambda M: M.zeros(4, 6).t().exponential_()),
    ("rand_like_transposed", lambda M: M.rand_like(M.ones(6, 4).t())),
    ("randn_like_transposed", lambda M: M.randn_like(M.ones(6, 4).t())),
    ("randint_like_transposed", lambda M: M.randint_like(M.ones(6, 4).t(), 10)),
    ("bernoulli_of_transposed", lambda M: M.bernoulli(M.full((6, 4), 0.4).t())),
    ("multinomial_transposed", lambda M: M.multinomial(M.arange(1.0, 25.0).reshape(6, 4).t(), 2)),
]

# Normal samples of 16+ elements: torch's Box-Muller over blocks of 16.
BLOCKS = [
    ("randn", lambda M: M.randn(100)),
    ("randn_tail", lambda M: M.randn(3, 7)),
    ("randn_exact_blocks", lambda M: M.randn(4, 16)),
    ("randn_large", lambda M: M.randn(5000)),
    ("randn_like", lambda M: M.randn_like(M.ones(20))),
    ("randn_f16_tail", lambda M: M.randn(41, dtype=M.float16)),
    ("randn_bf16_tail", lambda M: M.randn(3, 11, dtype=M.bfloat16).float()),
    ("randn_f64_tail", lambda M: M.randn(53, dtype=M.float64)),
    ("normal_", lambda M: M.empty(64).normal_(1.0, 3.0)),
    ("normal_tail", lambda M: M.empty(5, 7).normal_(-2.5, 0.25)),
    ("normal_tensors", lambda M: M.normal(M.rand(30), M.rand(30) + 0.5)),
    ("normal_numbers", lambda M: M.normal(1.0, 2.0, (30,))),
    ("normal_f16", lambda M: M.empty(33, dtype=M.float16).normal_(0.5, 2.0)),
    ("init_normal", lambda M: M.nn.init.normal_(M.empty(8, 9), 0.1, 0.02)),
    ("init_xavier_normal", lambda M: M.nn.init.xavier_normal_(M.empty(12, 10))),
    ("init_kaiming_normal", lambda M: M.nn.init.kaiming_normal_(M.empty(12, 10))),
]


def fresh_seeds(n):
    """New seeds on every run, spread over torch's seed range."""
    return [int(x) for x in np.random.default_rng().integers(0, 2**63 - 1, size=n)]


def draw(fn, seed):
    torch.manual_seed(seed)
    t = fn(torch).numpy()
    mlx_compat.manual_seed(seed)
    m = fn(mlx_compat).numpy()
    return m, t


@pytest.mark.parametrize("seed", [0, 1234])
@pytest.mark.parametrize("name,fn", EXACT, ids=[e[0] for e in EXACT])
def test_bit_exact(name, fn, seed):
    m, t = draw(fn, seed)
    assert m.dtype == t.dtype and m.shape == t.shape
    np.testing.assert_array_equal(m, t)
    torch.manual_seed(seed)
    mlx_compat.manual_seed(seed)
    assert fn(mlx_compat).stride() == fn(torch).stride()


@pytest.mark.parametrize("name,fn", BLOCKS, ids=[e[0] for e in BLOCKS])
def test_normal_blocks_bit_exact(name, fn):
    for seed in fresh_seeds(3):
        m, t = draw(fn, seed)
        assert m.dtype == t.dtype and m.shape == t.shape
        np.testing.assert_array_equal(m, t, err_msg=f"seed {seed}")
        # The stream continues in step after the block draws.
        np.testing.assert_array_equal(mlx_compat.rand(5).numpy(), torch.rand(5).numpy())


def test_streams_continue_in_step():
    torch.manual_seed(5)
    mlx_compat.manual_seed(5)
    for _ in range(3):
        np.testing.assert_array_equal(mlx_compat.rand(7).numpy(), torch.rand(7).numpy())
        np.testing.assert_array_equal(mlx_compat.randperm(9).numpy(), torch.randperm(9).numpy())
        np.testing.assert_array_equal(
            mlx_compat.empty(5).bernoulli_(0.5).numpy(), torch.empty(5).bernoulli_(0.5).numpy()
        )


SCALAR_KERNEL_SCRIPT = """
import numpy as np, torch, mlx_compat
assert torch.backends.cpu.get_cpu_capability() == "DEFAULT"
for seed in {seeds}:
    for shape, dtype in (((100,), "float32"), ((3, 7), "float32"), ((41,), "float16"),
                         ((30,), "complex64"), ((53,), "float64")):
        torch.manual_seed(seed)
        t = torch.randn(*shape, dtype=getattr(torch, dtype))
        mlx_compat.manual_seed(seed)
        m = mlx_compat.randn(*shape, dtype=getattr(mlx_compat, dtype))
        np.testing.assert_array_equal(m.numpy(), t.numpy(), err_msg=f"{{seed}} {{dtype}}")
print("ok")
"""


def test_scalar_kernel_bit_exact():
    # ATEN_CPU_CAPABILITY=default sends torch to its scalar Box-Muller (the one
    # other architectures use); mlx_compat reads the same setting.
    import os
    import subprocess
    import sys

    env = dict(os.environ, ATEN_CPU_CAPABILITY="default")
    script = SCALAR_KERNEL_SCRIPT.format(seeds=fresh_seeds(3))
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
