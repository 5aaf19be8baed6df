"""Group commit in ``serve_lmtp``: messages that wait together are recorded in one transaction.

The committer (``suppression.lmtp.GroupCommitter``) runs here in the test process with its own
threads and connections, on PostgreSQL, so that a test can hold a group and see which
transaction wrote each event (``xmin``); the end-to-end tests drive ``manage.py serve_lmtp``
with several ``smtplib.LMTP`` clients at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import psycopg
import pytest
from django.db import DatabaseError, OperationalError, connection

from suppression.lmtp import GroupCommitter, Outcome, ingest_committed
from suppression.models import (
    BounceEvent,
    BounceEventMessage,
    RawBounceMessage,
    UnparsedMessage,
)
from suppression.services import ingest as ingest_module
from suppression.services import ingest_group
from suppression.services.ingest import MessageOutcome, MessageReport
from suppression.services.ingest_group import Arrival, message_parse, messages_ingest

from .messages import kwiga_dsn, sample
from .test_lmtp import Server, codes, db_params, deliver

pytestmark = [pytest.mark.django_db(transaction=True)]


def dsn(name: str) -> bytes:
    return kwiga_dsn(recipient=f"{name}@example.com", message_id=f"<group-{name}@mx1.kwiga.com>")


def arrival(name: str) -> Arrival:
    return message_parse(raw=dsn(name), origin=f"test {name}")


def events(name: str) -> int:
    return BounceEvent.objects.filter(address__address=f"{name}@example.com").count()


def transactions(*names: str) -> int:
    """How many transactions wrote the events of these recipients (PostgreSQL's ``xmin``)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT e.xmin::text) FROM suppression_bounceevent e "
            "JOIN suppression_emailaddress a ON a.id = e.address_id WHERE a.address = ANY(%s)",
            [[f"{name}@example.com" for name in names]],
        )
        (count,) = cursor.fetchone()  # type: ignore[misc]
    return count


class HeldCommits:
    """The server's commit, with each group's size noted and the first group held at a gate."""

    def __init__(self) -> None:
        self.sizes: list[int] = []
        self.first_started = threading.Event()
        self.release = threading.Event()
        self.before_group: dict[int, object] = {}  # group number -> callable run before it

    def __call__(self, arrivals: list[Arrival], seconds: int) -> list[Outcome]:
        self.sizes.append(len(arrivals))
        number = len(self.sizes)
        try:
            if number == 1:
                self.first_started.set()
                assert self.release.wait(60)
            before = self.before_group.get(number)
            if callable(before):
                before()
            return ingest_committed(arrivals, seconds)
        finally:
            connection.close()  # the thread's own; the test database is dropped at the end


@pytest.fixture
def held() -> Iterator[tuple[HeldCommits, GroupCommitter]]:
    commits = HeldCommits()
    committer = GroupCommitter(threads=2, statement_seconds=30, stall=60, commit=commits)
    yield commits, committer
    commits.release.set()
    committer.close(wait=10)


def outcome_of(answer: object) -> MessageOutcome:
    result = answer.result(timeout=60)  # type: ignore[attr-defined]
    assert isinstance(result, MessageReport), result
    return result.outcome


@pytest.mark.postgres
def test_messages_that_wait_together_are_recorded_in_one_transaction(
    held: tuple[HeldCommits, GroupCommitter],
) -> None:
    commits, committer = held
    answers = [committer.submit(arrival("g0"))]
    assert commits.first_started.wait(30)
    answers += [committer.submit(arrival(name)) for name in ("g1", "g2", "g3")]
    time.sleep(0.3)
    assert commits.sizes == [1]  # nothing starts beside a group committing (under --stall)

    commits.release.set()

    assert [outcome_of(answer) for answer in answers] == [MessageOutcome.RECORDED] * 4
    assert commits.sizes == [1, 3]
    assert transactions("g1", "g2", "g3") == 1
    assert transactions("g0", "g1") == 2
    # Each raw message kept once and linked to its event, as the pipe does.
    assert BounceEventMessage.objects.count() == 4
    assert len({link.message_id for link in BounceEventMessage.objects.all()}) == 4


