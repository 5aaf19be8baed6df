"""A real browser: an auditor finds an agent's decision in the audit log, with the agent's note,
and no control that changes anything; the console's lists and dashboard draw under the CSP.
Screenshots at 1280 px go to var/screenshots/console/."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from suppression import services
from suppression.taxonomy import Reason

from .browser import chromium_page
from .factories import SchoolFactory, bounce, user_in_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[1] / "var" / "screenshots" / "console"
NOTE = "The client cleared the mailbox; sending resumed."


def _sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "kwiga-test")
    page.click("input[type=submit]")


def _world() -> None:
    agent = user_in_role("agent", "Support agent")
    user_in_role("auditor", "Auditor")
    school = SchoolFactory(name="Demo School", slug="demo-school")
    now = timezone.now()
    for i in range(3):
        bounce(
            "olena@example.com",
            Reason.MAILBOX_FULL,
            school=school,
            at=now - timedelta(days=3, hours=i),
        )
    for i in range(12):
        bounce(
            f"user{i}@example.com",
            Reason.MAILBOX_UNKNOWN,
            school=school,
            at=now - timedelta(days=i % 9),
        )
    request = services.request_submit(
        email="olena@example.com", school=school, actor=agent, explanation="Mailbox emptied."
    )
    services.request_approve(request=request, actor=agent, note=NOTE)
    services.request_submit(
        email="user1@example.com", school=school, actor=agent, explanation="Typo fixed."
    )


def test_an_auditor_finds_the_decision_and_can_change_nothing(live_server) -> None:
    _world()
    SHOTS.mkdir(parents=True, exist_ok=True)
    with chromium_page() as page:
        violations: list[str] = []
        page.on(
            "console",
            lambda message: (
                violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        page.set_viewport_size({"width": 1280, "height": 900})
        _sign_in(page, live_server, "auditor")
        # The dashboard on the index, with its link to the audit log.
        assert page.locator("#dashboard svg.console-chart rect").count() > 0
        assert "1 pending request" in page.locator("#dashboard").inner_text()
        page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=True)
        page.get_by_role("link", name="Audit log").first.click()
        page.get_by_label("Object type").select_option(label="Reinstatement request")
        page.click("input[type=submit][value=Filter]")
        log = page.locator("#audit-log")
        assert f"request approved by agent: {NOTE}" in log.inner_text()
        page.screenshot(path=str(SHOTS / "audit-log.png"), full_page=True)
        # Nothing on the page writes: the only form is the GET filter form.
        content = page.locator("#content")
        assert content.locator("form[method=post]").count() == 0
        assert content.locator("form").count() == 1
        assert content.locator("form").get_attribute("method") == "get"
        # The row leads to the request, which the auditor may read but not change.
        log.get_by_role("link").first.click()
        assert page.locator("input[type=submit][name=_save]").count() == 0
        page.goto(f"{live_server.url}/admin/suppression/reinstatementrequest/")
        assert "user1@example.com" in page.locator("#request-queue").inner_text()
        page.screenshot(path=str(SHOTS / "queue.png"), full_page=True)
        page.goto(f"{live_server.url}/admin/suppression/bounceevent/?reason=mailbox_full")
        assert "3 events match." in page.locator("#content").inner_text()
        page.screenshot(path=str(SHOTS / "events.png"), full_page=True)
        assert violations == []
