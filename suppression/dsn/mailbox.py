"""Iterating over stored mail: one file, a directory of files, a Maildir, or an mbox file."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

# pathlib (with urllib.parse and ipaddress, ~2.5 ms of each start of parse_bounces) is imported
# only for a directory: the files named one by one need none of it.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

_MBOX_SEPARATOR_RE = re.compile(rb"^From \S+.*$", re.MULTILINE)
_HEADER_RE = re.compile(rb"^[!-9;-~]{1,76}:", re.MULTILINE)


def iter_messages(path: str | os.PathLike[str]) -> Iterator[tuple[str, bytes]]:
    """(display name, raw bytes) for every message under ``path``.

    A Maildir yields cur/ then new/; a directory yields its regular files sorted by name
    (recursively); an mbox file yields "path#N" (1-based) per message; any other file is one
    message.
    """
    try:
        # A file is opened straight away: no stat and no Path for each of thousands of files.
        with open(path, "rb") as handle:
            data = handle.read()
    except IsADirectoryError:
        pass
    else:
        yield from _messages_in(data, str(path))
        return
    from pathlib import Path

    root = Path(path)
    if root.is_dir():
        maildir = [root / sub for sub in ("cur", "new") if (root / sub).is_dir()]
        if maildir and (root / "cur").is_dir():
            for sub in maildir:
                yield from _iter_dir(sub, str(Path(str(path)) / sub.name))
            return
        yield from _iter_dir(root, str(path))
        return
    yield from _iter_file(root, str(path))  # a directory replaced by a file meanwhile


def _iter_dir(directory: Path, shown: str) -> Iterator[tuple[str, bytes]]:
    from pathlib import Path

    for entry in sorted(directory.iterdir(), key=lambda p: p.name):
        if entry.name.startswith("."):
            continue
        name = str(Path(shown) / entry.name)
        if entry.is_dir():
            yield from _iter_dir(entry, name)
        elif entry.is_file():
            yield from _iter_file(entry, name)


def _iter_file(file: Path, shown: str) -> Iterator[tuple[str, bytes]]:
    yield from _messages_in(file.read_bytes(), shown)


def _messages_in(data: bytes, shown: str) -> Iterator[tuple[str, bytes]]:
    if not _is_mbox(data):
        yield shown, data
        return
    for number, chunk in enumerate(_split_mbox(data), start=1):
        yield f"{shown}#{number}", chunk


def _is_mbox(data: bytes) -> bool:
    """An mbox holds "From " separator lines, each followed by a header line."""
    if not data.startswith(b"From "):
        return False
    separators = [m.end() for m in _MBOX_SEPARATOR_RE.finditer(data)]
    if len(separators) < 2:
        return False
    return any(_HEADER_RE.match(data, _skip_newline(data, end)) for end in separators[1:])


def _skip_newline(data: bytes, pos: int) -> int:
    if data[pos : pos + 2] == b"\r\n":
        return pos + 2
    return pos + 1


def _split_mbox(data: bytes) -> Iterator[bytes]:
    starts = [
        m.start()
        for m in _MBOX_SEPARATOR_RE.finditer(data)
        if m.start() == 0 or _HEADER_RE.match(data, _skip_newline(data, m.end()))
    ]
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(data)
        chunk = data[start:end]
        first_newline = chunk.find(b"\n")
        body = chunk[first_newline + 1 :] if first_newline >= 0 else b""
        # mboxrd/mboxo escape body lines that start with "From "; undo the one level added.
        body = re.sub(rb"^>(>*From )", rb"\1", body, flags=re.MULTILINE)
        if body.strip():
            yield body