@pytest.mark.postgres
def test_a_group_whose_connection_dies_fails_whole_and_is_stored_once_when_retried(
    held: tuple[HeldCommits, GroupCommitter],
) -> None:
    commits, committer = held

    def kill_own_connection() -> None:
        connection.ensure_connection()
        pid = connection.connection.info.backend_pid
        with psycopg.connect(**db_params(), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])

    commits.before_group[2] = kill_own_connection
    first = committer.submit(arrival("k0"))
    assert commits.first_started.wait(30)
    group = [committer.submit(arrival(name)) for name in ("k1", "k2", "k3")]
    commits.release.set()

    assert outcome_of(first) is MessageOutcome.RECORDED
    for answer in group:  # every message of the group: the LMTP server answers each 451
        with pytest.raises(DatabaseError):
            answer.result(timeout=60)
    assert [events(name) for name in ("k1", "k2", "k3")] == [0, 0, 0]

    # The MTA retries them (one group again), then once more after a lost answer.
    retried = [committer.submit(arrival(name)) for name in ("k1", "k2", "k3")]
    assert [outcome_of(answer) for answer in retried] == [MessageOutcome.RECORDED] * 3
    again = [committer.submit(arrival(name)) for name in ("k1", "k2", "k3")]
    assert [outcome_of(answer) for answer in again] == [MessageOutcome.DUPLICATE] * 3
    assert [events(name) for name in ("k1", "k2", "k3")] == [1, 1, 1]
    assert commits.sizes[1] == 3


def test_one_bad_message_fails_alone_and_the_rest_of_its_group_is_recorded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = ingest_module._event_fields

    def refusing(result, recipient, *, raw):  # type: ignore[no-untyped-def]
        if recipient.recipient.startswith("refused"):
            raise ValueError("the database refuses this value")
        if recipient.recipient.startswith("crashes"):
            raise RuntimeError("a bug this message trips")
        return real(result, recipient, raw=raw)

    monkeypatch.setattr(ingest_module, "_event_fields", refusing)
    monkeypatch.setattr(ingest_group, "_event_fields", refusing)
    names = ("b1", "refused", "b2", "crashes", "b3")

    outcomes = messages_ingest(arrivals=[arrival(name) for name in names])

    kinds = [o.outcome if isinstance(o, MessageReport) else type(o) for o in outcomes]
    assert kinds == [
        MessageOutcome.RECORDED,
        MessageOutcome.UNPARSEABLE,  # refused for what it says: kept for a person, as the pipe does
        MessageOutcome.RECORDED,
        RuntimeError,  # only this one is answered 451
        MessageOutcome.RECORDED,
    ]
    assert [events(name) for name in ("b1", "b2", "b3", "refused", "crashes")] == [1, 1, 1, 0, 0]
    assert UnparsedMessage.objects.get().detail == (
        "no valid recipient: 'refused@example.com' "
        "(the database refused it: ValueError: the database refuses this value)"
    )


def test_a_group_records_what_message_ingest_records_message_by_message() -> None:
    unreadable = b"\n\n"
    not_a_bounce = b"From: a@example.com\r\nTo: bounces@kwiga.com\r\nSubject: hi\r\n\r\nHello\r\n"
    invalid = sample("postfix-invalid-recipient.eml")
    two = sample("sendmail-two-recipients.eml")
    raws = [dsn("m1"), dsn("m1"), unreadable, not_a_bounce, invalid, dsn("m2"), unreadable, two]

    outcomes = messages_ingest(arrivals=[message_parse(raw=raw, origin="t") for raw in raws])
    again = messages_ingest(arrivals=[message_parse(raw=raw, origin="t") for raw in raws[:2]])

    assert [o.outcome for o in outcomes] == [  # type: ignore[union-attr]
        MessageOutcome.RECORDED,
        MessageOutcome.DUPLICATE,  # the same bounce twice in one group: recorded once
        MessageOutcome.UNPARSEABLE,
        MessageOutcome.NOT_A_FAILURE,
        MessageOutcome.UNPARSEABLE,  # no valid recipient: kept
        MessageOutcome.RECORDED,
        MessageOutcome.UNPARSEABLE,
        MessageOutcome.RECORDED,
    ]
    assert len(outcomes[-1].recorded) == 2  # type: ignore[union-attr]
    assert [o.outcome for o in again] == [MessageOutcome.DUPLICATE] * 2  # type: ignore[union-attr]
    assert (events("m1"), events("m2")) == (1, 1)
    assert UnparsedMessage.objects.count() == 2  # the unreadable one once per sha256
    # Each stored message once, linked to every event it recorded.
    assert BounceEventMessage.objects.count() == 4
    assert RawBounceMessage.objects.count() == 3


