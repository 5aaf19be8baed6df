"""The console's settings are checked at start-up like the others."""

from __future__ import annotations

import pytest

from suppression.checks import check_suppression_settings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [
        ("RAW_MESSAGE_RETENTION_DAYS", 0, "suppression.E003"),
        ("CONSOLE_DNS_CACHE_SECONDS", "300", "suppression.E003"),
        ("CASE_TIMELINE_PAGE_SIZE", -5, "suppression.E003"),
        ("CONSOLE_DNS_TIMEOUT_SECONDS", 0, "suppression.E004"),
        ("CONSOLE_DNS_TIMEOUT_SECONDS", "1.5", "suppression.E004"),
    ],
)
def test_bad_console_settings_are_refused(settings, name: str, value: object, error: str) -> None:
    settings.SUPPRESSION = {**settings.SUPPRESSION, name: value}
    assert {e.id for e in check_suppression_settings()} == {error}
