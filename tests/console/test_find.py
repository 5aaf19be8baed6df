"""Point 1: the index's search box finds an address, a domain or a part, and says paused or on."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from suppression import services
from suppression.console.case_selectors import address_find
from suppression.models import EmailAddress
from suppression.taxonomy import Reason
from tests.factories import bounce

pytestmark = pytest.mark.django_db

FIND = reverse("admin:suppression_emailaddress_find")


@pytest.fixture
def addresses(school, agent) -> None:
    bounce("olena.kovalenko@gmail.com", Reason.MAILBOX_FULL, status="5.2.2", school=school)
    bounce("ivan@gmail.com", Reason.MAILBOX_UNKNOWN, school=school)
    bounce("petro@ukr.net", Reason.SERVER_UNAVAILABLE, school=school)  # soft, one: still on


def test_the_index_has_the_search_box(client, agent) -> None:
    client.force_login(agent)
    page = client.get(reverse("admin:index")).content.decode()
    assert f'action="{FIND}"' in page and 'name="q"' in page


def test_an_exact_address_in_any_case_lands_on_the_case_page(client, agent, addresses) -> None:
    client.force_login(agent)
    response = client.get(FIND, {"q": "  Olena.Kovalenko@GMAIL.com "})
    address = EmailAddress.objects.get(address="olena.kovalenko@gmail.com")
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:suppression_emailaddress_change", args=[address.pk]
    )


def test_a_domain_lists_each_address_paused_or_on_since_when_and_why(
    client, agent, addresses
) -> None:
    client.force_login(agent)
    page = client.get(FIND, {"q": "GMAIL.com"}).content.decode()
    assert "2 addresses" in page
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr")[1:]
    assert "ivan@gmail.com" in rows[0] and "paused" in rows[0]
    assert "Paused since" in rows[0] and "because: Non-existent address (hard bounce)" in rows[0]
    # one soft bounce stops nothing
    assert "olena.kovalenko@gmail.com" in rows[1] and "On: nothing stops sending" in rows[1]


def test_a_part_of_an_address_finds_it(client, agent, addresses) -> None:
    client.force_login(agent)
    response = client.get(FIND, {"q": "KOVALEN"})
    assert response.status_code == 302  # one match: straight to the case
    page = client.get(FIND, {"q": "gmail"}).content.decode()  # not a domain: a part
    assert "2 addresses" in page and "containing" in page
    assert "ivan@gmail.com" in page and "olena.kovalenko@gmail.com" in page


def test_too_short_a_part_and_no_match_say_so(client, agent, addresses) -> None:
    client.force_login(agent)
    assert "at least 3 characters" in client.get(FIND, {"q": "ol"}).content.decode()
    assert "No address matches" in client.get(FIND, {"q": "nobody@x.org"}).content.decode()


def test_the_address_list_says_paused_or_on_in_words(client, agent, addresses) -> None:
    lead_like = agent
    services.suppression_open_manual(email="new@example.com", actor=lead_like, note="asked")
    client.force_login(agent)
    page = client.get(reverse("admin:suppression_emailaddress_changelist")).content.decode()
    assert page.count("Paused since") == 2
    assert "On: nothing stops sending to this address." in page
    assert "because: Unknown (suppressed by hand)" in page


@pytest.mark.postgres
def test_every_kind_of_search_is_answered_by_an_index(addresses) -> None:
    plans = []
    for term in ("ivan@gmail.com", "gmail.com", "kovalen"):
        found = address_find(term)
        assert found.rows, term
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for lookup in (
            EmailAddress.objects.filter(address="ivan@gmail.com"),
            EmailAddress.objects.filter(domain="gmail.com"),
            EmailAddress.objects.filter(address__contains="kovalen"),
        ):
            sql, params = lookup.query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    assert "Index" in plans[0]
    assert "Index" in plans[1]
    assert "emailaddress_address_trgm_idx" in plans[2], plans[2]
