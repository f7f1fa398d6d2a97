"""nn.Module parity: registration, iteration, state_dict, hooks, repr."""

import copy
import os
import sys
from collections import OrderedDict

import pytest
import torch

import mlx_compat

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir))
from _nn_helpers import (  # noqa: E402
    assert_close,
    copy_weights,
    mlp_pair,
    ours,
    raises_same,
    randn,
    to_np,
)


def make_net(lib):
    """A nested model with buffers, a shared submodule and a None parameter."""
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)
            self.register_buffer("running", lib.zeros(4))
            self.register_buffer("scratch", lib.ones(2), persistent=False)
            self.register_parameter("unused", None)

        def forward(self, x):
            return self.fc(x) + self.running

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(lib.ones(4))
            self.first = Block()
            self.body = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 4))
            self.shared = self.first  # same module registered twice
            self.head = nn.ModuleDict({"out": nn.Linear(4, 2)})

        def forward(self, x):
            return self.head["out"](self.body(self.first(x) * self.scale))

    return Net()


@pytest.fixture
def nets():
    t = make_net(torch)
    m = make_net(mlx_compat)
    copy_weights(t, m)
    return t, m


def test_named_iterators_match(nets):
    t, m = nets
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in m.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in m.named_children()] == [n for n, _ in t.named_children()]
    assert [n for n, _ in m.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in m.named_modules(prefix="root")] == [
        n for n, _ in t.named_modules(prefix="root")
    ]
    for kw in ({"remove_duplicate": False}, {"prefix": "p"}, {"recurse": False}):
        assert [n for n, _ in m.named_parameters(**kw)] == [n for n, _ in t.named_parameters(**kw)]
    assert len(list(m.parameters())) == len(list(t.parameters()))
    assert len(list(m.buffers())) == len(list(t.buffers()))
    assert len(list(m.modules())) == len(list(t.modules()))
    assert len(list(m.children())) == len(list(t.children()))


def test_state_dict_keys_and_values(nets):
    t, m = nets
    sd_t, sd_m = t.state_dict(), m.state_dict()
    assert isinstance(sd_m, OrderedDict)
    assert list(sd_m.keys()) == list(sd_t.keys())
    for k in sd_t:
        assert_close(sd_m[k], sd_t[k])
        assert not sd_m[k].requires_grad
    assert dict(sd_m._metadata) == dict(sd_t._metadata)
    kept = m.state_dict(keep_vars=True)
    assert isinstance(kept["scale"], mlx_compat.nn.Parameter)
    assert kept["scale"].requires_grad
    assert list(m.state_dict(prefix="model.").keys()) == list(t.state_dict(prefix="model.").keys())


def test_forward_and_backward_parity(nets):
    t, m = nets
    x = randn((3, 4), seed=1)
    out_t = t(torch.tensor(x))
    out_m = m(ours(x))
    assert_close(out_m, out_t)
    out_t.sum().backward()
    out_m.sum().backward()
    grads_t = dict(t.named_parameters())
    for name, p in m.named_parameters():
        assert_close(p.grad, grads_t[name].grad, rtol=1e-4, atol=1e-5)


def test_repr_matches(nets):
    t, m = nets
    assert repr(m) == repr(t)


def test_load_state_dict_strict_errors(nets):
    t, m = nets
    sd_t = t.state_dict()
    sd_m = {k: ours(v) for k, v in sd_t.items()}

    missing_t = dict(sd_t)
    del missing_t["scale"]
    missing_t["extra.weight"] = torch.zeros(1)
    missing_m = dict(sd_m)
    del missing_m["scale"]
    missing_m["extra.weight"] = mlx_compat.zeros(1)
    raises_same(lambda: t.load_state_dict(missing_t), lambda: m.load_state_dict(missing_m))

    res_t = t.load_state_dict(missing_t, strict=False)
    res_m = m.load_state_dict(missing_m, strict=False)
    assert res_m.missing_keys == res_t.missing_keys
    assert res_m.unexpected_keys == res_t.unexpected_keys
    assert repr(res_m) == repr(res_t)

    ok_m = m.load_state_dict(sd_m)
    ok_t = t.load_state_dict(sd_t)
    assert repr(ok_m) == repr(ok_t) == "<All keys matched successfully>"
    assert tuple(ok_m) == ([], [])


def test_load_state_dict_shape_mismatch(nets):
    t, m = nets
    bad_t = dict(t.state_dict())
    bad_t["body.0.weight"] = torch.zeros(3, 3)
    bad_m = {k: ours(v) for k, v in bad_t.items()}
    err = raises_same(
        lambda: t.load_state_dict(bad_t), lambda: m.load_state_dict(bad_m), match_message=False
    )
    assert "size mismatch for body.0.weight" in str(err)
    assert str(err).startswith("Error(s) in loading state_dict for Net:")


