from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from suppression.models import BounceEvent, UnparsedMessage
from tests.dsn._corpus import require_corpus

from .messages import SAMPLES, kwiga_dsn, sample

TWO_RECIPIENTS = "sendmail-two-recipients.eml"
TWO_RECIPIENTS_ROWS = [
    {
        "kind": "failed",
        "recipient": "old.student@college.example",
        "original_recipient": None,
        "reason": "mailbox_unknown",
        "type": "hard",
        "status": "5.2.1",
        "smtp_code": "550",
        "diagnostic": "550 5.2.1 <old.student@college.example>... Mailbox disabled for this "
        "recipient",
        "action": "failed",
        "remote_mta": "mx.college.example",
        "rule": "status:5.2.1",
    },
    {
        "kind": "failed",
        "recipient": "nobody.here@college.example",
        "original_recipient": None,
        "reason": "mailbox_unknown",
        "type": "hard",
        "status": "5.1.1",
        "smtp_code": "550",
        "diagnostic": "550 5.1.1 <nobody.here@college.example>... User unknown",
        "action": "failed",
        "remote_mta": "mx.college.example",
        "rule": "status:5.1.1",
    },
]


def run(command: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines()]


@pytest.fixture
def mail_dir(tmp_path: Path) -> Path:
    """A directory of message files, the way an operator saves bounces."""
    folder = tmp_path / "bounces"
    folder.mkdir()
    for name in (TWO_RECIPIENTS, "vacation.eml", "arf-no-recipient.eml"):
        shutil.copy(SAMPLES / name, folder / name)
    (folder / "kwiga.eml").write_bytes(kwiga_dsn())
    return folder


def test_parse_bounces_prints_one_line_per_failed_recipient() -> None:
    path = str(SAMPLES / TWO_RECIPIENTS)

    out, _ = run("parse_bounces", path)

    assert lines(out) == [{"file": path, **row} for row in TWO_RECIPIENTS_ROWS]


def test_parse_bounces_prints_a_null_recipient_for_a_message_without_failures(
    mail_dir: Path,
) -> None:
    out, _ = run("parse_bounces", str(mail_dir / "vacation.eml"))

    [row] = lines(out)
    assert row["file"] == str(mail_dir / "vacation.eml")
    assert row["recipient"] is None
    assert row["kind"] == "auto_reply"


def test_parse_bounces_names_files_inside_a_directory_as_joined_paths(mail_dir: Path) -> None:
    out, _ = run("parse_bounces", str(mail_dir))

    rows = lines(out)
    assert [(Path(r["file"]).name, r["recipient"], r["kind"]) for r in rows] == [
        ("arf-no-recipient.eml", None, "unparseable"),
        ("kwiga.eml", "jane.doe@example.com", "failed"),
        (TWO_RECIPIENTS, "old.student@college.example", "failed"),
        (TWO_RECIPIENTS, "nobody.here@college.example", "failed"),
        ("vacation.eml", None, "auto_reply"),
    ]
    assert all(r["file"].startswith(f"{mail_dir}/") for r in rows)


def test_parse_bounces_reads_maildir_and_mbox(tmp_path: Path) -> None:
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "cur" / "1709555716.M1P1.mx1:2,S").write_bytes(kwiga_dsn())
    (maildir / "new" / "1709555999.M2P2.mx1").write_bytes(sample(TWO_RECIPIENTS))
    mbox = tmp_path / "bounces.mbox"
    mbox.write_bytes(
        b"From MAILER-DAEMON Mon Mar  4 12:35:16 2024\n"
        + kwiga_dsn()
        + b"\nFrom MAILER-DAEMON Thu Nov 19 07:14:02 2026\n"
        + sample(TWO_RECIPIENTS)
    )

    maildir_rows = lines(run("parse_bounces", str(maildir))[0])
    mbox_rows = lines(run("parse_bounces", str(mbox))[0])

    assert [(r["file"], r["recipient"]) for r in maildir_rows] == [
        (f"{maildir}/cur/1709555716.M1P1.mx1:2,S", "jane.doe@example.com"),
        (f"{maildir}/new/1709555999.M2P2.mx1", "old.student@college.example"),
        (f"{maildir}/new/1709555999.M2P2.mx1", "nobody.here@college.example"),
    ]
    assert [(r["file"], r["recipient"]) for r in mbox_rows] == [
        (f"{mbox}#1", "jane.doe@example.com"),
        (f"{mbox}#2", "old.student@college.example"),
        (f"{mbox}#2", "nobody.here@college.example"),
    ]


def test_commands_refuse_a_missing_path_before_reading_anything(mail_dir: Path) -> None:
    with pytest.raises(CommandError, match="No such file or directory: /nowhere"):
        run("ingest_bounces", str(mail_dir), "/nowhere")


@pytest.mark.django_db
def test_ingest_bounces_records_and_summarises_and_records_nothing_new_again(
    mail_dir: Path, school
) -> None:
    out, err = run("ingest_bounces", str(mail_dir))

    assert out.strip() == (
        "4 messages read: 3 bounce events recorded, 0 duplicates (recorded before), "
        "1 not failures, 1 unparseable (kept for inspection), 0 invalid recipient addresses"
    )
    assert (
        f"{mail_dir}/arf-no-recipient.eml: kept as unparseable: feedback report names no recipient"
        in err
    )
    assert BounceEvent.objects.count() == 3
    assert BounceEvent.objects.filter(school=school, stream="campaign").count() == 1
    assert UnparsedMessage.objects.get().origin == f"{mail_dir}/arf-no-recipient.eml"

    out, _ = run("ingest_bounces", str(mail_dir))

    assert out.strip().startswith(
        "4 messages read: 0 bounce events recorded, 3 duplicates (recorded before)"
    )
    assert BounceEvent.objects.count() == 3
    assert UnparsedMessage.objects.count() == 1


@pytest.mark.django_db
def test_ingest_bounces_on_every_sample_is_idempotent() -> None:
    out, err = run("ingest_bounces", "--no-progress", str(SAMPLES))

    recorded = BounceEvent.objects.count()
    kept = UnparsedMessage.objects.count()
    # two recipients, a complaint, Exchange's report; the rest are not failures or unreadable
    assert recorded == 4
    assert out.strip().startswith(f"{len(list(SAMPLES.glob('*.eml')))} messages read: 4 bounce")
    assert "not a valid address 'stu..dent.@mailbox.example'" in err

    out, _ = run("ingest_bounces", "--no-progress", str(SAMPLES))

    assert " 0 bounce events recorded" in out
    assert BounceEvent.objects.count() == recorded
    assert UnparsedMessage.objects.count() == kept


@pytest.mark.django_db
def test_ingest_bounces_on_the_whole_corpus_is_idempotent() -> None:
    corpus = str(require_corpus())
    out, err = run("ingest_bounces", "--no-progress", corpus)

    recorded = BounceEvent.objects.count()
    kept = UnparsedMessage.objects.count()
    assert recorded > 250
    assert f"{recorded} bounce events recorded" in out
    assert "not a valid address 'neko....nyaan....@libsisimai.org'" in err

    out, _ = run("ingest_bounces", "--no-progress", corpus)

    assert " 0 bounce events recorded" in out
    assert BounceEvent.objects.count() == recorded
    assert UnparsedMessage.objects.count() == kept
