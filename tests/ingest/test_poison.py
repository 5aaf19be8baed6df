"""Poison bounces: whoever can mail the bounce address writes the headers we read.

One bad message is recorded without its bad parts, or kept in ``UnparsedMessage``, and never
stops the messages after it, in folder mode or through the MTA pipe. Run on SQLite and on
PostgreSQL: only PostgreSQL refuses a NUL in a query, only lone surrogates fail both.
"""

from __future__ import annotations

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from suppression.models import BounceEvent, School, UnparsedMessage
from suppression.services.ingest import message_ingest
from suppression.textsafety import CUT_MARK
from tests.factories import SchoolFactory

from .messages import kwiga_dsn
from .test_pipe import manage

ORIGINAL_ID = b"Message-ID: <campaign-42.jane@mail.kwiga.com>"


def poisoned(raw: bytes, header: bytes, value: bytes) -> bytes:
    """``raw`` with the returned message's ``header`` set to ``value``."""
    lines = raw.split(b"\n")
    start = lines.index(b"Content-Type: text/rfc822-headers")
    for index in range(start, len(lines)):
        if lines[index].lower().startswith(header.lower() + b":"):
            lines[index] = header + b": " + value
            return b"\n".join(lines)
    raise AssertionError(f"no {header!r} header")


@pytest.mark.django_db
def test_a_nul_in_the_school_header_is_cleaned_and_the_school_found(school: School) -> None:
    raw = kwiga_dsn(recipient="nul-school@example.com", school="demo-\x00school")

    report = message_ingest(raw=raw, origin="poison")

    [event] = report.recorded
    event.refresh_from_db()
    assert (event.school, event.stream) == (school, "campaign")


@pytest.mark.django_db
def test_control_characters_in_every_header_are_removed(school: School) -> None:
    raw = kwiga_dsn(
        recipient="every-header@example.com",
        school="demo-school\x1b",
        stream="camp\x00aign\x07",
        message_id="<bounce\x00-1@mx1.kwiga.com>",
    )
    raw = poisoned(raw, b"Message-ID", b"<campaign\x00-42\x08.jane@mail.kwiga.com>")
    raw = poisoned(raw, b"Subject", b"Spring\x00 sale\x1b")

    report = message_ingest(raw=raw, origin="poison")

    [event] = report.recorded
    event.refresh_from_db()
    assert (event.school, event.stream) == (school, "campaign")
    assert event.message_id == "campaign-42.jane@mail.kwiga.com"
    assert event.reason == "mailbox_unknown"


@pytest.mark.django_db
def test_an_over_long_message_id_is_cut_with_a_mark_and_the_rest_kept(school: School) -> None:
    raw = poisoned(
        kwiga_dsn(recipient="long-id@example.com"), b"Message-ID", b"<" + b"x" * 100_000 + b">"
    )

    [event] = message_ingest(raw=raw, origin="long").recorded

    event.refresh_from_db()
    assert event.message_id.endswith(CUT_MARK)
    assert len(event.message_id) == 998
    assert event.school == school
    assert event.diagnostic.startswith("550 5.1.1")


@pytest.mark.django_db
def test_an_over_long_school_header_names_no_school_and_keeps_the_rest(school: School) -> None:
    raw = kwiga_dsn(recipient="long-school@example.com", school="demo-school" + "x" * 100_000)

    [event] = message_ingest(raw=raw, origin="long").recorded

    event.refresh_from_db()
    assert event.school is None
    assert event.stream == "campaign"
    assert event.message_id == "campaign-42.jane@mail.kwiga.com"


@pytest.fixture
def poison_folder(tmp_path: Path) -> Path:
    """Five bounces with three poisons in the middle, the way an attacker could send them."""
    folder = tmp_path / "bounces"
    folder.mkdir()
    (folder / "01-good.eml").write_bytes(
        kwiga_dsn(recipient="first@example.com", message_id="<p1@mx1.kwiga.com>")
    )
    (folder / "02-nul-school.eml").write_bytes(
        kwiga_dsn(recipient="second@example.com", school="demo\x00-school", message_id="<p2@mx1>")
    )
    # A file name that is not UTF-8 (a surrogate in Python), on a message kept as unparseable.
    with open(os.fsencode(folder) + b"/03-\xff\xfe.eml", "wb") as file:
        file.write(b"\n\n")
    poison = kwiga_dsn(recipient="fourth@example.com", message_id="<p4\x00@mx1>", school="\x00")
    (folder / "04-nul-everywhere.eml").write_bytes(poisoned(poison, b"Message-ID", b"<\x00\x00>"))
    (folder / "05-good.eml").write_bytes(
        kwiga_dsn(recipient="fifth@example.com", message_id="<p5@mx1.kwiga.com>")
    )
    return folder


@pytest.mark.django_db
def test_folder_mode_ingests_every_message_around_the_poison_ones(
    poison_folder: Path, school: School
) -> None:
    out, err = StringIO(), StringIO()

    call_command("ingest_bounces", "--no-progress", str(poison_folder), stdout=out, stderr=err)

    assert out.getvalue().strip() == (
        "5 messages read: 4 bounce events recorded, 0 duplicates (recorded before), "
        "0 not failures, 1 unparseable (kept for inspection), 0 invalid recipient addresses"
    )
    recorded = {
        event.address.address: event.school
        for event in BounceEvent.objects.select_related("address", "school")
    }
    assert recorded == {
        "first@example.com": school,
        "second@example.com": school,
        "fourth@example.com": None,
        "fifth@example.com": school,
    }
    kept = UnparsedMessage.objects.get()
    assert kept.origin == f"{poison_folder}/03-\ufffd\ufffd.eml"
    assert kept.detail == "empty message"


@pytest.fixture
def pipe_database_url(transactional_db: None, tmp_path_factory) -> str:
    """A database a separate ``manage.py`` process can write to, with the demo school in it.

    On PostgreSQL the test database itself (the child process sees committed rows); SQLite's
    test database lives in memory, so the child gets a migrated file of its own.
    """
    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        SchoolFactory(name="Demo School", slug="demo-school")
        return (
            f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}"
        )
    url = f"sqlite:///{tmp_path_factory.mktemp('poison') / 'pipe.sqlite3'}"
    done = manage("migrate", "--noinput", "-v0", database_url=url)
    assert done.returncode == 0, done.stderr.decode()
    done = manage(
        "shell",
        "-v0",
        "-c",
        "from suppression.models import School; School.objects.create(name='Demo School', "
        "slug='demo-school')",
        database_url=url,
    )
    assert done.returncode == 0, done.stderr.decode()
    return url


def test_pipe_mode_stores_a_poison_bounce_and_exits_0_not_75(pipe_database_url: str) -> None:
    raw = kwiga_dsn(recipient="piped-poison@example.com", school="demo-school\x00", stream="\x00")

    done = manage("ingest_bounces", "-", database_url=pipe_database_url, stdin=raw)

    assert done.returncode == 0, done.stderr.decode()
    assert b"1 bounce events recorded" in done.stdout
    script = (
        "from suppression.models import BounceEvent; "
        "e = BounceEvent.objects.get(address__address='piped-poison@example.com'); "
        "print(e.school.slug, e.reason, repr(e.stream))"
    )
    shown = manage("shell", "-v0", "-c", script, database_url=pipe_database_url)
    assert shown.returncode == 0, shown.stderr.decode()
    assert shown.stdout.decode().split() == ["demo-school", "mailbox_unknown", "''"]
