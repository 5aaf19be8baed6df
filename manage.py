#!/usr/bin/env python
import os
import sys

# The commands the MTA feeds (the pipe, once per message; LMTP) set up only the apps a bounce needs
# (kwiga_mail/settings_ingest.py); parse_bounces reads files and needs no set-up at all, nor does
# the pipe when it hands the message to serve_lmtp (SUPPRESSION_PIPE_LMTP, pipeforward.py), and
# the pipe on its own sets up the app registry without the management machinery (pipe.py).
INGEST_COMMANDS = {"ingest_bounces", "serve_lmtp"}


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "parse_bounces" and "DJANGO_SETTINGS_MODULE" not in os.environ:
        from suppression.parsecli import run_without_setup

        handled = run_without_setup(sys.argv[2:])
        if handled is not None:
            sys.exit(handled)
    if command == "ingest_bounces" and os.environ.get("SUPPRESSION_PIPE_LMTP"):
        from suppression.pipeforward import run

        handled = run(sys.argv[2:])
        if handled is not None:
            sys.exit(handled)
    if command == "ingest_bounces":
        # The pipe on its own (no serve_lmtp, or it did not take the message): bare "-" only.
        from suppression.pipe import exit_now
        from suppression.pipe import run as pipe

        handled = pipe(sys.argv[2:])
        if handled is not None:
            exit_now(handled)
    lean = command in INGEST_COMMANDS
    os.environ.setdefault(
        "DJANGO_SETTINGS_MODULE", "kwiga_mail.settings_ingest" if lean else "kwiga_mail.settings"
    )
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
