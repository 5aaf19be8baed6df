"""The event list: every filter served by an index or refused when it cannot match, keyset pages
(no OFFSET), exact counts from the daily counts (no COUNT over the events)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from suppression.models import Source
from suppression.taxonomy import Reason

from ..factories import SchoolFactory, bounce
from .helpers import page, queries, sql_of, table_rows

pytestmark = pytest.mark.django_db
EVENTS = "/admin/suppression/bounceevent/"
DAY = datetime(2026, 5, 10, 12, tzinfo=UTC)


@pytest.fixture
def events(school):
    other = SchoolFactory(name="Yoga School", slug="yoga")
    made = [
        bounce("a@gmail.com", Reason.MAILBOX_UNKNOWN, at=DAY, source=Source.DSN, school=school),
        bounce("b@gmail.com", Reason.MAILBOX_FULL, at=DAY - timedelta(days=1), source=Source.API),
        bounce(
            "c@yahoo.com",
            Reason.COMPLAINT,
            at=DAY - timedelta(days=2),
            source="postmark",
            school=other,
        ),
        bounce(
            "d@yahoo.com",
            Reason.MAILBOX_FULL,
            at=DAY - timedelta(days=3),
            source=Source.DSN,
            school=school,
        ),
    ]
    return [outcome.event for outcome in made]


def _addresses(client, query: str = "") -> list[str]:
    rows = table_rows(page(client, f"{EVENTS}?{query}"), "bounce-events")
    return [word for row in rows for word in row.split() if "@" in word]


def test_newest_first_with_an_exact_count(client, auditor, events) -> None:
    client.force_login(auditor)
    html = page(client, EVENTS)
    assert "4 events match." in html
    assert _addresses(client) == ["a@gmail.com", "b@gmail.com", "c@yahoo.com", "d@yahoo.com"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("bounce_type=soft", ["b@gmail.com", "d@yahoo.com"]),
        ("reason=complaint", ["c@yahoo.com"]),
        ("source=dsn", ["a@gmail.com", "d@yahoo.com"]),
        ("stream=none", ["a@gmail.com", "b@gmail.com", "c@yahoo.com", "d@yahoo.com"]),
        ("stream=campaign", []),
        ("school=SCHOOL", ["a@gmail.com", "d@yahoo.com"]),
        ("school=yoga", ["c@yahoo.com"]),
        ("day_from=2026-05-08&day_to=2026-05-09", ["b@gmail.com", "c@yahoo.com"]),
        ("day_to=2026-05-07", ["d@yahoo.com"]),
        ("bounce_type=soft&source=dsn", ["d@yahoo.com"]),
        ("reason=mailbox_full&school=SCHOOL&day_from=2026-05-01", ["d@yahoo.com"]),
        ("q=yahoo.com", ["c@yahoo.com", "d@yahoo.com"]),
        ("q=B@Gmail.com", ["b@gmail.com"]),
    ],
)
def test_each_filter_and_their_combinations(client, auditor, events, school, query, expected):
    client.force_login(auditor)
    assert _addresses(client, query.replace("SCHOOL", str(school.pk))) == expected


def test_a_filter_the_daily_counts_lack_still_counts_a_list_that_fits_one_page(
    client, auditor, events, school
) -> None:
    """The daily counts have no school and no address column, so a school or a search gets no
    count from them; when every match is on the first page, its rows are the exact count."""
    client.force_login(auditor)
    assert "2 events match." in page(client, f"{EVENTS}?school={school.pk}")
    assert "1 event matches." in page(client, f"{EVENTS}?q=B@Gmail.com")
    assert "event match" not in page(client, f"{EVENTS}?school={school.pk}&rows=1")


def test_a_type_and_reason_that_never_occur_together_are_refused_without_a_query(
    client, auditor, events
) -> None:
    client.force_login(auditor)
    with queries() as captured:
        html = page(client, f"{EVENTS}?bounce_type=hard&reason=mailbox_full")
    assert "No event is both hard and “Mailbox full”: each reason has one type." in html
    assert table_rows(html, "bounce-events") == ["No event matches."]
    assert not any("suppression_bounce" in sql for sql in sql_of(captured))


def test_a_filter_that_matches_nothing_reads_only_the_counts(client, auditor, events) -> None:
    client.force_login(auditor)
    with queries() as captured:
        html = page(client, f"{EVENTS}?reason=dns_error")
    assert "0 events match." in html
    assert not any("suppression_bounceevent" in sql for sql in sql_of(captured))


def test_the_list_never_counts_or_offsets_the_events(client, auditor, events) -> None:
    client.force_login(auditor)
    with queries() as captured:
        page(client, f"{EVENTS}?source=dsn&n=50")
    for sql in sql_of(captured):
        if "suppression_bounceevent" in sql:
            assert "COUNT(" not in sql.upper()
            assert "OFFSET" not in sql.upper()


def test_keyset_pages_walk_every_event_once_and_the_queries_do_not_grow(client, auditor) -> None:
    for i in range(23):
        # Some share a timestamp: the id breaks the tie.
        bounce(f"k{i:02d}@example.com", Reason.MAILBOX_UNKNOWN, at=DAY - timedelta(hours=i // 2))
    client.force_login(auditor)
    everything = _addresses(client, "n=50")
    assert len(everything) == 23
    walked, url = [], f"{EVENTS}?n=5&reason=mailbox_unknown"
    counts = []
    while url:
        with queries() as captured:
            html = page(client, url)
        counts.append(len(captured.captured_queries))
        walked += [w for row in table_rows(html, "bounce-events") for w in row.split() if "@" in w]
        found = re.search(r'href="([^"]+)" rel="next"', html)
        url = EVENTS + found.group(1).replace("&amp;", "&") if found else ""
    assert walked == everything
    assert len(counts) == 5 and len(set(counts)) == 1
    with queries() as big:
        page(client, f"{EVENTS}?n=50&reason=mailbox_unknown")
    assert len(big.captured_queries) == counts[0]


def test_a_row_links_to_the_address_case_page_and_the_event(client, agent, events) -> None:
    client.force_login(agent)
    html = page(client, EVENTS)
    event = events[0]
    assert f'href="/admin/suppression/emailaddress/{event.address_id}/change/">a@gmail.com' in html
    assert f'href="/admin/suppression/bounceevent/{event.pk}/change/">#{event.pk}' in html


def _ids_query(captured) -> str:
    """The page's ids query: the one that reads only the events' ids, in list order."""
    found = [
        sql
        for sql in sql_of(captured)
        if sql.startswith('SELECT "suppression_bounceevent"."id" AS "pk" FROM "suppression_bounce')
        and "ORDER BY" in sql
    ]
    assert len(found) == 1, sql_of(captured)
    return found[0]


@pytest.mark.postgres
@pytest.mark.parametrize(
    "query",
    [
        "",
        "bounce_type=complaint&source=postmark&stream=none",
        "reason=complaint&source=postmark",
        "school=SCHOOL&source=mailgun&stream=none",
        "school=SCHOOL&reason=mailbox_unknown",
        "school=SCHOOL&bounce_type=complaint&source=postmark&day_from=2026-05-01",
    ],
)
def test_a_page_finds_its_ids_by_an_index_only_walk(client, auditor, school, query):
    """Every filter column is carried by the covering indexes (migration 0016), so a rare
    combination, even within the busiest school, walks an index and reads no table row until
    the page's ids are known: the plan of the ids query is an Index Only Scan."""
    for i in range(30):
        bounce(
            f"w{i}@mail{i}.example",
            [Reason.MAILBOX_UNKNOWN, Reason.COMPLAINT, Reason.MAILBOX_FULL][i % 3],
            at=DAY - timedelta(hours=i),
            source=["postmark", "mailgun", Source.DSN, Source.API][i % 4],
            school=school,
        )
    client.force_login(auditor)
    with queries() as captured:
        page(client, f"{EVENTS}?{query.replace('SCHOOL', str(school.pk))}")
    sql = _ids_query(captured)
    with connection.cursor() as cursor:
        # Thirty rows fit one table page, where a scan and a sort are always cheapest: make the
        # planner show the ordered index walk it takes at size.
        for knob in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {knob} = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert re.search(r"Index Only Scan using bounce_\w+_cover_idx", plan), plan
    assert "Sort" not in plan, plan


