"""Serve LMTP for the MTA: bounces delivered over a socket instead of one process per message."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from suppression.conf import setting


def host_port(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise CommandError(f"Expected HOST:PORT, got {value!r}")
    return host.strip("[]"), int(port)


def tcp_socket(value: str) -> socket.socket:
    host, port = host_port(value)
    try:
        return socket.create_server((host, port), backlog=128)
    except OSError as error:
        raise CommandError(f"Could not listen on {value}: {error}") from error


def unix_socket(value: str) -> socket.socket:
    path = Path(value)
    if path.is_socket():
        path.unlink()  # left by a previous run
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(path))
        sock.listen(128)
    except OSError as error:
        raise CommandError(f"Could not listen on {value}: {error}") from error
    return sock


_stopped_early: list[int] = []


def _stop_early(signum: int, frame: Any) -> None:
    """SIGTERM/SIGINT before the server's own handlers are in place: stop as soon as it runs."""
    _stopped_early.append(signum)


class Command(BaseCommand):
    help = (
        "Receive bounce messages over LMTP (Postfix: lmtp:inet:HOST:PORT or lmtp:unix:PATH) and "
        "record them as ingest_bounces does. Each recipient gets 250 once the message is "
        "committed, 451 when the database is unreachable or slower than "
        "LMTP_DEADLINE_SECONDS (the MTA retries), 552 over MAX_MESSAGE_BYTES. "
        "SIGTERM stops after answering every message received."
    )
    # The MTA needs this up; the checks run in `manage.py check` and at deploy.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--listen",
            default="127.0.0.1:8024",
            help="HOST:PORT for lmtp:inet (default 127.0.0.1:8024; port 0 picks a free one).",
        )
        parser.add_argument("--socket", help="Also (or only, with --listen '') a unix socket.")
        parser.add_argument(
            "--health", default="", help="HOST:PORT for GET /health (200 or 503, JSON)."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=4,
            help="Committer threads (one database connection each; one commits at a time, the "
            "others take over from one stuck on the database) and parsing threads.",
        )
        parser.add_argument(
            "--stall",
            type=float,
            default=1.0,
            help="Seconds a transaction may take before the next group starts beside it "
            "(on another connection): a database that hangs holds up one thread, not all.",
        )
        parser.add_argument(
            "--gather",
            type=float,
            default=None,
            help="Seconds to wait, before a transaction, for the next messages of the sessions "
            "in a burst, so that they commit together (default 0.01; 0: never wait).",
        )
        parser.add_argument(
            "--group",
            type=int,
            default=200,
            help="At most this many messages waiting are recorded in one transaction.",
        )
        parser.add_argument(
            "--processes",
            type=int,
            default=1,
            help="Server processes sharing the sockets (parsing is CPU-bound: one per core).",
        )
        parser.add_argument(
            "--grace",
            type=float,
            default=None,
            help="Seconds to finish the messages received on SIGTERM (default: the deadline).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["workers"] < 1 or options["processes"] < 1 or options["group"] < 1:
            raise CommandError("--workers, --processes and --group must be at least 1")
        if options["stall"] <= 0:
            raise CommandError("--stall must be more than 0")
        if options["gather"] is not None and not 0 <= options["gather"] <= 1:
            raise CommandError("--gather must be between 0 and 1 second")
        if not options["listen"] and not options["socket"]:
            raise CommandError("Nothing to listen on: give --listen or --socket")
        # aiosmtpd logs every command at INFO: at a burst's rate that is most of the work.
        logging.getLogger("mail.log").setLevel(
            logging.DEBUG if options["verbosity"] >= 3 else logging.WARNING
        )
        # From here on a stop request is kept until the server can act on it (forked processes
        # inherit it), rather than ending the process half-started.
        signal.signal(signal.SIGTERM, _stop_early)
        signal.signal(signal.SIGINT, _stop_early)
        # Bound here, before any process starts: every process accepts on the same sockets.
        lmtp: list[socket.socket] = []
        if options["listen"]:
            lmtp.append(tcp_socket(options["listen"]))
            host, port = lmtp[-1].getsockname()[:2]
            self.stdout.write(f"LMTP on {host}:{port}")
        if options["socket"]:
            lmtp.append(unix_socket(options["socket"]))
            self.stdout.write(f"LMTP on unix:{options['socket']}")
        health = tcp_socket(options["health"]) if options["health"] else None
        if health is not None:
            host, port = health.getsockname()[:2]
            self.stdout.write(f"Health check on http://{host}:{port}/health")
        self.stdout.flush()
        if options["processes"] == 1:
            self._run(lmtp, health, options)
            return
        self._fork(options["processes"], lmtp, health, options)

    def _fork(
        self,
        count: int,
        lmtp: list[socket.socket],
        health: socket.socket | None,
        options: dict[str, Any],
    ) -> None:
        """Start ``count`` server processes and pass SIGTERM/SIGINT on to them.

        Nothing has touched the database yet, so no connection is shared across the fork.
        """
        children: set[int] = set()

        def forward(signum: int, frame: Any) -> None:
            for child in children:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child, signum)

        # A SIGTERM between the first fork and the handler that passes it on would end this
        # process and leave its children running with nobody to stop them: signals wait until
        # every child exists and the handler is in place.
        stop_signals = {signal.SIGTERM, signal.SIGINT}
        signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
        try:
            signal.signal(signal.SIGTERM, forward)
            signal.signal(signal.SIGINT, forward)
            for _ in range(count):
                pid = os.fork()
                if pid == 0:
                    signal.signal(signal.SIGTERM, _stop_early)
                    signal.signal(signal.SIGINT, _stop_early)
                    signal.pthread_sigmask(signal.SIG_UNBLOCK, stop_signals)
                    code = 1
                    try:
                        self._run(lmtp, health, options)
                        code = 0
                    finally:
                        sys.stdout.flush()
                        os._exit(code)
                children.add(pid)
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, stop_signals)
        failed = False
        while children:
            pid, status = os.wait()
            children.discard(pid)
            if os.waitstatus_to_exitcode(status) != 0 and not failed:
                # One process died: stop the others, so the supervisor restarts the whole.
                failed = True
                forward(signal.SIGTERM, None)
        if failed:
            raise CommandError("A server process ended with an error", returncode=1)

    def _run(
        self, lmtp: list[socket.socket], health: socket.socket | None, options: dict[str, Any]
    ) -> None:
        signal.signal(signal.SIGTERM, _stop_early)
        signal.signal(signal.SIGINT, _stop_early)
        asyncio.run(self._serve(lmtp, health, options))
        from suppression.lmtp import still_busy_workers

        if still_busy_workers():
            # A worker still blocked on a database that never answers was answered 451
            # already; waiting for it would keep the next start from binding the port.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)

    async def _serve(
        self, lmtp: list[socket.socket], health: socket.socket | None, options: dict[str, Any]
    ) -> None:
        from suppression.lmtp import GATHER_SECONDS, LmtpServer

        deadline = float(setting("LMTP_DEADLINE_SECONDS"))
        server = LmtpServer(
            max_bytes=setting("MAX_MESSAGE_BYTES"),
            deadline=deadline,
            workers=options["workers"],
            max_group=options["group"],
            stall=options["stall"],
            gather=GATHER_SECONDS if options["gather"] is None else options["gather"],
        )
        for sock in lmtp:
            await server.serve_lmtp_on(sock)
        if health is not None:
            await server.serve_health_on(health)
        grace = options["grace"] if options["grace"] is not None else deadline + 5
        serving = asyncio.ensure_future(server.run_until_stopped(grace=grace))
        await asyncio.sleep(0)  # it puts its own signal handlers in place
        if _stopped_early:
            server.stop()  # asked to stop while starting: nothing was received yet
        await serving
        self.stdout.write(
            f"Stopped: {server.handler.stats.stored} messages stored, "
            f"{server.handler.stats.tempfailed} answered 451, in {server.committer.groups} "
            f"transactions (the largest {server.committer.largest_group} messages); CPU: "
            f"{server.committer.commit_cpu:.2f} s recording, {time.process_time():.2f} s in all"
        )
        self.stdout.flush()
