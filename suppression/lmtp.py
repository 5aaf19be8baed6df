"""An LMTP server the MTA delivers bounces to: ``manage.py serve_lmtp`` (docs/ingestion.md).

One long-running process instead of one process per message (the pipe), so a burst of
thousands of bounces costs no start-up each. Each message is parsed as it arrives, then recorded
with the messages that arrived meanwhile on other sessions in one transaction (group commit,
``GroupCommitter`` and ``services.ingest_group``: the same dedupe, policy and rows as the pipe's
``message_ingest``); LMTP (RFC 2033) answers once per envelope recipient, and this server gives
every recipient the message's one answer, only after that transaction commits:

* ``250`` stored (recorded, a duplicate, not a bounce, or kept as unparseable);
* ``451`` (the MTA keeps the message and retries) when the database refuses the connection,
  drops it, or does not finish within ``LMTP_DEADLINE_SECONDS``; a retry of a message that did
  commit after all is recorded once (the ingest is idempotent);
* ``552`` when the message is over ``MAX_MESSAGE_BYTES`` (also advertised as SIZE).

The ORM runs in threads (each committer thread with its own connection), never on the event
loop, so a slow database stalls no other session; so does the parsing of a big message (a small
one is parsed on the loop, in less time than a thread hop takes). SIGTERM (or SIGINT) stops
listening, lets every message already received be answered, closes idle sessions with ``421``
and exits: an accepted message (250) is committed, any other is still the MTA's to retry.
``--health`` serves ``GET /health`` (200 or 503, JSON) for a supervisor.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import functools
import json
import logging
import os
import re
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import Envelope, Session
from django.db import DatabaseError, close_old_connections, connection

from .deadlines import set_statement_timeout
from .dsn.mime import MAX_HEAD_BYTES
from .models import LivenessSource
from .pipeforward import PIPE_RECIPIENT
from .services.ingest import MessageReport
from .services.ingest_group import Arrival, message_parse, messages_ingest
from .services.liveness import source_delivered

logger = logging.getLogger(__name__)

STORED = "250 2.0.0 Bounce stored"
TEMPFAIL = "451 4.3.0 Could not store the bounce now, try again later"
SHUTTING_DOWN = "421 4.3.2 Shutting down, try again later"
HEALTH_DB_SECONDS = 3.0
MAX_GROUP = 200  # messages recorded in one transaction at most
# A group committing this long is presumed stuck (a database that hangs): the next may start.
STALL_SECONDS = 1.0
IDLE_CHECK_SECONDS = 5.0
# Before a group is taken, wait this long at most for the sessions that are in a burst to hand
# their next message in (see GroupCommitter); and how recently a session must have sent a
# message to count as in a burst.
GATHER_SECONDS = 0.010
BURST_SECONDS = 0.25
# A message this small is parsed on the event loop (a fraction of a millisecond: less than
# handing it to a thread and back costs); a bigger one in a parsing thread.
INLINE_PARSE_BYTES = 64 * 1024
# An address in MAIL or RCPT that aiosmtpd's full RFC 5322 parser need not see: <> or a plain
# dot-atom local part at a plain domain (what an MTA sends), then the parameters.
_PLAIN_PATH = re.compile(
    r"\s*<((?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)?)>(?:\s+(.*))?"
)


def ingest_committed(arrivals: list[Arrival], statement_seconds: int) -> list[Outcome]:
    """In a committer thread: record a group of messages in one transaction, note the delivery.

    The thread keeps its connection from group to group. After an error, or when it sat idle
    long enough for the database to have gone away meanwhile, it is checked (and dropped if it
    failed, as a web request's end does), so that the next group reconnects; a busy server asks
    the database nothing more per group.
    """
    if _connection_state.failed or time.monotonic() - _connection_state.used > IDLE_CHECK_SECONDS:
        close_old_connections()  # drops a broken or expired connection; health check on reuse
    _connection_state.failed = True
    if connection.connection is None and connection.vendor == "postgresql":
        connection.ensure_connection()
        set_statement_timeout(connection, statement_seconds)
    outcomes = messages_ingest(arrivals=arrivals)
    _connection_state.failed = False
    _connection_state.used = time.monotonic()
    for way_in in {arrival.way_in for arrival in arrivals}:
        source_delivered(LivenessSource(way_in))
    return outcomes


class _ConnectionState(threading.local):
    failed = False
    used = 0.0


_connection_state = _ConnectionState()


def database_answers() -> None:
    close_old_connections()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        close_old_connections()


Outcome = MessageReport | Exception
Commit = Callable[[list[Arrival], int], list[Outcome]]


@dataclass(slots=True)
class _Waiting:
    arrival: Arrival
    answer: concurrent.futures.Future[Outcome]


class GroupCommitter:
    """Threads that record what is waiting, as one group and one transaction at a time.

    Each message's handler parses it and ``submit``s it; while one group commits, the messages
    arriving on other sessions wait, and the next thread takes all of them (up to ``max_group``)
    as the next group: the busier the server, the larger the groups, and one commit (and one
    set of statements) serves them all. A second group starts beside the first only when every
    group committing has taken ``stall`` seconds or more: a database that hangs ties up one
    thread (and its connection), not the server. Every message of a group is answered after its
    commit; a connection error fails them all (451).

    An MTA's session sends its next message only once the last one is answered, so sessions
    answered together come back together, and without help the groups settle into a pattern
    (three and one of four sessions, say) that commits twice where once would do. So before
    taking a group, the thread waits up to ``gather`` seconds, while fewer messages wait than
    ``expected()`` (the sessions in a burst), for the others to arrive: a lone session, or
    sessions all waiting already, are taken at once.
    """

    def __init__(
        self,
        *,
        threads: int,
        statement_seconds: int,
        max_group: int = MAX_GROUP,
        stall: float = STALL_SECONDS,
        commit: Commit = ingest_committed,
        gather: float = 0.0,
        expected: Callable[[], int] = lambda: 0,
    ) -> None:
        self.statement_seconds = statement_seconds
        self.max_group = max_group
        self.stall = stall
        self.commit = commit
        self.gather = gather
        self.expected = expected
        self.gathering = False
        self.condition = threading.Condition()
        self.waiting: collections.deque[_Waiting] = collections.deque()
        self.committing: dict[int, float] = {}  # thread id -> when its group started
        self.closed = False
        # Threads waiting for a group, in the order they became idle: the last one takes the
        # next group, so that a quiet server commits on the connection it used last (warm, and
        # known to work) instead of opening another.
        self.idle: list[int] = []
        self.groups = 0
        self.largest_group = 0
        self.commit_cpu = 0.0
        self.threads = [
            threading.Thread(target=self._run, name=f"lmtp-ingest-{n}", daemon=True)
            for n in range(threads)
        ]
        for thread in self.threads:
            thread.start()

    def submit(self, arrival: Arrival) -> concurrent.futures.Future[Outcome]:
        """Queue ``arrival`` for the next group; the future is its outcome after the commit.

        Cancel it to withdraw the message: one that no group has taken is never recorded.
        """
        answer: concurrent.futures.Future[Outcome] = concurrent.futures.Future()
        with self.condition:
            if self.closed:
                raise RuntimeError("The committer is stopped")
            self.waiting.append(_Waiting(arrival, answer))
            # All: a thread gathering a group waits on this condition beside the idle ones.
            self.condition.notify_all()
        return answer

    def close(self, *, wait: float = 1.0) -> None:
        """Let the threads end once nothing waits (waiting up to ``wait`` seconds for them); one
        blocked on a database that never answers stays behind (``still_busy_workers``)."""
        with self.condition:
            self.closed = True
            self.condition.notify_all()
        ends = time.monotonic() + wait
        for thread in self.threads:
            thread.join(max(0.0, ends - time.monotonic()))

    def _take(self) -> list[_Waiting] | None:
        me = threading.get_ident()
        with self.condition:
            self.idle.append(me)
            try:
                while True:
                    if not self.waiting and self.closed:
                        return None
                    if (
                        self.waiting
                        and not self.gathering
                        and self.idle[-1] == me
                        and (
                            not self.committing
                            or time.monotonic() - max(self.committing.values()) >= self.stall
                        )
                    ):
                        break
                    timeout = None
                    if self.waiting and self.committing:
                        timeout = max(self.committing.values()) + self.stall - time.monotonic()
                    self.condition.wait(timeout)
            finally:
                self.idle.remove(me)
            if self.gather > 0 and not self.closed:
                self._gather()
            group: list[_Waiting] = []
            while self.waiting and len(group) < self.max_group:
                waiting = self.waiting.popleft()
                # False: its handler gave up on it (answered 451) before any group took it.
                if waiting.answer.set_running_or_notify_cancel():
                    group.append(waiting)
            if group:
                self.committing[threading.get_ident()] = time.monotonic()
            return group

    def _gather(self) -> None:
        """With the condition held: wait up to ``gather`` for the sessions in a burst."""
        self.gathering = True
        try:
            ends = time.monotonic() + self.gather
            while len(self.waiting) < min(self.expected(), self.max_group) and not self.closed:
                left = ends - time.monotonic()
                if left <= 0:
                    return
                self.condition.wait(left)
        finally:
            self.gathering = False

    def _run(self) -> None:
        while True:
            group = self._take()
            if group is None:
                return
            if not group:
                continue
            self.groups += 1
            self.largest_group = max(self.largest_group, len(group))
            cpu0 = time.thread_time()
            try:
                outcomes = self.commit([w.arrival for w in group], self.statement_seconds)
            except Exception as error:  # the connection failed: none of them is stored
                for waiting in group:
                    waiting.answer.set_exception(error)
            else:
                for waiting, outcome in zip(group, outcomes, strict=True):
                    waiting.answer.set_result(outcome)
            finally:
                self.commit_cpu += time.thread_time() - cpu0
                with self.condition:
                    del self.committing[threading.get_ident()]
                    self.condition.notify_all()


@dataclass
class Stats:
    started_at: float = field(default_factory=time.time)
    stored: int = 0
    tempfailed: int = 0
    too_big: int = 0
    last_stored_at: float | None = None


class IngestHandler:
    """aiosmtpd's handler: parses each message off the event loop, hands it to the group
    committer, and waits for its group's commit at most a deadline."""

    def __init__(
        self,
        executor: concurrent.futures.Executor,
        committer: GroupCommitter,
        *,
        deadline: float,
    ) -> None:
        self.executor = executor
        self.committer = committer
        self.deadline = deadline
        self.stats = Stats()
        self.in_flight = 0
        self.idle = asyncio.Event()
        self.idle.set()

    async def handle_RCPT(
        self, server: LMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def _store(self, raw: bytes, origin: str, way_in: str) -> Outcome:
        if len(raw) <= INLINE_PARSE_BYTES:
            arrival = message_parse(raw=raw, origin=origin, way_in=way_in)
        else:
            loop = asyncio.get_running_loop()
            arrival = await loop.run_in_executor(
                self.executor,
                functools.partial(message_parse, raw=raw, origin=origin, way_in=way_in),
            )
        answer = self.committer.submit(arrival)
        try:
            # shield: at the deadline the MTA gets its 451 at once; a group that took the message
            # finishes or fails on its own, and a commit after the deadline makes the retry a
            # duplicate.
            return await asyncio.shield(asyncio.wrap_future(answer))
        except asyncio.CancelledError:
            answer.cancel()  # no group took it yet: none ever will
            raise

    async def handle_DATA(self, server: LMTP, session: Session, envelope: Envelope) -> str:
        raw = bytes(envelope.original_content or b"")
        origin = f"lmtp from {session.peer!s} for {', '.join(envelope.rcpt_tos)}"
        # `ingest_bounces -` handing its message over (suppression/pipeforward.py): Postfix's
        # pipe wrote its Return-Path already, and the hand-off's own MAIL FROM is not the MTA's.
        way_in = LivenessSource.PIPE if PIPE_RECIPIENT in envelope.rcpt_tos else LivenessSource.LMTP
        if way_in is LivenessSource.LMTP:
            raw = with_return_path(raw, envelope.mail_from)
        self.in_flight += 1
        self.idle.clear()
        try:
            outcome = await asyncio.wait_for(self._store(raw, origin, way_in), self.deadline)
            if isinstance(outcome, Exception):
                raise outcome
        except TimeoutError:
            self.stats.tempfailed += 1
            logger.warning("%s: not stored within %s s: answered 451", origin, self.deadline)
            return f"{TEMPFAIL} (no answer from the database within {self.deadline:g} s)"
        except DatabaseError as error:
            self.stats.tempfailed += 1
            logger.warning("%s: database error, answered 451: %s", origin, error)
            return f"{TEMPFAIL} (database error: {type(error).__name__})"
        except Exception:
            # A crash would bounce the bounce to nobody: have the MTA retry, and log it.
            self.stats.tempfailed += 1
            logger.exception("%s: could not be ingested, answered 451", origin)
            return f"{TEMPFAIL} (internal error)"
        finally:
            self.in_flight -= 1
            if not self.in_flight:
                self.idle.set()
        self.stats.stored += 1
        self.stats.last_stored_at = time.time()
        return STORED


_HEAD_END_RE = re.compile(rb"\r?\n\r?\n")
_RETURN_PATH_RE = re.compile(rb"(?:\A|\n)return-path[ \t]*:", re.IGNORECASE)


def with_return_path(raw: bytes, sender: str | None) -> bytes:
    """The message as its final delivery agent keeps it (RFC 5321 section 4.4): the envelope
    sender on top, in a Return-Path header, unless the message carries one already.

    This server is where bounces are finally delivered, and the MTA hands them over without one
    (Postfix's pipe adds it with flags=R; its LMTP client leaves it to the server, as to
    Dovecot's). The null sender ``<>`` every bounce comes from is the parser's surest sign of a
    mail system's notice; without it a notice from "info@" or "noreply@" reads like a person's.
    """
    if sender is None:
        return raw
    end = _HEAD_END_RE.search(raw, 0, MAX_HEAD_BYTES)
    if _RETURN_PATH_RE.search(raw, 0, end.start() if end else MAX_HEAD_BYTES):
        return raw
    address = sender.strip().strip("<>").replace("\r", "").replace("\n", "")[:320]
    newline = b"\r\n" if b"\r\n" in raw[:4096] else b"\n"
    return b"Return-Path: <" + address.encode("utf-8", "replace") + b">" + newline + raw


class BounceLMTP(LMTP):
    """aiosmtpd's LMTP, with the final DATA answer given once per accepted recipient.

    aiosmtpd writes one line after DATA, as SMTP does; an LMTP client waits for one per RCPT.
    Lines longer than RFC 5321's 1,000 bytes are accepted: refusing them (500) would make the
    MTA throw away a real bounce whose HTML part was written on one line.
    """

    line_length_limit = 1024 * 1024

    def __init__(self, *args: Any, sessions: set[BounceLMTP], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sessions = sessions
        self.answering_data = 0  # recipients owed a DATA answer, once the 354 went out
        self.last_data = 0.0  # time.monotonic() of its last DATA command

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.sessions.add(self)
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        self.sessions.discard(self)
        super().connection_lost(error)

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        """aiosmtpd's address parsing, with the plain paths an MTA sends read by one regex
        (the library's parser was a tenth of the server's CPU per message)."""
        plain = _PLAIN_PATH.fullmatch(arg)
        if plain is None:
            return super()._getaddr(arg)
        address, rest = plain.group(1), plain.group(2) or ""
        if not address:
            return "<>", rest
        if self.local_part_limit and len(address.rpartition("@")[0]) > self.local_part_limit:
            return None, None
        return address, rest

    @property
    def in_transaction(self) -> bool:
        """Between MAIL and the answer to DATA: closing now would cut a message short."""
        return self.answering_data > 0 or (
            self.envelope is not None and self.envelope.mail_from is not None
        )

    async def smtp_DATA(self, arg: str) -> None:
        self.last_data = time.monotonic()
        try:
            await super().smtp_DATA(arg)
        finally:
            self.answering_data = 0

    async def push(self, status: Any) -> None:
        text = status.decode() if isinstance(status, bytes) else status
        if text.startswith("354") and self.envelope is not None:
            self.answering_data = len(self.envelope.rcpt_tos)
        elif self.answering_data:
            # The one answer to the message (250, 451, 552 or a line too long), per recipient.
            count, self.answering_data = self.answering_data, 0
            text = "\r\n".join([text] * count)
        await super().push(text)

    def say_goodbye(self) -> None:
        transport = self.transport
        if isinstance(transport, asyncio.WriteTransport) and not transport.is_closing():
            transport.write(f"{SHUTTING_DOWN}\r\n".encode())
            transport.close()


class LmtpServer:
    """The listening socket(s), the worker threads and a graceful stop."""

    def __init__(
        self,
        *,
        max_bytes: int,
        deadline: float,
        workers: int = 4,
        hostname: str = "kwiga-bounces",
        max_group: int = MAX_GROUP,
        stall: float = STALL_SECONDS,
        commit: Commit = ingest_committed,
        gather: float = GATHER_SECONDS,
    ) -> None:
        self.max_bytes = max_bytes
        # Parsing (no database) and the health check's query.
        self.executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="lmtp-parse"
        )
        self.committer = GroupCommitter(
            threads=workers,
            statement_seconds=max(1, int(deadline)),
            max_group=max_group,
            stall=stall,
            commit=commit,
            gather=gather,
            expected=self.sessions_in_burst,
        )
        self.handler = IngestHandler(self.executor, self.committer, deadline=deadline)
        self.hostname = hostname
        self.sessions: set[BounceLMTP] = set()
        self.servers: list[asyncio.AbstractServer] = []
        self.stopping = asyncio.Event()
        self.addresses: list[str] = []

    def sessions_in_burst(self) -> int:
        """Sessions that sent a message within ``BURST_SECONDS`` (read from a committer thread:
        ``list()`` copies the set without letting the event loop change it meanwhile)."""
        since = time.monotonic() - BURST_SECONDS
        return sum(1 for session in list(self.sessions) if session.last_data > since)

    def _protocol(self) -> BounceLMTP:
        return BounceLMTP(
            self.handler,
            sessions=self.sessions,
            data_size_limit=self.max_bytes,
            hostname=self.hostname,
            ident="kwiga bounce LMTP",
            # Bounces quote the original headers; any 8-bit mail must be accepted as it is.
            decode_data=False,
            enable_SMTPUTF8=True,
            timeout=300,
            loop=asyncio.get_running_loop(),
        )

    async def serve_lmtp_on(self, sock: socket.socket) -> None:
        """Accept LMTP sessions on a listening socket (TCP or unix) bound before the fork."""
        loop = asyncio.get_running_loop()
        if sock.family == socket.AF_UNIX:
            server = await loop.create_unix_server(self._protocol, sock=sock)
            self.addresses.append(f"lmtp:unix:{sock.getsockname()}")
        else:
            server = await loop.create_server(self._protocol, sock=sock)
            host, port = sock.getsockname()[:2]
            self.addresses.append(f"lmtp:inet:{host}:{port}")
        self.servers.append(server)

    async def serve_health_on(self, sock: socket.socket) -> None:
        self.servers.append(await asyncio.start_server(self._health, sock=sock))

    async def _health(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            writer.close()
            return
        path = request.split(b" ", 2)[1] if request.count(b" ") >= 2 else b""
        if path != b"/health":
            status, body = "404 Not Found", {"error": "GET /health"}
        else:
            status, body = await self.health()
        payload = json.dumps(body).encode()
        writer.write(
            f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode()
            + payload
        )
        try:
            await writer.drain()
        finally:
            writer.close()

    async def health(self) -> tuple[str, dict[str, Any]]:
        """200 when listening and the database answers a query within a few seconds; else 503."""
        stats = self.handler.stats
        body: dict[str, Any] = {
            "listening": self.addresses,
            "pid": os.getpid(),
            "sessions": len(self.sessions),
            "stored": stats.stored,
            "tempfailed": stats.tempfailed,
            "waiting": len(self.committer.waiting),
            "groups": self.committer.groups,
            "largest_group": self.committer.largest_group,
            "last_stored_at": stats.last_stored_at,
            "uptime_seconds": round(time.time() - stats.started_at, 1),
        }
        if self.stopping.is_set():
            return "503 Service Unavailable", {**body, "status": "stopping"}
        loop = asyncio.get_running_loop()
        try:
            job = loop.run_in_executor(self.executor, database_answers)
            await asyncio.wait_for(asyncio.shield(job), HEALTH_DB_SECONDS)
        except TimeoutError:
            return "503 Service Unavailable", {**body, "status": "database not answering"}
        except DatabaseError as error:
            return "503 Service Unavailable", {
                **body,
                "status": f"database error: {type(error).__name__}",
            }
        return "200 OK", {**body, "status": "ok"}

    def stop(self) -> None:
        self.stopping.set()

    async def run_until_stopped(self, *, grace: float) -> None:
        """Serve until ``stop`` (SIGTERM/SIGINT), then drain within ``grace`` seconds."""
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self.stop)
        await self.stopping.wait()
        logger.info("Stopping: no new sessions; answering the messages already received")
        for server in self.servers:
            server.close()
        ends = loop.time() + grace
        while loop.time() < ends:
            for session in list(self.sessions):
                if not session.in_transaction:
                    session.say_goodbye()
            if not self.sessions and self.handler.idle.is_set():
                break
            await asyncio.sleep(0.05)
        for session in list(self.sessions):
            logger.warning("Closing a session still in a transaction after %s s", grace)
            session.say_goodbye()
        # A thread stuck on a database that never answers was answered 451 already.
        self.committer.close()
        self.executor.shutdown(wait=False, cancel_futures=True)


def still_busy_workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("lmtp-ingest") and t.is_alive()]
