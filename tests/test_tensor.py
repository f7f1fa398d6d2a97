"""Tensor basics against torch: creation and dtype inference, metadata, host
conversion, printing, conversions, views sharing storage, grad-mode switches."""

import numpy as np
import pytest
import torch
from parity import assert_same, check_raises, pair

import mlx_compat

RNG = np.random.default_rng(1234)

DATA = [
    [1.0, 2.0, 3.0],
    [[1, 2], [3, 4]],
    [True, False],
    [1, 2.5],
    [[True, 2], [3, 4]],
    3.5,
    7,
    False,
    [],
    [[1.5 + 2j, 3]],
]


@pytest.mark.parametrize("data", DATA, ids=[repr(d) for d in DATA])
def test_tensor_dtype_inference(data):
    assert_same(mlx_compat.tensor(data), torch.tensor(data))


@pytest.mark.parametrize(
    "dtype", ["float32", "float64", "float16", "int64", "int32", "uint8", "bool"]
)
def test_tensor_from_numpy_and_dtype_arg(dtype):
    arr = (RNG.uniform(-5, 5, size=(3, 4)) * 10).astype(dtype)
    assert_same(mlx_compat.tensor(arr), torch.tensor(arr))
    assert_same(mlx_compat.from_numpy(arr), torch.from_numpy(arr))
    assert_same(
        mlx_compat.tensor(arr.tolist(), dtype=mlx_compat.float64),
        torch.tensor(arr.tolist(), dtype=torch.float64),
    )


FACTORIES = [
    ("zeros", lambda M: M.zeros(2, 3)),
    ("zeros_tuple", lambda M: M.zeros((2, 3), dtype=M.int64)),
    ("ones", lambda M: M.ones(4)),
    ("ones_list", lambda M: M.ones([2, 2], dtype=M.float64)),
    ("full_float", lambda M: M.full((2, 3), 1.5)),
    ("full_int", lambda M: M.full((2,), 7)),
    ("full_bool", lambda M: M.full((2,), True)),
    ("full_dtype", lambda M: M.full((3,), 2, dtype=M.float32)),
    ("arange_int", lambda M: M.arange(7)),
    ("arange_range", lambda M: M.arange(2, 11, 3)),
    ("arange_float", lambda M: M.arange(0, 1, 0.1)),
    ("arange_neg", lambda M: M.arange(5, -3, -2)),
    ("arange_dtype", lambda M: M.arange(5, dtype=M.float32)),
    ("empty_shape", lambda M: M.empty(2, 3).shape),
    ("zeros_like", lambda M: M.zeros_like(M.ones(2, 3, dtype=M.int32))),
    ("ones_like", lambda M: M.ones_like(M.zeros(3), dtype=M.float64)),
    ("rand_shape", lambda M: (M.rand(2, 3).shape, M.rand(2).dtype)),
    ("randn_shape", lambda M: (M.randn((4,)).shape, M.randn(2, dtype=M.float64).dtype)),
    ("linspace", lambda M: M.linspace(-1.5, 2.25, 9)),
    ("linspace_int", lambda M: M.linspace(-3, 5, 6, dtype=M.int64)),
    ("linspace_f64", lambda M: M.linspace(0, 1, 11, dtype=M.float64)),
    ("linspace_one", lambda M: M.linspace(2, 3, 1)),
    ("linspace_tensor_ends", lambda M: M.linspace(M.tensor(0.5), M.tensor(4.0), 5)),
    ("logspace", lambda M: M.logspace(0, 2, 5)),
    ("logspace_base2", lambda M: M.logspace(-1, 3, 7, base=2)),
    ("eye", lambda M: M.eye(3)),
    ("eye_rect_int", lambda M: M.eye(3, 4, dtype=M.int32)),
    ("tril_indices", lambda M: M.tril_indices(3, 4, 1)),
    ("triu_indices", lambda M: M.triu_indices(4, 3, -1)),
    ("tril_indices_neg", lambda M: M.tril_indices(5, 5, -2)),
    ("empty_strided_meta", lambda M: (M.empty_strided((2, 3), (1, 2)).stride(),)),
    ("full_like", lambda M: M.full_like(M.ones(2, 3, dtype=M.int32), 7)),
    ("full_like_dtype", lambda M: M.full_like(M.ones(2), 0.5, dtype=M.float64)),
    ("empty_like_meta", lambda M: (tuple(M.empty_like(M.ones(2, 3)).shape),)),
    ("meshgrid_ij", lambda M: M.meshgrid(M.arange(3), M.arange(2), indexing="ij")),
    ("meshgrid_xy", lambda M: M.meshgrid(M.arange(3), M.arange(2), indexing="xy")),
    ("meshgrid_list", lambda M: M.meshgrid([M.arange(2.0), M.arange(3.0)], indexing="ij")),
    ("cartesian_prod", lambda M: M.cartesian_prod(M.tensor([1, 2]), M.tensor([3, 4, 5]))),
]


