#!/usr/bin/env python3
"""End-to-end throughput of the release binary: a generated JSONL corpus on disk to a JSONL
segment file, on one thread and on two, as a user runs it: start-up, reader and writer threads
included, where the criterion benches time the pipeline in memory, or the driver with its
pipeline built outside the timing.

    cargo build --release
    python3 benches/cli.py                          # 24M corpus, 9 runs, --threads 1 and 2
    python3 benches/cli.py --against old/transnorm  # two builds, alternating, same corpus

Figures are medians over runs that alternate (threads, and builds with --against), so that a
noisy moment of the shared machine hits every variant. Throughput is input bytes over wall
time; CPU is user plus system time of the process (wait4). With --against, the two builds'
outputs are compared byte for byte.
"""

import argparse
import filecmp
import os
import statistics
import subprocess
import sys
import time

from memory import ROOT, corpus


def run(binary, path, threads, out):
    """One normalize: (wall seconds, CPU seconds)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [binary, "normalize", str(path), "-o", out, "--threads", str(threads), "-q"]
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{binary} failed on {path}")
    return wall, usage.ru_utime + usage.ru_stime


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="24M")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--binary", default=str(ROOT / "target" / "release" / "transnorm"))
    ap.add_argument("--against", help="another build of transnorm, run alternately")
    args = ap.parse_args()

    path = corpus(args.size, args.seed)
    mb = path.stat().st_size / 1e6
    builds = {"this": args.binary}
    if args.against:
        builds["against"] = args.against
    outs = {b: str(ROOT / "target" / "bench-corpora" / f"cli-out-{b}.jsonl") for b in builds}
    times = {(b, t): [] for b in builds for t in args.threads}
    for _ in range(args.runs):
        for t in args.threads:
            for b, binary in builds.items():
                times[(b, t)].append(run(binary, path, t, outs[b]))
    print(f"{path.name}: {mb:.1f} MB, medians of {args.runs} runs")
    walls = {}
    for (b, t), runs in times.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        walls[(b, t)] = wall
        print(f"{b:>8}  {t} thread(s)  {wall:6.3f} s  {mb / wall:6.1f} MB/s  CPU {cpu:6.3f} s")
    for b in builds:
        if len(args.threads) > 1:
            one, last = args.threads[0], args.threads[-1]
            ratio = walls[(b, one)] / walls[(b, last)]
            print(f"{b:>8}  {last} threads over {one}: {ratio:.2f}x")
    if args.against:
        for t in args.threads:
            change = walls[("this", t)] / walls[("against", t)] - 1
            print(f"{t} thread(s): this build {change:+.1%} in wall time against the other")
        same = filecmp.cmp(outs["this"], outs["against"], shallow=False)
        print("outputs identical" if same else "OUTPUTS DIFFER")
    for out in outs.values():
        os.remove(out)


if __name__ == "__main__":
    main()
