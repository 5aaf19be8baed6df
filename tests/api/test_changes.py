"""The changes feed: a local copy of the suppression list kept up to date, resumable by cursor."""

from __future__ import annotations

import pytest

from suppression.models import SuppressionChange
from suppression.taxonomy import Reason

from ..factories import bounce

pytestmark = pytest.mark.django_db


def _page(api, cursor: str | None = None, limit: int = 2):
    params = {"limit": limit} | ({"cursor": cursor} if cursor is not None else {})
    response = api.get("/suppressions/changes", **params)
    assert response.status_code == 200
    return response.json()


def test_paging_through_the_feed_gives_every_change_once_in_order(api) -> None:
    for i in range(5):
        bounce(f"user{i}@example.com", Reason.MAILBOX_UNKNOWN)
    seen: list[str] = []
    cursor = None
    while True:
        page = _page(api, cursor)
        seen += [change["address"] for change in page["changes"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert seen == [f"user{i}@example.com" for i in range(5)]
    # Resuming from the last cursor later gives only what happened since.
    assert _page(api, cursor)["changes"] == []
    bounce("late@example.com", Reason.COMPLAINT)
    later = _page(api, cursor)
    assert [(c["address"], c["kind"], c["reason"], c["type"]) for c in later["changes"]] == [
        ("late@example.com", "opened", "complaint", "complaint")
    ]
    assert later["next_cursor"] == str(SuppressionChange.objects.latest("id").pk)


def test_an_empty_page_keeps_the_cursor(api) -> None:
    page = _page(api, "12345")
    assert page == {"changes": [], "next_cursor": "12345", "has_more": False}


@pytest.mark.parametrize("cursor", ["-1", "abc", "1.5", "99999999999999999999", "9" * 19])
def test_a_bad_cursor_is_400(api, cursor: str) -> None:
    response = api.get("/suppressions/changes", cursor=cursor)
    assert response.status_code == 400
    assert "cursor" in response.json()["field_errors"]


def test_a_bad_limit_is_400(api) -> None:
    response = api.get("/suppressions/changes", limit=0)
    assert response.status_code == 400
    assert "limit" in response.json()["field_errors"]


def test_the_feed_page_is_one_query(api, django_assert_num_queries) -> None:
    for i in range(30):
        bounce(f"user{i}@example.com")
    api.get("/suppressions/changes")  # stamps last_used_at
    with django_assert_num_queries(2):  # the token, the page
        assert len(_page(api, limit=25)["changes"]) == 25