@pytest.mark.parametrize("name,fn", FACTORIES, ids=[f[0] for f in FACTORIES])
def test_factories(name, fn):
    ours, theirs = fn(mlx_compat), fn(torch)
    if isinstance(theirs, tuple) and not isinstance(theirs[0], torch.Tensor):
        assert repr(ours) == repr(theirs)
    elif isinstance(theirs, torch.Size):
        assert tuple(ours) == tuple(theirs)
    else:
        assert_same(ours, theirs)


@pytest.mark.parametrize("seed", [0, 7, 123])
def test_random_streams_match_torch(seed):
    torch.manual_seed(seed)
    mlx_compat.manual_seed(seed)
    for shape in [(5,), (3, 7), (40,)]:
        np.testing.assert_array_equal(mlx_compat.rand(*shape).numpy(), torch.rand(*shape).numpy())
    np.testing.assert_array_equal(mlx_compat.randperm(50).numpy(), torch.randperm(50).numpy())
    np.testing.assert_allclose(
        mlx_compat.randn(10).numpy(), torch.randn(10).numpy(), rtol=1e-6, atol=1e-7
    )
    np.testing.assert_allclose(
        mlx_compat.randn(64).numpy(), torch.randn(64).numpy(), rtol=1e-5, atol=1e-6
    )


def test_metadata():
    arr = RNG.normal(size=(2, 3, 4)).astype(np.float32)
    t, m = pair(arr)
    assert m.shape == t.shape and repr(m.shape) == repr(t.shape)
    assert m.size() == t.size() and m.size(1) == t.size(1) and m.size(-1) == t.size(-1)
    assert m.dim() == t.dim() and m.ndim == t.ndim
    assert m.numel() == t.numel()
    assert repr(m.dtype) == repr(t.dtype)
    assert str(m.device) == str(t.device) and repr(m.device) == repr(t.device)
    assert m.stride() == t.stride() and m.t().stride() == t.t().stride() if m.dim() == 2 else True
    assert m.transpose(0, 2).stride() == t.transpose(0, 2).stride()
    assert m[1].storage_offset() == t[1].storage_offset()
    assert m.is_contiguous() and not m.transpose(0, 1).is_contiguous()
    assert type(m) is mlx_compat.Tensor
    assert isinstance(m, mlx_compat.Tensor) and mlx_compat.is_tensor(m)


def test_host_conversion():
    arr = RNG.normal(size=(2, 3)).astype(np.float32)
    t, m = pair(arr)
    assert m.tolist() == t.tolist()
    np.testing.assert_array_equal(m.numpy(), t.numpy())
    assert m[1, 2].item() == t[1, 2].item()
    assert isinstance(m[0, 0].item(), float)
    ti, mi = pair(np.array([3, -4], dtype=np.int64))
    assert mi.tolist() == ti.tolist() and isinstance(mi[0].item(), int)
    assert float(m[0, 1]) == float(t[0, 1]) and int(mi[1]) == int(ti[1])
    assert bool(mi[0]) is bool(ti[0])
    assert mlx_compat.tensor(2.5).item() == 2.5


