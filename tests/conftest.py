from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection

from suppression import dbroles
from suppression.models import School

from .dnsserver import ZoneResolver, start_server
from .factories import SchoolFactory, owner_of, user_in_role


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
            item.add_marker(
                pytest.mark.skip(reason="needs PostgreSQL (row locks); set DATABASE_URL to run it")
            )


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None,
) -> Iterator[None]:
    """pytest-django creates, migrates and finally drops the test database as the login role."""
    dbroles.suspend()
    yield
    dbroles.resume()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker) -> Iterator[None]:
    """Then, with DATABASE_APP_ROLE set, the tests run as that role, which may only change rows.

    The login that migrated owns the tables; it grants the application role what production's
    ``manage.py db_roles`` grants. The transactional tests' flush switches back to the login.
    """
    role = dbroles.app_role()
    with django_db_blocker.unblock():
        if role and connection.vendor == "postgresql":
            owner = dbroles.current_user(connection)
            with connection.cursor() as cursor:
                for statement in dbroles.grant_statements(owner=owner, app=role):
                    cursor.execute(statement)
        dbroles.resume()
        yield
        dbroles.suspend()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def school(db: None) -> School:
    return SchoolFactory(name="Demo School", slug="demo-school")


@pytest.fixture
def other_school(db: None) -> School:
    return SchoolFactory(name="Other School", slug="other-school")


@pytest.fixture
def agent(db: None):
    return user_in_role("agent", "Support agent")


@pytest.fixture
def lead(db: None):
    return user_in_role("lead", "Support lead")


@pytest.fixture
def auditor(db: None):
    return user_in_role("auditor", "Auditor")


@pytest.fixture
def owner(school: School):
    return owner_of(school, "owner")


@pytest.fixture(scope="session")
def dns_server() -> Iterator[tuple[ZoneResolver, int]]:
    server, resolver, port = start_server()
    yield resolver, port
    server.stop()


@pytest.fixture
def dns_zone(dns_server: tuple[ZoneResolver, int], settings) -> Iterator[ZoneResolver]:
    """Point the app's resolver at the local DNS server, with an empty zone to fill."""
    resolver, port = dns_server
    resolver.records.clear()
    settings.SUPPRESSION = {
        **settings.SUPPRESSION,
        "DNS_NAMESERVERS": ["127.0.0.1"],
        "DNS_PORT": port,
        "DNS_TIMEOUT_SECONDS": 2.0,
    }
    yield resolver
    resolver.records.clear()
