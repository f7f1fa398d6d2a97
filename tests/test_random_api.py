"""torch.random's API (seeding, state, fork_rng, Generator streams) against torch.

mlx_compat reproduces torch's CPU random stream, so after the same seeds and the
same sequence of calls both libraries must draw the same numbers: exactly for
rand/randint/randperm/uniform_, within 1e-6 relative for randn.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch

import mlx_compat


def _seeds(key, n=4):
    """Fresh seeds spread over torch's signed 64-bit seed range."""
    rng = np.random.default_rng(key)
    return [int(s) for s in rng.integers(-(2**63), 2**63 - 1, size=n, dtype=np.int64)]


def _np(x):
    return x.numpy() if isinstance(x, torch.Tensor) else x.numpy()


def _draws(M, generator=None):
    """One fixed sequence of random calls, as numpy arrays tagged exact/approximate."""
    kw = {} if generator is None else {"generator": generator}
    return [
        ("rand", _np(M.rand(5, **kw))),
        ("randn", _np(M.randn(7, **kw))),
        ("randperm", _np(M.randperm(13, **kw))),
        ("randint", _np(M.randint(-5, 50, (6,), **kw))),
        ("randn", _np(M.randn(3, 9, **kw))),
        ("rand64", _np(M.rand(4, dtype=M.float64, **kw))),
        ("uniform_", _np(M.empty(8).uniform_(-2.0, 3.0, **kw))),
        ("randperm", _np(M.randperm(40, **kw))),
    ]


def _assert_same_draws(ours, theirs):
    assert [k for k, _ in ours] == [k for k, _ in theirs]
    for (kind, o), (_, t) in zip(ours, theirs, strict=True):
        assert o.dtype == t.dtype and o.shape == t.shape, kind
        np.testing.assert_array_equal(o, t, err_msg=kind)


def _identical(a, b):
    return all(np.array_equal(x, y) for (_, x), (_, y) in zip(a, b, strict=True))


@pytest.fixture(autouse=True)
def _keep_global_streams():
    t_state, m_state = torch.get_rng_state(), mlx_compat.get_rng_state()
    yield
    torch.set_rng_state(t_state)
    mlx_compat.set_rng_state(m_state)


# ----------------------------------------------------------------------------- seeding


@pytest.mark.parametrize("seed", _seeds(1))
def test_same_seed_same_numbers(seed):
    torch.random.manual_seed(seed)
    mlx_compat.random.manual_seed(seed)
    _assert_same_draws(_draws(mlx_compat), _draws(torch))


@pytest.mark.parametrize("seed", _seeds(2) + [0, -1, -(2**63)])
def test_initial_seed_after_manual_seed(seed):
    for M in (torch, mlx_compat):
        M.manual_seed(seed)
        expected = seed % 2**64
        assert M.initial_seed() == expected
        assert M.random.initial_seed() == expected
        assert M.default_generator.initial_seed() == expected
        M.random.manual_seed(seed)
        assert M.initial_seed() == expected


def test_manual_seed_returns_default_generator():
    (seed,) = _seeds(3, 1)
    for M in (torch, mlx_compat):
        assert M.manual_seed(seed) is M.default_generator
        assert M.random.manual_seed(seed) is M.default_generator
        assert M.random.default_generator is M.default_generator


@pytest.mark.parametrize("value", [7.9, "123", np.int64(42), True], ids=repr)
def test_random_manual_seed_converts_with_int(value):
    torch.random.manual_seed(value)
    mlx_compat.random.manual_seed(value)
    assert mlx_compat.initial_seed() == torch.initial_seed()
    _assert_same_draws(_draws(mlx_compat), _draws(torch))


@pytest.mark.parametrize("value", ["twelve", None, 1.5j])
def test_random_manual_seed_bad_values(value):
    with pytest.raises(Exception) as theirs:  # noqa: B017
        torch.random.manual_seed(value)
    with pytest.raises(Exception) as ours:  # noqa: B017
        mlx_compat.random.manual_seed(value)
    assert type(ours.value) is type(theirs.value)


@pytest.mark.parametrize(
    "value", [2**64 - 1, 2**63, 2**63 + 12345, 7.9, "123", 2**64, -(2**63) - 1], ids=repr
)
def test_top_level_manual_seed_range_and_conversion(value):
    def outcome(M, fn):
        try:
            fn(value)
            return ("ok", M.initial_seed())
        except Exception as e:  # noqa: BLE001
            return ("raise", type(e))

    theirs = outcome(torch, torch.manual_seed)
    assert outcome(mlx_compat, mlx_compat.manual_seed) == theirs
    assert outcome(mlx_compat, mlx_compat.random.manual_seed) == theirs


