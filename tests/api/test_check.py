"""The check endpoints: what the sending system asks before every send."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from suppression import services
from suppression.models import SuppressionChange
from suppression.taxonomy import Reason

from ..factories import bounce, owner_of

pytestmark = pytest.mark.django_db


def test_single_check_says_suppressed_with_reason_type_and_since(api) -> None:
    opened = bounce("Ann@Example.com", Reason.MAILBOX_UNKNOWN).opened
    response = api.get("/suppressions/ann@EXAMPLE.com")
    assert response.status_code == 200
    body = response.json()
    since = datetime.fromisoformat(body.pop("since"))
    assert abs(since - opened.opened_at) < timedelta(milliseconds=1)
    assert body == {
        "address": "ann@EXAMPLE.com",
        "normalized": "ann@example.com",
        "suppressed": True,
        "reason": "mailbox_unknown",
        "type": "hard",
    }


def test_single_check_of_an_unknown_address_may_be_mailed(api) -> None:
    body = api.get("/suppressions/new@example.com").json()
    assert body["suppressed"] is False
    assert body["reason"] is None


@pytest.mark.parametrize(
    "address", ["not-an-address", "ann@localhost", "ann@exa mple.com", "ann..lee@example.com"]
)
def test_single_check_of_an_invalid_address_is_400_with_why(api, address) -> None:
    response = api.get(f"/suppressions/{address}")
    assert response.status_code == 400
    assert response.json()["field_errors"]["address"]


def test_bulk_check_keys_by_the_address_as_given_and_lists_invalid(api) -> None:
    bounce("ann@example.com", Reason.MAILBOX_UNKNOWN)
    bounce("bob@example.com", Reason.COMPLAINT)
    emails = [
        " ANN@example.com",
        "ann@example.com",
        "bob@Example.COM",
        "carol@example.com",
        "no-at-sign",
        "x@localhost",
        "",
    ]
    response = api.post("/suppressions/check", {"emails": emails})
    assert response.status_code == 200
    body = response.json()
    assert body["checked"] == 7
    assert set(body["suppressed"]) == {" ANN@example.com", "ann@example.com", "bob@Example.COM"}
    assert body["suppressed"]["bob@Example.COM"]["reason"] == "complaint"
    assert body["suppressed"]["bob@Example.COM"]["type"] == "complaint"
    assert body["suppressed"][" ANN@example.com"]["address"] == "ann@example.com"
    assert set(body["invalid"]) == {"no-at-sign", "x@localhost", ""}


def test_bulk_check_is_one_query_whatever_the_size(api, django_assert_num_queries) -> None:
    bounce("ann@example.com")
    emails = [f"user{i}@example.com" for i in range(5000)] + ["ann@example.com"]
    # the token lookup, the last-used stamp (first call of the minute), the paused domains (a
    # handful of rows at most), the check itself
    with django_assert_num_queries(4):
        body = api.post("/suppressions/check", {"emails": emails}).json()
    assert list(body["suppressed"]) == ["ann@example.com"]
    with django_assert_num_queries(3):  # last_used_at is fresh: no write this time
        api.post("/suppressions/check", {"emails": emails})


def test_bulk_check_takes_100000_addresses_above_the_site_wide_body_limit(api, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    bounce("user99999@example.com")
    emails = [f"user{i}@example.com" for i in range(100_000)]
    response = api.post("/suppressions/check", {"emails": emails})
    assert response.status_code == 200
    assert list(response.json()["suppressed"]) == ["user99999@example.com"]


def test_bulk_check_refuses_more_than_100000_addresses(api) -> None:
    response = api.post("/suppressions/check", {"emails": ["a@example.com"] * 100_001})
    assert response.status_code == 400
    assert "emails" in response.json()["field_errors"]


def test_bulk_check_refuses_a_body_over_its_own_limit_with_413(api, monkeypatch) -> None:
    monkeypatch.setattr("suppression.api.suppressions.CHECK_MAX_BYTES", 1000)
    response = api.post("/suppressions/check", {"emails": ["a" * 50 + "@example.com"] * 100})
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{not json", None),
        (b"\xff\xfe", None),
        (b"", None),
        ([1, 2], "body"),
        ({"emails": "ann@example.com"}, "emails"),
        ({"emails": [1, None]}, "emails.0"),
        ({"emails": [], "extra": 1}, "extra"),
        ({"emails": [[[[[]]]]]}, "emails.0"),
        ("[" * 100_000, None),
    ],
)
def test_bulk_check_bad_bodies_are_400_never_500(api, body, field) -> None:
    response = api.post("/suppressions/check", body)
    assert response.status_code == 400
    payload = response.json()
    assert payload["detail"]
    if field:
        assert field in payload["field_errors"]


def test_a_suppression_lifted_in_the_admin_is_gone_from_the_next_check_and_in_the_feed(
    api, school, agent, client
) -> None:
    bounce(
        "ann@example.com", Reason.MAILBOX_FULL, school=school, at=timezone.now() - timedelta(days=1)
    )
    bounce("ann@example.com", Reason.MAILBOX_FULL, school=school)
    bounce("ann@example.com", Reason.MAILBOX_FULL, school=school)
    assert (
        "ann@example.com"
        in api.post("/suppressions/check", {"emails": ["ann@example.com"]}).json()["suppressed"]
    )
    cursor = api.get("/suppressions/changes").json()["next_cursor"]

    owner = owner_of(school, "ann-owner")
    request = services.request_submit(
        email="ann@example.com", school=school, actor=owner, explanation="Mailbox cleared."
    )
    client.force_login(agent)
    page = client.post(
        reverse("admin:suppression_reinstatementrequest_resume", args=[request.pk]),
        {"note": "The mailbox has room again.", "confirmed": "yes"},
        follow=True,
    )
    assert "Sending to ann@example.com resumed" in page.content.decode()

    assert (
        api.post("/suppressions/check", {"emails": ["ann@example.com"]}).json()["suppressed"] == {}
    )
    assert api.get("/suppressions/ann@example.com").json()["suppressed"] is False
    feed = api.get("/suppressions/changes", cursor=cursor).json()
    assert [(c["address"], c["kind"], c["suppressed"]) for c in feed["changes"]] == [
        ("ann@example.com", "lifted", False)
    ]
    assert feed["next_cursor"] == str(SuppressionChange.objects.latest("id").pk)
