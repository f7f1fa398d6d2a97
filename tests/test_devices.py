"""cuda / backends.mps queries and device placement against a CPU-only torch."""

from __future__ import annotations

import pytest
import torch

import mlx_compat


def _outcome(fn):
    """('ok', value) or ('raise', exception class, message) of calling fn."""
    try:
        return ("ok", fn())
    except Exception as e:  # noqa: BLE001
        return ("raise", type(e), str(e))


requires_torch_without_cuda = pytest.mark.skipif(
    torch.cuda.is_available(), reason="compares with a torch build that has no CUDA device"
)
requires_no_mlx_cuda = pytest.mark.skipif(
    mlx_compat.cuda.is_available(), reason="MLX has a CUDA device here"
)


@requires_torch_without_cuda
@requires_no_mlx_cuda
@pytest.mark.parametrize(
    "call",
    [
        lambda M: M.cuda.is_available(),
        lambda M: M.cuda.device_count(),
        lambda M: M.cuda.is_initialized(),
        lambda M: M.cuda.current_device(),
        lambda M: M.cuda.synchronize(),
        lambda M: M.cuda.synchronize(0),
        lambda M: M.cuda.synchronize("cuda:0"),
        lambda M: M.cuda.get_device_name(),
        lambda M: M.cuda.get_device_name(0),
        lambda M: M.cuda.get_device_name(M.device("cuda", 0)),
        lambda M: M.cuda.manual_seed(1234),
        lambda M: M.cuda.manual_seed_all(-7),
        lambda M: M.cuda.manual_seed("not a number"),
        lambda M: M.cuda.empty_cache(),
    ],
    ids=[
        "is_available",
        "device_count",
        "is_initialized",
        "current_device",
        "synchronize",
        "synchronize-int",
        "synchronize-str",
        "get_device_name",
        "get_device_name-int",
        "get_device_name-device",
        "manual_seed",
        "manual_seed_all",
        "manual_seed-bad",
        "empty_cache",
    ],
)
def test_cuda_functions_match_cpu_torch(call):
    ours, theirs = _outcome(lambda: call(mlx_compat)), _outcome(lambda: call(torch))
    assert ours == theirs
    if theirs[0] == "ok":
        assert type(ours[1]) is type(theirs[1])


@requires_torch_without_cuda
@requires_no_mlx_cuda
def test_unavailable_cuda_values():
    assert mlx_compat.cuda.is_available() is False
    assert mlx_compat.cuda.device_count() == 0
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        mlx_compat.cuda.current_device()


@pytest.mark.skipif(not mlx_compat.cuda.is_available(), reason="no CUDA device in MLX")
def test_available_cuda():
    assert mlx_compat.cuda.device_count() >= 1
    assert mlx_compat.cuda.current_device() == 0
    assert mlx_compat.cuda.synchronize() is None
    assert isinstance(mlx_compat.cuda.get_device_name(0), str)
    with pytest.raises(AssertionError):
        mlx_compat.cuda.get_device_name(mlx_compat.cuda.device_count())


def test_mps_backend_matches_torch():
    ours = (mlx_compat.backends.mps.is_available(), mlx_compat.backends.mps.is_built())
    assert all(isinstance(v, bool) for v in ours)
    theirs = (torch.backends.mps.is_available(), torch.backends.mps.is_built())
    if ours != theirs:
        pytest.skip(f"MLX sees Metal as {ours}, this torch build as {theirs}")
    assert ours == theirs


def test_modules_import_like_torch():
    import mlx_compat.backends.mps as mps_module
    import mlx_compat.cuda as cuda_module

    assert mps_module is mlx_compat.backends.mps
    assert cuda_module is mlx_compat.cuda
    for name in ("cuda", "backends"):
        assert name in mlx_compat.__all__


@pytest.mark.parametrize("spec", [("cuda",), ("cuda:0",), ("cuda:1",), ("cuda", 2), ("mps",)])
def test_device_objects_exist_without_the_device(spec):
    ours, theirs = mlx_compat.device(*spec), torch.device(*spec)
    assert (ours.type, ours.index) == (theirs.type, theirs.index)
    assert str(ours) == str(theirs)
    assert repr(ours) == repr(theirs)


@requires_torch_without_cuda
@requires_no_mlx_cuda
@pytest.mark.parametrize(
    "make",
    [
        lambda M: M.zeros(2, device="cuda"),
        lambda M: M.ones(2, 3, device=M.device("cuda")),
        lambda M: M.randn(2, device="cuda"),
        lambda M: M.tensor([1.0, 2.0], device="cuda"),
        lambda M: M.zeros(2).to("cuda"),
    ],
    ids=["zeros", "ones-device", "randn", "tensor", "to"],
)
def test_tensor_on_missing_cuda_exception_class(make):
    ours, theirs = _outcome(lambda: make(mlx_compat)), _outcome(lambda: make(torch))
    assert ours[0] == theirs[0] == "raise"
    assert ours[1:] == theirs[1:]


@requires_no_mlx_cuda
@pytest.mark.parametrize(
    "make",
    [
        lambda M: M.zeros(2, device="cuda"),
        lambda M: M.ones(2, 3, device=M.device("cuda")),
        lambda M: M.randn(2, device="cuda"),
        lambda M: M.tensor([1.0, 2.0], device="cuda"),
        lambda M: M.zeros(2).to("cuda"),
    ],
    ids=["zeros", "ones-device", "randn", "tensor", "to"],
)
def test_tensor_on_missing_cuda_raises(make):
    # The message is torch's; the class is checked against torch above.
    with pytest.raises(
        (RuntimeError, AssertionError), match="Torch not compiled with CUDA enabled"
    ):
        make(mlx_compat)