@pytest.mark.postgres
def test_concurrent_lmtp_sessions_share_a_transaction_and_a_failed_one_is_retried_whole() -> None:
    """Through the server: four sessions at once, a group held on a locked address, then cut."""
    server = Server(env={"SUPPRESSION_LMTP_DEADLINE": "60"}, args=("--stall", "60"))
    params = db_params()
    try:
        with server.client() as lmtp:  # a and b exist, so that a transaction can lock them
            assert codes(deliver(lmtp, dsn("a"))) == [250, 250]
            assert codes(deliver(lmtp, dsn("b"))) == [250, 250]
        clients = {name: server.client() for name in ("a2", "b2", "c", "d", "e", "f")}
        answers: dict[str, list[int]] = {}

        def send(name: str, address: str) -> threading.Thread:
            raw = kwiga_dsn(recipient=f"{address}@example.com", message_id=f"<{name}@x>")
            thread = threading.Thread(
                target=lambda: answers.__setitem__(name, codes(deliver(clients[name], raw)))
            )
            thread.start()
            return thread

        def until(sql: str, value: int) -> None:
            with psycopg.connect(**params, autocommit=True) as watcher:
                for _ in range(600):
                    if watcher.execute(sql, [params["dbname"]]).fetchone() == (value,):
                        return
                    time.sleep(0.05)
            raise AssertionError(f"never {value}: {sql}")

        def waiting(count: int) -> None:
            for _ in range(600):
                if server.health()[1]["waiting"] == count:
                    return
                time.sleep(0.05)
            raise AssertionError(f"never {count} waiting")

        locked = (
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'"
        )
        kill_locked = (
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND wait_event_type = 'Lock'"
        )
        with psycopg.connect(**params) as blocker:
            blocker.execute(
                "SELECT 1 FROM suppression_emailaddress WHERE address IN "
                "('a@example.com', 'b@example.com') FOR UPDATE"
            )
            threads = [send("a2", "a")]  # group 1: waits on a's lock
            until(locked, 1)
            threads += [send("b2", "b"), send("c", "c"), send("d", "d")]
            waiting(3)  # while group 1 commits, the next group gathers
            with psycopg.connect(**params, autocommit=True) as admin:
                admin.execute(kill_locked, [params["dbname"]])  # group 1's connection dies
            waiting(0)  # group 2 (b2, c, d) started: it waits on b's lock
            until(locked, 1)
            threads += [send("e", "e"), send("f", "f")]
            waiting(2)
            with psycopg.connect(**params, autocommit=True) as admin:
                admin.execute(kill_locked, [params["dbname"]])  # group 2's connection dies
            for thread in threads:
                thread.join(timeout=60)
            blocker.rollback()

        stored_before_retry = {name: events(name) for name in ("c", "d", "e", "f")}
        retried = {name: codes(deliver(clients[name], dsn(name))) for name in ("c", "d")}
        for lmtp in clients.values():
            lmtp.close()
    finally:
        server.stop()

    assert answers == {
        "a2": [451, 451],
        "b2": [451, 451],  # the whole of group 2, though only b2 waited on a lock
        "c": [451, 451],
        "d": [451, 451],
        "e": [250, 250],  # group 3, on a new connection
        "f": [250, 250],
    }
    assert stored_before_retry == {"c": 0, "d": 0, "e": 1, "f": 1}
    assert transactions("e", "f") == 1
    assert retried == {"c": [250, 250], "d": [250, 250]}
    assert (events("c"), events("d"), events("a"), events("b")) == (1, 1, 1, 1)


class _Deadlock(Exception):
    sqlstate = "40P01"


def test_a_deadlocked_group_is_recorded_message_by_message_and_a_lost_connection_is_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def deadlocked(arrivals, *, actor):  # type: ignore[no-untyped-def]
        raise OperationalError("deadlock detected") from _Deadlock()

    monkeypatch.setattr(ingest_group, "_ingest_together", deadlocked)

    outcomes = messages_ingest(arrivals=[arrival("d1"), arrival("d2")])

    assert [o.outcome for o in outcomes] == [MessageOutcome.RECORDED] * 2  # type: ignore[union-attr]

    def lost(arrivals, *, actor):  # type: ignore[no-untyped-def]
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(ingest_group, "_ingest_together", lost)
    with pytest.raises(OperationalError):
        messages_ingest(arrivals=[arrival("d3")])
    assert events("d3") == 0