def test_factory_errors():
    check_raises(lambda M: M.meshgrid(M.arange(2), M.arange(3.0), indexing="ij"))
    check_raises(lambda M: M.meshgrid(M.arange(2), indexing="yx"))
    check_raises(lambda M: M.linspace(0, 1, -1))
    check_raises(lambda M: M.eye(-1))
    check_raises(lambda M: M.tril_indices(-1, 2))
    check_raises(lambda M: M.stack([M.ones(2), M.ones(3)]))
    check_raises(lambda M: M.cartesian_prod(M.ones(2, 2)))


def test_numpy_requires_grad_error():
    check_raises(lambda M: M.ones(2, requires_grad=True).numpy())
    check_raises(lambda M: float(M.ones(3)))
    check_raises(lambda M: bool(M.ones(3)))


REPRS = [
    lambda M: M.tensor([1.0, 2.0, 3.0]),
    lambda M: M.tensor([[1, 2], [3, 4]]),
    lambda M: M.tensor([0.001, 123456.0]),
    lambda M: M.tensor([True, False]),
    lambda M: M.tensor(3.25),
    lambda M: M.arange(2000).float(),
    lambda M: M.tensor([1.5, 2], dtype=M.float64),
    lambda M: M.tensor([1.0, 2.0], requires_grad=True),
    lambda M: M.tensor([1.0, 2.0], requires_grad=True) * 2,
    lambda M: M.tensor([[1.0, 2.0]], requires_grad=True).sum(),
    lambda M: M.zeros(0, 3),
]


@pytest.mark.parametrize("i", range(len(REPRS)))
def test_repr_matches_torch(i):
    assert repr(REPRS[i](mlx_compat)) == repr(REPRS[i](torch))
    assert str(REPRS[i](mlx_compat)) == str(REPRS[i](torch))


def test_repr_random_values():
    arr = RNG.normal(size=(4, 5)).astype(np.float32) * 10
    t, m = pair(arr)
    assert repr(m) == repr(t)


def test_conversions():
    arr = RNG.normal(size=(3,)).astype(np.float32) * 10
    t, m = pair(arr)
    assert_same(m.long(), t.long())
    assert_same(m.double(), t.double())
    assert_same(m.float(), t.float())
    assert_same(m.to(mlx_compat.int32), t.to(torch.int32))
    assert_same(m.to("cpu"), t.to("cpu"))
    assert_same(m.to("cpu", mlx_compat.float64), t.to("cpu", torch.float64))
    assert_same(m.to(dtype=mlx_compat.float16), t.to(dtype=torch.float16), rtol=1e-3)
    assert m.to(mlx_compat.float32) is m
    assert m.type() == t.type()
    assert_same(m.long().float(), t.long().float())


def test_views_share_storage():
    arr = RNG.normal(size=(3, 4)).astype(np.float32)
    t, m = pair(arr)
    for fn in [
        lambda x: x.view(12),
        lambda x: x.reshape(4, 3),
        lambda x: x.t(),
        lambda x: x.transpose(0, 1),
        lambda x: x.permute(1, 0),
        lambda x: x.unsqueeze(0),
        lambda x: x[1],
        lambda x: x[:, 1:3],
        lambda x: x.flatten(),
        lambda x: x.split(2, 1)[1],
        lambda x: x.chunk(2)[0],
        lambda x: x.unbind(1)[2],
        lambda x: x.movedim(0, 1),
        lambda x: x.diagonal(),
        lambda x: x.unfold(1, 2, 1),
        lambda x: x.as_strided((2, 2), (1, 3), 1),
        lambda x: x.narrow(0, 1, 2),
    ]:
        tv, mv = fn(t), fn(m)
        assert (tv._base is t) == (mv._base is m)
        assert mv.data_ptr() - m.data_ptr() == tv.data_ptr() - t.data_ptr()
        assert mv.stride() == tv.stride() and mv.storage_offset() == tv.storage_offset()
        assert mv.is_contiguous() == tv.is_contiguous()
    # A write into the base is seen through every view.
    mv, tv = m[1], t[1]
    m.mul_(2)
    t.mul_(2)
    assert_same(mv, tv)
    assert_same(m.t(), t.t())
    assert m._version == t._version


