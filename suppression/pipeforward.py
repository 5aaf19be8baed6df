"""``ingest_bounces -`` as a thin LMTP client of ``serve_lmtp``, without Django's set-up.

The pipe starts one process per message; setting up Django, its ORM and the database driver costs
that process about half a second of CPU before it reads a byte (docs/ingestion.md). When
``SUPPRESSION_PIPE_LMTP`` names the running ``serve_lmtp`` (``HOST:PORT`` or a unix socket path),
``manage.py ingest_bounces -`` hands the message to it over LMTP and imports nothing but the
standard library; the server records it (grouped with the other messages arriving meanwhile) and
notes the pipe's liveness. The exit status keeps its meaning for the MTA:

* ``250``: stored; exit 0;
* ``4xx``, or no answer within ``SUPPRESSION_PIPE_DEADLINE`` seconds once connected: exit 75
  (the MTA retries; a message the server stored after all is a duplicate then);
* no server to connect to, or a ``5xx`` (over the size limit): the message is ingested in this
  process as before (``None``), which keeps an over-size message in *Unparsed messages*.
"""

from __future__ import annotations

import os
import smtplib
import sys

EX_TEMPFAIL = 75  # suppression.deadlines.EX_TEMPFAIL, without importing Django
ENV = "SUPPRESSION_PIPE_LMTP"
# The recipient the pipe gives: the server notes the pipe's liveness for it, not LMTP's.
PIPE_RECIPIENT = "pipe@kwiga-bounces.invalid"


def forward(raw: bytes, target: str, *, deadline: float) -> tuple[int | None, str]:
    """Deliver ``raw`` to ``target``; (exit status, or None to ingest here instead; why)."""
    host, port = (target, 0) if target.startswith("/") else target.rpartition(":")[::2]
    try:
        # smtplib.LMTP takes a path (starting with "/") for a unix socket.
        client = smtplib.LMTP(str(host).strip("[]"), int(port), timeout=deadline)
    except (OSError, ValueError, smtplib.SMTPException) as error:
        return None, f"no LMTP server at {target} ({type(error).__name__}: {error})"
    text: bytes | str
    try:
        with client:
            client.ehlo("ingest-bounces-pipe")
            client.mail("<>")
            code, text = client.rcpt(PIPE_RECIPIENT)
            if code == 250:
                code, text = client.data(raw)
    except smtplib.SMTPDataError as error:  # raised by data() for anything but 250
        code, text = error.smtp_code, error.smtp_error
    except (OSError, smtplib.SMTPException) as error:
        return EX_TEMPFAIL, f"LMTP at {target} did not answer: {type(error).__name__}: {error}"
    answer = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    if code == 250:
        return 0, f"1 message stored by serve_lmtp at {target}"
    if 400 <= code < 500:
        return EX_TEMPFAIL, f"serve_lmtp at {target} answered {code} {answer}"
    return None, f"serve_lmtp at {target} answered {code} {answer}"


def run(args: list[str]) -> int | None:
    """Exit status of ``ingest_bounces -`` through ``serve_lmtp``; None: run the command here.

    Stdin is read here; when the command runs after all, it reads the same bytes again.
    """
    target = os.environ.get(ENV, "").strip()
    if args != ["-"] or not target:
        return None
    raw = sys.stdin.buffer.read()
    try:
        deadline = float(os.environ.get("SUPPRESSION_PIPE_DEADLINE", "60"))
    except ValueError:
        deadline = 60.0
    status, why = forward(raw, target, deadline=deadline)
    if status is None:
        import io

        sys.stderr.write(f"{why}: ingesting in this process\n")
        sys.stdin = io.TextIOWrapper(io.BytesIO(raw))
        return None
    (sys.stdout if status == 0 else sys.stderr).write(f"{why}\n")
    return status