def test_seed_reseeds_nondeterministically():
    first = mlx_compat.seed()
    assert isinstance(first, int) and 0 <= first < 2**64
    assert mlx_compat.initial_seed() == first
    after_first = _draws(mlx_compat)
    second = mlx_compat.random.seed()
    assert isinstance(second, int) and second != first
    assert mlx_compat.random.initial_seed() == second
    assert not _identical(_draws(mlx_compat), after_first)
    # the returned seed reproduces the stream that followed it, as in torch
    # (seeds of 2**63 and above are passed in their negative form, see
    # test_top_level_manual_seed_range_and_conversion)
    as_signed = first if first < 2**63 else first - 2**64
    mlx_compat.manual_seed(as_signed)
    assert mlx_compat.initial_seed() == first
    assert _identical(_draws(mlx_compat), after_first)
    torch.manual_seed(first)
    _assert_same_draws(after_first, _draws(torch))


def test_uniform_range_is_exact():
    (seed,) = _seeds(11, 1)
    out = {}
    for M in (torch, mlx_compat):
        M.manual_seed(seed)
        out[M] = M.empty(1000).uniform_(-2.0, 3.0).numpy()
    np.testing.assert_array_equal(out[mlx_compat], out[torch])


def test_unit_uniform_is_exact():
    (seed,) = _seeds(12, 1)
    out = {}
    for M in (torch, mlx_compat):
        M.manual_seed(seed)
        out[M] = M.empty(1000).uniform_().numpy()
    np.testing.assert_array_equal(out[mlx_compat], out[torch])


# ----------------------------------------------------------------------------- state


@pytest.mark.parametrize("seed", _seeds(4, 3))
def test_rng_state_round_trip(seed):
    results = {}
    for M in (torch, mlx_compat):
        M.manual_seed(seed)
        warmup = _draws(M)
        state = M.get_rng_state()
        first = _draws(M)
        M.set_rng_state(state)
        second = _draws(M)
        assert _identical(first, second)
        # the state is a snapshot: later draws do not change it
        M.set_rng_state(state)
        assert _identical(_draws(M), first)
        results[M] = warmup + first
    _assert_same_draws(results[mlx_compat], results[torch])


def test_rng_state_is_uint8_vector():
    state = mlx_compat.get_rng_state()
    assert isinstance(state, mlx_compat.Tensor)
    assert state.dtype == mlx_compat.uint8
    assert state.dim() == 1 and state.numel() > 0
    assert mlx_compat.random.get_rng_state().dtype == mlx_compat.uint8


@pytest.mark.parametrize(
    "make",
    [lambda M: M.zeros(100), lambda M: M.zeros(10, dtype=M.uint8), lambda M: [1, 2, 3]],
    ids=["float-tensor", "short-uint8", "list"],
)
def test_set_rng_state_rejects_bad_states(make):
    with pytest.raises(Exception) as theirs:  # noqa: B017
        torch.set_rng_state(make(torch))
    with pytest.raises(Exception) as ours:  # noqa: B017
        mlx_compat.set_rng_state(make(mlx_compat))
    assert type(ours.value) is type(theirs.value)


def test_top_level_aliases():
    assert mlx_compat.get_rng_state is mlx_compat.random.get_rng_state
    assert mlx_compat.set_rng_state is mlx_compat.random.set_rng_state
    for name in ("get_rng_state", "set_rng_state", "manual_seed", "seed", "initial_seed"):
        assert name in mlx_compat.__all__
    assert "random" in mlx_compat.__all__
    wanted = set(torch.random.__all__) - {"thread_safe_generator"}
    assert wanted <= set(mlx_compat.random.__all__)


# ----------------------------------------------------------------------------- fork_rng


def test_fork_rng_signature():
    ours = inspect.signature(mlx_compat.random.fork_rng).parameters
    theirs = inspect.signature(torch.random.fork_rng).parameters
    assert list(ours) == list(theirs)
    assert [p.default for p in ours.values()] == [p.default for p in theirs.values()]


@pytest.mark.parametrize("kwargs", [{}, {"devices": []}, {"device_type": "cuda", "devices": []}])
def test_fork_rng_restores_stream(kwargs):
    (seed,) = _seeds(5, 1)
    results = {}
    for M in (torch, mlx_compat):
        M.manual_seed(seed)
        before = _draws(M)
        with M.random.fork_rng(**kwargs):
            inside = _draws(M)
            M.manual_seed(seed + 1)
            _draws(M)
        after = _draws(M)
        assert _identical(inside, after)
        results[M] = before + inside + after
    _assert_same_draws(results[mlx_compat], results[torch])


