"""A real browser signs in to the support console as the demo roles would."""

import pytest

from .browser import chromium_page
from .factories import bounce, user_in_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "kwiga-test")
    page.click("input[type=submit]")


def test_agent_signs_in_and_finds_a_suppressed_address(live_server) -> None:
    user_in_role("agent", "Support agent")
    bounce("Kate.Smith@Example.com", status="5.1.1")
    with chromium_page() as page:
        sign_in(page, live_server, "agent")
        assert page.locator("#site-name").inner_text() == "Kwiga bounce suppression"
        page.click("text=Suppressions")
        page.fill("#searchbar", "kate.smith@example.com")
        page.press("#searchbar", "Enter")
        row = page.locator("#result_list tbody tr")
        assert row.count() == 1
        assert "kate.smith@example.com" in row.inner_text()
        assert "Non-existent address" in row.inner_text()


def test_wrong_password_is_refused(live_server) -> None:
    user_in_role("agent", "Support agent")
    with chromium_page() as page:
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", "agent")
        page.fill("#id_password", "wrong")
        page.click("input[type=submit]")
        assert "Please enter the correct username and password" in page.content()