def test_keyset_pages_of_a_school_walk_ties_in_id_order(client, auditor, school) -> None:
    """The school filter pages without the daily counts' bound; ties on the time go by id."""
    for i in range(12):
        bounce(
            f"t{i:02d}@example.com",
            Reason.MAILBOX_FULL,
            at=DAY - timedelta(hours=i // 4),
            school=school,
        )
    bounce("elsewhere@example.com", Reason.MAILBOX_FULL, at=DAY)
    client.force_login(auditor)
    everything = _addresses(client, f"school={school.pk}&n=50")
    assert len(everything) == 12
    walked, url = [], f"{EVENTS}?n=5&school={school.pk}"
    while url:
        html = page(client, url)
        walked += [w for row in table_rows(html, "bounce-events") for w in row.split() if "@" in w]
        found = re.search(r'href="([^"]+)" rel="next"', html)
        url = EVENTS + found.group(1).replace("&amp;", "&") if found else ""
    assert walked == everything


def test_a_school_with_rare_filters_reads_each_combination_range(client, auditor, school):
    """The daily counts have no school: when the other filters are rare in all, the ids query
    names every value of the unset filters, so that the (school, type, reason, source, stream,
    time) index reads only matching events instead of walking the school in time order (at size
    PostgreSQL reads bounce_school_combo_idx index-only; a few test rows fit one table page, where
    any plan is as cheap, so only the query is pinned here)."""
    for i in range(6):
        bounce(
            f"r{i}@mail{i}.example",
            Reason.COMPLAINT if i % 2 else Reason.MAILBOX_FULL,
            at=DAY - timedelta(hours=i),
            source="mailgun",
            school=school,
        )
    client.force_login(auditor)
    with queries() as captured:
        html = page(client, f"{EVENTS}?school={school.pk}&source=mailgun&bounce_type=complaint")
    sql = _ids_query(captured)  # before the next request, which empties the query log
    assert _addresses(client, f"school={school.pk}&source=mailgun&bounce_type=complaint") == [
        "r1@mail1.example",
        "r3@mail3.example",
        "r5@mail5.example",
    ]
    assert "r0@" not in html
    assert '"suppression_bounceevent"."bounce_type" IN (\'complaint\')' in sql
    assert '"suppression_bounceevent"."reason" IN (' in sql
    assert '"suppression_bounceevent"."stream" IN (' in sql
