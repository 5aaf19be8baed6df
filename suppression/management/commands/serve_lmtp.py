"""Serve LMTP for the MTA: bounces delivered over a socket instead of one process per message."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from suppression.conf import setting


def host_port(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise CommandError(f"Expected HOST:PORT, got {value!r}")
    return host.strip("[]"), int(port)


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
            "--workers", type=int, default=4, help="Worker threads, one database connection each."
        )
        parser.add_argument(
            "--grace",
            type=float,
            default=None,
            help="Seconds to finish the messages received on SIGTERM (default: the deadline).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1")
        if not options["listen"] and not options["socket"]:
            raise CommandError("Nothing to listen on: give --listen or --socket")
        # aiosmtpd logs every command at INFO: at a burst's rate that is most of the work.
        logging.getLogger("mail.log").setLevel(
            logging.DEBUG if options["verbosity"] >= 3 else logging.WARNING
        )
        try:
            asyncio.run(self._serve(**options))
        except OSError as error:
            raise CommandError(f"Could not listen: {error}") from error
        from suppression.lmtp import still_busy_workers

        if still_busy_workers():
            # A worker still blocked on a database that never answers was answered 451
            # already; waiting for it would keep the next start from binding the port.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)

    async def _serve(self, **options: Any) -> None:
        from suppression.lmtp import LmtpServer

        deadline = float(setting("LMTP_DEADLINE_SECONDS"))
        server = LmtpServer(
            max_bytes=setting("MAX_MESSAGE_BYTES"), deadline=deadline, workers=options["workers"]
        )
        if options["listen"]:
            host, port = host_port(options["listen"])
            bound = await server.listen_tcp(host, port)
            self.stdout.write(f"LMTP on {host}:{bound}")
        if options["socket"]:
            path = Path(options["socket"])
            if path.is_socket():
                path.unlink()  # left by a previous run
            await server.listen_unix(str(path))
            self.stdout.write(f"LMTP on unix:{path}")
        if options["health"]:
            host, port = host_port(options["health"])
            bound = await server.listen_health(host, port)
            self.stdout.write(f"Health check on http://{host}:{bound}/health")
        self.stdout.flush()
        grace = options["grace"] if options["grace"] is not None else deadline + 5
        await server.run_until_stopped(grace=grace)
        self.stdout.write(
            f"Stopped: {server.handler.stats.stored} messages stored, "
            f"{server.handler.stats.tempfailed} answered 451"
        )
