"""The console's list checks: support runs one for a school and sees every school's checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from suppression.listcheck.models import ListCheck
from tests.factories import bounce

LIST = b"email\nolena@gmail.com\ntheirs@ukr.net\nivan@gmial.com\n"


@pytest.fixture
def console_settings(settings, tmp_path: Path, list_dns_settings):
    settings.SUPPRESSION = {
        **settings.SUPPRESSION,
        "JOBS_MODE": "sync",
        "LIST_CHECK_DIR": str(tmp_path / "checks"),
    }
    return settings


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def run(client: Client, school, content: bytes, capture):
    with capture(execute=True):
        return client.post(
            reverse("admin:suppression_listcheck_run"),
            {"school": school.pk, "file": SimpleUploadedFile("crm.csv", content)},
        )


def test_an_agent_runs_a_check_for_a_school_and_sees_the_reasons(
    console_settings, agent, school, other_school, django_capture_on_commit_callbacks
) -> None:
    bounce("theirs@ukr.net", school=other_school)
    client = signed_in(agent)
    response = run(client, school, LIST, django_capture_on_commit_callbacks)
    check = ListCheck.objects.get()
    assert response.status_code == 302
    assert (check.school, check.via, check.created_by) == (school, "console", agent)
    page = client.get(response["Location"]).content.decode()
    assert "3 rows, 1 safe to import" in page
    # support sees why, even for another school's bounce
    assert "Non-existent address" in page
    assert "ivan@gmail.com" in page
    report = client.get(reverse("admin:suppression_listcheck_report", args=[check.pk]))
    assert report.status_code == 200
    assert b"theirs@ukr.net" in b"".join(report.streaming_content)
    listing = client.get(reverse("admin:suppression_listcheck_changelist")).content.decode()
    assert "crm.csv" in listing and "Check a list for a school" in listing


def test_each_schools_checks_are_listed_and_an_auditor_only_reads(
    console_settings,
    agent,
    auditor,
    owner,
    school,
    other_school,
    django_capture_on_commit_callbacks,
) -> None:
    run(signed_in(agent), school, LIST, django_capture_on_commit_callbacks)
    run(signed_in(agent), other_school, LIST, django_capture_on_commit_callbacks)
    reader = signed_in(auditor)
    listing = reader.get(reverse("admin:suppression_listcheck_changelist"))
    text = listing.content.decode()
    assert text.count("crm.csv") == 2
    assert school.name in text and other_school.name in text
    assert "Check a list for a school" not in text
    assert reader.get(reverse("admin:suppression_listcheck_run")).status_code == 403
    check = ListCheck.objects.first()
    assert (
        reader.get(reverse("admin:suppression_listcheck_result", args=[check.pk])).status_code
        == 200
    )
    assert (
        reader.post(reverse("admin:suppression_listcheck_retry", args=[check.pk])).status_code
        == 403
    )


def test_the_console_refuses_a_file_over_the_limit(
    console_settings, agent, school, django_capture_on_commit_callbacks
) -> None:
    console_settings.SUPPRESSION = {
        **console_settings.SUPPRESSION,
        "LIST_CHECK_MAX_UPLOAD_BYTES": 500,
    }
    response = run(
        signed_in(agent),
        school,
        b"email\n" + b"a@gmail.com\n" * 100,
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 413
    assert "larger than" in response.content.decode()
    assert not ListCheck.objects.exists()
