"""mlx.core.array objects cross into and out of mlx_compat (same nanobind domain)."""

import mlx.core as mx
import numpy as np

import mlx_compat


def test_interop_flag():
    assert mlx_compat._C._mlx_interop is True


def test_round_trip_values_and_dtypes():
    rng = np.random.default_rng(5)
    for dtype, mdt in [(np.float32, mx.float32), (np.int64, mx.int64), (np.float64, mx.float64)]:
        arr = (rng.normal(size=(3, 4)) * 10).astype(dtype)
        a = mx.array(arr, dtype=mdt)
        t = mlx_compat._C._from_mlx(a)
        assert type(t) is mlx_compat.Tensor
        np.testing.assert_array_equal(t.numpy(), arr)
        back = t.t().__mlx_array__()
        assert isinstance(back, mx.array)
        np.testing.assert_array_equal(np.array(back), arr.T)


def test_dlpack_both_ways_with_torch():
    import torch

    rng = np.random.default_rng(8)
    arr = rng.normal(size=(3, 4)).astype(np.float32)
    m = mlx_compat.tensor(arr)
    t = torch.from_dlpack(m)
    np.testing.assert_array_equal(t.numpy(), arr)
    assert m.__dlpack_device__() == tuple(int(x) for x in torch.tensor(arr).__dlpack_device__())
    back = mlx_compat.from_dlpack(torch.tensor(arr * 2))
    assert type(back) is mlx_compat.Tensor
    np.testing.assert_array_equal(back.numpy(), arr * 2)
    try:
        mlx_compat.ones(2, requires_grad=True).__dlpack__()
    except RuntimeError:
        pass
    else:
        raise AssertionError("exporting a tensor that requires grad must raise")


def test_asarray_and_storage_identity():
    import torch

    arr = np.arange(6.0).reshape(2, 3)
    for M in (torch, mlx_compat):
        t = M.asarray(arr)
        assert str(t.dtype).endswith("float64")
        assert M.asarray(t) is t
        assert M.asarray(t, dtype=M.float32).dtype == M.float32
        assert M.asarray([1, 2]).dtype == M.int64
        assert t[1].untyped_storage().data_ptr() == t.untyped_storage().data_ptr()
        assert t.untyped_storage().nbytes() == 48
        assert t.clone().untyped_storage().data_ptr() != t.untyped_storage().data_ptr()
        assert t.is_signed() and not M.ones(1, dtype=M.uint8).is_signed()
