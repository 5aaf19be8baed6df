"""``serve_lmtp`` as Postfix drives it: a real LMTP client against the server, on PostgreSQL.

The server runs as its own process (``manage.py serve_lmtp``) on the test database, directly or
through a TCP proxy the test can black-hole; the client is ``smtplib.LMTP``, reading one answer
per envelope recipient after DATA as an MTA does.
"""

from __future__ import annotations

import json
import os
import signal
import smtplib
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from suppression.models import BounceEvent, SourceLiveness

from ..tcpproxy import TcpProxy
from .messages import kwiga_dsn

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")
DEADLINE = 3
STARTUP = 90  # a loaded machine starts Django slowly
RCPTS = ["bounces@kwiga.com", "bounces+school@kwiga.com"]


def dsn(n: int | str) -> bytes:
    return kwiga_dsn(recipient=f"user{n}@example.com", message_id=f"<lmtp-{n}@mx1.kwiga.com>")


class Server:
    """``manage.py serve_lmtp`` in a child process; its port and health port from its output."""

    def __init__(
        self,
        *,
        db_port: int | None = None,
        env: dict[str, str] | None = None,
        args: tuple[str, ...] = (),
    ) -> None:
        db = connection.settings_dict
        port = db_port or int(db["PORT"] or 5432)
        environment = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@127.0.0.1:{port}/{db['NAME']}",
            "KWIGA_ENV": "development",
            "SUPPRESSION_DB_CONNECT_TIMEOUT": "2",
            "SUPPRESSION_LMTP_DEADLINE": str(DEADLINE),
            **(env or {}),
        }
        environment.pop("PYTHONWARNINGS", None)
        environment.pop("DJANGO_SETTINGS_MODULE", None)
        self.process = subprocess.Popen(
            [
                sys.executable,
                MANAGE,
                "serve_lmtp",
                "--listen",
                "127.0.0.1:0",
                "--health",
                "127.0.0.1:0",
                "--workers",
                "2",
                *args,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment,
        )
        self.lines: list[str] = []
        self.port = int(self._line_after("LMTP on ").rsplit(":", 1)[1])
        self.health_url = self._line_after("Health check on ")

    def _line_after(self, prefix: str) -> str:
        assert self.process.stdout is not None
        ends = time.monotonic() + STARTUP
        while time.monotonic() < ends:
            line = self.process.stdout.readline().decode()
            if not line:
                raise AssertionError(f"serve_lmtp ended: {self.process.stderr.read().decode()}")  # type: ignore[union-attr]
            self.lines.append(line)
            if line.startswith(prefix):
                return line[len(prefix) :].strip()
        raise AssertionError("serve_lmtp did not start")

    def client(self) -> smtplib.LMTP:
        lmtp = smtplib.LMTP("127.0.0.1", self.port, timeout=60)
        lmtp.ehlo("mx1.kwiga.com")  # smtplib.LMTP sends LHLO
        return lmtp

    def health(self) -> tuple[int, dict[str, Any]]:
        try:
            with urllib.request.urlopen(self.health_url, timeout=30) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def deliver(lmtp: smtplib.LMTP, raw: bytes, rcpts: list[str] = RCPTS) -> list[tuple[int, bytes]]:
    """One LMTP transaction; the answers to DATA, one per recipient, as an MTA reads them."""
    assert lmtp.mail("<>")[0] == 250
    for rcpt in rcpts:
        assert lmtp.rcpt(rcpt)[0] == 250
    answers = [lmtp.data(raw)]
    answers += [lmtp.getreply() for _ in rcpts[1:]]
    return answers


def db_params() -> dict[str, Any]:
    db = connection.settings_dict
    return {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "dbname": db["NAME"],
    }


def codes(answers: list[tuple[int, bytes]]) -> list[int]:
    return [code for code, _ in answers]


def events(address: str) -> int:
    return BounceEvent.objects.filter(address__address=address).count()


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.stop()


@pytest.fixture
def proxy() -> Iterator[TcpProxy]:
    db = connection.settings_dict
    proxy = TcpProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    yield proxy
    proxy.close()


def test_every_recipient_gets_250_once_the_message_is_committed(server: Server) -> None:
    with server.client() as lmtp:
        answers = deliver(lmtp, dsn(1))
        # Read only after the answers: the commit came first.
        recorded = list(
            BounceEvent.objects.filter(address__address="user1@example.com").values_list(
                "reason", "source"
            )
        )
        again = deliver(lmtp, dsn(1))

    assert codes(answers) == [250, 250]
    assert recorded == [("mailbox_unknown", "dsn")]
    # The MTA retrying a message it delivered before: the same dedupe as the pipe.
    assert codes(again) == [250, 250]
    assert events("user1@example.com") == 1
    assert SourceLiveness.objects.filter(source="lmtp").exists()


def test_many_messages_on_one_session_and_not_a_bounce_is_still_250(server: Server) -> None:
    not_a_bounce = (
        b"From: someone@example.com\r\nTo: bounces@kwiga.com\r\nSubject: hi\r\n\r\nHello\r\n"
    )
    with server.client() as lmtp:
        answers = [codes(deliver(lmtp, dsn(n), rcpts=RCPTS[:1])) for n in range(2, 6)]
        other = deliver(lmtp, not_a_bounce, rcpts=RCPTS[:1])

    assert answers == [[250]] * 4
    assert codes(other) == [250]
    assert sum(events(f"user{n}@example.com") for n in range(2, 6)) == 4


def test_the_envelopes_null_sender_reaches_the_parser_as_return_path(server: Server) -> None:
    # As the MTA hands a bounce over: no Return-Path in it (the final delivery agent writes one),
    # from a provider's "info@" address, in words with no reply code. Only the null reverse path
    # of MAIL FROM:<> says that a mail system wrote it.
    notice = (
        b"From: Example Mail <info@mail.example.net>\r\n"
        b"To: bounces@kwiga.com\r\n"
        b"Subject: Undeliverable\r\n"
        b"Message-ID: <rp-1@mail.example.net>\r\n"
        b"\r\n"
        b"Your message to rp.reader@example.com could not be delivered:\r\n"
        b"the mailbox does not exist.\r\n"
    )
    with server.client() as lmtp:
        answers = deliver(lmtp, notice, rcpts=RCPTS[:1])

    assert codes(answers) == [250]
    event = BounceEvent.objects.get(address__address="rp.reader@example.com")
    assert event.reason == "mailbox_unknown"
    stored = zlib.decompress(bytes(event.raw_link.message.compressed))
    assert stored.startswith(b"Return-Path: <>\r\nFrom: Example Mail")


def test_a_message_over_the_size_limit_gets_552_per_recipient_and_records_nothing() -> None:
    running = Server(env={"SUPPRESSION_MAX_MESSAGE_BYTES": "4000"})
    try:
        big = dsn(7).replace(b"Spring sale", b"Spring sale " + b"x" * 5000)
        with running.client() as lmtp:
            assert b"SIZE 4000" in lmtp.ehlo_resp  # type: ignore[operator]
            answers = deliver(lmtp, big)
            after = deliver(lmtp, dsn(8))  # the session goes on
    finally:
        running.stop()

    assert codes(answers) == [552, 552]
    assert events("user7@example.com") == 0
    assert codes(after) == [250, 250]


def test_a_database_that_hangs_gets_451_within_the_deadline_then_the_retry_is_stored(
    proxy: TcpProxy,
) -> None:
    running = Server(db_port=proxy.port)
    try:
        with running.client() as lmtp:
            assert codes(deliver(lmtp, dsn(10))) == [250, 250]

            proxy.blackholed.set()  # open connections and new ones: no answer ever
            started = time.monotonic()
            hung = deliver(lmtp, dsn(11))
            elapsed = time.monotonic() - started
            status, body = running.health()

            proxy.blackholed.clear()
            retried = deliver(lmtp, dsn(11))  # the MTA retries on the same session
    finally:
        running.stop()

    assert codes(hung) == [451, 451]
    assert b"no answer from the database within 3 s" in hung[0][1]
    assert DEADLINE <= elapsed < DEADLINE + 5
    assert status == 503
    # The health check's own connection hits the connect timeout (2 s) first.
    assert body["status"] in ("database not answering", "database error: OperationalError")
    assert codes(retried) == [250, 250]
    assert events("user11@example.com") == 1


def test_a_database_connection_killed_mid_session_loses_nothing(server: Server) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (ours,) = cursor.fetchone()
    with server.client() as lmtp:
        assert codes(deliver(lmtp, dsn(20))) == [250, 250]
        with psycopg.connect(**db_params(), autocommit=True) as admin:
            # Every other backend on the test database is the server's.
            killed = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %s AND pid NOT IN (pg_backend_pid(), %s)",
                [connection.settings_dict["NAME"], ours],
            ).fetchone()
        answers = deliver(lmtp, dsn(21))
        if codes(answers) != [250, 250]:  # told to retry: the MTA does, and it is stored
            assert codes(answers) == [451, 451]
            answers = deliver(lmtp, dsn(21))

    assert killed is not None and killed[0] >= 1
    assert codes(answers) == [250, 250]
    assert events("user21@example.com") == 1


