"""Compares mlx_compat's normal samples with torch's bit for bit over many seeds and
sizes (torch's Box-Muller blocks: Note [Box-Muller kernels] in csrc/ops/normal_fill.cpp).

    python tools/normal_stream_check.py [--seeds N]

Run it again with ATEN_CPU_CAPABILITY=default to check torch's scalar kernel."""

import argparse

import numpy as np
import torch

import mlx_compat


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=30)
    args = ap.parse_args()
    seeds = np.random.default_rng().integers(0, 2**63 - 1, size=args.seeds)
    cases = [
        ("randn float32", lambda M, n: M.randn(n)),
        ("normal_ float32", lambda M, n: M.empty(n).normal_(1.5, 0.3)),
        ("randn complex64", lambda M, n: M.view_as_real(M.randn(n, dtype=M.complex64))),
        ("randn float16", lambda M, n: M.randn(n, dtype=M.float16).float()),
        ("randn bfloat16", lambda M, n: M.randn(n, dtype=M.bfloat16).float()),
        ("randn float64", lambda M, n: M.randn(n, dtype=M.float64)),
    ]
    print(f"torch CPU kernel: {torch.backends.cpu.get_cpu_capability()}")
    for name, fn in cases:
        same = total = 0
        for seed in seeds:
            for n in (16, 17, 100, 1001, 4096):
                torch.manual_seed(int(seed))
                t = fn(torch, n).numpy()
                mlx_compat.manual_seed(int(seed))
                m = fn(mlx_compat, n).numpy()
                bytes_t = t.view(np.uint8).reshape(t.size, -1)
                bytes_m = m.view(np.uint8).reshape(m.size, -1)
                same += int(np.all(bytes_t == bytes_m, axis=1).sum())
                total += t.size
        print(f"{name:18s} {same}/{total} samples bit-identical ({100.0 * same / total:.2f}%)")


if __name__ == "__main__":
    main()
