"""Where the development corpus lives: /work/shared next to the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[3] / "shared/corpus/dsn"


def corpus_bytes(name: str) -> bytes:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"DSN corpus not found at {CORPUS}")
    return path.read_bytes()


def require_corpus() -> Path:
    if not (CORPUS / "labels.jsonl").is_file():
        pytest.skip(f"DSN corpus not found at {CORPUS} (/work/shared, next to the repository)")
    return CORPUS
