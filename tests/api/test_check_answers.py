"""The fast bulk check answers what the check before it answered, input for input.

``old_answer`` is the view as it was before the sending gate was made fast (one call of
``normalized_or_why`` per input, model times through ninja's encoder); the endpoint must give the
same JSON on the same data, in both databases (run with DATABASE_URL for PostgreSQL).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from ninja.responses import NinjaJSONEncoder

from suppression.models import Suppression, SuppressionChange
from suppression.selectors import normalized_or_why, open_suppressions
from suppression.taxonomy import Reason

from ..factories import bounce

pytestmark = pytest.mark.django_db


def old_answer(emails: list[str]) -> dict[str, Any]:
    by_normalized: dict[str, list[str]] = {}
    invalid: dict[str, str] = {}
    for given in emails:
        normalized, why = normalized_or_why(given)
        if normalized is None:
            invalid[given] = why
        else:
            by_normalized.setdefault(normalized, []).append(given)
    found = open_suppressions(by_normalized)
    suppressed = {
        given: {
            "address": info.address,
            "reason": info.reason,
            "type": info.bounce_type,
            "since": info.since,
        }
        for address, info in found.items()
        for given in by_normalized[address]
    }
    body = {"checked": len(emails), "suppressed": suppressed, "invalid": invalid}
    return dict(json.loads(json.dumps(body, cls=NinjaJSONEncoder)))


def opened_at(email: str, when: datetime) -> None:
    Suppression.objects.filter(address__address=email).update(opened_at=when)


@pytest.fixture
def mixed() -> list[str]:
    """Inputs of every kind over suppressions of every kind."""
    for i in range(60):
        bounce(f"hard{i}@example.com", Reason.MAILBOX_UNKNOWN)
    bounce("complaint@example.com", Reason.COMPLAINT)
    bounce("ann@münchen.de", Reason.MAILBOX_UNKNOWN)
    bounce("józef@example.com", Reason.MAILBOX_UNKNOWN)
    bounce("o'neil+tag@example.com", Reason.MAILBOX_UNKNOWN)
    bounce("soft@example.com", Reason.MAILBOX_FULL)  # one soft bounce: not suppressed
    bounce("lifted@example.com", Reason.MAILBOX_UNKNOWN)
    lifted = Suppression.objects.get(address__address="lifted@example.com")
    Suppression.objects.filter(pk=lifted.pk).update(lifted_at=lifted.opened_at)
    # times the encoder writes differently: a whole second, a sub-millisecond part
    opened_at("hard0@example.com", datetime(2025, 5, 1, 10, 0, 3, tzinfo=UTC))
    opened_at("hard1@example.com", datetime(2025, 5, 1, 10, 0, 3, 500, tzinfo=UTC))
    opened_at("hard2@example.com", datetime(2025, 5, 1, 10, 0, 3, 114999, tzinfo=UTC))
    opened_at("hard3@example.com", datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC))
    emails = [f"hard{i}@example.com" for i in range(0, 60, 2)]
    emails += [f"HARD{i}@Example.COM" for i in range(1, 60, 2)]
    emails += [f"clear{i}@example.com" for i in range(100)]
    emails += [
        " hard4@example.com",
        "hard4@example.com",  # again: duplicates answer each
        "hard4@example.com",
        "Complaint@example.com",
        "ann@MÜNCHEN.de",
        "ann@xn--mnchen-3ya.de",
        "Józef@Example.com",
        "O'Neil+Tag@example.com",
        "soft@example.com",
        "lifted@example.com",
        "not-an-address",
        "x@localhost",
        "x@example.test",
        "",
        "  ",
        "ann..lee@example.com",
        "a" * 65 + "@example.com",
        "new--reader@ex--ample.com",
        "line\nbreak@example.com",
        "\ud800@example.com",
    ]
    return emails


@pytest.mark.parametrize("form", ["", "?form=full"])
def test_the_full_answer_is_the_answer_of_the_check_before(api, mixed, form) -> None:
    response = api.post(f"/suppressions/check{form}", {"emails": mixed})
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body == old_answer(mixed)
    assert len(body["suppressed"]) == 60 + 6  # spaced, complaint, IDN twice, józef, o'neil
    assert body["suppressed"]["hard0@example.com"]["since"] == "2025-05-01T10:00:03Z"
    assert body["suppressed"]["HARD1@Example.COM"]["since"] == "2025-05-01T10:00:03.000Z"
    assert body["suppressed"]["hard2@example.com"]["since"] == "2025-05-01T10:00:03.114Z"


def test_the_answer_lists_the_suppressed_inputs_in_the_order_they_were_sent(api, mixed) -> None:
    # The probes go to PostgreSQL sorted; the answer still follows the inputs, byte for byte as
    # the check in input order wrote it (json.loads keeps the order of an object's keys).
    for emails in (mixed, mixed[::-1]):
        keys = list(
            json.loads(api.post("/suppressions/check", {"emails": emails}).content)["suppressed"]
        )
        assert keys == [given for given in dict.fromkeys(emails) if given in keys]


def test_the_compact_answer_keys_the_same_inputs_with_their_reason(api, mixed) -> None:
    full = json.loads(api.post("/suppressions/check", {"emails": mixed}).content)
    response = api.post("/suppressions/check?form=compact", {"emails": mixed})
    assert response.status_code == 200
    compact = json.loads(response.content)
    assert compact == {
        "checked": full["checked"],
        "suppressed": {given: answer["reason"] for given, answer in full["suppressed"].items()},
        "invalid": full["invalid"],
    }
    assert compact["suppressed"]["Complaint@example.com"] == "complaint"
    assert len(response.content) < len(json.dumps(full)) / 2


def test_the_bulk_check_writes_since_as_the_single_check_does(api, mixed) -> None:
    emails = [f"hard{i}@example.com" for i in range(4)]
    body = api.post("/suppressions/check", {"emails": emails}).json()
    for email in emails:
        single = api.get(f"/suppressions/{email}").json()
        assert body["suppressed"][email]["since"] == single["since"]


def test_an_unknown_form_is_refused_with_400(api) -> None:
    response = api.post("/suppressions/check?form=tiny", {"emails": ["ann@example.com"]})
    assert response.status_code == 400
    assert "form" in response.json()["field_errors"]


def old_feed_page(after: int, limit: int) -> dict[str, Any]:
    """The feed's page as the pydantic model wrote it before."""
    from suppression.api.schemas import ChangesOut

    rows = list(
        SuppressionChange.objects.filter(id__gt=after)
        .order_by("id")
        .values_list(
            "id",
            "kind",
            "at",
            "address__address",
            "suppression__reason",
            "suppression__bounce_type",
        )[: limit + 1]
    )
    page = rows[:limit]
    body = {
        "changes": [
            {
                "cursor": str(pk),
                "kind": kind,
                "at": at,
                "address": address,
                "reason": reason,
                "type": kind_,
                "suppressed": kind == "opened",
            }
            for pk, kind, at, address, reason, kind_ in page
        ],
        "next_cursor": str(page[-1][0]) if page else str(after),
        "has_more": len(rows) > limit,
    }
    model = ChangesOut.model_validate(body)
    # Address rows never carried the domain rows' fields (incidents, docs/api.md): leave them out.
    domain_only = {"domain", "incident", "until", "streams"}
    dumped = model.model_dump(exclude={"changes": {"__all__": domain_only}})
    return dict(json.loads(json.dumps(dumped, cls=NinjaJSONEncoder)))


def test_the_feed_pages_are_what_the_model_wrote_before(api, mixed) -> None:
    cursor, pages = "0", 0
    while True:
        page = api.get("/suppressions/changes", cursor=cursor, limit=7).json()
        assert page == old_feed_page(int(cursor), 7)
        pages += 1
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert pages == -(-SuppressionChange.objects.count() // 7) > 5
    assert api.get("/suppressions/changes", cursor=cursor).json()["changes"] == []


@pytest.mark.postgres
def test_switching_jit_off_for_the_check_leaves_the_connection_as_it_was(api) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's JIT")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit')")
        before = cursor.fetchone()[0]
        bounce("ann@example.com")
        body = api.post("/suppressions/check", {"emails": ["ann@example.com"]}).json()
        assert list(body["suppressed"]) == ["ann@example.com"]
        cursor.execute("SELECT current_setting('jit')")
        assert cursor.fetchone()[0] == before