def test_inplace_through_view_updates_base():
    arr = RNG.normal(size=(3, 4)).astype(np.float32)
    t, m = pair(arr)
    t[1:, ::2].add_(5.0)
    m[1:, ::2].add_(5.0)
    assert_same(m, t)
    t[0].zero_()
    m[0].zero_()
    assert_same(m, t)
    t.t()[2].fill_(-1.0)
    m.t()[2].fill_(-1.0)
    assert_same(m, t)


def test_grad_attributes_and_detach():
    arr = RNG.normal(size=(3,)).astype(np.float32)
    t, m = pair(arr, requires_grad=True)
    assert m.requires_grad and m.is_leaf and m.grad is None and m.grad_fn is None
    y_t, y_m = t * 2, m * 2
    assert not y_m.is_leaf and y_m.grad_fn.name() == y_t.grad_fn.name()
    d_m, d_t = y_m.detach(), y_t.detach()
    assert not d_m.requires_grad and d_m.grad_fn is None
    assert_same(d_m, d_t)
    z = mlx_compat.ones(2)
    assert z.requires_grad_() is z and z.requires_grad
    z.requires_grad_(False)
    assert not z.requires_grad
    check_raises(lambda M: (M.ones(2, requires_grad=True) * 2).requires_grad_(False))


def test_no_grad_and_set_grad_enabled():
    m = mlx_compat.ones(2, requires_grad=True)
    with mlx_compat.no_grad():
        assert not mlx_compat.is_grad_enabled()
        y = m * 2
    assert mlx_compat.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None

    @mlx_compat.no_grad()
    def f(x):
        return x * 3

    assert not f(m).requires_grad
    with mlx_compat.set_grad_enabled(False):
        assert not (m + 1).requires_grad
        with mlx_compat.enable_grad():
            assert (m + 1).requires_grad
    assert (m + 1).requires_grad


def test_leaf_inplace_error():
    check_raises(lambda M: M.ones(2, requires_grad=True).add_(1))
    m = mlx_compat.ones(2, requires_grad=True)
    with mlx_compat.no_grad():
        m.add_(1)
    assert m.tolist() == [2.0, 2.0]


def test_headline_snippet():
    x = mlx_compat.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2 + 1
    loss = y.sum()
    loss.backward()
    assert str(x.grad) == "tensor([2., 2., 2.])"


def test_max_dim_named_tuple():
    arr = RNG.normal(size=(3, 4)).astype(np.float32)
    t, m = pair(arr)
    rt, rm = t.max(1), m.max(1)
    assert repr(rm) == repr(rt)
    assert_same(rm.values, rt.values)
    assert_same(rm.indices, rt.indices)
    assert_same(m.max(dim=0, keepdim=True)[1], t.max(dim=0, keepdim=True)[1])


def test_writes_through_new_views_are_shared():
    arr = RNG.normal(size=(4, 6)).astype(np.float32)
    t, m = pair(arr)
    for x in (t, m):
        x.diagonal().add_(10.0)
        x.unfold(1, 2, 2)[1, 0].mul_(0.0)
        x.split(3, 1)[1][0].fill_(-1.0)
        x.unbind(0)[3].zero_()
        x.movedim(0, 1)[5].add_(100.0)
    assert_same(m, t)
    assert m._version == t._version


