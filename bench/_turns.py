"""Timing in turns: implementations alternate in short rounds so that machine
noise hits them alike; a failing implementation is reported and dropped."""

import statistics
import sys
import time
import traceback


def report_failure(name):
    sys.stdout.flush()
    print(f"\n*** {name} FAILED ***", file=sys.stderr)
    traceback.print_exc()
    print(file=sys.stderr)


def time_in_turns(setups, steps, warmup, round_len):
    """setups: {name: () -> step function}. Returns ({name: median seconds}, failed names)."""
    funcs, times, failed = {}, {}, []
    for name, setup in setups.items():
        try:
            fn = setup()
            for _ in range(warmup):
                fn()
        except Exception:
            report_failure(name)
            failed.append(name)
            continue
        funcs[name], times[name] = fn, []
    order, done = list(funcs), 0
    while done < steps and funcs:
        n = min(round_len, steps - done)
        for name in order:
            if name not in funcs:
                continue
            fn = funcs[name]
            try:
                for _ in range(n):
                    t0 = time.perf_counter()
                    fn()
                    times[name].append(time.perf_counter() - t0)
            except Exception:
                report_failure(name)
                failed.append(name)
                del funcs[name]
        order = order[1:] + order[:1]
        done += n
    return {name: statistics.median(times[name]) for name in funcs}, failed
