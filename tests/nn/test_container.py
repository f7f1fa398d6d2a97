"""Sequential / ModuleList / ModuleDict parity."""

import os
import sys
from collections import OrderedDict

import pytest
import torch

import mlx_compat

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir))
from _nn_helpers import assert_close, copy_weights, mlp_pair, ours, raises_same, randn  # noqa: E402


def test_sequential_forward_repr_keys():
    t, m = mlp_pair((5, 7, 6, 2))
    x = randn((4, 5), 1)
    assert_close(m(ours(x)), t(torch.tensor(x)))
    assert repr(m) == repr(t)
    assert list(m.state_dict()) == list(t.state_dict())


def test_sequential_ordered_dict():
    def build(nn):
        return nn.Sequential(OrderedDict([("fc", nn.Linear(3, 2)), ("act", nn.ReLU())]))

    t, m = build(torch.nn), build(mlx_compat.nn)
    assert repr(m) == repr(t)
    assert list(m.state_dict()) == ["fc.weight", "fc.bias"]
    assert type(m.fc).__name__ == "Linear"


def test_sequential_indexing():
    t, m = mlp_pair((5, 7, 6, 2))
    assert len(m) == len(t) == 5
    assert type(m[-1]).__name__ == "Linear" and m[-1] is m[4]
    sub = m[1:4]
    assert type(sub) is mlx_compat.nn.Sequential
    assert repr(sub) == repr(t[1:4])
    assert [type(x).__name__ for x in m] == [type(x).__name__ for x in t]
    raises_same(lambda: t[5], lambda: m[5])
    raises_same(lambda: t[-6], lambda: m[-6])


def test_sequential_mutation():
    t, m = mlp_pair((5, 7, 6, 2))
    popped = []
    for seq, nn in ((t, torch.nn), (m, mlx_compat.nn)):
        seq.append(nn.ReLU())
        seq.insert(0, nn.Identity())
        seq.extend([nn.Identity()])
        del seq[1]
        seq[0] = nn.Softmax(dim=1)
        popped.append(type(seq.pop(2)).__name__)
        del seq[1:3]
    assert popped[0] == popped[1]
    assert repr(m) == repr(t)
    assert list(m._modules) == list(t._modules)


def test_sequential_add_mul():
    for nn in (torch.nn, mlx_compat.nn):
        a = nn.Sequential(nn.ReLU(), nn.Identity())
        b = nn.Sequential(nn.Softmax(dim=0))
        assert len(a + b) == 3
        assert len(a * 3) == 6 and (2 * a)[1] is a[1]
        c = nn.Sequential(nn.ReLU())
        c += b
        c *= 2
        assert len(c) == 4
    raises_same(
        lambda: torch.nn.Sequential() + torch.nn.ReLU(),
        lambda: mlx_compat.nn.Sequential() + mlx_compat.nn.ReLU(),
        match_message=False,
    )
    raises_same(
        lambda: torch.nn.Sequential(torch.nn.ReLU()) * 0,
        lambda: mlx_compat.nn.Sequential(mlx_compat.nn.ReLU()) * 0,
        match_message=False,
    )


def test_module_list():
    def build(nn):
        layers = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])
        layers.append(nn.ReLU())
        layers.extend([nn.ReLU(), nn.Linear(4, 2)])
        layers.insert(1, nn.Identity())
        return layers

    t, m = build(torch.nn), build(mlx_compat.nn)
    assert repr(m) == repr(t)
    assert len(m) == 7
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in t.named_parameters()]
    copy_weights(t, m)
    x = randn((2, 4), 3)
    xt, xm = torch.tensor(x), ours(x)
    for lt, lm in zip(t, m, strict=True):
        xt, xm = lt(xt), lm(xm)
    assert_close(xm, xt)
    assert repr(m[1:3]) == repr(t[1:3])
    del m[0]
    del t[0]
    assert list(m._modules) == list(t._modules)
    assert type(m.pop(-1)).__name__ == "Linear"
    raises_same(lambda: t[10], lambda: m[10])
    raises_same(lambda: t.extend(3), lambda: m.extend(3))
    raises_same(lambda: t(1), lambda: m(1))
    assert repr(mlx_compat.nn.ModuleList()) == repr(torch.nn.ModuleList()) == "ModuleList()"
    both = m + mlx_compat.nn.ModuleList([mlx_compat.nn.ReLU()])
    assert len(both) == len(m) + 1


def test_module_dict():
    def build(nn):
        d = nn.ModuleDict({"b": nn.Linear(2, 2), "a": nn.ReLU()})
        d["c"] = nn.Identity()
        d.update([("d", nn.Softmax(dim=0))])
        return d

    t, m = build(torch.nn), build(mlx_compat.nn)
    assert repr(m) == repr(t)
    assert list(m.keys()) == list(t.keys()) == ["b", "a", "c", "d"]
    assert "a" in m and "z" not in m
    assert len(m) == 4
    assert [type(v).__name__ for v in m.values()] == [type(v).__name__ for v in t.values()]
    assert type(m.pop("a")).__name__ == "ReLU"
    del m["c"]
    assert list(m) == ["b", "d"]
    raises_same(lambda: t.update(3), lambda: m.update(3))
    raises_same(lambda: t.update([("x",)]), lambda: m.update([("x",)]))
    raises_same(lambda: t.update([3]), lambda: m.update([3]))
    m.clear()
    assert len(m) == 0


@pytest.mark.parametrize("n", [1, 2])
def test_nested_container_repr(n):
    def build(nn):
        blocks = nn.ModuleList([nn.Sequential(nn.Linear(3, 3), nn.ReLU()) for _ in range(n)])
        return nn.ModuleDict({"blocks": blocks, "head": nn.Linear(3, 1)})

    assert repr(build(mlx_compat.nn)) == repr(build(torch.nn))
