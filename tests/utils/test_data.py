"""utils.data parity: datasets, samplers, DataLoader batching and collation."""

import collections
import os
import sys

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import mlx_compat
import mlx_compat.utils.data as mdata

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir))
from _nn_helpers import assert_close, ours, raises_same, randn, rng, same_dtype  # noqa: E402

N = 23


def datasets():
    x = randn((N, 4), 1)
    y = rng(2).integers(0, 5, size=(N,)).astype(np.int64)
    return (
        tdata.TensorDataset(torch.tensor(x), torch.tensor(y)),
        mdata.TensorDataset(ours(x), ours(y)),
    )


def assert_same_batch(bm, bt):
    if isinstance(bt, torch.Tensor):
        assert isinstance(bm, mlx_compat.Tensor)
        assert tuple(bm.shape) == tuple(bt.shape)
        assert same_dtype(bm, bt), (bm.dtype, bt.dtype)
        assert_close(bm, bt, rtol=0, atol=0)
    elif isinstance(bt, dict):
        assert type(bm) is type(bt) and list(bm) == list(bt)
        for k in bt:
            assert_same_batch(bm[k], bt[k])
    elif isinstance(bt, (list, tuple)):
        assert type(bm).__name__ == type(bt).__name__ and len(bm) == len(bt)
        for a, b in zip(bm, bt, strict=True):
            assert_same_batch(a, b)
    else:
        assert bm == bt


def test_tensor_dataset():
    dt, dm = datasets()
    assert len(dm) == len(dt) == N
    for i in (0, 5, -1):
        assert_same_batch(dm[i], dt[i])
    assert_same_batch(dm[2:5], dt[2:5])
    raises_same(
        lambda: tdata.TensorDataset(torch.zeros(3, 2), torch.zeros(4)),
        lambda: mdata.TensorDataset(mlx_compat.zeros(3, 2), mlx_compat.zeros(4)),
    )


@pytest.mark.parametrize("batch_size", [1, 4, 5, 23, 30])
@pytest.mark.parametrize("drop_last", [False, True])
def test_sequential_loader_batches(batch_size, drop_last):
    dt, dm = datasets()
    lt = tdata.DataLoader(dt, batch_size=batch_size, drop_last=drop_last)
    lm = mdata.DataLoader(dm, batch_size=batch_size, drop_last=drop_last)
    assert len(lm) == len(lt)
    bt, bm = list(lt), list(lm)
    assert len(bm) == len(bt)
    for a, b in zip(bm, bt, strict=True):
        assert_same_batch(a, b)


def test_shuffle_with_generator_matches_torch():
    dt, dm = datasets()
    lt = tdata.DataLoader(
        dt, batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(7)
    )
    lm = mdata.DataLoader(
        dm, batch_size=4, shuffle=True, generator=mlx_compat.Generator().manual_seed(7)
    )
    for _ in range(2):  # two epochs: the generator keeps advancing identically
        for a, b in zip(list(lm), list(lt), strict=True):
            assert_same_batch(a, b)


def test_shuffle_with_global_seed_matches_torch():
    dt, dm = datasets()
    torch.manual_seed(11)
    order_t = [b[1].tolist() for b in tdata.DataLoader(dt, batch_size=6, shuffle=True)]
    mlx_compat.manual_seed(11)
    order_m = [b[1].tolist() for b in mdata.DataLoader(dm, batch_size=6, shuffle=True)]
    assert order_m == order_t


def test_shuffle_visits_every_index_once():
    seen = []
    loader = mdata.DataLoader(mdata.TensorDataset(mlx_compat.arange(N)), batch_size=5, shuffle=True)
    for (xb,) in loader:
        seen.extend(xb.tolist())
    assert sorted(seen) == list(range(N))


def test_random_sampler_matches_torch():
    g_t, g_m = torch.Generator().manual_seed(3), mlx_compat.Generator().manual_seed(3)
    data = list(range(17))
    assert list(mdata.RandomSampler(data, generator=g_m)) == list(
        tdata.RandomSampler(data, generator=g_t)
    )
    for kwargs in ({"replacement": True, "num_samples": 40}, {"num_samples": 40}):
        st = tdata.RandomSampler(data, generator=g_t, **kwargs)
        sm = mdata.RandomSampler(data, generator=g_m, **kwargs)
        assert len(sm) == len(st) == 40
        assert list(sm) == list(st)
    torch.manual_seed(5)
    expected = list(tdata.RandomSampler(data))
    mlx_compat.manual_seed(5)
    assert list(mdata.RandomSampler(data)) == expected
    raises_same(
        lambda: tdata.RandomSampler(data, replacement=1),
        lambda: mdata.RandomSampler(data, replacement=1),
    )
    raises_same(
        lambda: tdata.RandomSampler(data, num_samples=0),
        lambda: mdata.RandomSampler(data, num_samples=0),
    )


