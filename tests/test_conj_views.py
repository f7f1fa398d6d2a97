"""torch's lazy conjugate and negative bits: conj() of a complex tensor is a view
(is_conj), imag of it a negative view (is_neg); writes through them reach the
base; gradients, errors, printing and save/load as torch."""

import io

import numpy as np
import pytest
import torch
from parity import assert_same

import mlx_compat


@pytest.fixture
def rng():
    return np.random.default_rng()


def _complex(rng, shape):
    return (rng.normal(size=shape) + 1j * rng.normal(size=shape)).astype(np.complex64)


def _chain(t, depth=4):
    names, fn = [], t.grad_fn
    while fn is not None and len(names) < depth:
        names.append(type(fn).__name__)
        nxt = [f for f, _ in fn.next_functions if f is not None]
        fn = nxt[0] if nxt else None
    return names


VIEWS = [
    ("conj", lambda y: y.conj()),
    ("conj_fn", lambda y: mlx_or_torch(y).conj(y)),
    ("conj_conj", lambda y: y.conj().conj()),
    ("resolve_conj", lambda y: y.conj().resolve_conj()),
    ("mH", lambda y: y.mH),
    ("adjoint", lambda y: y.adjoint()),
    ("conj_real", lambda y: y.conj().real),
    ("conj_imag", lambda y: y.conj().imag),
    ("resolve_neg", lambda y: y.conj().imag.resolve_neg()),
    ("conj_slice", lambda y: y.conj()[1:, ::2]),
    ("conj_transpose", lambda y: y.conj().t()),
    ("conj_view", lambda y: y.conj().view(6, 2)),
    ("conj_expand", lambda y: y.conj().unsqueeze(0).expand(2, 3, 4)),
    ("conj_detach", lambda y: y.conj().detach()),
    ("conj_contiguous", lambda y: y.conj().contiguous()),
    ("conj_clone", lambda y: y.conj().clone()),
    ("conj_mul", lambda y: y.conj() * 2),
    ("conj_physical", lambda y: mlx_or_torch(y).conj_physical(y.conj())),
    ("real_input_conj", lambda y: y.real.conj()),
]


def mlx_or_torch(t):
    return torch if isinstance(t, torch.Tensor) else mlx_compat


@pytest.mark.parametrize("name,fn", VIEWS, ids=[v[0] for v in VIEWS])
def test_bits_views_and_history(rng, name, fn):
    a = _complex(rng, (3, 4))
    res = {}
    for M in (torch, mlx_compat):
        x = M.tensor(a, requires_grad=True)
        y = x * 1
        r = fn(y)
        res[M] = r
        assert (r.is_conj(), r.is_neg(), r._base is not None, _chain(r)) == (
            (res[torch].is_conj(), res[torch].is_neg(), res[torch]._base is not None)
            + (_chain(res[torch]),)
        )
    m, t = res[mlx_compat], res[torch]
    assert_same(m.detach().resolve_conj().resolve_neg(), t.detach().resolve_conj().resolve_neg())


def test_real_conj_is_self(rng):
    for M in (torch, mlx_compat):
        x = M.tensor(rng.normal(size=3).astype(np.float32))
        assert x.conj() is x and not x.conj().is_conj()


def test_gradients_through_conj_views(rng):
    a = _complex(rng, (3, 4))
    w = rng.normal(size=(3, 4)).astype(np.float32)
    grads = {}
    for M in (torch, mlx_compat):
        x = M.tensor(a, requires_grad=True)
        c = (x * 1).conj()
        out = (
            (c.imag * M.tensor(w)).sum()
            + (c.real**2).sum()
            + (c.mH.abs() ** 2).sum()
            + (c * c).abs().sum()
        )
        out.backward()
        grads[M] = x.grad
    assert_same(grads[mlx_compat], grads[torch], 1e-5, 1e-6)


