"""``ingest_bounces -`` as an MTA runs it: a separate process, one message on stdin, exit codes."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from .messages import kwiga_dsn, sample

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")
EX_TEMPFAIL = 75


def manage(*args: str, database_url: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "KWIGA_ENV": "development"}
    env.pop("PYTHONWARNINGS", None)
    # As the MTA runs it: manage.py picks the commands' own settings (settings_ingest).
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, MANAGE, *args],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("pipe") / "ingest.sqlite3"
    url = f"sqlite:///{path}"
    done = manage("migrate", "--noinput", "-v0", database_url=url)
    assert done.returncode == 0, done.stderr.decode()
    return url


def rows(database_url: str, sql: str) -> list[tuple]:
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
        return db.execute(sql).fetchall()


def test_a_piped_bounce_is_recorded_once_and_exits_0(database_url: str) -> None:
    raw = kwiga_dsn(recipient="piped@example.com", message_id="<pipe-1@mx1.kwiga.com>")

    first = manage("ingest_bounces", "-", database_url=database_url, stdin=raw)
    again = manage("ingest_bounces", "-", database_url=database_url, stdin=raw)

    assert first.returncode == 0, first.stderr.decode()
    assert again.returncode == 0, again.stderr.decode()
    assert rows(
        database_url,
        "SELECT a.address, e.source, e.reason, e.bounce_type, e.status, e.smtp_code, e.stream,"
        " e.message_id FROM suppression_bounceevent e"
        " JOIN suppression_emailaddress a ON a.id = e.address_id"
        " WHERE a.address = 'piped@example.com'",
    ) == [
        (
            "piped@example.com",
            "dsn",
            "mailbox_unknown",
            "hard",
            "5.1.1",
            "550",
            "campaign",
            "campaign-42.jane@mail.kwiga.com",
        )
    ]
    assert b"1 bounce events recorded" in first.stdout
    assert b"0 bounce events recorded, 1 duplicates" in again.stdout


def test_an_unparseable_piped_message_is_kept_and_exits_0(database_url: str) -> None:
    raw = sample("arf-no-recipient.eml")

    done = manage("ingest_bounces", "-", database_url=database_url, stdin=raw)

    assert done.returncode == 0, done.stderr.decode()
    assert rows(database_url, "SELECT origin, size, detail FROM suppression_unparsedmessage") == [
        ("-", len(raw), "feedback report names no recipient")
    ]


def test_a_database_that_cannot_be_reached_exits_75_so_the_mta_retries() -> None:
    done = manage(
        "ingest_bounces",
        "-",
        database_url="postgres://postgres@127.0.0.1:1/none",
        stdin=kwiga_dsn(),
    )

    assert done.returncode == EX_TEMPFAIL
    assert done.stdout == b""
    assert b"Could not store the message from stdin, try again later" in done.stderr
    assert b"OperationalError" in done.stderr


def test_parse_bounces_reads_one_message_on_stdin(database_url: str) -> None:
    done = manage("parse_bounces", "-", database_url=database_url, stdin=kwiga_dsn())

    assert done.returncode == 0, done.stderr.decode()
    [row] = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert row == {
        "file": "-",
        "kind": "failed",
        "recipient": "jane.doe@example.com",
        "original_recipient": None,
        "reason": "mailbox_unknown",
        "type": "hard",
        "status": "5.1.1",
        "smtp_code": "550",
        "diagnostic": "550 5.1.1 <jane.doe@example.com>: Recipient address rejected: User unknown",
        "action": "failed",
        "remote_mta": "mx.example.com",
        "rule": "status:5.1.1",
    }
