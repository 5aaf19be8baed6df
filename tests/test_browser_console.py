"""The support console in a real browser: a case from the index search to a decision.

Screenshots of the key pages at 1280 px are kept in ``var/screenshots/console`` (or
``$SCREENSHOT_DIR/console``). Every page is also watched for CSP violations and console errors.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from suppression import services
from suppression.models import ReinstatementRequest
from suppression.selectors import is_suppressed
from suppression.taxonomy import Reason

from .browser import chromium_page
from .factories import SchoolFactory, bounce, owner_of, user_in_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("SCREENSHOT_DIR") or Path(settings.BASE_DIR) / "var" / "screenshots")
SHOTS = SHOTS / "console"
ARTICLE = "The client confirmed that they cleared their mailbox."


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


class Actions:
    """Counts what the person does on the page (typing, a key, a click)."""

    def __init__(self, page) -> None:
        self.page, self.count = page, 0

    def fill(self, locator, text: str) -> None:
        self.count += 1
        locator.fill(text)

    def press(self, locator, key: str) -> None:
        self.count += 1
        locator.press(key)

    def click(self, locator) -> None:
        self.count += 1
        locator.click()


def watch(page) -> list[str]:
    """Collect console errors (CSP violations among them) and failed requests of this tab."""
    problems: list[str] = []

    def on_console(message) -> None:
        # Chromium asks every origin for /favicon.ico; the console has none.
        if message.type == "error" and not message.location.get("url", "").endswith("favicon.ico"):
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    return problems


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("kwiga-test")
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Find an address").wait_for()


@pytest.fixture
def world(db):
    school = SchoolFactory(name="Demo School", slug="demo-school")
    owner = owner_of(school, "owner")
    user_in_role("agent", "Support agent")
    user_in_role("lead", "Support lead")
    user_in_role("auditor", "Auditor")
    now = timezone.now()
    for days in (6, 3, 1):  # the support article's case: a full mailbox, three soft bounces
        bounce(
            "olena.kovalenko@gmail.com",
            Reason.MAILBOX_FULL,
            school=school,
            at=now - timedelta(days=days),
        )
    full = services.request_submit(
        email="olena.kovalenko@gmail.com", school=school, actor=owner, explanation=ARTICLE
    )
    bounce("angry.reader@ukr.net", Reason.COMPLAINT, school=school)
    angry = services.request_submit(
        email="angry.reader@ukr.net",
        school=school,
        actor=owner,
        explanation="The client says the spam report was a slip of the finger.",
    )
    bounce("ivan.petrenko@gmail.com", Reason.MAILBOX_UNKNOWN, school=school)
    typo = services.request_submit(
        email="ivan.petrenko@gmail.com",
        school=school,
        actor=owner,
        explanation="The client says the address works again.",
    )
    return {"owner": owner, "full": full, "angry": angry, "typo": typo}


def test_agent_works_the_support_articles_case_in_at_most_six_actions(live_server, world) -> None:
    with chromium_page() as page:
        problems = watch(page)
        sign_in(page, live_server, "agent")
        shoot(page, "01-index-search")
        act = Actions(page)
        search = page.get_by_label("Find an address")
        act.fill(search, "Olena.Kovalenko@gmail.com")
        act.press(search, "Enter")
        page.get_by_role("heading", name="olena.kovalenko@gmail.com").wait_for()
        banner = page.get_by_label("Sending status")
        assert "Sending is paused." in banner.inner_text()
        assert "Mailbox full (repeated soft bounces)" in banner.inner_text()
        assert ARTICLE in page.locator(".explanation").inner_text()
        assert page.locator("#timeline tbody tr").count() == 3
        shoot(page, "02-case-page-agent")
        act.fill(page.get_by_label("Note to the school owner (resume)"), "Mailbox has room now.")
        act.click(page.get_by_role("button", name="Resume sending…"))
        page.get_by_role("heading", name="Resume sending to olena.kovalenko@gmail.com?").wait_for()
        shoot(page, "03-confirm-resume")
        act.click(page.get_by_role("button", name="Confirm: resume sending"))
        page.get_by_text("Sending to olena.kovalenko@gmail.com resumed").wait_for()
        assert "Sending is on." in page.get_by_label("Sending status").inner_text()
        shoot(page, "04-resumed")
        assert act.count <= 6, act.count
    world["full"].refresh_from_db()
    assert world["full"].status == "approved"
    assert not is_suppressed("olena.kovalenko@gmail.com")
    assert not problems, problems


def test_agent_sees_the_guard_refuse_before_clicking(live_server, world) -> None:
    with chromium_page() as page:
        problems = watch(page)
        sign_in(page, live_server, "agent")
        page.get_by_label("Find an address").fill("angry.reader@ukr.net")
        page.get_by_label("Find an address").press("Enter")
        page.get_by_role("heading", name="angry.reader@ukr.net").wait_for()
        assert page.get_by_role("button", name="Resume sending…").is_disabled()
        assert page.get_by_text("Only a support lead can resume sending here").is_visible()
        assert page.locator(".guards li.lead").inner_text().startswith("Needs a lead:")
        assert page.get_by_label("Why you resume sending although").count() == 0
        shoot(page, "05-guard-refuses-agent")
    assert is_suppressed("angry.reader@ukr.net") and not problems, problems


def test_lead_overrides_with_a_reason(live_server, world) -> None:
    reason = "The recipient wrote to support asking for the course mail again."
    with chromium_page() as page:
        problems = watch(page)
        sign_in(page, live_server, "lead")
        page.get_by_label("Find an address").fill("angry.reader")
        page.get_by_label("Find an address").press("Enter")
        page.get_by_role("heading", name="angry.reader@ukr.net").wait_for()
        assert page.get_by_text("you may resume sending anyway, and must write why").is_visible()
        page.get_by_label("Note to the school owner (resume)").fill("Resumed at their request.")
        page.get_by_label("Why you resume sending although").fill(reason)
        shoot(page, "06-lead-override")
        page.get_by_role("button", name="Resume sending…").click()
        assert page.get_by_text(f"Your reason for overriding: {reason}").is_visible()
        page.get_by_role("button", name="Confirm: resume sending").click()
        page.get_by_text("Sending to angry.reader@ukr.net resumed").wait_for()
        requests = page.locator("#requests").inner_text()
        assert reason in requests and "Approved" in requests
        shoot(page, "07-lead-override-done")
    assert ReinstatementRequest.objects.get(pk=world["angry"].pk).override_reason == reason
    assert not problems, problems


def test_a_rejection_note_reaches_the_owners_mail_and_the_auditor_sees_it(
    live_server, world
) -> None:
    note = "The server still says the mailbox does not exist: ask the client to check it."
    with chromium_page() as page:
        problems = watch(page)
        sign_in(page, live_server, "agent")
        page.get_by_label("Find an address").fill("ivan.petrenko@gmail.com")
        page.get_by_label("Find an address").press("Enter")
        page.get_by_label("Note to the school owner (reject)").fill(note)
        page.get_by_role("button", name="Reject…").click()
        page.get_by_role("heading", name="Reject this request?").wait_for()
        shoot(page, "08-confirm-reject")
        page.get_by_role("button", name="Confirm: reject").click()
        page.get_by_text("rejected; the owner gets your note").wait_for()
    mails = [m for m in mail.outbox if m.to == [world["owner"].email]]
    assert any(note in m.body for m in mails), [m.subject for m in mail.outbox]
    assert is_suppressed("ivan.petrenko@gmail.com")

    with chromium_page() as page:
        problems += watch(page)
        sign_in(page, live_server, "auditor")
        page.get_by_label("Find an address").fill("ivan.petrenko@gmail.com")
        page.get_by_label("Find an address").press("Enter")
        page.get_by_role("heading", name="ivan.petrenko@gmail.com").wait_for()
        assert note in page.locator("#requests").inner_text()
        assert f"rejected: {note}" in page.locator("#history").inner_text()
        # no control that changes anything: the only form is the sign-out button
        assert page.locator("form[method=post]").count() == 1
        assert page.get_by_role("button", name="Reject…").count() == 0
        shoot(page, "09-auditor-case")
    assert not problems, problems
