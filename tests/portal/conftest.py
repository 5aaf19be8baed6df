from __future__ import annotations

import pytest
from django.test import Client

from suppression.models import School
from suppression.taxonomy import Reason

from ..factories import bounce, owner_of

EXPLANATION = "The client cleared their mailbox and confirmed it has space now."


@pytest.fixture
def owner2(other_school: School):
    return owner_of(other_school, "owner2")


@pytest.fixture
def owner_client(owner) -> Client:
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def owner2_client(owner2) -> Client:
    client = Client()
    client.force_login(owner2)
    return client


@pytest.fixture
def paused(school: School):
    """kate@example.com: a hard bounce of Demo School's mail paused it."""
    return bounce("kate@example.com", Reason.MAILBOX_UNKNOWN, school=school).opened


@pytest.fixture
def settings_support(settings):
    settings.SUPPRESSION = {**settings.SUPPRESSION, "SUPPORT_EMAIL": "support@kwiga.test"}
    return settings
