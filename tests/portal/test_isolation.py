"""Tenant isolation and no oracle: nothing of another school, nothing about a stranger's address."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone

from suppression import exceptions as errors
from suppression import services
from suppression.listcheck.models import ListCheck
from suppression.models import AddressInquiry, ReinstatementRequest, Suppression
from suppression.portal import urls as portal_urls
from suppression.taxonomy import Reason

from ..factories import bounce, user_in_role
from .conftest import EXPLANATION

pytestmark = pytest.mark.django_db

CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')

# Pages that name no school: what each answers a signed-in owner.
NO_SCHOOL = {
    "home": 302,
    "login": 302,
    "logout": 405,
    "language": 405,
    "password_reset": 200,
    "password_reset_done": 200,
    "password_reset_confirm": 200,
    "password_reset_complete": 200,
    "invitation": 200,
}


def state_counts() -> tuple[int, ...]:
    return (
        ReinstatementRequest.objects.count(),
        AddressInquiry.objects.count(),
        Suppression.objects.filter(lifted_at__isnull=True).count(),
        ReinstatementRequest.objects.filter(status="pending").count(),
    )


def test_owner2_gets_404_on_every_portal_url_of_demo_school(
    school, other_school, owner, owner2, owner2_client, paused
) -> None:
    theirs = services.request_submit(
        email="kate@example.com", school=school, actor=owner, explanation=EXPLANATION
    )
    their_check = ListCheck.objects.create(
        school=school,
        created_by=owner,
        via="portal",
        file_name="list.csv",
        folder="isolation",
        size_bytes=1,
        status="done",
        expires_at=timezone.now() + timedelta(days=1),
    )
    before = state_counts()
    patterns = [p for p in portal_urls.urlpatterns if isinstance(p, URLPattern)]
    school_patterns = [p for p in patterns if "school" in p.pattern.converters]
    assert {p.name for p in patterns} - {p.name for p in school_patterns} == set(NO_SCHOOL)
    assert len(school_patterns) >= 7
    for pattern in school_patterns:
        kwargs: dict[str, object] = {"school": school.slug}
        if "pk" in pattern.pattern.converters:
            kwargs["pk"] = their_check.pk if pattern.name.startswith("list_check") else theirs.pk
        if "kind" in pattern.pattern.converters:
            kwargs["kind"] = "report"
        # The other school's slug, a slug that does not exist, and owner2's own slug with the
        # other school's request id (where the URL takes one).
        targets = [reverse(f"portal:{pattern.name}", kwargs=kwargs)]
        targets.append(reverse(f"portal:{pattern.name}", kwargs={**kwargs, "school": "nope"}))
        if "pk" in kwargs:
            targets.append(
                reverse(f"portal:{pattern.name}", kwargs={**kwargs, "school": other_school.slug})
            )
        for target in targets:
            data = {"address": "kate@example.com", "explanation": EXPLANATION, "confirm": "on"}
            assert owner2_client.get(target, {"address": "kate@example.com"}).status_code == 404, (
                target
            )
            assert owner2_client.post(target, data).status_code == 404, target
    assert state_counts() == before
    for name, status in NO_SCHOOL.items():
        pattern = next(p for p in patterns if p.name == name)
        kwargs = {key: "x" for key in pattern.pattern.converters}
        assert owner2_client.get(reverse(f"portal:{name}", kwargs=kwargs)).status_code == status


def test_owner2_cannot_request_or_withdraw_demo_schools_addresses(
    school, other_school, owner, owner2, owner2_client, paused
) -> None:
    theirs = services.request_submit(
        email="kate@example.com", school=school, actor=owner, explanation=EXPLANATION
    )
    own = reverse("portal:resume", kwargs={"school": other_school.slug})
    answer = owner2_client.post(
        own, {"address": "kate@example.com", "explanation": EXPLANATION, "confirm": "on"}
    )
    assert "is not among the paused addresses of Other School" in answer.content.decode()
    withdraw = reverse(
        "portal:request_withdraw", kwargs={"school": other_school.slug, "pk": theirs.pk}
    )
    assert owner2_client.post(withdraw).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "pending"
    paused_page = owner2_client.get(reverse("portal:paused", kwargs={"school": other_school.slug}))
    assert b"kate@example.com" not in paused_page.content


def test_anonymous_is_sent_to_sign_in(school) -> None:
    response = Client().get(reverse("portal:paused", kwargs={"school": school.slug}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))


# --- no oracle -------------------------------------------------------------------------------


def _answers(client: Client, school, address: str) -> list[tuple[int, str, bytes]]:
    """What the portal answers about ``address``: the resume page, its POST, the question."""
    resume = reverse("portal:resume", kwargs={"school": school.slug})
    ask = reverse("portal:ask_support", kwargs={"school": school.slug})
    responses = [
        client.get(resume, {"address": address}),
        client.post(resume, {"address": address, "explanation": EXPLANATION, "confirm": "on"}),
        client.post(resume, {"address": address, "explanation": "short"}),
        client.post(ask, {"address": address, "message": "Mail to this student does not arrive."}),
    ]
    # Django masks the CSRF token differently on every render; everything else must be equal.
    return [(r.status_code, r.get("Location", ""), CSRF.sub(b"csrf", r.content)) for r in responses]


def test_a_strangers_address_looks_the_same_in_every_state(
    school, other_school, owner, owner2, owner_client, settings_support
) -> None:
    agent = user_in_role("agent", "Support agent")
    target = "target@example.com"
    seen = []

    def answer() -> None:
        seen.append(_answers(owner_client, school, target))
        with pytest.raises(errors.AddressNotKnownToSchool) as caught:
            services.request_submit(
                email=target, school=school, actor=owner, explanation=EXPLANATION
            )
        seen.append(str(caught.value))

    answer()  # never seen
    bounce(target, Reason.MAILBOX_FULL, school=other_school)  # one soft bounce elsewhere
    answer()
    bounce(target, Reason.MAILBOX_UNKNOWN, school=other_school)  # paused for another school
    answer()
    theirs = services.request_submit(
        email=target, school=other_school, actor=owner2, explanation=EXPLANATION
    )
    answer()  # another school's request is pending
    services.request_approve(request=theirs, actor=agent)
    answer()  # resumed, on probation
    bounce(target, Reason.COMPLAINT)  # paused for no school at all
    answer()
    assert all(item == seen[0] for item in seen[0::2])
    assert all(item == seen[1] for item in seen[1::2])
    body = seen[0][0][2].decode()
    assert "target@example.com is not among the paused addresses of Demo School" in body
