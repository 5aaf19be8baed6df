"""Mail the portal sends (text and HTML, in the owner's language) and owners' invitations."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from suppression import exceptions as errors
from suppression import services
from suppression.models import SchoolMembership
from suppression.portal.tokens import InvitationTokenGenerator
from suppression.services.owners import owner_invite, owner_set_language

from ..factories import user_in_role
from .conftest import EXPLANATION

pytestmark = pytest.mark.django_db


def test_support_is_mailed_when_a_request_arrives(
    school, owner, paused, settings_support, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_submit(
            email="kate@example.com", school=school, actor=owner, explanation=EXPLANATION
        )
    (message,) = mail.outbox
    assert message.to == ["support@kwiga.test"]
    assert "kate@example.com" in message.subject and "Demo School" in message.subject
    assert EXPLANATION in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html" and EXPLANATION in html
    assert f"/admin/suppression/reinstatementrequest/{request.pk}/change/" in message.body


def test_owner_is_mailed_the_decision_in_their_language_with_note_and_link(
    school, owner, paused, django_capture_on_commit_callbacks
) -> None:
    owner.email = "olha@school.example"
    owner.save()
    owner_set_language(user=owner, language="uk")
    agent = user_in_role("agent", "Support agent")
    request = services.request_submit(
        email="kate@example.com", school=school, actor=owner, explanation=EXPLANATION
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.request_reject(request=request, actor=agent, note="Скринька досі не існує.")
    (message,) = mail.outbox
    assert message.to == ["olha@school.example"]
    assert "Надсилання лишається призупиненим" in message.subject
    assert "Скринька досі не існує." in message.body
    link = f"http://127.0.0.1:8000/portal/schools/demo-school/requests/{request.pk}/"
    assert link in message.body
    html = message.alternatives[0][0]
    assert f'href="{link}"' in html and 'lang="uk"' in html


# --- invitations ----------------------------------------------------------------------------


def invite_link(message) -> str:
    found = re.search(r"http://127\.0\.0\.1:8000(/portal/welcome/\S+/)", message.body)
    assert found is not None, message.body
    return found.group(1)


def test_lead_invites_an_owner_from_the_console(
    school, lead, django_capture_on_commit_callbacks
) -> None:
    client = Client()
    client.force_login(lead)
    page = reverse("admin:suppression_school_invite_owner", args=[school.pk])
    assert client.get(reverse("admin:suppression_school_change", args=[school.pk])).status_code
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page, {"email": "New.Owner@School.example", "language": "en"})
    assert response.status_code == 302
    user = User.objects.get(username="new.owner@school.example")
    assert not user.has_usable_password() and not user.is_staff
    assert user.groups.filter(name="School owner").exists()
    membership = SchoolMembership.objects.get(school=school, user=user)
    assert membership.history.get().history_user == lead
    (message,) = mail.outbox
    assert "Choose your password here" in message.body and message.alternatives


def test_agents_and_auditors_cannot_invite(school, agent, auditor) -> None:
    for user in (agent, auditor):
        client = Client()
        client.force_login(user)
        page = reverse("admin:suppression_school_invite_owner", args=[school.pk])
        assert client.post(page, {"email": "x@school.example", "language": "en"}).status_code == 403
        with pytest.raises(errors.NotAllowed):
            owner_invite(email="x@school.example", school=school, actor=user)
    assert not User.objects.filter(username="x@school.example").exists()


def test_the_link_sets_a_password_once(school, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        owner_invite(email="anna@school.example", school=school, actor=None)
    link = invite_link(mail.outbox[0])
    client = Client()
    form = client.get(link, follow=True)
    assert 'name="new_password1"' in form.content.decode()
    new = "a-long-new-password-9917"
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}, follow=True
    )
    assert done.redirect_chain[-1][0] == reverse("portal:paused", kwargs={"school": school.slug})
    assert User.objects.get(username="anna@school.example").check_password(new)
    reused = Client().get(link, follow=True).content.decode()
    assert "This link has expired or was already used." in reused
    assert 'name="new_password1"' not in reused


def test_an_expired_link_is_refused(school, settings, django_capture_on_commit_callbacks) -> None:
    invitation = owner_invite(email="late@school.example", school=school, actor=None)
    generator = InvitationTokenGenerator()
    days = settings.SUPPRESSION.get("INVITATION_DAYS", 7)
    generator._now = lambda: (  # type: ignore[method-assign]
        InvitationTokenGenerator._now(generator) - timedelta(days=days, hours=1)
    )
    old_token = generator.make_token(invitation.user)
    fresh_token = InvitationTokenGenerator().make_token(invitation.user)
    assert not InvitationTokenGenerator().check_token(invitation.user, old_token)
    assert InvitationTokenGenerator().check_token(invitation.user, fresh_token)
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(invitation.user.pk))
    page = Client().get(f"/portal/welcome/{uid}/{old_token}/", follow=True).content.decode()
    assert "This link has expired or was already used." in page


def test_command_invites_and_reuses_the_user(
    school, other_school, django_capture_on_commit_callbacks
) -> None:
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("invite_owner", "ira@school.example", school=school.slug, stdout=out)
        call_command("invite_owner", "IRA@school.example", school=other_school.slug, stdout=out)
    assert "Created ira@school.example" in out.getvalue()
    assert "Reused ira@school.example" in out.getvalue()
    user = User.objects.get(username="ira@school.example")
    assert set(user.schools.values_list("slug", flat=True)) == {school.slug, other_school.slug}
    assert len(mail.outbox) == 2
    assert "Запрошення" in mail.outbox[0].subject or "запрошено" in mail.outbox[0].subject


def test_a_staff_account_is_never_made_an_owner(school, agent) -> None:
    with pytest.raises(errors.NotAllowed):
        owner_invite(email=agent.email, school=school, actor=None)


def test_only_leads_see_the_invite_button(school, lead, agent) -> None:
    change = reverse("admin:suppression_school_change", args=[school.pk])
    invite = reverse("admin:suppression_school_invite_owner", args=[school.pk])
    as_lead = Client()
    as_lead.force_login(lead)
    assert invite in as_lead.get(change).content.decode()
    assert "Send the invitation" in as_lead.get(invite).content.decode()
    as_agent = Client()
    as_agent.force_login(agent)
    assert as_agent.get(invite).status_code == 403


def test_an_invitation_is_on_the_users_audit_trail_with_who_and_why(school, lead) -> None:
    invitation = owner_invite(email="audited.owner@school.example", school=school, actor=lead)

    rows = list(User.history.filter(id=invitation.user.pk).order_by("history_id"))
    assert rows, "the invitation wrote no history row for the user"
    for row in rows:
        assert row.history_user == lead
        assert "invited" in (row.history_change_reason or "")
    assert "School owner" in [entry.group.name for entry in rows[-1].groups.all()]
