"""API coverage report: which public torch names mlx_compat provides, and how many
entries of PyTorch's OpInfo database pass forward and gradient parity.

    python tools/api_coverage.py                 # print the report
    python tools/api_coverage.py --write-readme  # also refresh README.md's table

Needs torch and expecttest (the test extra).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import torch  # noqa: E402

import mlx_compat  # noqa: E402

NAMESPACES = [
    ("torch", torch, mlx_compat),
    ("torch.Tensor", torch.Tensor, mlx_compat.Tensor),
    ("torch.linalg", getattr(torch, "linalg", None), getattr(mlx_compat, "linalg", None)),
    ("torch.fft", getattr(torch, "fft", None), getattr(mlx_compat, "fft", None)),
    ("torch.special", getattr(torch, "special", None), getattr(mlx_compat, "special", None)),
    ("torch.nn.functional", torch.nn.functional, mlx_compat.nn.functional),
]


def public_names(obj) -> set[str]:
    names = set()
    for n in dir(obj):
        if n.startswith("_") and not (n.startswith("__") and n.endswith("__")):
            continue
        try:
            v = getattr(obj, n)
        except Exception:  # noqa: BLE001
            continue
        if callable(v) and not isinstance(v, type):
            names.add(n)
    return names


def namespace_rows():
    rows = []
    for label, theirs, ours in NAMESPACES:
        t = public_names(theirs) if theirs is not None else set()
        o = public_names(ours) if ours is not None else set()
        rows.append((label, len(t), len(t & o)))
    return rows


def opinfo_rows():
    import opinfo_harness as h

    keys, provided, fwd, auto, bwd = set(), set(), set(), set(), set()
    per_key: dict[str, list] = {}
    for op in h.all_in_scope():
        keys.add(h.entry_key(op))
        if op.supports_autograd:
            auto.add(h.entry_key(op))
    for key, op, dt in h.entries():
        provided.add(key)
        if h.deviation(key, dt):
            continue
        per_key.setdefault(key, []).append(h.run_entry(op, dt))
    for key, outcomes in per_key.items():
        if all(o.forward for o in outcomes):
            fwd.add(key)
        if (
            key in auto
            and all(o.backward is not False for o in outcomes)
            and any(o.backward for o in outcomes)
        ):
            bwd.add(key)
    return len(keys), len(provided), len(fwd), len(auto), len(bwd & auto)


def render() -> str:
    lines = ["| namespace | torch public callables | provided |", "|---|---:|---:|"]
    for label, total, have in namespace_rows():
        pct = 100.0 * have / total if total else 0.0
        lines.append(f"| `{label}` | {total} | {have} ({pct:.0f}%) |")
    n, provided, fwd, auto, bwd = opinfo_rows()
    lines += [
        "",
        "| OpInfo entries (op_db, name+variant, no sparse/quantized/jiterator) | count |",
        "|---|---:|",
        f"| in scope | {n} |",
        f"| provided by mlx_compat | {provided} |",
        f"| forward parity passes | {fwd} ({100.0 * fwd / n:.1f}% of in scope) |",
        f"| autograd-capable in scope | {auto} |",
        f"| gradient parity passes | {bwd} ({100.0 * bwd / auto:.1f}% of autograd-capable) |",
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--write-readme", action="store_true")
    args = ap.parse_args()
    report = render()
    print(report)
    if args.write_readme:
        readme = ROOT / "README.md"
        text = readme.read_text()
        block = f"<!-- coverage:start -->\n{report}\n<!-- coverage:end -->"
        text = re.sub(r"<!-- coverage:start -->.*<!-- coverage:end -->", block, text, flags=re.S)
        readme.write_text(text)


if __name__ == "__main__":
    main()
