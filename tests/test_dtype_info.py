"""finfo / iinfo against torch: every attribute, repr, equality and error."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
import torch

import mlx_compat

FLOAT_NAMES = ["float16", "bfloat16", "float32", "float64", "complex64"]
INT_NAMES = ["uint8", "int8", "int16", "int32", "int64"]
FINFO_ATTRS = ["bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"]
IINFO_ATTRS = ["bits", "max", "min", "dtype"]


def _pair(name):
    return getattr(torch, name), getattr(mlx_compat, name)


def _outcome(fn):
    """('ok', repr) or ('raise', exception class, message) of calling fn."""
    try:
        return ("ok", repr(fn()))
    except Exception as e:  # noqa: BLE001
        return ("raise", type(e), str(e))


def _same_outcome(ours_fn, theirs_fn):
    ours, theirs = _outcome(ours_fn), _outcome(theirs_fn)
    assert ours == theirs


@pytest.fixture(autouse=True)
def _restore_default_dtype():
    saved_t, saved_m = torch.get_default_dtype(), mlx_compat.get_default_dtype()
    yield
    torch.set_default_dtype(saved_t)
    mlx_compat.set_default_dtype(saved_m)


@pytest.mark.parametrize("name", FLOAT_NAMES)
def test_finfo_attributes_and_repr(name):
    t_dt, m_dt = _pair(name)
    theirs, ours = torch.finfo(t_dt), mlx_compat.finfo(m_dt)
    for attr in FINFO_ATTRS:
        o, t = getattr(ours, attr), getattr(theirs, attr)
        assert type(o) is type(t), attr
        assert o == t, (attr, o, t)
    assert repr(ours) == repr(theirs)
    assert str(ours) == str(theirs)


@pytest.mark.parametrize("name", INT_NAMES)
def test_iinfo_attributes_and_repr(name):
    t_dt, m_dt = _pair(name)
    theirs, ours = torch.iinfo(t_dt), mlx_compat.iinfo(m_dt)
    for attr in IINFO_ATTRS:
        o, t = getattr(ours, attr), getattr(theirs, attr)
        assert type(o) is type(t), attr
        assert o == t, (attr, o, t)
    assert repr(ours) == repr(theirs)
    assert str(ours) == str(theirs)


@pytest.mark.parametrize("name", ["float32", "float64", "float16", "bfloat16"])
def test_finfo_default_dtype(name):
    t_dt, m_dt = _pair(name)
    torch.set_default_dtype(t_dt)
    mlx_compat.set_default_dtype(m_dt)
    assert repr(mlx_compat.finfo()) == repr(torch.finfo())
    assert mlx_compat.finfo().dtype == torch.finfo().dtype == name
    assert mlx_compat.finfo() == mlx_compat.finfo(m_dt)


@pytest.mark.parametrize("py_type", [float, int, bool, complex])
def test_python_scalar_types(py_type):
    _same_outcome(lambda: mlx_compat.finfo(py_type), lambda: torch.finfo(py_type))
    _same_outcome(lambda: mlx_compat.iinfo(py_type), lambda: torch.iinfo(py_type))


@pytest.mark.parametrize("name", ["bool", *INT_NAMES, *FLOAT_NAMES])
def test_wrong_kind_errors(name):
    t_dt, m_dt = _pair(name)
    _same_outcome(lambda: mlx_compat.finfo(m_dt), lambda: torch.finfo(t_dt))
    _same_outcome(lambda: mlx_compat.iinfo(m_dt), lambda: torch.iinfo(t_dt))


def test_finfo_of_int_is_type_error():
    with pytest.raises(TypeError):
        mlx_compat.finfo(mlx_compat.int32)
    with pytest.raises(TypeError):
        mlx_compat.iinfo(mlx_compat.float32)


@pytest.mark.parametrize(
    "make_arg",
    [lambda M: 1, lambda M: "float32", lambda M: None, lambda M: np.float32, lambda M: 2.5],
    ids=["int", "str", "None", "numpy-type", "float"],
)
def test_non_dtype_argument(make_arg):
    _same_outcome(
        lambda: mlx_compat.finfo(make_arg(mlx_compat)), lambda: torch.finfo(make_arg(torch))
    )
    _same_outcome(
        lambda: mlx_compat.iinfo(make_arg(mlx_compat)), lambda: torch.iinfo(make_arg(torch))
    )


def test_tensor_argument_is_rejected():
    with pytest.raises(TypeError):
        torch.finfo(torch.zeros(1))
    with pytest.raises(TypeError):
        mlx_compat.finfo(mlx_compat.zeros(1))


def test_keyword_type_is_accepted():
    for M in (torch, mlx_compat):
        assert M.finfo(type=M.float64).dtype == "float64"
        assert M.iinfo(type=M.int16).bits == 16


BAD_CALLS = {
    "no-args": ((), {}),
    "two-positional": (("D", "D"), {}),
    "positional-and-keyword": (("D",), {"type": "D"}),
    "wrong-keyword": ((), {"dtype": "D"}),
    "type-and-wrong-keyword": ((), {"type": "D", "dtype": 1}),
    "three-positional": ((1, 2, 3), {}),
}


@pytest.mark.parametrize("kind", ["finfo", "iinfo"])
@pytest.mark.parametrize("call", list(BAD_CALLS), ids=list(BAD_CALLS))
def test_bad_argument_lists(kind, call):
    args, kwargs = BAD_CALLS[call]
    dt = "float32" if kind == "finfo" else "int32"

    def run(M):
        def sub(v):
            return getattr(M, dt) if v == "D" else v

        return getattr(M, kind)(*[sub(a) for a in args], **{k: sub(v) for k, v in kwargs.items()})

    ours, theirs = _outcome(lambda: run(mlx_compat)), _outcome(lambda: run(torch))
    if kind == "finfo" and call == "type-and-wrong-keyword":
        # torch lists keyword arguments in an order of its own; compare the class only
        assert ours[:2] == theirs[:2]
    else:
        assert ours == theirs


def test_equality_matches_torch():
    """Info objects equal each other when they describe the same dtype, and equal that dtype."""
    names = FLOAT_NAMES + INT_NAMES
    objs, dtypes = {}, {}
    for M in (torch, mlx_compat):
        objs[M] = [(M.finfo if n in FLOAT_NAMES else M.iinfo)(getattr(M, n)) for n in names]
        objs[M].append(M.finfo())
        dtypes[M] = [getattr(M, n) for n in ["bool", *names]]
    for i, (a_t, a_m) in enumerate(zip(objs[torch], objs[mlx_compat], strict=True)):
        for b_t, b_m in zip(objs[torch], objs[mlx_compat], strict=True):
            assert (a_m == b_m) == (a_t == b_t), (a_t, b_t)
            assert (a_m != b_m) == (a_t != b_t), (a_t, b_t)
        for d_t, d_m in zip(dtypes[torch], dtypes[mlx_compat], strict=True):
            assert (a_m == d_m) == (a_t == d_t), (i, a_t, d_t)
            assert (a_m != d_m) == (a_t != d_t), (i, a_t, d_t)
    # Other objects never compare equal. (torch reads such objects' memory as if
    # they were info objects, so its answer for them is not meaningful.)
    for other in (None, 1.5, "float32", object()):
        assert mlx_compat.finfo() != other
        assert not mlx_compat.iinfo(mlx_compat.int8) == other


@pytest.mark.parametrize("kind,name", [("finfo", "float32"), ("iinfo", "int64")])
def test_object_protocol(kind, name):
    def make(M):
        return getattr(M, kind)(getattr(M, name))

    ours, theirs = make(mlx_compat), make(torch)
    with pytest.raises(TypeError, match="unhashable"):
        hash(theirs)
    with pytest.raises(TypeError, match="unhashable"):
        hash(ours)
    for attr in ("max", "bits", "dtype"):
        with pytest.raises(AttributeError):
            setattr(theirs, attr, 1)
        with pytest.raises(AttributeError):
            setattr(ours, attr, 1)
    with pytest.raises(AttributeError):
        theirs.something_else = 1
    with pytest.raises(AttributeError):
        ours.something_else = 1
    for fn in (pickle.dumps, copy.copy, copy.deepcopy):
        _same_outcome(lambda fn=fn: fn(ours), lambda fn=fn: fn(theirs))
    assert type(ours).__name__ == type(theirs).__name__ == kind
    assert sorted(a for a in dir(ours) if not a.startswith("_")) == sorted(
        a for a in dir(theirs) if not a.startswith("_")
    )


@pytest.mark.parametrize("name", ["float16", "bfloat16", "float32", "float64"])
def test_limits_are_representable(name):
    """Tensors built from the limits hold them exactly; eps separates 1 from the next value."""
    t_dt, m_dt = _pair(name)
    rng = np.random.default_rng(len(name))
    base = rng.uniform(0.0, 1.0, size=(6,)).astype(np.float64)
    for attr in ("max", "min", "tiny", "eps"):
        t_val = torch.full((3,), getattr(torch.finfo(t_dt), attr), dtype=t_dt)
        m_val = mlx_compat.full((3,), getattr(mlx_compat.finfo(m_dt), attr), dtype=m_dt)
        np.testing.assert_array_equal(
            m_val.to(mlx_compat.float64).numpy(), t_val.to(torch.float64).numpy()
        )
    eps_m = mlx_compat.finfo(m_dt).eps
    eps_t = torch.finfo(t_dt).eps
    ours = (mlx_compat.ones(1, dtype=m_dt) + eps_m).to(mlx_compat.float64).numpy()
    theirs = (torch.ones(1, dtype=t_dt) + eps_t).to(torch.float64).numpy()
    np.testing.assert_array_equal(ours, theirs)
    assert ours[0] == 1.0 + eps_m
    # flooring random data at the resolution behaves the same in both
    scaled = base * mlx_compat.finfo(m_dt).resolution * 2
    floor_m = mlx_compat.full((6,), mlx_compat.finfo(m_dt).resolution, dtype=m_dt)
    floor_t = torch.full((6,), torch.finfo(t_dt).resolution, dtype=t_dt)
    ours = mlx_compat.maximum(mlx_compat.tensor(scaled, dtype=m_dt), floor_m)
    theirs = torch.maximum(torch.tensor(scaled, dtype=t_dt), floor_t)
    np.testing.assert_array_equal(
        ours.to(mlx_compat.float64).numpy(), theirs.to(torch.float64).numpy()
    )


@pytest.mark.parametrize("name", INT_NAMES)
def test_integer_limits_are_representable(name):
    t_dt, m_dt = _pair(name)
    for attr in ("max", "min"):
        t_val = torch.full((2,), getattr(torch.iinfo(t_dt), attr), dtype=t_dt)
        m_val = mlx_compat.full((2,), getattr(mlx_compat.iinfo(m_dt), attr), dtype=m_dt)
        assert m_val.tolist() == t_val.tolist()


def test_exported():
    assert "finfo" in mlx_compat.__all__
    assert "iinfo" in mlx_compat.__all__
