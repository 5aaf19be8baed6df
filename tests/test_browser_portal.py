"""A school owner uses the portal in a real browser, in English and in Ukrainian.

Screenshots of each key page at 375 px and 1280 px wide are kept in ``var/screenshots/portal``
(or ``$SCREENSHOT_DIR``), the path printed at the end.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from suppression.models import ReinstatementRequest
from suppression.taxonomy import Reason

from .browser import chromium_page
from .factories import SchoolFactory, bounce, owner_of, user_in_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("SCREENSHOT_DIR") or Path(settings.BASE_DIR) / "var" / "screenshots")
SHOTS = SHOTS / "portal"
WIDTHS = (375, 1280)


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_owner_asks_support_approves_owner_sees_it_in_english_and_ukrainian(live_server) -> None:
    school = SchoolFactory(name="Demo School", slug="demo-school")
    second = SchoolFactory(name="Second School", slug="second-school")
    owner = owner_of(school, "owner")
    owner_of(second, "owner")
    agent = user_in_role("agent", "Support agent")
    now = timezone.now()
    for days in (6, 3, 0):
        bounce(
            "kate.smith@example.com",
            Reason.MAILBOX_FULL,
            school=school,
            at=now - timedelta(days=days),
        )
    bounce("ivan.petrenko@gmail.com", Reason.MAILBOX_UNKNOWN, school=school)
    bounce("olena@company-gone.example", Reason.DOMAIN_UNKNOWN, school=school)
    bounce("angry.reader@ukr.net", Reason.COMPLAINT, school=school)

    with chromium_page() as page:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{live_server.url}/portal/")
        shoot(page, "01-sign-in")
        page.get_by_label("Username").fill("owner")
        page.get_by_label("Password").fill("kwiga-test")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Your schools").wait_for()
        page.get_by_role("link", name="Demo School").click()

        # the paused list, searched by address
        page.get_by_role("heading", name="Paused addresses").wait_for()
        assert (
            page.locator("table").get_by_text("The recipient marked our mail as spam.").count() == 1
        )
        shoot(page, "02-paused")
        page.get_by_label("Address or domain").fill("Kate.Smith@Example.com")
        page.get_by_role("button", name="Search").click()
        rows = page.locator("table tbody tr")
        assert rows.count() == 1
        assert "The mailbox is full." in rows.inner_text()

        # keyboard only: reach the row's button by tabbing, with a visible focus ring
        page.get_by_role("link", name="Ask to resume kate.smith@example.com").focus()
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none"
        page.keyboard.press("Enter")
        page.get_by_role("heading", name="Ask to resume sending").wait_for()
        page.get_by_label("What did the client do?").fill(
            "The client deleted old mail and confirmed the mailbox has space now."
        )
        page.get_by_label("The client told me the problem is solved.").check()
        shoot(page, "03-resume-form")
        page.get_by_role("button", name="Send the request to support").click()
        page.get_by_text("Your request was sent.").wait_for()
        assert page.get_by_text("Waiting for support").first.is_visible()
        shoot(page, "04-request-pending")

        # the complaint is explained, not offered a form
        page.goto(
            f"{live_server.url}/portal/schools/demo-school/resume/?address=angry.reader@ukr.net"
        )
        assert page.get_by_text("Support cannot resume this address on your request").is_visible()
        assert page.get_by_label("What did the client do?").count() == 0
        shoot(page, "05-complaint-explained")

        # support approves in the console, with a note, in a browser of its own
        request = ReinstatementRequest.objects.get(address__address="kate.smith@example.com")
        console = page.context.browser.new_page()
        console.goto(f"{live_server.url}/admin/login/")
        console.get_by_label("Username").fill(agent.username)
        console.get_by_label("Password").fill("kwiga-test")
        console.get_by_role("button", name="Log in").click()
        console.get_by_label("Find an address").fill("kate.smith@example.com")
        console.get_by_label("Find an address").press("Enter")
        console.get_by_label("Note to the school owner (resume)").fill(
            "Checked the history: the mailbox has room."
        )
        console.get_by_role("button", name="Resume sending…").click()
        console.get_by_role("button", name="Confirm: resume sending").click()
        console.get_by_text("Sending to kate.smith@example.com resumed").wait_for()
        console.close()

        page.goto(f"{live_server.url}/portal/schools/demo-school/requests/")
        row = page.locator("table tbody tr").first
        assert "Sending resumed" in row.inner_text()
        assert "Checked the history: the mailbox has room." in row.inner_text()
        shoot(page, "06-requests-approved")
        page.get_by_role("link", name="Paused addresses").click()
        listed = page.locator("table tbody").inner_text()
        assert "kate.smith@example.com" not in listed and "ivan.petrenko@gmail.com" in listed

        # the same pages in Ukrainian, through the switch on the page
        page.get_by_role("button", name="Українська").click()
        page.get_by_role("heading", name="Призупинені адреси").wait_for()
        assert page.locator("html").get_attribute("lang") == "uk"
        assert page.locator("table").get_by_text("Такої адреси не існує.").is_visible()
        shoot(page, "07-paused-uk")
        page.get_by_role("link", name="Запити", exact=True).click()
        assert "Надсилання відновлено" in page.locator("table tbody tr").first.inner_text()
        shoot(page, "08-requests-uk")
        page.get_by_text("Інша школа").click()
        page.get_by_role("link", name="Second School").click()
        page.get_by_text("Нічого не призупинено").wait_for()
        shoot(page, "09-second-school-uk")
        page.goto(f"{live_server.url}/portal/schools/demo-school/requests/{request.pk}/")
        shoot(page, "10-request-approved-uk")
    owner.refresh_from_db()
    assert owner.owner_profile.language == "uk"
    print(f"\nPortal screenshots: {SHOTS}")
