"""The user services refuse what the rules refuse, whoever calls them (admin, portal, shell)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from suppression.exceptions import NotAllowed
from suppression.roles import AUDITOR_ROLE, SCHOOL_OWNER, SUPERUSER, SUPPORT_AGENT, SUPPORT_LEAD
from suppression.services import users

pytestmark = pytest.mark.django_db


def test_lead_cannot_grant_the_lead_role_even_without_the_admin(lead, agent) -> None:
    with pytest.raises(NotAllowed):
        users.user_update(user=agent, actor=lead, why="promotion", groups={SUPPORT_LEAD})
    assert set(agent.groups.values_list("name", flat=True)) == {SUPPORT_AGENT}


@pytest.mark.parametrize("role", [SUPPORT_LEAD, AUDITOR_ROLE, SUPERUSER, SCHOOL_OWNER])
def test_lead_creates_agents_only(lead, role) -> None:
    with pytest.raises(NotAllowed):
        users.user_create(actor=lead, username="x", email="", password=None, role=role, why="hire")
    assert not User.objects.filter(username="x").exists()


def test_rules_are_checked_on_the_row_as_it_is_now(lead, agent) -> None:
    stale = User.objects.get(pk=agent.pk)
    agent.groups.add(Group.objects.get(name=AUDITOR_ROLE))  # promoted meanwhile
    with pytest.raises(NotAllowed):
        users.user_deactivate(user=stale, actor=lead, why="left")
    assert User.objects.get(pk=agent.pk).is_active


def test_deactivation_is_recorded_with_who_and_why(lead, owner) -> None:
    users.user_deactivate(user=owner, actor=lead, why="school closed")
    row = User.history.filter(id=owner.pk).latest()
    assert (row.history_user, row.history_change_reason, row.is_active) == (
        lead,
        "deactivated: school closed",
        False,
    )


def test_an_inactive_lead_manages_nobody(lead, agent) -> None:
    lead.is_active = False
    with pytest.raises(NotAllowed):
        users.user_deactivate(user=agent, actor=lead, why="left")


def test_superuser_creates_a_superuser_without_a_role(admin_user) -> None:
    created = users.user_create(
        actor=admin_user, username="root2", email="", password=None, role=SUPERUSER, why="backup"
    )
    assert created.is_superuser and created.is_staff and not created.has_usable_password()
    assert not created.groups.exists()


@pytest.mark.postgres
def test_the_users_audit_trail_cannot_be_rewritten_in_sql(lead, agent) -> None:
    from django.db import connection, transaction

    users.user_update(user=agent, actor=lead, why="covers nights", groups={SUPPORT_AGENT})
    for table, column in (
        ("suppression_historicaluser", "history_id"),
        ("suppression_historicaluser_groups", "m2m_history_id"),
    ):
        for sql in (
            f"UPDATE {table} SET id = id + 1",
            f"DELETE FROM {table} WHERE {column} > 0",
        ):
            with (
                pytest.raises(Exception, match="append-only"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql)


def test_group_changes_from_the_groups_side_are_recorded_per_user(agent) -> None:
    group = Group.objects.get(name=AUDITOR_ROLE)
    group.user_set.add(agent)
    added = User.history.filter(id=agent.pk).latest()
    assert {row.group.name for row in added.groups.all()} == {SUPPORT_AGENT, AUDITOR_ROLE}
    group.user_set.clear()
    cleared = User.history.filter(id=agent.pk).latest()
    assert {row.group.name for row in cleared.groups.all()} == {SUPPORT_AGENT}
