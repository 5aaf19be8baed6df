"""The first admin: browsable by the staff roles, read-only where the design says so."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from suppression import dbroles
from suppression.models import BounceEvent, Suppression

from .factories import bounce, user_in_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(school):
    for i in range(5):
        bounce(f"user{i}@example.com", school=school)
    return Suppression.objects.first()


@pytest.mark.parametrize("role", ["agent", "lead", "auditor"])
@pytest.mark.parametrize(
    "model",
    [
        "emailaddress",
        "suppression",
        "bounceevent",
        "reinstatementrequest",
        "school",
        "suppressionchange",
        "unparsedmessage",
    ],
)
def test_staff_roles_browse_every_list(client, request, data, role, model) -> None:
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse(f"admin:suppression_{model}_changelist"))
    assert response.status_code == 200


def test_owner_cannot_enter_the_admin(client, owner) -> None:
    client.force_login(owner)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


def test_bounce_events_are_read_only_even_for_superusers(client, admin_user, data) -> None:
    client.force_login(admin_user)
    event = BounceEvent.objects.first()
    assert client.get(reverse("admin:suppression_bounceevent_add")).status_code == 403
    delete = reverse("admin:suppression_bounceevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:suppression_bounceevent_change", args=[event.pk])
    page = client.get(change)
    assert page.status_code == 200 and b'name="_save"' not in page.content


def test_suppression_status_fields_cannot_be_edited(client, lead, data) -> None:
    client.force_login(lead)
    change = reverse("admin:suppression_suppression_change", args=[data.pk])
    page = client.get(change)
    assert page.status_code == 200 and b'name="lifted_at"' not in page.content
    assert client.post(change, {"lifted_at": "2020-01-01"}).status_code == 403
    data.refresh_from_db()
    assert data.is_open


def test_history_view_shows_who_and_why(client, auditor, data) -> None:
    client.force_login(auditor)
    page = client.get(reverse("admin:suppression_suppression_history", args=[data.pk]))
    assert page.status_code == 200
    assert b"hard bounce" in page.content


def test_suppression_list_query_count_does_not_grow_with_rows(
    client, agent, data, django_assert_max_num_queries
) -> None:
    client.force_login(agent)
    url = reverse("admin:suppression_suppression_changelist")
    with django_assert_max_num_queries(12):
        client.get(url)
    for i in range(20):
        bounce(f"more{i}@example.com")
    with django_assert_max_num_queries(12):
        client.get(url)


@pytest.mark.parametrize(
    ("model", "term", "expected"),
    [
        ("emailaddress", "USER3@Example.COM", {"user3@example.com"}),
        ("suppression", " user3@example.com ", {"user3@example.com"}),
        ("bounceevent", "User3@example.com", {"user3@example.com"}),
        ("emailaddress", "EXAMPLE.com", {f"user{i}@example.com" for i in range(5)}),
        ("emailaddress", "not an address@", set()),
        ("emailaddress", "user3@example.org", set()),
    ],
)
def test_search_matches_the_normalized_address_or_domain(
    client, agent, data, model, term, expected
) -> None:
    client.force_login(agent)
    page = client.get(reverse(f"admin:suppression_{model}_changelist"), {"q": term})
    assert page.status_code == 200
    # The event list is the console's own page (keyset pages), not a stock changelist.
    rows = page.context["page"].rows if model == "bounceevent" else page.context["cl"].result_list
    found = {obj.address if model == "emailaddress" else obj.address.address for obj in rows}
    assert found == expected


def test_lead_adds_an_owner_to_a_school_with_history(client, lead, school, owner) -> None:
    other = user_in_role("new-owner", "School owner")
    client.force_login(lead)
    url = reverse("admin:suppression_school_change", args=[school.pk])
    membership = school.memberships.get()
    response = client.post(
        url,
        {
            "name": school.name,
            "slug": school.slug,
            "memberships-TOTAL_FORMS": "2",
            "memberships-INITIAL_FORMS": "1",
            "memberships-0-id": membership.pk,
            "memberships-0-school": school.pk,
            "memberships-0-user": owner.pk,
            "memberships-1-school": school.pk,
            "memberships-1-user": other.pk,
        },
    )
    errors = response.context and response.context.get("errors")
    assert response.status_code == 302, errors
    added = school.memberships.get(user=other)
    row = added.history.get()
    assert (row.history_user, row.history_change_reason) == (lead, "owner added in the admin")
    assert school.history.latest().history_change_reason == "edited in the admin"


def test_auditor_gets_no_approve_action(client, auditor, data) -> None:
    client.force_login(auditor)
    page = client.get(reverse("admin:suppression_reinstatementrequest_changelist"))
    assert b"approve_selected" not in page.content


def test_small_lists_are_counted_exactly(client, agent, data) -> None:
    client.force_login(agent)
    page = client.get(reverse("admin:suppression_emailaddress_changelist"))
    assert page.context["cl"].result_count == 5


@pytest.mark.postgres
def test_large_lists_show_the_planner_estimate_without_counting(
    client, agent, data, django_assert_max_num_queries
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO suppression_emailaddress (address, domain, display, created_at) "
            "SELECT 'bulk' || g || '@example.net', 'example.net', 'bulk' || g, now() "
            "FROM generate_series(1, 30000) g"
        )
    # Autovacuum would gather the statistics; only the table's owner may ANALYZE it by hand.
    with dbroles.as_owner(), connection.cursor() as cursor:
        cursor.execute("ANALYZE suppression_emailaddress")
    client.force_login(agent)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("admin:suppression_emailaddress_changelist"))
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    assert 24_000 < page.context["cl"].result_count < 36_000


def test_suppressions_filter_open_and_lifted(client, agent, data) -> None:
    from django.utils import timezone

    lifted = Suppression.objects.order_by("pk").first()
    lifted.lifted_at = timezone.now()
    lifted.save()
    client.force_login(agent)
    url = reverse("admin:suppression_suppression_changelist")
    open_rows = client.get(url, {"state": "open"}).context["cl"].result_list
    lifted_rows = client.get(url, {"state": "lifted"}).context["cl"].result_list
    assert lifted not in open_rows and len(open_rows) == 4
    assert list(lifted_rows) == [lifted]
