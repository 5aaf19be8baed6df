"""Undo a wave: a lead resumes many suppressions as one audited, undoable batch."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from suppression import exceptions as errors
from suppression import services
from suppression.console.models import AuditEntry
from suppression.models import (
    ResumeBatch,
    ResumeBatchItem,
    Suppression,
    SuppressionChange,
)
from suppression.services import waves
from suppression.services.waves import WaveCriteria, batch_create, batch_undo, wave_preview
from suppression.taxonomy import Reason

from ..factories import SchoolFactory, bounce, owner_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sync(settings, monkeypatch) -> None:
    # Run the batch in the test's thread when it would be queued (the real queue is a thread).
    monkeypatch.setattr(waves, "batch_enqueue", lambda batch_id: None)
    settings.SUPPRESSION = {**settings.SUPPRESSION, "RESUME_BATCH_CHUNK": 2}


def blocked(n: int, domain: str = "outlook.com", school=None) -> list[str]:
    emails = [f"user{i}@{domain}" for i in range(n)]
    for email in emails:
        bounce(email, Reason.SENDER_BLOCKED, status="5.7.1", school=school)
    return emails


def test_preview_counts_per_reason_and_filters_by_domain_school_and_date(lead) -> None:
    school = SchoolFactory(slug="wave-school")
    blocked(3, school=school)
    blocked(2, domain="gmail.com")
    bounce("gone@outlook.com", Reason.MAILBOX_UNKNOWN)
    everything = wave_preview(WaveCriteria())
    assert everything.count == 6
    assert everything.per_reason == {"sender_blocked": 5, "mailbox_unknown": 1}
    wave = WaveCriteria(reasons=("sender_blocked",), domain="Outlook.com")
    assert wave_preview(wave).count == 3
    assert wave_preview(WaveCriteria(school_id=school.pk)).count == 3
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert wave_preview(WaveCriteria(opened_from=tomorrow)).count == 0
    assert len(wave_preview(wave, sample=2).sample) == 2


def test_a_batch_resumes_every_selected_address_with_history_feed_and_probation(lead) -> None:
    emails = blocked(5)
    school = SchoolFactory(slug="s1")
    owner = owner_of(school, "o1")
    bounce("asked@outlook.com", Reason.SENDER_BLOCKED, status="5.7.1", school=school)
    request = services.request_submit(
        email="asked@outlook.com", school=school, actor=owner, explanation="We were blocklisted"
    )
    batch = batch_create(
        criteria=WaveCriteria(reasons=("sender_blocked",)),
        actor=lead,
        note="Spamhaus listing of 10 May: not the recipients' fault",
    )
    assert batch.selected == 6
    feed_before = SuppressionChange.objects.count()
    waves.run(batch.pk)
    batch.refresh_from_db()
    assert (batch.status, batch.resumed, batch.left_out) == ("done", 6, 0)
    assert batch.undo_until - batch.finished_at == timedelta(days=7)
    for email in [*emails, "asked@outlook.com"]:
        suppression = Suppression.objects.get(address__address=email)
        assert suppression.lifted_by == lead
        assert f"batch #{batch.pk}" in suppression.lift_note
        last = suppression.history.latest("history_date")
        assert last.history_user == lead and f"#{batch.pk}" in last.history_change_reason
        assert suppression.address.on_probation()
        # The audit log has the lift beside its history row, in words, with who and why.
        entry = AuditEntry.objects.get(
            object_type="suppression.suppression", history_id=last.history_id
        )
        assert entry.actor == lead and entry.object_id == str(suppression.pk)
        assert entry.summary.startswith(f"sending resumed by {lead.username}: ")
        assert "Spamhaus listing" in entry.summary
    assert SuppressionChange.objects.count() - feed_before == 6
    assert set(batch.items.values_list("state", flat=True)) == {"resumed"}
    request.refresh_from_db()
    assert request.status == "approved"
    assert f"resume batch #{batch.pk}" in request.decision_note
    assert batch.history.latest("history_date").status == "done"


def test_guards_leave_addresses_out_and_say_why(lead) -> None:
    blocked(2)
    bounce("spam@outlook.com", Reason.COMPLAINT)
    bounce("nx@outlook.com", Reason.DOMAIN_UNKNOWN)
    batch = batch_create(criteria=WaveCriteria(domain="outlook.com"), actor=lead, note="wave")
    # Re-suppressed after the selection: resumed elsewhere, then bounced again.
    again = Suppression.objects.get(address__address="user0@outlook.com")
    again.lifted_at = timezone.now()
    again.save()
    bounce("user0@outlook.com", Reason.MAILBOX_UNKNOWN)
    waves.run(batch.pk)
    left = dict(
        ResumeBatchItem.objects.filter(batch=batch, state="left_out").values_list(
            "address__address", "why"
        )
    )
    assert set(left) == {"spam@outlook.com", "nx@outlook.com", "user0@outlook.com"}
    assert "complaint" in left["spam@outlook.com"]
    assert "non-existent domain" in left["nx@outlook.com"]
    assert left["user0@outlook.com"] == "suppressed again since the selection"
    batch.refresh_from_db()
    assert (batch.resumed, batch.left_out) == (1, 3)
    assert Suppression.objects.filter(
        address__address="spam@outlook.com", lifted_at__isnull=True
    ).exists()


def test_an_address_that_bounced_since_the_batch_was_created_is_left_out(lead) -> None:
    blocked(1)
    batch = batch_create(criteria=WaveCriteria(), actor=lead, note="wave")
    bounce("user0@outlook.com", Reason.SENDER_BLOCKED, status="5.7.1")
    waves.run(batch.pk)
    assert batch.items.get().why == "bounced again since the batch was created"


def test_a_killed_worker_resumes_after_its_last_committed_chunk(lead) -> None:
    blocked(5)
    batch = batch_create(criteria=WaveCriteria(), actor=lead, note="wave")
    with transaction.atomic():  # one chunk commits, then the worker dies
        locked = ResumeBatch.objects.select_for_update().get(pk=batch.pk)
        locked.status = "running"
        waves._resume_chunk(locked)
    with pytest.raises(RuntimeError), transaction.atomic():  # the next dies before committing
        waves._resume_chunk(ResumeBatch.objects.select_for_update().get(pk=batch.pk))
        raise RuntimeError("killed")
    batch.refresh_from_db()
    assert (batch.resumed, batch.status) == (2, "queued")
    waves.run(batch.pk)
    batch.refresh_from_db()
    assert (batch.status, batch.resumed) == ("done", 5)
    for suppression in Suppression.objects.all():
        assert suppression.history.filter(lifted_at__isnull=False).count() == 1
    assert SuppressionChange.objects.filter(kind="lifted").count() == 5


def test_undo_resuppresses_as_they_were_within_the_window(lead) -> None:
    blocked(3)
    batch = batch_create(criteria=WaveCriteria(), actor=lead, note="wave")
    waves.run(batch.pk)
    # One address bounced again meanwhile: it is already suppressed and stays as it is.
    bounce("user2@outlook.com", Reason.MAILBOX_UNKNOWN)
    batch_undo(batch=batch, actor=lead, note="It was the recipients after all")
    waves.run(batch.pk)
    batch.refresh_from_db()
    assert (batch.status, batch.resuppressed) == ("undone", 2)
    for email in ("user0@outlook.com", "user1@outlook.com"):
        again = Suppression.objects.get(address__address=email, lifted_at__isnull=True)
        assert (again.reason, again.trigger, again.bounce_type) == (
            "sender_blocked",
            "hard_bounce",
            "hard",
        )
        assert again.opened_by == lead and f"#{batch.pk}" in again.open_note
        assert not again.address.on_probation()
        assert again.history.get().history_user == lead
        assert AuditEntry.objects.get(
            object_type="suppression.suppression", history_id=again.history.get().history_id
        ).summary.startswith(f"sending paused again (resume batch undone) by {lead.username}")
    kept = batch.items.get(address__address="user2@outlook.com")
    assert kept.state == "kept"
    assert SuppressionChange.objects.filter(kind="opened").count() == 3 + 1 + 2
    with pytest.raises(errors.UndoWindowClosed):
        batch_undo(batch=batch, actor=lead, note="again")


def test_undo_is_refused_after_the_window(lead) -> None:
    blocked(1)
    batch = batch_create(criteria=WaveCriteria(), actor=lead, note="wave")
    waves.run(batch.pk)
    with (
        time_machine.travel(timezone.now() + timedelta(days=8)),
        pytest.raises(errors.UndoWindowClosed),
    ):
        batch_undo(batch=batch, actor=lead, note="too late")


def test_only_a_lead_runs_a_batch_and_says_why(agent, lead) -> None:
    blocked(1)
    with pytest.raises(errors.NotAllowed):
        batch_create(criteria=WaveCriteria(), actor=agent, note="wave")
    with pytest.raises(errors.NoteRequired):
        batch_create(criteria=WaveCriteria(), actor=lead, note=" ")
    with pytest.raises(errors.NothingSelected):
        batch_create(criteria=WaveCriteria(domain="nowhere.example"), actor=lead, note="x")
