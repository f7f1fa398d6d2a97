"""Lists the OpInfo entries (float32, autograd-capable) whose first sample's output records
a different autograd node than torch's (what repr shows as grad_fn=<...>).

    PYTHONPATH=. python tools/node_name_sweep.py
"""

import sys
import warnings

sys.path.insert(0, "tests")

import opinfo_harness as h  # noqa: E402
import torch  # noqa: E402

import mlx_compat  # noqa: E402


def node_name(t):
    fn = getattr(t, "grad_fn", None)
    return type(fn).__name__ if fn is not None else None


def first_output_names(op, sample):
    for label, t_fn, m_fn in h._variants(op):
        if label != "function":
            continue
        try:
            torch.manual_seed(1)
            expected = t_fn(sample.input, *sample.args, **sample.kwargs)
            mlx_compat.manual_seed(1)
            got = m_fn(h.to_ours(sample.input), *h.to_ours(sample.args), **h.to_ours(sample.kwargs))
        except Exception:  # noqa: BLE001 - either library refuses the sample
            return None
        te, tg = h._tensors(expected)[:1], h._tensors(got)[:1]
        if te and tg:
            return node_name(te[0]), node_name(tg[0])
    return None


def main():
    warnings.simplefilter("ignore")
    mismatches = []
    for key, op, dt in h.entries():
        if dt != torch.float32 or not op.supports_autograd or h.deviation(key, dt):
            continue
        if h.our_function(op) is None:
            continue
        torch.manual_seed(0)
        try:
            sample = next(iter(op.sample_inputs("cpu", dt, requires_grad=True)))
        except Exception:  # noqa: BLE001
            continue
        names = first_output_names(op, sample)
        if names and names[0] != names[1]:
            mismatches.append((key, *names))
    for key, theirs, ours in mismatches:
        print(f"{key}: torch {theirs}, mlx_compat {ours}")
    print(f"{len(mismatches)} entries record a different node")


if __name__ == "__main__":
    main()
