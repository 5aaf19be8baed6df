"""Point 4: deciding on the case page: notes, confirmation, guards before the click, overrides."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from suppression import services
from suppression.models import EmailAddress, ReinstatementRequest, Suppression
from suppression.selectors import is_suppressed
from suppression.taxonomy import Reason
from tests.factories import bounce
from tests.rolematrix import forms_in, pick_form

pytestmark = pytest.mark.django_db

NOTE = "Checked the history: the mailbox has room again."


def case_url(email: str) -> str:
    pk = EmailAddress.objects.get(address=email).pk
    return reverse("admin:suppression_emailaddress_change", args=[pk])


def paused_with_request(email: str, reason: Reason, school, owner, **kw) -> ReinstatementRequest:
    bounce(email, reason, school=school, **kw)
    return services.request_submit(
        email=email, school=school, actor=owner, explanation="The client cleared the mailbox."
    )


def form_on(page: str, form_id: str) -> dict:
    form = pick_form(forms_in(page), form_id)
    assert form is not None, f"no form {form_id}"
    return {name: values for name, values in form.values().items()}


def test_resume_takes_a_note_and_a_confirmation_and_the_owner_reads_the_note(
    client, agent, school, owner, django_capture_on_commit_callbacks
) -> None:
    pending = paused_with_request("kate@example.com", Reason.MAILBOX_UNKNOWN, school, owner)
    client.force_login(agent)
    page = client.get(case_url("kate@example.com")).content.decode()
    data = form_on(page, f"resume-{pending.pk}")
    url = reverse("admin:suppression_reinstatementrequest_resume", args=[pending.pk])

    empty = client.post(url, data)  # the note is required
    assert empty.status_code == 200 and "This field is required." in empty.content.decode()

    data["note"] = NOTE
    confirm = client.post(url, data)
    assert confirm.status_code == 200 and is_suppressed("kate@example.com")  # not yet
    text = confirm.content.decode()
    assert "Resume sending to kate@example.com?" in text and NOTE in text
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, form_on(text, "decide-form"))
    assert done.status_code == 302 and done["Location"] == case_url("kate@example.com")
    pending.refresh_from_db()
    assert (pending.status, pending.decision_note, pending.decided_by) == ("approved", NOTE, agent)
    assert not is_suppressed("kate@example.com")
    assert [m.to for m in mail.outbox if NOTE in m.body] == [[owner.email]]
    assert "Sending to kate@example.com resumed" in client.get(done["Location"]).content.decode()


def test_reject_needs_a_note_which_reaches_the_owner(
    client, agent, school, owner, django_capture_on_commit_callbacks
) -> None:
    pending = paused_with_request("kate@example.com", Reason.MAILBOX_UNKNOWN, school, owner)
    client.force_login(agent)
    url = reverse("admin:suppression_reinstatementrequest_reject", args=[pending.pk])
    note = "The server still says the mailbox does not exist; ask the client to check."
    confirm = client.post(url, {"note": note}).content.decode()
    assert "Reject this request?" in confirm
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, form_on(confirm, "decide-form")).status_code == 302
    pending.refresh_from_db()
    assert (pending.status, pending.decision_note) == ("rejected", note)
    assert any(note in m.body and m.to == [owner.email] for m in mail.outbox)
    assert is_suppressed("kate@example.com")


def test_a_guard_needing_a_lead_greys_out_resume_for_an_agent(client, agent, school, owner) -> None:
    pending = paused_with_request("angry@example.com", Reason.COMPLAINT, school, owner)
    client.force_login(agent)
    page = client.get(case_url("angry@example.com")).content.decode()
    button = re.search(r'<input type="submit" value="Resume sending…"[^>]*>', page).group()
    assert "disabled" in button
    assert "Only a support lead can resume sending here" in page
    assert "Needs a lead:</strong>\n    The recipient never reported our mail as spam" in page
    assert "Why you resume sending although" not in page
    # posting anyway (a hand-made request) is refused by the service
    url = reverse("admin:suppression_reinstatementrequest_resume", args=[pending.pk])
    data = {"note": NOTE, "confirmed": "yes"}
    refused = client.post(url, data).content.decode()
    assert "Only a support lead can resume sending" in refused
    data["override_reason"] = "I say so"
    assert (
        "Only a support lead can override a safety guard."
        in client.post(url, data).content.decode()
    )
    assert is_suppressed("angry@example.com")


def test_a_lead_overrides_with_a_written_reason(client, lead, school, owner) -> None:
    pending = paused_with_request("angry@example.com", Reason.COMPLAINT, school, owner)
    client.force_login(lead)
    page = client.get(case_url("angry@example.com")).content.decode()
    assert "you may resume sending anyway, and must write why" in page
    data = form_on(page, f"resume-{pending.pk}")
    url = reverse("admin:suppression_reinstatementrequest_resume", args=[pending.pk])
    data["note"] = NOTE
    data["confirmed"] = "yes"
    without = client.post(url, data).content.decode()
    assert "Write why you resume sending although" in without
    data["override_reason"] = "The client wrote to us: the complaint was a slip."
    confirm = client.post(url, {**data, "confirmed": ""}).content.decode()
    assert "Your reason for overriding: The client wrote to us" in confirm
    assert client.post(url, form_on(confirm, "decide-form")).status_code == 302
    pending.refresh_from_db()
    assert pending.override_reason == "The client wrote to us: the complaint was a slip."
    assert not is_suppressed("angry@example.com")


def test_a_stale_page_says_what_changed_and_resumes_nothing(client, agent, school, owner) -> None:
    pending = paused_with_request("kate@example.com", Reason.MAILBOX_UNKNOWN, school, owner)
    client.force_login(agent)
    page = client.get(case_url("kate@example.com")).content.decode()
    url = reverse("admin:suppression_reinstatementrequest_resume", args=[pending.pk])
    data = form_on(page, f"resume-{pending.pk}")
    data["note"] = NOTE
    confirm = client.post(url, data).content.decode()
    bounce("kate@example.com", Reason.MAILBOX_UNKNOWN, school=school)  # meanwhile
    again = client.post(url, form_on(confirm, "decide-form"))
    text = again.content.decode()
    assert again.status_code == 200
    assert "the guards changed" in text
    assert "“No new bounce since the request was submitted” now fails: 1 bounce(s)" in text
    assert is_suppressed("kate@example.com")
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_the_domain_guard_is_checked_when_the_page_is_drawn_and_cached(
    client, agent, school, owner, dns_zone
) -> None:
    paused_with_request("ann@renewed.example", Reason.DOMAIN_UNKNOWN, school, owner)
    client.force_login(agent)
    page = client.get(case_url("ann@renewed.example")).content.decode()
    assert "Refuses:</strong>\n    The domain renewed.example accepts mail now" in page
    assert "renewed.example does not exist (NXDOMAIN)" in page
    assert "Nobody can resume sending while a guard refuses" in page

    dns_zone.add("renewed.example", "MX", (10, "mx.renewed.example"))
    cached = client.get(case_url("ann@renewed.example")).content.decode()
    assert "does not exist (NXDOMAIN)" in cached  # the page's answer is kept a few minutes
    from django.core.cache import cache

    cache.clear()  # a few minutes later
    fresh = client.get(case_url("ann@renewed.example")).content.decode()
    assert (
        "Passes:</strong>\n    The domain renewed.example accepts mail now — MX: mx.renewed"
        in fresh
    )


def test_a_dns_timeout_could_not_check_blocks_an_agent_and_a_lead_may_override(
    client, agent, lead, school, owner, silent_dns
) -> None:
    pending = paused_with_request("ann@slow.example", Reason.DOMAIN_UNKNOWN, school, owner)
    client.force_login(agent)
    started = timezone.now()
    page = client.get(case_url("ann@slow.example")).content.decode()
    assert timezone.now() - started < timedelta(seconds=3)  # a short timeout keeps it drawn
    assert "Could not check slow.example: DNS did not answer within 0.3 s." in page
    assert "does not exist" not in page
    assert "Only a support lead can resume sending here" in page

    client.force_login(lead)
    url = reverse("admin:suppression_reinstatementrequest_resume", args=[pending.pk])
    data = {
        "note": NOTE,
        "override_reason": "The registrar confirmed the renewal by phone.",
    }
    confirm = client.post(url, data).content.decode()
    assert client.post(url, form_on(confirm, "decide-form")).status_code == 302
    pending.refresh_from_db()
    assert pending.status == "approved"
    assert pending.override_reason == "The registrar confirmed the renewal by phone."


def test_suppress_by_hand_with_a_required_reason(client, agent, auditor) -> None:
    bounce("fine@example.com", Reason.SERVER_UNAVAILABLE)  # soft, once: sending is on
    client.force_login(agent)
    page = client.get(case_url("fine@example.com")).content.decode()
    data = form_on(page, "suppress-form")
    url = reverse(
        "admin:suppression_emailaddress_suppress",
        args=[EmailAddress.objects.get(address="fine@example.com").pk],
    )
    assert "This field is required." in client.post(url, data).content.decode()
    data["note"] = "The client asked us to stop all mail."
    assert client.post(url, data).status_code == 302
    episode = Suppression.objects.get(address__address="fine@example.com")
    assert (episode.trigger, episode.opened_by, episode.open_note) == (
        "manual",
        agent,
        "The client asked us to stop all mail.",
    )
    page = client.get(case_url("fine@example.com")).content.decode()
    assert "Sending is paused." in page and 'id="suppress-form"' not in page

    client.force_login(auditor)
    assert client.post(url, data).status_code == 403


def test_record_a_request_on_the_owners_behalf(client, agent, school, owner) -> None:
    bounce("kate@example.com", Reason.MAILBOX_UNKNOWN, school=school)
    client.force_login(agent)
    page = client.get(case_url("kate@example.com")).content.decode()
    data = form_on(page, "ask-form")
    data["explanation"] = "The owner wrote: the client fixed the typo in the address."
    url = reverse(
        "admin:suppression_emailaddress_ask",
        args=[EmailAddress.objects.get(address="kate@example.com").pk],
    )
    assert client.post(url, data).status_code == 302
    request = ReinstatementRequest.objects.get()
    assert (request.school, request.requested_by, request.on_behalf_of_owner) == (
        school,
        agent,
        True,
    )
    page = client.get(case_url("kate@example.com")).content.decode()
    assert "the client fixed the typo" in page and f'id="resume-{request.pk}"' in page


def test_the_bulk_resume_action_is_gone(client, agent, school, owner) -> None:
    paused_with_request("kate@example.com", Reason.MAILBOX_UNKNOWN, school, owner)
    client.force_login(agent)
    page = client.get(reverse("admin:suppression_reinstatementrequest_changelist"))
    assert b"approve_selected" not in page.content and b'name="action"' not in page.content


def test_on_behalf_offers_the_schools_whose_mail_bounced_not_all_of_them(
    client, agent, school, other_school
) -> None:
    bounce("kate@example.com", Reason.MAILBOX_UNKNOWN, school=school)
    services.suppression_open_manual(email="byhand@example.com", actor=agent, note="asked")
    client.force_login(agent)
    page = client.get(case_url("kate@example.com")).content.decode()
    form = page.split('id="ask-form"')[1].split("</form>")[0]
    assert "Demo School" in form and "Other School" not in form
    page = client.get(case_url("byhand@example.com")).content.decode()
    assert 'id="ask-form"' not in page and "No school's mail has bounced" in page