def test_writes_through_conj_and_neg_views(rng):
    a = _complex(rng, (3, 4))
    out = {}
    for M in (torch, mlx_compat):
        z = M.tensor(a)
        v = z.conj()
        v[0] = 1 + 2j
        v.imag[1] = 5.0
        v.mul_(2)
        v.real.add_(1)
        v.imag.neg_()
        z.mH[0, 1] = 3j
        v[2].copy_(M.tensor([1j, 2, 3, 4j]))
        out[M] = (z, v.resolve_conj(), z.conj().imag.resolve_neg())
    for m, t in zip(out[mlx_compat], out[torch], strict=True):
        assert_same(m, t)


def test_autograd_through_writes_into_conj_view(rng):
    a, b = _complex(rng, (4,)), _complex(rng, (2,))
    grads = {}
    for M in (torch, mlx_compat):
        x = M.tensor(a, requires_grad=True)
        s = M.tensor(b, requires_grad=True)
        y = x * 1
        y.conj()[1:3] = s * 2
        (y.abs() ** 2 + y.real * 3).sum().backward()
        grads[M] = (x.grad, s.grad)
    for m, t in zip(grads[mlx_compat], grads[torch], strict=True):
        assert_same(m, t, 1e-5, 1e-6)


ERRORS = [
    ("numpy_conj", lambda M, x: x.conj().numpy()),
    ("numpy_neg", lambda M, x: x.conj().imag.numpy()),
    ("array_conj", lambda M, x: np.asarray(x.conj())),
    ("view_as_real", lambda M, x: M.view_as_real(x.conj())),
    ("view_dtype", lambda M, x: x.conj().view(M.float32)),
    ("dlpack", lambda M, x: x.conj().__dlpack__()),
]


@pytest.mark.parametrize("name,fn", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(rng, name, fn):
    a = _complex(rng, (3,))
    excs = []
    for M in (torch, mlx_compat):
        with pytest.raises(Exception) as info:
            fn(M, M.tensor(a))
        excs.append(info.value)
    assert type(excs[1]) is type(excs[0]) and str(excs[1]) == str(excs[0])


def test_numpy_force_and_printing(rng):
    a = _complex(rng, (2, 3))
    t, m = torch.tensor(a).conj(), mlx_compat.tensor(a).conj()
    np.testing.assert_array_equal(m.numpy(force=True), t.numpy(force=True))
    assert repr(m) == repr(t) and repr(m.imag) == repr(t.imag)
    assert m.tolist() == t.tolist() and m[1, 2].item() == t[1, 2].item()


@pytest.mark.parametrize(
    "saver,loader", [(torch, mlx_compat), (mlx_compat, torch), (mlx_compat, mlx_compat)]
)
def test_save_load_keeps_bits(rng, saver, loader):
    a = _complex(rng, (2, 3))
    x = saver.tensor(a)
    buf = io.BytesIO()
    saver.save({"x": x, "c": x.conj(), "detached": x.conj().detach()}, buf)
    buf.seek(0)
    got = loader.load(buf)
    for key in ("c", "detached"):
        assert got[key].is_conj()
        np.testing.assert_array_equal(got[key].resolve_conj().numpy(), a.conj())
    buf = io.BytesIO()
    saver.save(x.conj().imag, buf)
    buf.seek(0)
    n = loader.load(buf)
    assert n.is_neg()
    np.testing.assert_array_equal(n.resolve_neg().numpy(), -a.imag)


def test_pickle_and_deepcopy(rng):
    import copy
    import pickle

    a = _complex(rng, (3,))
    for M in (torch, mlx_compat):
        y = M.tensor(a).conj()
        p = pickle.loads(pickle.dumps(y))
        assert p.is_conj() and np.array_equal(p.resolve_conj().numpy(), a.conj())
        n = pickle.loads(pickle.dumps(y.imag))
        assert n.is_neg() and np.array_equal(n.resolve_neg().numpy(), -a.imag)
        d = copy.deepcopy(y)  # a clone: resolved, as torch
        assert not d.is_conj() and np.array_equal(d.numpy(), a.conj())