def test_sequential_and_batch_sampler():
    data = list(range(10))
    assert list(mdata.SequentialSampler(data)) == list(tdata.SequentialSampler(data))
    for bs, drop in ((3, False), (3, True), (5, True), (11, False)):
        st = tdata.BatchSampler(tdata.SequentialSampler(data), bs, drop)
        sm = mdata.BatchSampler(mdata.SequentialSampler(data), bs, drop)
        assert list(sm) == list(st) and len(sm) == len(st)
    raises_same(
        lambda: tdata.BatchSampler(data, 0, False), lambda: mdata.BatchSampler(data, 0, False)
    )
    raises_same(lambda: tdata.BatchSampler(data, 2, 1), lambda: mdata.BatchSampler(data, 2, 1))
    raises_same(
        lambda: tdata.BatchSampler(data, True, False), lambda: mdata.BatchSampler(data, True, False)
    )


def test_subset_random_sampler_matches_torch():
    idx = [3, 9, 1, 7, 4]
    st = tdata.SubsetRandomSampler(idx, generator=torch.Generator().manual_seed(1))
    sm = mdata.SubsetRandomSampler(idx, generator=mlx_compat.Generator().manual_seed(1))
    assert list(sm) == list(st)


def test_loader_with_sampler_batch_sampler_and_collate_fn():
    dt, dm = datasets()
    order = [5, 1, 22, 7, 0, 3, 9]
    for a, b in zip(
        mdata.DataLoader(dm, batch_size=3, sampler=order),
        tdata.DataLoader(dt, batch_size=3, sampler=order),
        strict=True,
    ):
        assert_same_batch(a, b)
    batches = [[1, 2], [0], [5, 6, 7]]
    lm = mdata.DataLoader(dm, batch_sampler=batches)
    lt = tdata.DataLoader(dt, batch_sampler=batches)
    assert len(lm) == len(lt) == 3
    for a, b in zip(lm, lt, strict=True):
        assert_same_batch(a, b)
    lm = mdata.DataLoader(dm, batch_size=4, collate_fn=lambda items: len(items))
    assert list(lm) == [4] * 5 + [3]


def test_loader_without_batching():
    dt, dm = datasets()
    lt, lm = tdata.DataLoader(dt, batch_size=None), mdata.DataLoader(dm, batch_size=None)
    assert len(lm) == len(lt) == N
    for a, b in zip(lm, lt, strict=True):
        assert_same_batch(a, b)

    arrays = [randn((2,), i) for i in range(3)]
    for a, b in zip(
        mdata.DataLoader(arrays, batch_size=None),
        tdata.DataLoader(arrays, batch_size=None),
        strict=True,
    ):
        assert_same_batch(a, b)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"batch_size": 2, "sampler": [0, 1], "shuffle": True},
        {"batch_sampler": [[0]], "batch_size": 3},
        {"batch_sampler": [[0]], "drop_last": True},
        {"batch_size": None, "drop_last": True},
        {"num_workers": -1},
        {"timeout": -1},
        {"persistent_workers": True},
    ],
)
def test_loader_argument_errors(kwargs):
    dt, dm = datasets()
    raises_same(lambda: tdata.DataLoader(dt, **kwargs), lambda: mdata.DataLoader(dm, **kwargs))


def test_num_workers_rejected_clearly():
    _, dm = datasets()
    with pytest.raises(ValueError, match="num_workers=2"):
        mdata.DataLoader(dm, num_workers=2)


def test_loader_attributes_frozen():
    dt, dm = datasets()
    lm = mdata.DataLoader(dm, batch_size=2)
    lt = tdata.DataLoader(dt, batch_size=2)
    raises_same(lambda: setattr(lt, "batch_size", 4), lambda: setattr(lm, "batch_size", 4))
    lm.collate_fn = mdata.default_collate  # not a frozen attribute
    assert lm.batch_size == 2 and lm.drop_last is False


Point = collections.namedtuple("Point", ["x", "y"])