def test_load_state_dict_copies_values_in_place():
    t, m = mlp_pair()
    before = m[0].weight
    new = torch.nn.Linear(5, 8)
    m[0].load_state_dict({k: ours(v) for k, v in new.state_dict().items()})
    assert m[0].weight is before
    assert_close(m[0].weight, new.weight)
    with pytest.raises(TypeError):
        m.load_state_dict([1, 2])


def test_load_state_dict_assign():
    t, m = mlp_pair()
    fresh = {k: ours(randn(v.shape, seed=3)) for k, v in t.state_dict().items()}
    m.load_state_dict(fresh, assign=True)
    assert isinstance(m[0].weight, mlx_compat.nn.Parameter)
    assert m[0].weight.requires_grad
    assert_close(m[0].weight, fresh["0.weight"])


def test_setattr_registration_and_errors():
    for lib in (torch, mlx_compat):
        mod = lib.nn.Module()
        mod.w = lib.nn.Parameter(lib.ones(2))
        mod.child = lib.nn.Linear(2, 2)
        mod.register_buffer("buf", lib.zeros(2))
        mod.plain = 3
        assert list(mod._parameters) == ["w"]
        assert list(mod._modules) == ["child"]
        assert list(mod._buffers) == ["buf"]
        assert "plain" in mod.__dict__
        mod.buf = lib.ones(2)  # assigning a tensor to a buffer name replaces it
        assert list(mod._buffers) == ["buf"]
        mod.w = None
        assert mod._parameters["w"] is None
        del mod.child
        assert "child" not in mod._modules

    def bad_param(lib):
        mod = lib.nn.Module()
        mod.w = lib.nn.Parameter(lib.ones(2))
        mod.w = lib.ones(2)

    def bad_child(lib):
        mod = lib.nn.Module()
        mod.c = lib.nn.ReLU()
        mod.c = 4

    def bad_buffer(lib):
        mod = lib.nn.Module()
        mod.register_buffer("b", lib.ones(1))
        mod.b = "text"

    def dotted(lib):
        lib.nn.Module().register_parameter("a.b", None)

    def empty_name(lib):
        lib.nn.Module().register_buffer("", None)

    def exists(lib):
        mod = lib.nn.Module()
        mod.x = 1
        mod.register_parameter("x", None)

    def not_module(lib):
        lib.nn.Module().add_module("m", 3)

    def missing_attr(lib):
        return lib.nn.Linear(2, 2).nope

    def before_init(lib):
        class Early(lib.nn.Module):
            def __init__(self):
                self.w = lib.nn.Parameter(lib.ones(1))

        Early()

    def bad_train(lib):
        lib.nn.ReLU().train("yes")

    def no_forward(lib):
        lib.nn.Module()(1)

    def init_kwargs(lib):
        lib.nn.Module(foo=1)

    for case in (
        bad_child, dotted, empty_name, exists, missing_attr, before_init, bad_train,
        no_forward, init_kwargs,
    ):  # fmt: skip
        raises_same(lambda c=case: c(torch), lambda c=case: c(mlx_compat))
    # Messages embedding torch.typename of a tensor name the tensor type.
    for case in (bad_param, bad_buffer, not_module):
        raises_same(lambda c=case: c(torch), lambda c=case: c(mlx_compat), match_message=False)


def test_nonpersistent_buffer_and_buffer_class():
    for lib in (torch, mlx_compat):
        mod = lib.nn.Module()
        mod.a = lib.nn.Buffer(lib.ones(2))
        mod.b = lib.nn.Buffer(lib.ones(2), persistent=False)
        assert list(mod._buffers) == ["a", "b"]
        assert list(mod.state_dict()) == ["a"]


def test_train_eval_requires_grad_zero_grad():
    t, m = mlp_pair()
    m.eval()
    assert not m.training and all(not c.training for c in m.modules())
    m.train()
    assert all(c.training for c in m.modules())
    m.requires_grad_(False)
    assert all(not p.requires_grad for p in m.parameters())
    m.requires_grad_(True)
    m(ours(randn((2, 5)))).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    for p in m.parameters():
        assert float(abs(p.grad).sum().item()) == 0.0
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_apply_order_and_to():
    t, m = mlp_pair()
    seen_t, seen_m = [], []
    t.apply(lambda mod: seen_t.append(type(mod).__name__))
    m.apply(lambda mod: seen_m.append(type(mod).__name__))
    assert seen_m == seen_t

    weight = m[0].weight
    assert m.double() is m
    assert m[0].weight is weight  # parameters keep their identity
    assert str(m[0].weight.dtype) == "mlx_compat.float64" or "float64" in str(m[0].weight.dtype)
    x = randn((3, 5), seed=2).astype("float64")
    assert_close(m(ours(x)), t.double()(torch.tensor(x)))
    m.float()
    assert "float32" in str(m[0].weight.dtype)
    m.to(mlx_compat.float64)
    assert "float64" in str(m[2].bias.dtype)
    m.to("cpu", dtype=mlx_compat.float32)
    assert "float32" in str(m[2].bias.dtype)
    raises_same(lambda: t.to(torch.int64), lambda: m.to(mlx_compat.int64), match_message=False)