def test_dtype_reinterpreting_views():
    arr = RNG.normal(size=(3, 4)).astype(np.float32)
    outs = []
    for M in (torch, mlx_compat):
        x = M.tensor(arr)
        c = M.view_as_complex(x.view(3, 2, 2))
        r = M.view_as_real(c)
        c.imag.mul_(-1.0)
        r[0, 0, 0] = 7.0
        i = x.view(M.int32)
        i[2, 3] = 0
        outs.append((x.clone(), r.clone(), c.real.clone(), i.clone()))
        assert r._base is x and c._base is x
        assert r.stride() == (4, 2, 1) and c.stride() == (2, 1)
    assert_same(list(outs[1]), list(outs[0]))


OUTS = [
    ("arange", lambda M, o: M.arange(5, out=o), "float64", (2,)),
    ("rand", lambda M, o: M.rand(3, out=o), "float32", (3,)),
    ("randn", lambda M, o: M.randn(2, 2, out=o), "float64", (2, 2)),
    ("randint", lambda M, o: M.randint(0, 9, (4,), out=o), "int32", (4,)),
    ("randperm", lambda M, o: M.randperm(6, out=o), "int64", (6,)),
    ("full", lambda M, o: M.full((2, 2), 3, out=o), "int64", (2, 2)),
    ("zeros", lambda M, o: M.zeros(2, 3, out=o), "float32", (0,)),
    ("linspace", lambda M, o: M.linspace(0, 1, 4, out=o), "float32", (4,)),
    ("eye", lambda M, o: M.eye(3, out=o), "float32", (3, 3)),
]


@pytest.mark.parametrize("name,fn,dtype,shape", OUTS, ids=[o[0] for o in OUTS])
def test_factory_out(name, fn, dtype, shape):
    import warnings

    results = []
    for M in (torch, mlx_compat):
        M.manual_seed(3)
        out = M.zeros(*shape, dtype=getattr(M, dtype))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = fn(M, out)
        assert r is out
        results.append(out)
    assert_same(results[1], results[0])


NEW = [
    ("new_zeros", lambda M, t: t.new_zeros(2, 3)),
    ("new_zeros_dtype", lambda M, t: t.new_zeros((2,), dtype=M.float64)),
    ("new_ones", lambda M, t: t.new_ones((2,))),
    ("new_full", lambda M, t: t.new_full((2,), 1.5)),
    ("new_empty_shape", lambda M, t: t.new_empty(2, 4).shape),
    ("new_tensor", lambda M, t: t.new_tensor([1.5, 2])),
]


@pytest.mark.parametrize("name,fn", NEW, ids=[n[0] for n in NEW])
@pytest.mark.parametrize("dtype", ["int32", "float32"])
def test_new_factories(name, fn, dtype):
    ours = fn(mlx_compat, mlx_compat.tensor([1, 2], dtype=getattr(mlx_compat, dtype)))
    theirs = fn(torch, torch.tensor([1, 2], dtype=getattr(torch, dtype)))
    if isinstance(theirs, torch.Size):
        assert tuple(ours) == tuple(theirs)
    else:
        assert_same(ours, theirs)


def test_default_dtype_switch():
    try:
        for M in (torch, mlx_compat):
            M.set_default_dtype(M.float64)
        assert_same(mlx_compat.tensor([1.5]), torch.tensor([1.5]))
        assert_same(mlx_compat.ones(2), torch.ones(2))
        assert_same(mlx_compat.arange(3) / 2, torch.arange(3) / 2)
        assert_same(
            mlx_compat.tensor([1], dtype=mlx_compat.int32) * 0.5,
            torch.tensor([1], dtype=torch.int32) * 0.5,
        )
        assert repr(mlx_compat.get_default_dtype()) == repr(torch.get_default_dtype())
    finally:
        torch.set_default_dtype(torch.float32)
        mlx_compat.set_default_dtype(mlx_compat.float32)
    check_raises(lambda M: M.set_default_dtype(M.int64))