def test_fork_rng_restores_after_exception():
    (seed,) = _seeds(6, 1)
    for M in (torch, mlx_compat):
        M.manual_seed(seed)
        state = M.get_rng_state()
        with pytest.raises(KeyError), M.random.fork_rng():
            M.rand(10)
            raise KeyError("inside")
        expected = _draws(M)
        M.set_rng_state(state)
        assert _identical(_draws(M), expected)


@pytest.mark.parametrize(
    "kwargs", [{"enabled": False}, {"device_type": "meta"}], ids=["disabled", "meta"]
)
def test_fork_rng_without_forking(kwargs):
    (seed,) = _seeds(7, 1)
    results = {}
    for M in (torch, mlx_compat):
        M.manual_seed(seed)
        with M.random.fork_rng(**kwargs):
            inside = _draws(M)
        after = _draws(M)
        assert not _identical(inside, after)
        results[M] = inside + after
    _assert_same_draws(results[mlx_compat], results[torch])


@pytest.mark.skipif(torch.cuda.is_available(), reason="compares with a torch build without CUDA")
@pytest.mark.skipif(mlx_compat.cuda.is_available(), reason="MLX has a CUDA device here")
@pytest.mark.parametrize(
    "make_kwargs",
    [
        lambda: {"devices": [0]},
        lambda: {"devices": iter([0])},
        lambda: {"device_type": "cuda", "devices": [0, 1]},
        lambda: {"device_type": "bogus"},
    ],
    ids=["devices", "device-iterator", "two-devices", "bad-device-type"],
)
def test_fork_rng_errors(make_kwargs):
    def enter(M):
        with M.random.fork_rng(**make_kwargs()):
            pass

    with pytest.raises(Exception) as theirs:  # noqa: B017
        enter(torch)
    with pytest.raises(Exception) as ours:  # noqa: B017
        enter(mlx_compat)
    assert type(ours.value) is type(theirs.value)


# ----------------------------------------------------------------------------- Generator


def test_generators_give_independent_streams():
    seed_a, seed_b, seed_default = _seeds(8, 3)
    results = {}
    for M in (torch, mlx_compat):
        M.manual_seed(seed_default)
        g_a = M.Generator().manual_seed(seed_a)
        g_b = M.Generator()
        g_b.manual_seed(seed_b)
        assert g_a.initial_seed() == seed_a % 2**64
        segments = [
            _draws(M, g_a),
            _draws(M),
            _draws(M, g_b),
            _draws(M, g_a),
            _draws(M),
        ]
        results[M] = [d for seg in segments for d in seg]
        # the generators did not advance the default stream
        M.manual_seed(seed_default)
        assert _identical(_draws(M) + _draws(M), segments[1] + segments[4])
    _assert_same_draws(results[mlx_compat], results[torch])


def test_generators_with_same_seed_agree():
    (seed,) = _seeds(9, 1)
    for M in (torch, mlx_compat):
        g1, g2 = M.Generator(), M.Generator()
        g1.manual_seed(seed)
        g2.manual_seed(seed)
        assert _identical(_draws(M, g1), _draws(M, g2))
        assert g1.device == M.device("cpu")


def test_generator_seed_is_independent_of_global_seed():
    (seed,) = _seeds(10, 1)
    for M in (torch, mlx_compat):
        g = M.Generator()
        g.manual_seed(seed)
        expected = _draws(M, g)
        M.manual_seed(seed + 5)
        g.manual_seed(seed)
        M.rand(17)
        assert _identical(_draws(M, g), expected)


@pytest.mark.parametrize("seed", [0, 987654321, 2**40 + 7])
def test_rng_state_bytes_equal_torch_and_exchange(seed):
    # The state is torch's 5056-byte CPUGeneratorImplState: identical bytes after
    # the same seed and draws, and loadable in either library.
    torch.manual_seed(seed)
    mlx_compat.manual_seed(seed)
    np.testing.assert_array_equal(mlx_compat.get_rng_state().numpy(), torch.get_rng_state().numpy())
    for lib in (torch, mlx_compat):
        lib.randn(3)  # leaves a cached normal sample
        lib.rand(700)  # crosses a twist of the 624-word state
    np.testing.assert_array_equal(mlx_compat.get_rng_state().numpy(), torch.get_rng_state().numpy())
    torch.set_rng_state(torch.from_numpy(mlx_compat.get_rng_state().numpy()))
    np.testing.assert_array_equal(mlx_compat.rand(5).numpy(), torch.rand(5).numpy())
    mlx_compat.set_rng_state(mlx_compat.from_numpy(torch.get_rng_state().numpy()))
    np.testing.assert_array_equal(
        mlx_compat.randint(0, 100, (6,)).numpy(), torch.randint(0, 100, (6,)).numpy()
    )
    for lib in (torch, mlx_compat):
        with pytest.raises(RuntimeError):
            lib.set_rng_state(lib.zeros(100, dtype=lib.uint8))
