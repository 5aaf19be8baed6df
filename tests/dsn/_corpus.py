"""The development corpus of real bounces, which lives outside the repository.

CI keeps it at ``../shared/corpus/dsn`` beside the repository (``KWIGA_DSN_CORPUS`` names another
folder). A clone without it still passes: tests that need it skip with a reason naming the folder,
and every other test uses the project's own messages under ``tests/samples``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPOSITORY.parent / "shared" / "corpus" / "dsn"
CORPUS = Path(os.environ.get("KWIGA_DSN_CORPUS") or DEFAULT_CORPUS)
MISSING = (
    f"the DSN corpus is not at {CORPUS} (../shared/corpus/dsn beside the repository, "
    "or set KWIGA_DSN_CORPUS)"
)


def corpus_present() -> bool:
    return (CORPUS / "labels.jsonl").is_file()


def corpus_bytes(name: str) -> bytes:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(MISSING)
    return path.read_bytes()


def require_corpus() -> Path:
    if not corpus_present():
        pytest.skip(MISSING)
    return CORPUS
