"""The console and the API docs work in a real browser under the Content-Security-Policy.

Chromium reports every refused script, style, image or connection as a `securitypolicyviolation`
event and a console error; both are collected on each page and must stay empty. Requests to any
other host are aborted and recorded, so the pages are proven to work offline.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from suppression.models import Suppression

from .browser import chromium_page
from .factories import SchoolFactory, bounce, user_in_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "var" / "browser"

WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


class Watched:
    """A page whose CSP violations, console errors and off-site requests are collected."""

    def __init__(self, page, live_server) -> None:
        self.page = page
        self.origin = live_server.url
        self.console: list[str] = []
        self.offsite: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console.append(f"page error: {error}"))
        page.route("**/*", self._route)
        page.add_init_script(WATCH_VIOLATIONS)

    def _on_console(self, message) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            self.console.append(message.text)

    def _route(self, route) -> None:
        if route.request.url.startswith(self.origin):
            route.continue_()
        else:
            self.offsite.append(route.request.url)
            route.abort()

    def visit(self, path: str, screenshot: str) -> None:
        response = self.page.goto(f"{self.origin}{path}")
        assert response is not None and response.ok, path
        assert "script-src 'self'" in (response.headers.get("content-security-policy") or "")
        self.page.wait_for_load_state("networkidle")
        self.settled(screenshot)

    def settled(self, screenshot: str, *, expected_console: tuple[str, ...] = ()) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{screenshot}.png"), full_page=True)
        violations = self.page.evaluate("window.__cspViolations || []")
        assert violations == [], (self.page.url, violations)
        unexpected = [m for m in self.console if not m.startswith(expected_console or ("\0",))]
        assert unexpected == [], (self.page.url, self.console)
        assert self.offsite == [], (self.page.url, self.offsite)


def test_the_admin_works_under_the_policy(live_server, admin_user) -> None:
    school = SchoolFactory(name="Demo School", slug="demo-school")
    bounce("Kate.Smith@Example.com", status="5.1.1", school=school)
    user_in_role("agent", "Support agent")
    suppression_id = Suppression.objects.get().pk
    with chromium_page() as page:
        watched = Watched(page, live_server)
        watched.visit("/admin/login/", "csp-admin-login")
        page.get_by_label("Username").fill("admin")
        page.get_by_label("Password").fill("password")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/admin/")
        watched.settled("csp-admin-index")
        assert page.get_by_role("link", name="Suppressions").is_visible()

        watched.visit("/admin/suppression/suppression/", "csp-suppression-changelist")
        assert "kate.smith@example.com" in page.locator("#result_list").inner_text()
        watched.visit("/admin/suppression/school/", "csp-school-changelist")
        # The changelist's own script runs: ticking a row updates the action bar's counter.
        page.locator("#result_list tbody input.action-select").first.check()
        assert "1 of 1 selected" in page.locator(".action-counter").inner_text()
        watched.settled("csp-school-changelist-selected")

        watched.visit(f"/admin/suppression/suppression/{suppression_id}/change/", "csp-change")
        watched.visit(f"/admin/suppression/school/{school.pk}/change/", "csp-school-change")
        # The inline formset's script adds a row, and its user autocomplete (select2) fetches
        # choices from the server: scripts, styles and the fetch all pass the policy.
        page.locator(".add-row a").click()
        assert page.locator("tr[class*='dynamic-']").count() == 1
        page.locator("tr[class*='dynamic-'] .select2-selection").click()
        page.locator(".select2-results__option", has_text="agent").wait_for()
        watched.settled("csp-school-change-inline")

        watched.visit("/admin/auth/user/add/", "csp-user-add")


def test_the_lockout_page_renders_under_the_policy(live_server) -> None:
    user_in_role("agent", "Support agent")
    with chromium_page() as page:
        watched = Watched(page, live_server)
        page.goto(f"{live_server.url}/admin/login/")
        for n in range(5):
            page.get_by_label("Username").fill("agent")
            page.get_by_label("Password").fill(f"guess-{n}")
            with page.expect_navigation():
                page.get_by_role("button", name="Log in").click()
        page.get_by_role("heading", name="Sign-in locked").wait_for()
        assert "ask a support lead" in page.content()
        # Chromium logs the 429 itself as a console error; that one is expected.
        watched.settled(
            "csp-lockout",
            expected_console=(
                "Failed to load resource: the server responded with a status of 429",
            ),
        )


def test_the_api_docs_render_offline_under_the_policy(live_server) -> None:
    with chromium_page() as page:
        watched = Watched(page, live_server)
        watched.visit("/api/v1/docs", "csp-api-docs")
        page.locator(".opblock").first.wait_for()
        operations = page.locator(".opblock-summary-path").all_inner_texts()
        assert "/api/v1/suppressions/check" in operations
        assert "/api/v1/bounces" in operations
        # Expanding an operation runs more of Swagger UI's code; still nothing refused.
        page.locator(".opblock-summary").first.click()
        page.locator(".opblock-body").first.wait_for()
        watched.settled("csp-api-docs-expanded")
