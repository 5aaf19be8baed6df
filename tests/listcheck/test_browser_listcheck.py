"""An owner checks the sample messy list in a real browser and downloads the cleaned file.

Screenshots at 375 px and 1280 px go to ``var/screenshots/listcheck`` (or ``$SCREENSHOT_DIR``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from suppression.demo import DEMO_ZONE
from suppression.taxonomy import Reason
from tests.browser import chromium_page
from tests.factories import SchoolFactory, bounce, owner_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE = Path(django_settings.BASE_DIR) / "docs" / "samples" / "messy-list.csv"
SHOTS = Path(
    os.environ.get("SCREENSHOT_DIR") or Path(django_settings.BASE_DIR) / "var" / "screenshots"
)
SHOTS = SHOTS / "listcheck"


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_owner_checks_the_sample_list(live_server, settings, tmp_path, dns_zone) -> None:
    # The demo's own DNS answers, as `make run` serves them.
    for name, records in DEMO_ZONE.items():
        for rtype, value in records:
            dns_zone.add(name, rtype, value)
    settings.SUPPRESSION = {
        **settings.SUPPRESSION,
        "JOBS_MODE": "sync",
        "LIST_CHECK_DIR": str(tmp_path),
    }
    school = SchoolFactory(name="Demo School", slug="demo-school")
    other = SchoolFactory(name="Yoga with Anna", slug="yoga")
    owner_of(school, "owner")
    bounce("olena.kovalenko@gmail.com", Reason.MAILBOX_FULL, school=school)
    bounce("olena.kovalenko@gmail.com", Reason.MAILBOX_FULL, school=school)
    bounce("olena.kovalenko@gmail.com", Reason.MAILBOX_FULL, school=school)
    bounce("petro.lysenko@gmail.com", Reason.MAILBOX_UNKNOWN, school=other)

    with chromium_page() as page:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{live_server.url}/portal/login/")
        page.get_by_label("Username").fill("owner")
        page.get_by_label("Password").fill("kwiga-test")
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{live_server.url}/portal/schools/demo-school/")
        page.get_by_role("link", name="Check a list").click()
        page.get_by_role("heading", name="Check a contact list before you import it").wait_for()
        shoot(page, "01-upload")
        page.get_by_label("Contact list (CSV)").set_input_files(str(SAMPLE))
        page.get_by_role("button", name="Check the list").click()
        page.get_by_text("rows checked").wait_for()
        text = page.locator("main").inner_text()
        assert "17 rows checked" in text
        assert "ivan.shevchenko@gmail.com" in text  # the fix for gmial.com
        assert "Mailbox full" in text  # the school's own paused address, with its reason
        assert "petro.lysenko@gmail.com" in text
        assert "moroz-design.example accepts no mail (null MX)" in text
        assert "lviv-yoga-studio.example does not exist" in text
        assert "info@ is a role account" in text
        shoot(page, "02-summary")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download the cleaned list").click()
        cleaned = Path(download.value.path()).read_bytes().decode("utf-8-sig")
        assert "natalia.kovalchuk@ukr.net;+380991234567" in cleaned
        assert "anna@kravets-law.example" in cleaned  # no MX, but an A record
        assert "gmial.com" not in cleaned
    print(f"\nList check screenshots: {SHOTS}")