def _samples():
    r = rng(9)
    return [
        [1.5, 2.25, -3.0],
        [1, 2, 3],
        [True, False, True],
        ["a", "b", "c"],
        [r.standard_normal((2, 3)).astype(np.float32) for _ in range(3)],
        [r.integers(0, 9, size=(4,)) for _ in range(3)],
        [np.float64(0.5), np.float64(1.5), np.float64(2.5)],
        [np.int32(1), np.int32(2), np.int32(3)],
        [{"a": float(i), "b": [i, i + 1]} for i in range(3)],
        [Point(float(i), i) for i in range(3)],
        [(i, float(i) / 3) for i in range(3)],
        [[i, i * 2] for i in range(3)],
    ]


@pytest.mark.parametrize("index", range(12))
def test_default_collate_matches_torch(index):
    batch = _samples()[index]
    assert_same_batch(mdata.default_collate(batch), tdata.default_collate(batch))
    assert_same_batch(mdata.default_convert(batch), tdata.default_convert(batch))


def test_default_collate_tensors():
    items = [randn((3, 2), i) for i in range(4)]
    out_t = tdata.default_collate([torch.tensor(a) for a in items])
    out_m = mdata.default_collate([ours(a) for a in items])
    assert_same_batch(out_m, out_t)
    pairs_t = [(torch.tensor(a), torch.tensor(i)) for i, a in enumerate(items)]
    pairs_m = [(ours(a), mlx_compat.tensor(i)) for i, a in enumerate(items)]
    assert_same_batch(mdata.default_collate(pairs_m), tdata.default_collate(pairs_t))


def test_default_collate_errors():
    raises_same(
        lambda: tdata.default_collate([[1, 2], [3]]), lambda: mdata.default_collate([[1, 2], [3]])
    )
    raises_same(
        lambda: tdata.default_collate([object(), object()]),
        lambda: mdata.default_collate([object(), object()]),
        match_message=False,
    )
    strings = [np.array(["x"]), np.array(["y"])]
    raises_same(lambda: tdata.default_collate(strings), lambda: mdata.default_collate(strings))
    # unequal tensor shapes fail inside stack with a RuntimeError
    raises_same(
        lambda: tdata.default_collate([torch.zeros(2), torch.zeros(3)]),
        lambda: mdata.default_collate([mlx_compat.zeros(2), mlx_compat.zeros(3)]),
        match_message=False,
    )


def _counting(base):
    class Stream(base):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(float(i) for i in range(self.n))

        def __len__(self):
            return self.n

    return Stream


@pytest.mark.parametrize("batch_size,drop_last", [(3, False), (3, True), (None, False)])
def test_iterable_dataset(batch_size, drop_last):
    st = _counting(tdata.IterableDataset)(10)
    sm = _counting(mdata.IterableDataset)(10)
    lt = tdata.DataLoader(st, batch_size=batch_size, drop_last=drop_last)
    lm = mdata.DataLoader(sm, batch_size=batch_size, drop_last=drop_last)
    assert len(lm) == len(lt)
    bt, bm = list(lt), list(lm)
    assert len(bm) == len(bt)
    for a, b in zip(bm, bt, strict=True):
        assert_same_batch(a, b)
    raises_same(
        lambda: tdata.DataLoader(st, shuffle=True), lambda: mdata.DataLoader(sm, shuffle=True)
    )


def test_concat_subset_random_split():
    dt, dm = datasets()
    ct, cm = dt + dt, dm + dm
    assert len(cm) == len(ct) == 2 * N
    assert_same_batch(cm[N + 3], ct[N + 3])
    assert_same_batch(cm[-1], ct[-1])
    sub_t, sub_m = tdata.Subset(dt, [4, 2, 8]), mdata.Subset(dm, [4, 2, 8])
    assert len(sub_m) == 3
    assert_same_batch(sub_m[1], sub_t[1])
    for a, b in zip(
        mdata.DataLoader(sub_m, batch_size=2), tdata.DataLoader(sub_t, batch_size=2), strict=True
    ):
        assert_same_batch(a, b)
    parts_t = tdata.random_split(range(10), [0.3, 0.7], generator=torch.Generator().manual_seed(4))
    parts_m = mdata.random_split(
        range(10), [0.3, 0.7], generator=mlx_compat.Generator().manual_seed(4)
    )
    assert [list(p) for p in parts_m] == [list(p) for p in parts_t]
    raises_same(
        lambda: tdata.random_split(range(10), [3, 3]), lambda: mdata.random_split(range(10), [3, 3])
    )
