"""History pages: every staff role reads them, nobody reverts, on every model that has history.

Each attack is the one a tester made through real HTTP: GET the per-version page, then POST its
own rendered values back with a valid CSRF token, as each staff role and as a superuser.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from suppression import services
from suppression.models import ApiClient, Incident, ReinstatementRequest, Suppression
from suppression.selectors import is_suppressed
from suppression.services import waves
from suppression.services.api_clients import (
    api_client_create,
    api_client_revoke,
    api_client_rotate,
)
from suppression.services.incidents import incident_lift
from suppression.services.owners import inquiry_answer, inquiry_submit
from suppression.services.waves import WaveCriteria, batch_create
from suppression.taxonomy import Reason

from .adminhttp import csrf_client, form_values, get_then_post, snapshot
from .factories import bounce, owner_of, user_in_role

pytestmark = pytest.mark.django_db

ROLES = ["auditor", "agent", "lead", "admin_user"]

# Every model whose admin shows django-simple-history pages (checked against the registry below).
HISTORY_ADMINS = [
    "suppression.emailaddress",
    "suppression.suppression",
    "suppression.reinstatementrequest",
    "suppression.school",
    "suppression.apiclient",
    "suppression.addressinquiry",
    "suppression.incident",
    "suppression.resumebatch",
    "auth.user",
]


def version_url(obj, history_id) -> str:
    opts = obj._meta
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, history_id]
    )


@pytest.fixture
def world(school, agent):
    """One object of each history-tracked model, each with more than one version where it can."""
    owner = owner_of(school, "owner-h")
    bounce("gone@example.com", school=school)
    suppression = Suppression.objects.get(address__address="gone@example.com")
    bounce("angry@example.com", Reason.COMPLAINT, school=school)
    request = services.request_submit(
        email="angry@example.com", school=school, actor=owner, explanation="Subscribed again."
    )
    client = api_client_create(name="platform", scopes=["check"], actor=None).client
    api_client_rotate(client=client, actor=None)
    inquiry = inquiry_submit(
        school=school, actor=owner, email="who@example.com", message="Is this one paused?"
    )
    inquiry_answer(inquiry=inquiry, actor=agent, answer="Support replied by mail.")
    school.name = "Demo School (renamed)"
    school.save()
    owner.first_name = "Olga"
    owner.save()
    lead = user_in_role("lead-h", "Support lead")
    for i in range(20):
        services.bounce_record(
            email=f"u{i}@contoso.example",
            source="api",
            dedupe_key=f"history-refusal-{i}",
            occurred_at=timezone.now(),
            reason=Reason.SENDER_REPUTATION,
        )
    incident = Incident.objects.get()
    incident_lift(incident=incident, actor=lead, note="Delisted.")
    bounce("waved@wave.example", Reason.SENDER_BLOCKED, status="5.7.1")
    batch = batch_create(criteria=WaveCriteria(domain="wave.example"), actor=lead, note="A wave.")
    waves.run(batch.pk)
    return {
        "suppression.incident": incident,
        "suppression.resumebatch": batch,
        "suppression.emailaddress": suppression.address,
        "suppression.suppression": suppression,
        "suppression.reinstatementrequest": request,
        "suppression.school": school,
        "suppression.apiclient": client,
        "suppression.addressinquiry": inquiry,
        "auth.user": owner,
    }


def test_the_list_names_every_admin_with_history() -> None:
    with_history = {
        model._meta.label_lower
        for model in admin.site._registry
        if hasattr(model._meta, "simple_history_manager_attribute")
    }
    assert with_history == set(HISTORY_ADMINS)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", HISTORY_ADMINS)
def test_every_version_page_reads_and_refuses_a_post_of_its_own_values(
    request, world, role, label
) -> None:
    obj = world[label]
    oldest = obj.history.earliest("history_date")
    client = csrf_client(request.getfixturevalue(role))
    opts = obj._meta
    listing = client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])
    )
    assert listing.status_code == 200
    url = version_url(obj, oldest.history_id)
    page = client.get(url)
    assert page.status_code == 200
    # Shown, read-only: no field to edit and no button that writes.
    assert set(form_values(page.content.decode())) <= {"csrfmiddlewaretoken"}
    assert b'name="_save"' not in page.content and b"Revert" not in page.content
    before = snapshot()
    response = get_then_post(client, url, {"_save": "Revert"})
    assert response.status_code == 405
    assert snapshot() == before


def test_auditor_cannot_lift_a_suppression_through_its_history_page(world, auditor) -> None:
    suppression = world["suppression.suppression"]
    client = csrf_client(auditor)
    before = snapshot()
    now = timezone.localtime()
    response = get_then_post(
        client,
        version_url(suppression, suppression.history.latest().history_id),
        {
            "lifted_at_0": now.strftime("%Y-%m-%d"),
            "lifted_at_1": now.strftime("%H:%M:%S"),
            "lift_note": "lifted by the auditor",
            "_save": "Revert",
        },
    )
    assert response.status_code == 405
    assert snapshot() == before
    assert is_suppressed("gone@example.com")


def test_auditor_cannot_unrevoke_a_token_through_its_history_page(auditor) -> None:
    client_row = api_client_create(name="old", scopes=["check"], actor=None).client
    api_client_revoke(client=client_row, actor=None, why="leaked")
    http = csrf_client(auditor)
    before = snapshot()
    pre_revoke = client_row.history.earliest("history_date")
    response = get_then_post(
        http,
        version_url(client_row, pre_revoke.history_id),
        {"scopes": ["check", "ingest"], "_save": "Revert"},
    )
    assert response.status_code == 405
    assert snapshot() == before
    assert ApiClient.objects.get(pk=client_row.pk).revoked_at is not None


def test_agent_cannot_bring_back_a_rotated_token(agent) -> None:
    client_row = api_client_create(name="rotated", scopes=["check"], actor=None).client
    old_hash = client_row.token_hash
    api_client_rotate(client=client_row, actor=None)
    http = csrf_client(agent)
    before = snapshot()
    response = get_then_post(
        http,
        version_url(client_row, client_row.history.earliest("history_date").history_id),
        {"_save": "Revert"},
    )
    assert response.status_code == 405
    assert snapshot() == before
    assert ApiClient.objects.get(pk=client_row.pk).token_hash != old_hash


def test_agent_cannot_approve_a_complaint_request_through_its_history_page(world, agent) -> None:
    pending = world["suppression.reinstatementrequest"]
    http = csrf_client(agent)
    before = snapshot()
    now = timezone.localtime()
    response = get_then_post(
        http,
        version_url(pending, pending.history.latest().history_id),
        {
            "status": "approved",
            "decided_by": str(agent.pk),
            "decided_at_0": now.strftime("%Y-%m-%d"),
            "decided_at_1": now.strftime("%H:%M:%S"),
            "decision_note": "ok",
            "_save": "Revert",
        },
    )
    assert response.status_code == 405
    assert snapshot() == before
    assert ReinstatementRequest.objects.get(pk=pending.pk).status == "pending"


def test_version_page_shows_the_version_not_the_current_row(world, auditor) -> None:
    school = world["suppression.school"]
    client = csrf_client(auditor)
    page = client.get(version_url(school, school.history.earliest("history_date").history_id))
    assert page.status_code == 200
    assert b"Demo School" in page.content and b"(renamed)" not in page.content


def test_user_version_page_never_shows_a_password_hash(world, admin_user) -> None:
    owner = world["auth.user"]
    page = csrf_client(admin_user).get(version_url(owner, owner.history.latest().history_id))
    assert page.status_code == 200
    stored = User.objects.get(pk=owner.pk).password
    assert stored.split("$")[-1].encode() not in page.content


@pytest.mark.parametrize("role", ["auditor", "admin_user"])
def test_bad_history_ids_are_not_found(request, world, role) -> None:
    client = csrf_client(request.getfixturevalue(role))
    suppression = world["suppression.suppression"]
    prefix = "/admin/suppression/suppression"
    own = suppression.history.latest().history_id
    foreign = Suppression.history.exclude(id=suppression.pk).latest().history_id
    for url in [
        f"{prefix}/{suppression.pk}/history/abc/",
        f"{prefix}/{suppression.pk}/history/999999/",
        f"{prefix}/{suppression.pk}/history/{foreign}/",
        f"{prefix}/{suppression.pk}/history/{own}x/",
        f"{prefix}/abc/history/{own}/",
        f"{prefix}/abc/history/",
    ]:
        assert client.get(url).status_code == 404, url
