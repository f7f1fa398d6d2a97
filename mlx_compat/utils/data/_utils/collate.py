"""Turn a list of samples into a batch: ``default_collate`` and ``default_convert``."""

import collections.abc
import contextlib
import copy
import re
from collections.abc import Callable
from typing import Any

import mlx_compat as torch

__all__ = ["collate", "default_collate", "default_collate_fn_map", "default_convert"]

# numpy dtype codes for bytes, unicode and object arrays, which cannot become tensors.
_np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def _is_numpy_value(obj):
    name = type(obj).__name__
    return type(obj).__module__ == "numpy" and name not in ("str_", "string_")


def default_convert(data):
    """Convert numpy arrays/scalars (also inside containers) to tensors; keep the rest."""
    elem_type = type(data)
    if isinstance(data, torch.Tensor):
        return data
    if _is_numpy_value(data):
        if (
            elem_type.__name__ == "ndarray"
            and _np_str_obj_array_pattern.search(data.dtype.str) is not None
        ):
            return data
        return torch.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update({key: default_convert(data[key]) for key in data})
                return clone
            return elem_type({key: default_convert(data[key]) for key in data})
        except TypeError:
            return {key: default_convert(data[key]) for key in data}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, d in enumerate(data):
                    clone[i] = default_convert(d)
                return clone
            return elem_type([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data


def collate(batch, *, collate_fn_map=None):
    """Collate ``batch`` recursively, dispatching leaf types through ``collate_fn_map``."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)

    def recurse(samples):
        return collate(samples, collate_fn_map=collate_fn_map)

    if isinstance(elem, collections.abc.Mapping):
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update({key: recurse([d[key] for d in batch]) for key in elem})
                return clone
            return elem_type({key: recurse([d[key] for d in batch]) for key in elem})
        except TypeError:
            return {key: recurse([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return elem_type(*(recurse(samples) for samples in zip(*batch, strict=False)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch, strict=False))
        if isinstance(elem, tuple):
            return [recurse(samples) for samples in transposed]
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, samples in enumerate(transposed):
                    clone[i] = recurse(samples)
                return clone
            return elem_type([recurse(samples) for samples in transposed])
        except TypeError:
            return [recurse(samples) for samples in transposed]
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def _collate_tensor(batch, *, collate_fn_map=None):
    return torch.stack(batch, 0)


def _collate_numpy_array(batch, *, collate_fn_map=None):
    elem = batch[0]
    if _np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return collate([torch.as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def _collate_numpy_scalar(batch, *, collate_fn_map=None):
    return torch.as_tensor(batch)


def _collate_float(batch, *, collate_fn_map=None):
    return torch.tensor(batch, dtype=torch.float64)


def _collate_int(batch, *, collate_fn_map=None):
    return torch.tensor(batch)


def _collate_str(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map: dict[Any, Callable[..., Any]] = {torch.Tensor: _collate_tensor}
with contextlib.suppress(ImportError):
    import numpy as np

    default_collate_fn_map[np.ndarray] = _collate_numpy_array
    default_collate_fn_map[(np.bool_, np.number, np.object_)] = _collate_numpy_scalar
default_collate_fn_map[float] = _collate_float
default_collate_fn_map[int] = _collate_int
default_collate_fn_map[str] = _collate_str
default_collate_fn_map[bytes] = _collate_str


def default_collate(batch):
    """Stack samples into a batch: tensors/arrays/numbers -> tensors, containers recursively."""
    return collate(batch, collate_fn_map=default_collate_fn_map)
