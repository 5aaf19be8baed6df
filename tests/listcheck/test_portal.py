"""The owner portal's list check: upload, progress, summary, downloads, isolation, limits."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from suppression.listcheck.models import ListCheck
from suppression.models import School
from tests.factories import SchoolFactory, bounce, owner_of

MESSY = (
    "Name;E-mail;Phone\n"
    "Olena;olena@gmail.com;+380501234567\n"
    "Ivan;ivan@gmial.com;\n"
    "Bad;bad-address;\n"
    "Dup;OLENA@gmail.com;\n"
    "Own;own@ukr.net;\n"
    "Theirs;theirs@ukr.net;\n"
)


@pytest.fixture
def listcheck_settings(settings, tmp_path: Path, list_dns_settings):
    settings.SUPPRESSION = {
        **settings.SUPPRESSION,
        "JOBS_MODE": "sync",
        "LIST_CHECK_DIR": str(tmp_path / "checks"),
    }
    return settings


@pytest.fixture
def owner_client(school: School, owner) -> Client:
    client = Client()
    client.force_login(owner)
    return client


def upload(client: Client, school: School, content: bytes, name: str = "list.csv", capture=None):
    url = reverse("portal:list_check", kwargs={"school": school.slug})
    with capture(execute=True):
        return client.post(url, {"file": SimpleUploadedFile(name, content, "text/csv")})


def test_owner_uploads_a_messy_list_and_gets_summary_and_files(
    listcheck_settings, school, other_school, owner_client, django_capture_on_commit_callbacks
) -> None:
    bounce("own@ukr.net", school=school)
    bounce("theirs@ukr.net", school=other_school)
    response = upload(
        owner_client, school, MESSY.encode(), capture=django_capture_on_commit_callbacks
    )
    check = ListCheck.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "portal:list_check_detail", kwargs={"school": school.slug, "pk": check.pk}
    )
    page = owner_client.get(response["Location"])
    text = page.content.decode()
    assert check.__class__.objects.get().status == "done"
    assert "6 rows checked, 1 safe to import" in text
    assert "gmial.com looks like a typo of gmail.com" in text
    assert "ivan@gmail.com" in text
    # The school's own bounce: the reason. Another school's: only "cannot be mailed".
    assert "own@ukr.net" in text and "Non-existent address" in text
    assert text.count("Non-existent address") == 1
    assert 'http-equiv="refresh"' not in text

    cleaned = owner_client.get(
        reverse(
            "portal:list_check_download",
            kwargs={"school": school.slug, "pk": check.pk, "kind": "clean"},
        )
    )
    assert cleaned["Content-Disposition"] == 'attachment; filename="list.clean.csv"'
    body = b"".join(cleaned.streaming_content).decode()
    assert body == "Name;E-mail;Phone\r\nOlena;olena@gmail.com;+380501234567\r\n"
    report = owner_client.get(
        reverse(
            "portal:list_check_download",
            kwargs={"school": school.slug, "pk": check.pk, "kind": "report"},
        )
    )
    rows = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig"))))
    theirs = next(row for row in rows if "theirs@ukr.net" in row)
    assert theirs[1:3] == ["suppressed", "cannot be mailed (sending to it is paused)"]


def test_another_schools_owner_sees_nothing_of_the_check(
    listcheck_settings, school, owner_client, django_capture_on_commit_callbacks
) -> None:
    upload(owner_client, school, MESSY.encode(), capture=django_capture_on_commit_callbacks)
    check = ListCheck.objects.get()
    stranger_school = SchoolFactory()
    stranger = Client()
    stranger.force_login(owner_of(stranger_school, "stranger"))
    for name, extra in [
        ("portal:list_check_detail", {}),
        ("portal:list_check_download", {"kind": "report"}),
        ("portal:list_check_download", {"kind": "clean"}),
    ]:
        # under the check's own school (not theirs) and under their own school: both 404
        for slug in (school.slug, stranger_school.slug):
            url = reverse(name, kwargs={"school": slug, "pk": check.pk, **extra})
            assert stranger.get(url).status_code == 404, url
    listing = stranger.get(reverse("portal:list_check", kwargs={"school": stranger_school.slug}))
    assert "list.csv" not in listing.content.decode()


def test_a_file_over_the_limit_is_refused_before_it_is_read(
    listcheck_settings, school, owner_client, django_capture_on_commit_callbacks
) -> None:
    listcheck_settings.SUPPRESSION = {
        **listcheck_settings.SUPPRESSION,
        "LIST_CHECK_MAX_UPLOAD_BYTES": 1000,
    }
    # declared larger than the limit: refused on Content-Length alone
    big = b"email\n" + b"a@gmail.com\n" * 5000
    response = upload(owner_client, school, big, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 413
    assert "larger than" in response.content.decode()
    # within the declared slack but over the limit: stopped while streaming
    medium = b"email\n" + b"a@gmail.com\n" * 400
    response = upload(owner_client, school, medium, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 413
    assert not ListCheck.objects.exists()
    checks_dir = Path(listcheck_settings.SUPPRESSION["LIST_CHECK_DIR"])
    assert not checks_dir.exists() or not any(checks_dir.iterdir())


def test_an_unreadable_file_fails_with_the_reason(
    listcheck_settings, school, owner_client, django_capture_on_commit_callbacks
) -> None:
    upload(
        owner_client,
        school,
        b"PK\x03\x04" + b"\x00" * 100,
        "sheet.xlsx",
        capture=django_capture_on_commit_callbacks,
    )
    check = ListCheck.objects.get()
    assert check.status == "failed"
    page = owner_client.get(
        reverse("portal:list_check_detail", kwargs={"school": school.slug, "pk": check.pk})
    )
    assert "looks like a zip archive" in page.content.decode()
    assert not check.report_path.exists() and not check.cleaned_path.exists()


def test_progress_while_running_and_a_stalled_check_becomes_failed_with_retry(
    listcheck_settings, school, owner_client, django_capture_on_commit_callbacks
) -> None:
    listcheck_settings.SUPPRESSION = {**listcheck_settings.SUPPRESSION, "JOBS_MODE": "thread"}
    url = reverse("portal:list_check", kwargs={"school": school.slug})
    # Not executing on-commit callbacks: the job never starts, as if no worker took it.
    owner_client.post(url, {"file": SimpleUploadedFile("list.csv", MESSY.encode())})
    check = ListCheck.objects.get()
    check.status, check.lease_token, check.bytes_done = "running", "x", check.size_bytes // 2
    check.lease_until = timezone.now() + timedelta(seconds=30)
    check.save()
    detail = reverse("portal:list_check_detail", kwargs={"school": school.slug, "pk": check.pk})
    text = owner_client.get(detail).content.decode()
    assert 'http-equiv="refresh"' in text
    assert f'value="{check.bytes_done * 100 // check.size_bytes}"' in text

    # The worker died: its lease runs out, and the page says so instead of "running" forever,
    # without writing on a GET.
    ListCheck.objects.filter(pk=check.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    text = owner_client.get(detail).content.decode()
    assert "The worker stopped before finishing" in text
    assert "Try again" in text
    assert 'http-equiv="refresh"' not in text
    assert ListCheck.objects.get(pk=check.pk).status == "running"

    listcheck_settings.SUPPRESSION = {**listcheck_settings.SUPPRESSION, "JOBS_MODE": "sync"}
    retry = reverse("portal:list_check_retry", kwargs={"school": school.slug, "pk": check.pk})
    with django_capture_on_commit_callbacks(execute=True):
        assert owner_client.post(retry).status_code == 302
    check.refresh_from_db()
    assert check.status == "done"
    assert check.attempts == 1


def test_checks_expire_after_the_retention(
    listcheck_settings, school, owner_client, django_capture_on_commit_callbacks
) -> None:
    listcheck_settings.SUPPRESSION = {
        **listcheck_settings.SUPPRESSION,
        "LIST_CHECK_RETENTION_DAYS": 2,
    }
    upload(owner_client, school, MESSY.encode(), capture=django_capture_on_commit_callbacks)
    check = ListCheck.objects.get()
    assert check.expires_at - check.created_at == timedelta(days=2)
    assert check.report_path.exists()
    ListCheck.objects.filter(pk=check.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    listing = owner_client.get(reverse("portal:list_check", kwargs={"school": school.slug}))
    assert "list.csv" not in listing.content.decode()
    out = io.StringIO()
    call_command("list_checks_cleanup", stdout=out)
    assert "1 expired checks deleted" in out.getvalue()
    assert not ListCheck.objects.exists()
    assert not check.directory.exists()
