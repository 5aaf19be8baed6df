"""The audit log: one entry beside every history row of every tracked model, in words, with
filters, links to the objects and a CSV export; append-only like the history."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import DatabaseError, transaction
from django.utils import timezone
from simple_history.signals import post_create_historical_record

from suppression import services
from suppression.console import audit
from suppression.console.models import AuditEntry
from suppression.models import School
from suppression.services.bounce_batches import BounceInput, bounce_record_batch
from suppression.taxonomy import Reason

from ..factories import bounce
from .helpers import page, queries, table_rows

pytestmark = pytest.mark.django_db
LOG = "/admin/suppression/auditentry/"


def _history_rows() -> int:
    return sum(model.objects.count() for model in audit.history_models())


@pytest.fixture
def decided(agent, school):
    bounce("full@example.com", Reason.MAILBOX_FULL, school=school, at=timezone.now())
    bounce("full@example.com", Reason.MAILBOX_FULL, school=school, at=timezone.now())
    bounce("full@example.com", Reason.MAILBOX_FULL, school=school, at=timezone.now())
    request = services.request_submit(
        email="full@example.com", school=school, actor=agent, explanation="Mailbox emptied."
    )
    return services.request_approve(
        request=request, actor=agent, note="The client cleared the mailbox."
    )


def test_every_history_row_of_every_model_gets_one_entry(agent, lead, school) -> None:
    bounce("one@example.com", Reason.MAILBOX_UNKNOWN, school=school)
    bounce_record_batch(  # the library's bulk path, which sends no signal
        items=[
            BounceInput(
                email=f"b{i}@example.com",
                dedupe_key=f"k{i}",
                occurred_at=timezone.now(),
                reason="mailbox_unknown",
                status="5.1.1",
            )
            for i in range(3)
        ],
        source="api",
    )
    services.suppression_open_manual(email="hand@example.com", actor=agent, note="Asked to stop.")
    school.name = "Renamed"
    school._change_reason = "edited"
    school.save()
    assert _history_rows() > 10
    assert AuditEntry.objects.count() == _history_rows()
    types = set(AuditEntry.objects.values_list("object_type", flat=True))
    assert {
        "suppression.emailaddress",
        "suppression.suppression",
        "suppression.school",
        "auth.user",
    } <= types


def test_a_decision_reads_in_words_with_who_and_the_note(client, auditor, decided) -> None:
    client.force_login(auditor)
    rows = table_rows(page(client, LOG), "audit-log")
    text = "\n".join(rows)
    assert "sending resumed by agent: The client cleared the mailbox." in text
    assert "request approved by agent: The client cleared the mailbox." in text
    assert "request to resume sending filed by agent: Mailbox emptied." in text
    assert "sending paused: Mailbox full (Repeated soft bounces) by the system" in text
    assert "Deleted" not in text and "pk=None" not in text


def test_a_generic_change_names_each_field_old_and_new(client, auditor, lead) -> None:
    school = School.objects.create(name="Old name", slug="old")
    school.name = "New name"
    school.save()
    client.force_login(auditor)
    rows = table_rows(page(client, f"{LOG}?object_type=suppression.school"), "audit-log")
    assert "changed name: Old name → New name" in rows[0]
    assert "created" in rows[1]


def test_filters_by_person_type_action_and_dates(client, auditor, agent, decided) -> None:
    client.force_login(auditor)

    def summaries(query: str) -> list[str]:
        return table_rows(page(client, f"{LOG}?{query}"), "audit-log")

    by_agent = summaries(f"person={agent.pk}")
    assert by_agent and all(" by agent" in row for row in by_agent)
    by_system = summaries("person=system")
    assert by_system and all("by the system" in row for row in by_system)
    requests = summaries("object_type=suppression.reinstatementrequest")
    assert len(requests) == 2
    created = summaries("action=%2B&object_type=suppression.reinstatementrequest")
    assert len(created) == 1 and "filed" in created[0]
    tomorrow = (timezone.now() + timedelta(days=1)).date()
    assert summaries(f"day_from={tomorrow}") == ["No change matches."]
    assert len(summaries(f"day_to={tomorrow}")) == AuditEntry.objects.count()


def test_each_row_links_to_its_object(client, auditor, decided) -> None:
    client.force_login(auditor)
    html = page(client, f"{LOG}?object_type=suppression.reinstatementrequest")
    assert f'href="/admin/suppression/reinstatementrequest/{decided.pk}/change/"' in html


def test_the_page_has_no_control_that_changes_anything(client, lead, decided) -> None:
    client.force_login(lead)
    content = page(client, LOG).split('id="content"', 1)[1]
    assert 'method="post"' not in content.lower()
    assert "<button" not in content and 'type="submit" value="Filter"' in content
    assert client.post(LOG).status_code == 405
    assert client.get(f"{LOG}1/change/").status_code == 404
    assert client.get(f"{LOG}add/").status_code == 404


def test_pages_by_keyset_and_queries_do_not_grow(client, auditor, decided) -> None:
    client.force_login(auditor)
    total = AuditEntry.objects.count()
    with queries() as small:
        page(client, f"{LOG}?n=2")
    with queries() as big:
        page(client, f"{LOG}?n=200")
    assert len(small.captured_queries) == len(big.captured_queries)
    assert len(table_rows(page(client, f"{LOG}?n=200"), "audit-log")) == total
    assert not any("OFFSET" in q["sql"] for q in big.captured_queries)


def test_csv_export_streams_the_filtered_view_with_cells_neutralized(
    client, auditor, agent, school
) -> None:
    bounce("x@example.com", Reason.MAILBOX_UNKNOWN, school=school)
    services.suppression_open_manual(email="hand@example.com", actor=agent, note="-1 then stop")
    School.objects.create(name='=HYPERLINK("http://evil")', slug="evil")
    client.force_login(auditor)
    response = client.get(f"{LOG}export.csv?person={agent.pk}")
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["when (UTC)", "person", "object type"]
    assert len(rows) > 1 and all(row[1] == "agent" for row in rows[1:])
    response = client.get(f"{LOG}export.csv?object_type=suppression.school")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row[4] for row in rows[1:]] == ['\'=HYPERLINK("http://evil")', "Demo School"]
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_the_export_reads_in_keyset_chunks(auditor, agent, school) -> None:
    from suppression.console.selectors import AuditFilters, audit_chunks

    for i in range(7):
        bounce(f"c{i}@example.com", Reason.MAILBOX_UNKNOWN, school=school)
    expected = list(AuditEntry.objects.order_by("-at", "-pk").values_list("pk", flat=True))
    with queries() as captured:
        got = [entry.pk for entry in audit_chunks(AuditFilters(), chunk=3)]
    assert got == expected
    assert len(captured.captured_queries) == len(expected) // 3 + 1
    assert all("LIMIT 3" in q["sql"] for q in captured.captured_queries)


def test_entries_are_append_only(decided) -> None:
    entry = AuditEntry.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(summary="forged")


def test_the_backfill_writes_entries_for_history_rows_that_have_none(school) -> None:
    post_create_historical_record.disconnect(dispatch_uid="suppression.audit_entry")
    try:
        bounce("quiet@example.com", Reason.MAILBOX_UNKNOWN, school=school)
    finally:
        post_create_historical_record.connect(audit.record, dispatch_uid="suppression.audit_entry")
    missing = _history_rows() - AuditEntry.objects.count()
    assert missing >= 2  # the address and its suppression
    audit.backfill(apps)
    audit.backfill(apps)  # idempotent
    assert AuditEntry.objects.count() == _history_rows()
    entry = AuditEntry.objects.get(object_type="suppression.emailaddress")
    assert entry.object_repr == "quiet@example.com" and entry.summary == "created by the system"
