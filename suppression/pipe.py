"""The MTA's pipe, ``manage.py ingest_bounces -``: one bounce on stdin, one process per message.

``manage.py`` runs ``run`` before anything of Django's management machinery is imported, as it
runs ``parsecli`` for ``parse_bounces``: the process sets up only what recording a bounce needs
(the settings of ``kwiga_mail/settings_ingest.py``, logging, the app registry; no URLs, no
commands, no argument parser, no system checks) and records the message the way the Django
command does (``suppression/ingestcli.py``, shared with it), with the same exit status: 0 stored,
75 (EX_TEMPFAIL) not stored, also after ``PIPE_DEADLINE_SECONDS``. Anything but the bare ``-``
(an option, ``--help``, paths) goes to the Django command. ``python -m suppression.pipe`` is the
same entry point without ``manage.py``.
"""

from __future__ import annotations

import gc
import os
import sys

STDIN = "-"
SETTINGS = "kwiga_mail.settings_ingest"


def setup() -> None:
    """``django.setup()`` less the URL resolver's import (``set_script_prefix``: no requests
    here) and Django's default logging (its handlers serve a web server and mail the admins),
    with auth's and contenttypes' ``ready()`` left out (``pipeapps.py``); the settings' own
    ``LOGGING`` is configured as Django would."""
    import django
    from django.apps import apps
    from django.conf import settings

    if settings.LOGGING_CONFIG != "logging.config.dictConfig":
        django.setup(set_prefix=False)
        return
    if settings.LOGGING:
        import logging.config

        logging.config.dictConfig(settings.LOGGING)
    from .pipeapps import LEAN

    apps.populate([LEAN.get(app, app) for app in settings.INSTALLED_APPS])


class _Lines:
    """Django's OutputWrapper as far as the ingest needs it: one line per write."""

    def __init__(self, stream: object) -> None:
        self.stream = stream

    def write(self, text: str, /) -> None:
        self.stream.write(text if text.endswith("\n") else f"{text}\n")  # type: ignore[attr-defined]


def run(args: list[str]) -> int | None:
    """Exit status of ``ingest_bounces`` on ``args``; None when only the command can run it."""
    if args != [STDIN]:
        return None
    # Setting up creates hundreds of thousands of objects (classes, functions, regexes) and no
    # garbage: the collector's passes over them while they are made are a tenth of the start-up.
    # After it, everything set up is frozen out of the collector's sight and it runs as usual.
    gc.disable()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    setup()

    from django.db import connections

    from .conf import setting
    from .deadlines import EX_TEMPFAIL, process_deadline
    from .ingestcli import Tempfail, deadline_message, ingest

    seconds = setting("PIPE_DEADLINE_SECONDS")
    out, err = _Lines(sys.stdout), _Lines(sys.stderr)
    with process_deadline(seconds, exit_code=EX_TEMPFAIL, message=deadline_message(seconds)):
        try:
            ingest([STDIN], verbose=False, progress=False, stdout=out, stderr=err)
        except Tempfail as failure:
            sys.stdout.flush()
            sys.stderr.write(f"CommandError: {failure}\n")
            return EX_TEMPFAIL
        finally:
            # As a management command does when it ends: the server sees a clean disconnect.
            connections.close_all()
    return 0


def exit_now(status: int) -> None:
    """End the process once its output is out, without the interpreter's tear-down.

    Unloading some 650 modules one by one is a fifth of the pipe's CPU (0.06 s), for a process whose
    work is done: the connections are closed, and the output and log handlers are flushed here.
    ``atexit`` handlers do not run (the pipe registers none).
    """
    import logging
    import threading

    main = threading.main_thread()
    if any(t is not main and not t.daemon for t in threading.enumerate()):
        sys.exit(status)  # work still running on a thread: the interpreter waits for it
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def main() -> None:
    handled = run(sys.argv[1:] or [STDIN])
    if handled is None:
        sys.stderr.write("usage: python -m suppression.pipe [-]  (one message on stdin)\n")
        sys.exit(2)
    exit_now(handled)


if __name__ == "__main__":
    main()
