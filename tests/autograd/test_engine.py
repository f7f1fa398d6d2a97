"""The autograd engine against torch: gradient=, retain_graph, accumulation,
freed buffers, shared subgraphs, multiple roots, non-leaf in-place history."""

import numpy as np
import pytest
import torch
from parity import assert_same, check_raises, pair

import mlx_compat


@pytest.fixture
def rng():
    return np.random.default_rng(99)


def test_backward_with_gradient(rng):
    a = rng.normal(size=(3, 4)).astype(np.float32)
    g = rng.normal(size=(3, 4)).astype(np.float32)
    (t, m), (tg, mg) = pair(a, True), pair(g)
    (t.exp() * t).backward(tg)
    (m.exp() * m).backward(mg)
    assert_same(m.grad, t.grad, 1e-4, 1e-5)


def test_accumulation_across_calls(rng):
    a = rng.normal(size=(5,)).astype(np.float32)
    t, m = pair(a, True)
    for _ in range(3):
        (t * t).sum().backward()
        (m * m).sum().backward()
    assert_same(m.grad, t.grad, 1e-4, 1e-5)


def test_retain_graph_and_freed_buffers(rng):
    a = rng.normal(size=(4,)).astype(np.float32)
    t, m = pair(a, True)
    yt, ym = (t * t).sum(), (m * m).sum()
    yt.backward(retain_graph=True)
    ym.backward(retain_graph=True)
    yt.backward()
    ym.backward()
    assert_same(m.grad, t.grad, 1e-4, 1e-5)
    m_exc, t_exc = check_raises(lambda M, x: _twice(M, x), [a])
    assert "second time" in str(m_exc)


def _twice(M, x):
    x.requires_grad_(True)
    y = (x * x).sum()
    y.backward()
    y.backward()


def test_nonscalar_without_gradient_raises(rng):
    a = rng.normal(size=(3,)).astype(np.float32)
    check_raises(lambda M, x: (x.requires_grad_() * 2).backward(), [a])
    check_raises(lambda M, x: x.sum().backward(), [a])


def test_shared_subgraph_and_multiple_uses(rng):
    a = rng.normal(size=(3, 3)).astype(np.float32)
    b = rng.normal(size=(3,)).astype(np.float32)

    def f(M, x, y):
        h = (x @ y).relu()
        return (h * h.exp()).sum() + (h / 2).sum() + (x * x).mean()

    (ta, ma), (tb, mb) = pair(a, True), pair(b, True)
    f(torch, ta, tb).backward()
    f(mlx_compat, ma, mb).backward()
    assert_same(ma.grad, ta.grad, 1e-4, 1e-5)
    assert_same(mb.grad, tb.grad, 1e-4, 1e-5)


def test_multiple_roots(rng):
    a = rng.normal(size=(4,)).astype(np.float32)
    t, m = pair(a, True)
    torch.autograd.backward([(t * 2).sum(), (t**3).sum()])
    mlx_compat.autograd.backward([(m * 2).sum(), (m**3).sum()])
    assert_same(m.grad, t.grad, 1e-4, 1e-5)


def test_inplace_on_nonleaf_keeps_history(rng):
    a = rng.normal(size=(4,)).astype(np.float32)
    t, m = pair(a, True)
    yt, ym = t * 2, m * 2
    yt.add_(3.0)
    ym.add_(3.0)
    yt = yt * yt
    ym = ym * ym
    assert ym.grad_fn.name() == yt.grad_fn.name()
    yt.sum().backward()
    ym.sum().backward()
    assert_same(m.grad, t.grad, 1e-4, 1e-5)


def test_modified_saved_tensor_raises(rng):
    a = rng.normal(size=(3,)).astype(np.float32)

    def f(M, x):
        x.requires_grad_(True)
        y = x * 1.0
        z = y.log()
        y.add_(1)
        z.sum().backward()

    check_raises(f, [a])


def test_autograd_grad(rng):
    a = rng.normal(size=(3,)).astype(np.float32)
    b = rng.normal(size=(3,)).astype(np.float32)
    (ta, ma), (tb, mb) = pair(a, True), pair(b, True)
    gt = torch.autograd.grad((ta * tb).sum(), [ta, tb])
    gm = mlx_compat.autograd.grad((ma * mb).sum(), [ma, mb])
    assert_same(list(gm), list(gt), 1e-4, 1e-5)
    assert ma.grad is None


def test_grad_dtype_flows_back_to_input(rng):
    a = rng.normal(size=(3,)).astype(np.float32)
    t, m = pair(a, True)
    (t.double() * 2).sum().backward()
    (m.double() * 2).sum().backward()
    assert_same(m.grad, t.grad)


def test_long_chain_stays_bounded():
    x = mlx_compat.zeros(3)
    for _ in range(3000):
        x = x + 1
    assert x.tolist() == [3000.0, 3000.0, 3000.0]


def test_grad_fn_objects_and_retain_grad(rng):
    a = rng.normal(size=(3,)).astype(np.float32)
    t, m = pair(a, True)

    def build(x):
        y = x * 2
        y.retain_grad()
        z = (y.exp() + 1).sum()
        return y, z

    (ty, tz), (my, mz) = build(t), build(m)
    assert type(mz.grad_fn).__name__ == type(tz.grad_fn).__name__ == "SumBackward0"
    assert repr(type(mz.grad_fn)) == repr(type(tz.grad_fn))
    assert mz.grad_fn is mz.grad_fn
    names = lambda fn: [type(f).__name__ for f, _ in fn.next_functions if f is not None]  # noqa: E731
    assert names(mz.grad_fn) == names(tz.grad_fn)
    assert names(mz.grad_fn.next_functions[0][0]) == names(tz.grad_fn.next_functions[0][0])
    assert my.retains_grad and ty.retains_grad
    tz.backward()
    mz.backward()
    assert_same(my.grad, ty.grad, 1e-4, 1e-5)
    assert_same(m.grad, t.grad, 1e-4, 1e-5)
