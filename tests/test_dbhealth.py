"""A kept connection is pinged before a request only after it sat idle (suppression/dbhealth.py)."""

from __future__ import annotations

import pytest
from django.db import connection

from suppression import dbhealth

pytestmark = pytest.mark.django_db


@pytest.fixture
def idle_limit(settings):
    settings.SUPPRESSION = {**settings.SUPPRESSION, "DB_HEALTH_CHECK_IDLE_SECONDS": 1.0}
    connection.ensure_connection()
    yield settings
    connection.errors_occurred = False


def next_request_pings() -> bool:
    connection.health_check_done = False  # what close_old_connections does at a request's start
    dbhealth.skip_fresh_health_checks()
    return not connection.health_check_done


def test_a_connection_that_just_served_a_request_is_not_pinged(idle_limit) -> None:
    dbhealth.note_fresh_connections()
    assert not next_request_pings()


def test_a_connection_idle_longer_than_the_limit_is_pinged(idle_limit, monkeypatch) -> None:
    dbhealth.note_fresh_connections()
    later = dbhealth.time.monotonic() + 1.5
    monkeypatch.setattr(dbhealth.time, "monotonic", lambda: later)
    assert next_request_pings()


def test_a_connection_whose_request_failed_is_pinged(idle_limit) -> None:
    setattr(connection, dbhealth._FRESH_UNTIL, 0.0)
    connection.errors_occurred = True
    dbhealth.note_fresh_connections()
    assert next_request_pings()


def test_zero_pings_before_every_request(idle_limit) -> None:
    setattr(connection, dbhealth._FRESH_UNTIL, 0.0)
    idle_limit.SUPPRESSION = {**idle_limit.SUPPRESSION, "DB_HEALTH_CHECK_IDLE_SECONDS": 0}
    dbhealth.note_fresh_connections()
    assert next_request_pings()
