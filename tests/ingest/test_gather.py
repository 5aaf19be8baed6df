"""The LMTP server's group commit waits briefly for the sessions of a burst (``gather``), and
reads the plain MAIL/RCPT paths an MTA sends without aiosmtpd's full address parser.

The committer runs here with a commit of the test's own (no database): what is tested is which
messages share a group and how long a group waits.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from aiosmtpd.smtp import SMTP

from suppression.lmtp import BounceLMTP, GroupCommitter, Outcome
from suppression.services.ingest import MessageReport


class Commits:
    def __init__(self) -> None:
        self.groups: list[list[str]] = []
        self.threads: list[int] = []
        self.lock = threading.Lock()

    def __call__(self, arrivals: list, statement_seconds: int) -> list[Outcome]:
        with self.lock:
            self.groups.append(list(arrivals))
            self.threads.append(threading.get_ident())
        return [MessageReport(origin=name, kind=None) for name in arrivals]  # type: ignore[arg-type]


@contextmanager
def committer(*, gather: float, expected: int) -> Iterator[tuple[GroupCommitter, Commits]]:
    """A committer of 4 threads over a recording commit, closed after the test."""
    commits = Commits()
    group = GroupCommitter(
        threads=4, statement_seconds=5, commit=commits, gather=gather, expected=lambda: expected
    )
    try:
        yield group, commits
    finally:
        group.close()


def test_the_messages_of_a_burst_arriving_apart_commit_as_one_group_as_soon_as_all_are_in() -> None:
    with committer(gather=3.0, expected=3) as (group, commits):
        started = time.monotonic()
        answers = [group.submit("a")]  # type: ignore[arg-type]
        time.sleep(0.05)
        answers.append(group.submit("b"))  # type: ignore[arg-type]
        time.sleep(0.05)
        answers.append(group.submit("c"))  # type: ignore[arg-type]
        for answer in answers:
            answer.result(timeout=5)
        # Woken by the last arrival, not by the end of the 3 s it could have waited (the idle
        # threads wait on the same condition and were asleep first).
        assert time.monotonic() - started < 1.5
        assert commits.groups == [["a", "b", "c"]]


def test_a_lone_session_is_not_kept_waiting() -> None:
    with committer(gather=3.0, expected=1) as (group, _):
        started = time.monotonic()
        group.submit("alone").result(timeout=5)  # type: ignore[arg-type]
        assert time.monotonic() - started < 1.0


def test_a_burst_that_does_not_come_is_waited_for_only_the_gather_time() -> None:
    with committer(gather=0.3, expected=4) as (group, commits):
        started = time.monotonic()
        first, second = group.submit("x"), group.submit("y")  # type: ignore[arg-type]
        first.result(timeout=5)
        second.result(timeout=5)
        assert 0.25 <= time.monotonic() - started < 2.0
        assert commits.groups == [["x", "y"]]


def test_without_gathering_the_first_message_does_not_wait_for_the_others() -> None:
    with committer(gather=0.0, expected=3) as (group, commits):
        group.submit("first").result(timeout=5)  # type: ignore[arg-type]
        group.submit("second").result(timeout=5)  # type: ignore[arg-type]
        assert commits.groups == [["first"], ["second"]]


def test_one_message_after_another_is_committed_on_the_thread_used_last() -> None:
    """A quiet server keeps to the connection it used last (warm, and known to work) instead of
    opening one per thread: a thread that connects to a database that has just stopped
    answering fails on the connect timeout instead of answering 451 at the deadline."""
    with committer(gather=0.0, expected=1) as (group, commits):
        for n in range(8):
            group.submit(f"m{n}").result(timeout=5)  # type: ignore[arg-type]
            time.sleep(0.01)  # every thread is idle again before the next message
        assert len(commits.groups) == 8
        assert len(set(commits.threads)) == 1


PATHS = [
    "<>",
    "<>  SIZE=10",
    "<bounces@kwiga.com>",
    "<a@b.c> SIZE=100",
    " <x@y>",
    "<a.b+c@d-e.f>  BODY=8BITMIME SIZE=5",
    '<"quoted local"@example.com>',
    "<a..b@example.com>",
    "<@relay.example:a@b.example>",
    "<a@[192.0.2.1]>",
    "plain@example.com",
    "<a@b>trailing",
    "<unclosed@example.com",
    "<a@b> <c@d>",
    "<" + "l" * 70 + "@example.com>",
]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("limit", [0, 64])
def test_mail_and_rcpt_paths_read_as_aiosmtpd_reads_them(path: str, limit: int) -> None:
    ours = BounceLMTP.__new__(BounceLMTP)
    library = SMTP.__new__(SMTP)
    ours.local_part_limit = library.local_part_limit = limit
    address, params = ours._getaddr(path)
    expected_address, expected_params = library._getaddr(path)
    assert address == expected_address
    # aiosmtpd splits the parameters on white space: leading blanks are no difference.
    assert (params or "").split() == (expected_params or "").split()
    assert (params is None) == (expected_params is None)
