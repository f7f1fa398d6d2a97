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
