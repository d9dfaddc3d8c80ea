"""Shared fixtures: the sample corpus and the CLI's `docs` output on it."""

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "jsonl" / "samples.jsonl"


def cli_binary() -> Path:
    """The transnorm binary: $TRANSNORM_BIN, or the release build of this checkout."""
    path = Path(os.environ.get("TRANSNORM_BIN", ROOT / "target" / "release" / "transnorm"))
    if not path.exists():
        pytest.fail(f"{path} not found: run `cargo build --release` or set TRANSNORM_BIN")
    return path


@pytest.fixture(scope="session")
def samples() -> list:
    with SAMPLES.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope="session")
def cli_docs(tmp_path_factory) -> dict:
    """`transnorm normalize samples.jsonl --format docs`, by id, without the fields the input
    records carry through (source, metadata), which the Python API does not take."""
    out = tmp_path_factory.mktemp("cli") / "docs.jsonl"
    subprocess.run(
        [str(cli_binary()), "normalize", str(SAMPLES), "--format", "docs", "-q", "-o", str(out)],
        check=True,
    )
    docs = {}
    with out.open(encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            rec.pop("source", None)
            rec.pop("metadata", None)
            docs[rec["id"]] = rec
    return docs
