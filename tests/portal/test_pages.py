"""The owner portal as an owner uses it: sign in, paused list, requests, withdraw."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from suppression import services
from suppression.models import AddressInquiry, ReinstatementRequest
from suppression.taxonomy import Reason

from ..factories import bounce, owner_of, user_in_role
from .conftest import EXPLANATION

pytestmark = pytest.mark.django_db


def url(name: str, school, **kwargs) -> str:
    return reverse(f"portal:{name}", kwargs={"school": school.slug, **kwargs})


# --- signing in -------------------------------------------------------------------------------


def test_owner_signs_in_and_lands_on_their_schools_paused_list(school, owner, paused) -> None:
    client = Client()
    response = client.post(
        reverse("portal:login"), {"username": "owner", "password": "kwiga-test"}, follow=True
    )
    assert response.redirect_chain[-1][0] == url("paused", school)
    assert "kate@example.com" in response.content.decode()
    assert "The address does not exist." in response.content.decode()


def test_wrong_password_is_refused(owner) -> None:
    response = Client().post(reverse("portal:login"), {"username": "owner", "password": "nope"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_staff_is_told_to_use_the_console(agent) -> None:
    response = Client().post(
        reverse("portal:login"), {"username": "agent", "password": "kwiga-test"}
    )
    assert "Support staff sign in to the support console" in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session


def test_owner_at_the_admin_login_is_sent_to_the_portal(owner) -> None:
    client = Client()
    response = client.post(
        reverse("admin:login"), {"username": "owner", "password": "kwiga-test"}, follow=True
    )
    assert response.redirect_chain == [(reverse("portal:login"), 302)]
    page = response.content.decode()
    assert "School owners sign in here, at the owner portal." in page
    assert "correct username and password" not in page


def test_owner_signed_in_who_opens_the_admin_is_sent_to_the_portal(owner_client) -> None:
    response = owner_client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/portal/")
    assert "The support console is for support staff" in response.content.decode()


def test_wrong_admin_password_of_an_owner_is_still_wrong_password(owner) -> None:
    response = Client().post(reverse("admin:login"), {"username": "owner", "password": "x"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_sign_out_is_a_post(owner_client) -> None:
    assert owner_client.get(reverse("portal:logout")).status_code == 405
    response = owner_client.post(reverse("portal:logout"))
    assert response.status_code == 302
    assert owner_client.get(reverse("portal:home")).status_code == 302


def test_password_reset_mails_owners_a_portal_link(owner) -> None:
    owner.email = "olha@school.example"
    owner.save()
    Client().post(reverse("portal:password_reset"), {"email": "olha@school.example"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/portal/password-reset/\S+/)", mail.outbox[0].body)
    assert link is not None
    assert mail.outbox[0].alternatives[0][1] == "text/html"
    client = Client()
    page = client.get(link.group(1), follow=True)
    assert page.status_code == 200
    new = "a-new-long-password-4821"
    client.post(page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    owner.refresh_from_db()
    assert owner.check_password(new)


def test_password_reset_does_not_serve_staff(agent) -> None:
    Client().post(reverse("portal:password_reset"), {"email": agent.email})
    assert mail.outbox == []


# --- several schools ------------------------------------------------------------------------


def test_owner_of_two_schools_chooses_and_switches(school, other_school, owner) -> None:
    owner_of(other_school, "owner")
    client = Client()
    client.force_login(owner)
    home = client.get(reverse("portal:home")).content.decode()
    assert url("paused", school) in home and url("paused", other_school) in home
    page = client.get(url("paused", other_school)).content.decode()
    assert "Switch school" in page and url("paused", school) in page


# --- paused addresses -----------------------------------------------------------------------


def test_paused_list_shows_only_this_schools_open_suppressions(
    school, other_school, owner, owner_client, paused
) -> None:
    agent = user_in_role("agent", "Support agent")
    bounce("theirs@example.com", school=other_school)
    bounce("nobodys@example.com")
    bounce("resumed@example.com", school=school)
    request = services.request_submit(
        email="resumed@example.com", school=school, actor=owner, explanation=EXPLANATION
    )
    services.request_approve(request=request, actor=agent)
    page = owner_client.get(url("paused", school)).content.decode()
    assert "kate@example.com" in page
    for hidden in ("theirs@example.com", "nobodys@example.com", "resumed@example.com"):
        assert hidden not in page


def test_search_by_address_or_domain(school, owner_client, paused) -> None:
    for days in (4, 2, 0):
        at = timezone.now() - timedelta(days=days)
        bounce("ivan@gmail.com", Reason.MAILBOX_FULL, school=school, at=at)
    by_address = owner_client.get(url("paused", school), {"q": "KATE@example.com"})
    assert "kate@example.com" in by_address.content.decode()
    assert "ivan@gmail.com" not in by_address.content.decode()
    by_domain = owner_client.get(url("paused", school), {"q": "gmail.com"}).content.decode()
    assert "ivan@gmail.com" in by_domain and "kate@example.com" not in by_domain
    assert "The mailbox is full." in by_domain and "delete old messages" in by_domain


def _addresses(html: str) -> list[str]:
    return re.findall(r'class="address"[^>]*>([^<]+)<', html)


def _link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_paused_list_pages_through_every_address_newest_first(
    school, owner_client, monkeypatch
) -> None:
    """Keyset pages: "Older" reaches every paused address, past the count's cap, each once and
    in order (ties in time broken by id), and "Newer" comes back to the same pages."""
    from suppression.portal import selectors, views

    now = timezone.now()
    for n in range(7):
        # client2..client4 were paused in the same microsecond: the id orders them.
        at = now - timedelta(hours=3) if 2 <= n <= 4 else now - timedelta(hours=10 - n)
        with time_machine.travel(at, tick=False):  # the suppression opens "now"
            bounce(f"client{n}@example.com", school=school, at=at)
    monkeypatch.setattr(selectors, "COUNT_CAP", 4)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    base = url("paused", school)
    pages = [owner_client.get(base).content.decode()]
    assert "More than 4 paused addresses, newest first." in pages[0]
    assert _link(pages[0], "prev") is None
    while (older := _link(pages[-1], "next")) is not None:
        pages.append(owner_client.get(base + older).content.decode())
    seen = [address for page in pages for address in _addresses(page)]
    # client2..4 (3 hours ago, newest first by id) straddle the first two pages.
    assert seen == [f"client{n}@example.com" for n in (4, 3, 2, 6, 5, 1, 0)]
    assert len(pages) == 4 and "Only the newest" not in pages[-1]
    # Back up from the last page: the same pages, newest first within each.
    back = [pages[-1]]
    while (newer := _link(back[-1], "prev")) is not None:
        back.append(owner_client.get(base + newer).content.decode())
    assert [_addresses(page) for page in back[::-1]] == [_addresses(page) for page in pages]
    found = owner_client.get(base, {"q": "client0@example.com"}).content.decode()
    assert _addresses(found) == ["client0@example.com"]


def test_paused_pages_keep_the_search(school, owner_client, monkeypatch) -> None:
    from suppression.portal import views

    for n in range(3):
        with time_machine.travel(timezone.now() - timedelta(hours=n), tick=False):
            bounce(f"ivan{n}@gmail.com", school=school)
            bounce(f"olga{n}@ukr.net", school=school)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    base = url("paused", school)
    first = owner_client.get(base, {"q": "gmail.com"}).content.decode()
    older = _link(first, "next")
    assert older is not None and "q=gmail.com" in older
    second = owner_client.get(base + older).content.decode()
    assert _addresses(first) + _addresses(second) == [f"ivan{n}@gmail.com" for n in range(3)]


def test_a_search_that_matches_nothing_here_reads_no_page(
    school, other_school, owner_client, paused, django_assert_num_queries
) -> None:
    # The exact count (0) bounds the page: no walk through every open suppression for a row
    # that is not there (what made such a search take seconds at 400,000 suppressions).
    bounce("olga@gmail.com", school=other_school)
    # session, user, memberships, capped count: no page rows, no pending requests
    with django_assert_num_queries(4):
        response = owner_client.get(url("paused", school), {"q": "gmail.com"})
    assert "No paused address of your school matches this search." in response.content.decode()


@pytest.mark.parametrize("cursor", ["", "x", "12.", ".5", "1.2.3", "-1.1", "9" * 30 + ".1"])
def test_a_tampered_page_link_shows_the_first_page(school, owner_client, paused, cursor) -> None:
    for name in ("older", "newer"):
        response = owner_client.get(url("paused", school), {name: cursor})
        assert response.status_code == 200
        assert "kate@example.com" in response.content.decode()


def test_paused_list_query_count_does_not_grow_with_rows(
    school, owner_client, django_assert_num_queries
) -> None:
    for n in range(30):
        bounce(f"c{n}@example.com", school=school)
    # session, user, memberships, page rows, capped count, pending requests of the page
    with django_assert_num_queries(6):
        response = owner_client.get(url("paused", school))
    assert response.content.decode().count('class="address"') == 30


# --- asking to resume ------------------------------------------------------------------------


def test_owner_asks_to_resume_and_sees_it_pending(
    school, owner, owner_client, paused, settings_support
) -> None:
    response = owner_client.post(
        url("resume", school),
        {"address": "kate@example.com", "explanation": EXPLANATION, "confirm": "on"},
    )
    request = ReinstatementRequest.objects.get()
    assert response["Location"] == url("request_detail", school, pk=request.pk)
    assert request.requested_by == owner and request.status == "pending"
    history = request.history.get()
    assert history.history_user == owner
    detail = owner_client.get(response["Location"]).content.decode()
    assert "Waiting for support" in detail and "Withdraw this request" in detail


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"explanation": "too short", "confirm": "on"}, "at least 20 characters"),
        ({"explanation": EXPLANATION}, "Tick this once the client has confirmed it."),
        ({"explanation": "", "confirm": "on"}, "Say what the client did"),
    ],
)
def test_resume_form_requires_explanation_and_confirmation(
    school, owner_client, paused, data, error
) -> None:
    response = owner_client.post(url("resume", school), {"address": "kate@example.com", **data})
    assert error in response.content.decode()
    assert not ReinstatementRequest.objects.exists()


def test_asking_again_shows_the_existing_request(school, owner, owner_client, paused) -> None:
    first = services.request_submit(
        email="kate@example.com", school=school, actor=owner, explanation=EXPLANATION
    )
    again = owner_client.get(url("resume", school), {"address": "kate@example.com"})
    assert again["Location"] == url("request_detail", school, pk=first.pk)
    posted = owner_client.post(
        url("resume", school),
        {"address": "kate@example.com", "explanation": EXPLANATION, "confirm": "on"},
    )
    assert posted["Location"] == url("request_detail", school, pk=first.pk)
    assert ReinstatementRequest.objects.count() == 1


def test_complaint_is_explained_without_a_form(school, owner_client) -> None:
    bounce("angry@example.com", Reason.COMPLAINT, school=school)
    page = owner_client.get(url("resume", school), {"address": "angry@example.com"})
    text = page.content.decode()
    assert "Support cannot resume this address on your request" in text
    assert 'name="explanation"' not in text
    listed = owner_client.get(url("paused", school)).content.decode()
    assert "The recipient marked our mail as spam." in listed
    posted = owner_client.post(
        url("resume", school),
        {"address": "angry@example.com", "explanation": EXPLANATION, "confirm": "on"},
    )
    assert "Support cannot resume" in posted.content.decode()
    assert not ReinstatementRequest.objects.exists()


def test_daily_limit_is_counted_in_the_database(school, owner, owner_client, settings) -> None:
    settings.SUPPRESSION = {**settings.SUPPRESSION, "OWNER_DAILY_REQUEST_LIMIT": 2}
    for n in range(3):
        bounce(f"full{n}@example.com", school=school)
    services.request_submit(
        email="full0@example.com", school=school, actor=owner, explanation=EXPLANATION
    )
    yesterday = ReinstatementRequest.objects.get()
    # yesterday's request does not count today
    ReinstatementRequest.objects.filter(pk=yesterday.pk).update(
        created_at=timezone.now() - timedelta(days=1)
    )
    for n in (1, 2):
        response = owner_client.post(
            url("resume", school),
            {"address": f"full{n}@example.com", "explanation": EXPLANATION, "confirm": "on"},
        )
        assert response.status_code == 302
    owner_client.post(
        url("ask_support", school),
        {"address": "x@example.com", "message": "Mail to this student does not arrive."},
    )
    assert AddressInquiry.objects.count() == 0
    bounce("full3@example.com", school=school)
    response = owner_client.post(
        url("resume", school),
        {"address": "full3@example.com", "explanation": EXPLANATION, "confirm": "on"},
    )
    assert "the most the portal takes from one owner in a day" in response.content.decode()
    assert ReinstatementRequest.objects.count() == 3


# --- asking support about any address -----------------------------------------------------


def test_ask_support_files_a_question_and_tells_support(
    school, owner, owner_client, settings_support
) -> None:
    response = owner_client.post(
        url("ask_support", school),
        {"address": "Stranger@Example.com", "message": "Mail to this student does not arrive."},
    )
    assert response["Location"] == url("ask_support_sent", school)
    inquiry = AddressInquiry.objects.get()
    assert (inquiry.email, inquiry.asked_by, inquiry.status) == (
        "stranger@example.com",
        owner,
        "open",
    )
    assert inquiry.history.get().history_user == owner
    listed = owner_client.get(url("requests", school)).content.decode()
    assert "stranger@example.com" in listed and "Waiting for support" in listed


# --- my requests and withdrawing ---------------------------------------------------------


def test_requests_page_shows_status_note_and_dates(school, owner, owner_client, paused) -> None:
    agent = user_in_role("agent", "Support agent")
    request = services.request_submit(
        email="kate@example.com", school=school, actor=owner, explanation=EXPLANATION
    )
    services.request_reject(request=request, actor=agent, note="The mailbox still does not exist.")
    page = owner_client.get(url("requests", school)).content.decode()
    assert "Sending stays paused" in page and "The mailbox still does not exist." in page
    assert page.count("<time") == 2


def test_owner_withdraws_a_pending_request_by_post(school, owner, owner_client, paused) -> None:
    request = services.request_submit(
        email="kate@example.com", school=school, actor=owner, explanation=EXPLANATION
    )
    withdraw = url("request_withdraw", school, pk=request.pk)
    assert owner_client.get(withdraw).status_code == 405
    response = owner_client.post(withdraw)
    assert response["Location"] == url("request_detail", school, pk=request.pk)
    request.refresh_from_db()
    assert request.status == "withdrawn"
    assert request.history.latest().history_user == owner
    again = owner_client.post(withdraw, follow=True)
    assert "already decided" in again.content.decode()


def test_forms_carry_csrf_tokens(school, owner, paused) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    page = client.get(url("resume", school), {"address": "kate@example.com"}).content.decode()
    assert page.count('name="csrfmiddlewaretoken"') >= 3  # language, sign out, the form
    refused = client.post(
        url("resume", school),
        {"address": "kate@example.com", "explanation": EXPLANATION, "confirm": "on"},
    )
    assert refused.status_code == 403
    assert not ReinstatementRequest.objects.exists()


def test_a_user_without_a_school_sees_no_school(db) -> None:
    lonely = User.objects.create_user("lonely", password="kwiga-test")
    client = Client()
    client.force_login(lonely)
    assert "No school yet" in client.get(reverse("portal:home")).content.decode()


def test_hidden_reordering_characters_are_shown_not_applied(
    school, owner, owner_client, paused
) -> None:
    request = services.request_submit(
        email="kate@example.com",
        school=school,
        actor=owner,
        explanation="The client cleared the mailbox \u202etxt.exe today.",
    )
    page = owner_client.get(url("request_detail", school, pk=request.pk)).content.decode()
    assert "&lt;U+202E&gt;" in page and "\u202e" not in page
