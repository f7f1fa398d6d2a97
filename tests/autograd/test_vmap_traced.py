"""vmap's traced path: a function MLX can trace runs once under mx::vmap (no evaluation,
called once, as torch calls it once); anything a trace cannot reproduce falls back to the
per-element run without side effects applied twice. Results compared with torch."""

import numpy as np
import pytest
import torch
from test_func import run

import mlx_compat

rng = np.random.default_rng()


def r(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def _per_sample_grads(M, x, w, ce=False):
    M.manual_seed(0)
    model = M.nn.Sequential(M.nn.Linear(4, 5), M.nn.Tanh(), M.nn.Linear(5, 2))
    params = {k: v.detach() for k, v in model.named_parameters()}
    target = (x[:, :2] > 0).long()[:, 0] if ce else x[:, :2].sin()

    def loss(p, xi, ti):
        out = M.func.functional_call(model, p, (xi[None],))
        if ce:  # class indices are checked against the class count: per element
            return M.nn.functional.cross_entropy(out, ti[None])
        return M.nn.functional.mse_loss(out, ti[None])

    return M.func.vmap(M.func.grad(loss), in_dims=(None, 0, 0))(params, x, target)


PROGRAMS = {
    "matmul_sin": lambda M, x, w: M.func.vmap(lambda v: (v @ w).sin().sum())(x),
    "softmax_dims": lambda M, x, w: M.func.vmap(lambda v: M.softmax(v @ w, dim=-1), in_dims=1)(
        x.transpose(0, 1)
    ),
    "tuple_out_dims": lambda M, x, w: M.func.vmap(
        lambda v, u: (v * u, (v - u).abs().max()), in_dims=(0, None), out_dims=(1, 0)
    )(x, w[0]),
    "nested": lambda M, x, w: M.func.vmap(M.func.vmap(lambda a, b: a * b + 1.0))(x, x.exp()),
    "int_and_bool": lambda M, x, w: M.func.vmap(lambda v: ((v > 0).long() * 3, v.argmax()))(x),
    "dict_in": lambda M, x, w: M.func.vmap(
        lambda d: d["a"] @ d["b"], in_dims=({"a": 0, "b": None},)
    )({"a": x, "b": w}),
    "grad": lambda M, x, w: M.func.vmap(M.func.grad(lambda v: (v @ w).sin().sum()))(x),
    "grad_argnums_aux": lambda M, x, w: M.func.vmap(
        M.func.grad(
            lambda v, u: ((v * u).exp().sum(), {"u": u.cos()}), argnums=(0, 1), has_aux=True
        )
    )(x, x * 2),
    "grad_and_value": lambda M, x, w: M.func.vmap(
        M.func.grad_and_value(lambda v: M.nn.functional.softplus(v @ w).mean()), in_dims=1
    )(x.t()),
    "per_sample_grads": lambda M, x, w: _per_sample_grads(M, x, w),
    "reductions": lambda M, x, w: M.func.vmap(
        lambda v: M.stack([v.mean(), v.std(), v.logsumexp(0), v.norm()])
    )(x),
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_traced_matches_torch(name, monkeypatch):
    from mlx_compat.func import _vmap

    used = []
    traced = _vmap._vmap_traced

    def spy(*args, **kwargs):
        out = traced(*args, **kwargs)
        used.append(out is not None)
        return out

    monkeypatch.setattr(_vmap, "_vmap_traced", spy)
    run(PROGRAMS[name], r(6, 4), r(4, 4))
    assert used and all(used)  # these all run under MLX's vmap


# Traced or run per element (views by as_strided, data-dependent checks, writes and
# host reads fall back): either way the values match torch.
PER_ELEMENT = {
    "t_mm": lambda M, v: v.t() @ v,
    "slice": lambda M, v: v[1:3, ::2],
    "diag": lambda M, v: v.diagonal(),
    "unfold": lambda M, v: v.unfold(1, 2, 1),
    "flip": lambda M, v: v.flip(0),
    "expand": lambda M, v: v[None].expand(3, -1, -1),
    "repeat": lambda M, v: v.repeat(2, 1),
    "cumsum": lambda M, v: v.cumsum(1),
    "sort": lambda M, v: v.sort(1)[0],
    "argsort": lambda M, v: v.argsort(1),
    "where": lambda M, v: M.where(v > 0, v, 0.0),
    "idx": lambda M, v: v[M.tensor([0, 2])],
    "clone_add_": lambda M, v: v.clone().add_(1),
    "permute": lambda M, v: v.permute(1, 0).contiguous().view(-1),
    "narrow": lambda M, v: v.narrow(1, 1, 3),
    "transpose_reshape": lambda M, v: v.transpose(0, 1).reshape(3, 8),
    "conv1d": lambda M, v: M.nn.functional.conv1d(v[None], M.ones(2, 4, 3) * 0.1)[0],
    "max_pool": lambda M, v: M.nn.functional.max_pool1d(v[None], 2)[0],
    "layer_norm": lambda M, v: M.nn.functional.layer_norm(v, (6,)),
    "softplus": lambda M, v: M.nn.functional.softplus(v),
    "gelu": lambda M, v: M.nn.functional.gelu(v),
    "topk": lambda M, v: v.topk(2, 1)[0],
    "tril": lambda M, v: v[:, :4].tril(),
    "cat": lambda M, v: M.cat([v, v * 2], 1),
    "split": lambda M, v: v.split(2, 1)[1],
    "roll": lambda M, v: v.roll(1, 1),
    "einsum": lambda M, v: M.einsum("ij,kj->ik", v, v),
    "masked_fill": lambda M, v: v.masked_fill(v < 0, 0.5),
    "pad": lambda M, v: M.nn.functional.pad(v, (1, 2)),
    "matrix_exp": lambda M, v: M.linalg.matrix_exp(v[:, :4]),
    "inv": lambda M, v: M.linalg.inv(v[:, :4] + 4 * M.eye(4)),
    "lerp": lambda M, v: M.lerp(v, v.exp(), 0.3),
    "clamp": lambda M, v: v.clamp(-0.5, 0.5),
    "as_strided": lambda M, v: v.as_strided((2, 2), (1, 2)),
    "std_mean": lambda M, v: M.std_mean(v, 1)[0],
    "logsumexp": lambda M, v: v.logsumexp(1),
    "prod": lambda M, v: v.prod(1),
    "amax": lambda M, v: v.amax(1),
    "median": lambda M, v: v.median(1)[0],
    "nonzero_sum": lambda M, v: (v > 0).sum(1),
    "select_scatter": lambda M, v: M.select_scatter(v, v[0] * 0, 0, 1),
    "index_select": lambda M, v: v.index_select(1, M.tensor([0, 5])),
    "gather": lambda M, v: v.gather(1, M.zeros(4, 2, dtype=M.long)),
    "fft": lambda M, v: M.fft.rfft(v).abs(),
    "cdist": lambda M, v: M.cdist(v, v),
    "softmax": lambda M, v: v.softmax(0),
    "tensordot": lambda M, v: M.tensordot(v, v, ([1], [1])),
}


@pytest.mark.parametrize("name", sorted(PER_ELEMENT))
def test_per_element_functions_match_torch(name):
    f = PER_ELEMENT[name]
    run(lambda M, x: M.func.vmap(lambda v: f(M, v))(x), r(5, 4, 6))


def test_per_sample_grads_with_class_targets():
    run(lambda M, x, w: _per_sample_grads(M, x, w, ce=True), r(6, 4), r(4, 4))


def test_traced_runs_once_and_evaluates_nothing():
    calls = []
    w = mlx_compat.tensor(r(4, 3))

    def f(v):
        calls.append(1)
        return (v @ w).tanh()

    x = mlx_compat.tensor(r(7, 4))
    before = mlx_compat._C._eval_count()
    y = mlx_compat.func.vmap(f)(x)
    assert mlx_compat._C._eval_count() == before and len(calls) == 1
    np.testing.assert_allclose(y.numpy(), np.tanh(x.numpy() @ w.numpy()), 1e-5, 1e-6)


def test_untraceable_falls_back_once():
    # A write into a captured tensor stops the trace before it happens: the
    # per-element run applies it once per element, as before.
    counter = mlx_compat.zeros(())
    x = mlx_compat.tensor(r(5, 3))

    def f(v):
        counter.add_(1)
        return v * 2

    y = mlx_compat.func.vmap(f)(x)
    assert counter.item() == 5
    np.testing.assert_allclose(y.numpy(), x.numpy() * 2)


def test_captured_tensor_requiring_grad_keeps_history():
    def prog(M, x, w):
        y = M.func.vmap(lambda v: (v * w).sum())(x)
        y.sum().backward()
        return y, w.grad

    a, b = r(5, 3), r(3)
    tw, mw = torch.tensor(b, requires_grad=True), mlx_compat.tensor(b, requires_grad=True)
    ty, tg = prog(torch, torch.tensor(a), tw)
    my, mg = prog(mlx_compat, mlx_compat.tensor(a), mw)
    assert my.requires_grad and my.grad_fn is not None
    np.testing.assert_allclose(my.detach().numpy(), ty.detach().numpy(), 1e-5, 1e-6)
    np.testing.assert_allclose(mg.numpy(), tg.numpy(), 1e-5, 1e-6)


def test_randomness_error_still_raised():
    x = mlx_compat.tensor(r(3, 2))
    state = mlx_compat.get_rng_state()
    with pytest.raises(RuntimeError):
        mlx_compat.func.vmap(lambda v: v + mlx_compat.rand(2))(x)
    with pytest.raises(RuntimeError):
        torch.func.vmap(lambda v: v + torch.rand(2))(torch.tensor(x.numpy()))
    assert mlx_compat.get_rng_state().shape == state.shape
