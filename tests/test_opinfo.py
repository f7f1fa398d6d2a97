"""PyTorch's OpInfo database (op_db) as the yardstick: every OpInfo whose op
mlx_compat provides runs its CPU sample inputs through both libraries (function,
method and in-place forms) and must match in values, dtypes, shapes and, where
the OpInfo supports autograd, gradients. See tests/opinfo_harness.py."""

import opinfo_harness as h
import pytest
import torch

ENTRIES = h.entries()


@pytest.mark.parametrize(
    "key,op,dtype", ENTRIES, ids=[f"{k}-{str(d).removeprefix('torch.')}" for k, _, d in ENTRIES]
)
def test_opinfo(key, op, dtype):
    reason = h.deviation(key, dtype)
    if reason:
        pytest.skip(f"known deviation: {reason}")
    outcome = h.run_entry(op, dtype)
    assert outcome.forward, outcome.detail
    if outcome.backward is not None:
        assert outcome.backward, outcome.detail


def test_opinfo_database_is_loaded():
    assert len(h.all_in_scope()) > 600
    assert torch.float32 in h.DTYPES