def test_a_database_that_refuses_connections_gets_451(proxy: TcpProxy) -> None:
    running = Server(db_port=proxy.port)
    try:
        with running.client() as lmtp:
            proxy.close()  # nothing listens on the port any more
            answers = deliver(lmtp, dsn(30))
    finally:
        running.stop()

    assert codes(answers) == [451, 451]
    assert b"database error: OperationalError" in answers[0][1]


def test_health_check_says_ok_and_counts(server: Server) -> None:
    with server.client() as lmtp:
        deliver(lmtp, dsn(40))

    status, body = server.health()

    assert status == 200
    assert body["status"] == "ok"
    assert body["stored"] == 1
    assert body["listening"] == [f"lmtp:inet:127.0.0.1:{server.port}"]


def test_sigterm_answers_the_message_in_flight_then_exits() -> None:
    server = Server(env={"SUPPRESSION_LMTP_DEADLINE": "60"})
    try:
        sigterm_while_a_message_waits(server)
    finally:
        server.stop()


def sigterm_while_a_message_waits(server: Server) -> None:
    # The address row is locked by another transaction, so the message waits inside the server.
    with server.client() as lmtp:
        deliver(lmtp, dsn(50))
    answers: list[tuple[int, bytes]] = []
    db = connection.settings_dict
    params = db_params()
    with psycopg.connect(**params) as blocker:
        blocker.execute(
            "SELECT 1 FROM suppression_emailaddress WHERE address = 'user50@example.com' FOR UPDATE"
        )
        lmtp = server.client()
        waiting = threading.Thread(
            target=lambda: answers.extend(
                deliver(lmtp, kwiga_dsn(recipient="user50@example.com", message_id="<lmtp-51@x>"))
            )
        )
        waiting.start()
        with psycopg.connect(**params, autocommit=True) as watcher:
            for _ in range(200):
                (locked,) = watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                    "AND wait_event_type = 'Lock'",
                    [db["NAME"]],
                ).fetchone()  # type: ignore[misc]
                if locked:
                    break
                time.sleep(0.05)
        assert locked, "the message never reached the database"
        # The database work runs off the event loop: another session is answered meanwhile.
        with server.client() as other:
            started = time.monotonic()
            assert other.noop()[0] == 250
            assert time.monotonic() - started < 2

        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert server.process.poll() is None  # still finishing the message
        with pytest.raises(OSError):
            smtplib.LMTP("127.0.0.1", server.port, timeout=5)  # no new sessions
        blocker.rollback()  # the lock goes: the message is stored and answered

    waiting.join(timeout=30)
    server.process.wait(timeout=30)

    assert codes(answers) == [250, 250]
    assert events("user50@example.com") == 2
    assert server.process.returncode == 0
    assert b"Stopped: 2 messages stored" in server.process.stdout.read()  # type: ignore[union-attr]


def test_several_processes_share_the_socket_and_all_stop_on_sigterm() -> None:
    server = Server(args=("--processes", "2"))
    try:
        pids = set()
        clients = [server.client() for _ in range(6)]
        for n, lmtp in enumerate(clients):
            assert codes(deliver(lmtp, dsn(f"p{n}"))) == [250, 250]
        for _ in range(10):
            pids.add(server.health()[1]["pid"])
        for lmtp in clients:
            lmtp.quit()
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(timeout=60)
    finally:
        server.stop()

    assert sum(events(f"userp{n}@example.com") for n in range(6)) == 6
    assert server.process.returncode == 0
    stopped = [line for line in server.process.stdout.read().decode().splitlines()]  # type: ignore[union-attr]
    assert sum(line.startswith("Stopped: ") for line in stopped) == 2
    assert server.process.pid not in pids and len(pids) >= 1


def test_sigterm_at_once_after_start_stops_every_process() -> None:
    """A supervisor stopping the server as it starts must not leave forked processes behind."""
    server = Server(args=("--processes", "2"))
    server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(timeout=60)
    finally:
        server.stop()

    with pytest.raises(OSError):
        smtplib.LMTP("127.0.0.1", server.port, timeout=5)  # nobody accepts any more
