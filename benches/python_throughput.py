#!/usr/bin/env python3
"""Throughput of the Python package's normalize_batch against the CLI, same corpus, same
threads, measured in one run (medians of --repeat runs, alternating the two).

    cargo run --release --example gen_corpus -- --size 50M --seed 7 -o c50m.jsonl
    cargo build --release
    pip install .
    python benches/python_throughput.py c50m.jsonl --threads 1 2

The CLI reads the JSONL and writes `--format docs`. On the Python side two figures: the time
spent in normalize_batch calls (texts already in memory, as an engine such as Spark hands them
over; each call returns every `docs` record as a dict, freed before the next call), and the
whole loop including reading and parsing the JSONL lines in Python.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import transnorm

ROOT = Path(__file__).resolve().parents[1]


def run_cli(binary, corpus, threads, out):
    started = time.perf_counter()
    subprocess.run(
        [binary, "normalize", corpus, "--format", "docs", "--threads", str(threads), "-q", "-o", out],
        check=True,
    )
    return time.perf_counter() - started


def run_python(corpus, threads, batch):
    """(seconds in normalize_batch, seconds of the whole loop with reading)."""
    started = time.perf_counter()
    pipeline = transnorm.Pipeline(threads=threads)
    in_batch = time.perf_counter() - started
    texts, ids = [], []

    def flush():
        nonlocal in_batch
        t = time.perf_counter()
        records = pipeline.normalize_batch(texts, ids=ids)
        assert len(records) == len(texts)
        del records
        in_batch += time.perf_counter() - t

    with open(corpus, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            texts.append(rec["text"])
            ids.append(rec.get("id"))
            if len(texts) == batch:
                flush()
                texts, ids = [], []
    if texts:
        flush()
    return in_batch, time.perf_counter() - started


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus")
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--batch", type=int, default=1000, help="documents per normalize_batch call")
    ap.add_argument("--bin", default=str(ROOT / "target" / "release" / "transnorm"))
    args = ap.parse_args()
    mb = os.path.getsize(args.corpus) / 1e6
    print(f"corpus {args.corpus}: {mb:.1f} MB; transnorm {transnorm.__version__}")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "docs.jsonl")
        for threads in args.threads:
            cli, py, loop = [], [], []
            for _ in range(args.repeat):
                cli.append(run_cli(args.bin, args.corpus, threads, out))
                in_batch, whole = run_python(args.corpus, threads, args.batch)
                py.append(in_batch)
                loop.append(whole)
            c, p, w = (statistics.median(x) for x in (cli, py, loop))
            print(
                f"threads {threads}: CLI {c:.2f} s ({mb / c:.1f} MB/s); "
                f"normalize_batch {p:.2f} s ({mb / p:.1f} MB/s), ratio {p / c:.2f}x; "
                f"with reading in Python {w:.2f} s, ratio {w / c:.2f}x"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