def test_forward_hooks():
    t, m = mlp_pair()
    x = randn((4, 5), seed=5)
    calls = {}

    def install(model, lib, key):
        def pre(mod, args):
            calls.setdefault(key, []).append("pre")
            return (args[0] * 2,)

        def post(mod, args, out):
            calls[key].append("post")
            return out + 1

        def post_kwargs(mod, args, kwargs, out):
            calls[key].append("post_kw")
            return None

        h1 = model[0].register_forward_pre_hook(pre)
        h2 = model[0].register_forward_hook(post)
        h3 = model.register_forward_hook(post_kwargs, with_kwargs=True)
        return h1, h2, h3

    ht = install(t, torch, "t")
    hm = install(m, mlx_compat, "m")
    assert_close(m(ours(x)), t(torch.tensor(x)))
    assert calls["m"] == calls["t"] == ["pre", "post", "post_kw"]
    for h in (*ht, *hm):
        h.remove()
    assert_close(m(ours(x)), t(torch.tensor(x)))
    assert len(calls["m"]) == 3


def test_forward_pre_hook_with_kwargs_and_prepend():
    for lib in (torch, mlx_compat):
        order = []

        class Add(lib.nn.Module):
            def forward(self, x, scale=1.0):
                return x * scale

        mod = Add()
        mod.register_forward_pre_hook(lambda m, a, order=order: order.append("a"))
        mod.register_forward_pre_hook(lambda m, a, order=order: order.append("b"), prepend=True)
        mod.register_forward_pre_hook(lambda m, a, kw: (a, {"scale": 3.0}), with_kwargs=True)
        out = mod(lib.ones(2))
        assert order == ["b", "a"]
        assert out.tolist() == [3.0, 3.0]


def test_get_submodule_and_parameter(nets):
    t, m = nets
    assert type(m.get_submodule("body.0")).__name__ == "Linear"
    assert m.get_parameter("body.2.bias") is m.body[2].bias
    assert m.get_buffer("first.running") is m.first.running
    assert m.get_submodule("") is m
    raises_same(lambda: t.get_submodule("body.9"), lambda: m.get_submodule("body.9"))
    raises_same(lambda: t.get_submodule("scale"), lambda: m.get_submodule("scale"))
    raises_same(lambda: t.get_parameter("first.running"), lambda: m.get_parameter("first.running"))
    raises_same(lambda: t.get_buffer("scale"), lambda: m.get_buffer("scale"))


def test_dir_and_extra_repr():
    for lib in (torch, mlx_compat):
        lin = lib.nn.Linear(2, 3)
        keys = dir(lin)
        assert "weight" in keys and "bias" in keys and "forward" in keys
    assert repr(mlx_compat.nn.Linear(2, 3, bias=False)) == repr(torch.nn.Linear(2, 3, bias=False))

    def build(lib):
        class Scaled(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.inner = lib.nn.Sequential(lib.nn.Linear(1, 2), lib.nn.Softmax(dim=1))

            def extra_repr(self):
                return "alpha=2\nbeta=3"

        return Scaled()

    assert repr(build(mlx_compat)) == repr(build(torch))


def test_deepcopy_keeps_values():
    _, m = mlp_pair()
    clone = copy.deepcopy(m)
    assert clone[0].weight is not m[0].weight
    assert isinstance(clone[0].weight, mlx_compat.nn.Parameter)
    assert_close(clone[0].weight, m[0].weight)
    assert to_np(clone[0].weight).shape == (8, 5)


def test_state_dict_hooks():
    _, m = mlp_pair()
    seen = []
    h = m.register_state_dict_pre_hook(lambda mod, prefix, keep: seen.append(prefix))
    m.state_dict()
    assert seen == [""]
    h.remove()
    m.register_load_state_dict_post_hook(lambda mod, keys: seen.append(tuple(keys)))
    m.load_state_dict(m.state_dict())
    assert seen[-1] == ([], [])


def test_forward_hook_always_call_on_error():
    for lib in (torch, mlx_compat):
        seen = []

        class Boom(lib.nn.Module):
            def forward(self, x):
                raise ValueError("boom")

        mod = Boom()
        mod.register_forward_hook(lambda m, a, out, seen=seen: seen.append(out), always_call=True)
        mod.register_forward_hook(lambda m, a, out, seen=seen: seen.append("plain"))
        with pytest.raises(ValueError, match="boom"):
            mod(lib.ones(1))
        assert seen == [None]
