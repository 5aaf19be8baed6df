import pytest
from django.contrib.auth.models import Group, Permission

from suppression.roles import (
    AUDITOR_ROLE,
    ROLES,
    SCHOOL_OWNER,
    SUPPORT_AGENT,
    SUPPORT_LEAD,
    Account,
    is_staff_for,
    lead_may_grant,
    lead_may_handle_credentials,
    lead_may_manage,
)

pytestmark = pytest.mark.django_db


def perms_of(user) -> set[str]:
    return user.get_all_permissions()


def test_every_role_exists_with_its_permissions() -> None:
    for name, perms in ROLES.items():
        group = Group.objects.get(name=name)
        got = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert got == set(perms)


def test_agent_decides_but_cannot_override(agent) -> None:
    assert agent.has_perm("suppression.decide_reinstatementrequest")
    assert agent.has_perm("suppression.add_suppression")
    assert not agent.has_perm("suppression.override_guards")


def test_lead_overrides_and_manages_agents(lead) -> None:
    assert lead.has_perm("suppression.override_guards")
    assert lead.has_perm("auth.change_user")


def test_auditor_only_views(auditor) -> None:
    perms = perms_of(auditor)
    assert perms
    assert all(p.split(".")[1].startswith("view_") for p in perms)
    assert "suppression.view_historicalsuppression" in perms


def test_nobody_may_delete_events_or_history(agent, lead, auditor, owner) -> None:
    forbidden = {
        f"suppression.{p.codename}"
        for p in Permission.objects.filter(content_type__app_label="suppression")
        if p.codename.startswith(("delete_", "change_"))
        and (
            "historical" in p.codename or p.codename.endswith(("bounceevent", "suppressionchange"))
        )
    }
    assert "suppression.delete_bounceevent" in forbidden
    for user in (agent, lead, auditor, owner):
        assert not (perms_of(user) & forbidden), user


# --- who may manage whom (pure rules) -------------------------------------------------------

AGENT_ACCOUNT = Account(groups=frozenset({SUPPORT_AGENT}))
OWNER_ACCOUNT = Account(groups=frozenset({SCHOOL_OWNER}))
NO_ROLE = Account(groups=frozenset())


@pytest.mark.parametrize(
    ("target", "manages", "credentials"),
    [
        (AGENT_ACCOUNT, True, True),
        (OWNER_ACCOUNT, True, False),
        (NO_ROLE, True, True),
        (Account(groups=frozenset({SUPPORT_AGENT, SCHOOL_OWNER})), True, False),
        (Account(groups=frozenset({SUPPORT_LEAD})), False, False),
        (Account(groups=frozenset({AUDITOR_ROLE})), False, False),
        (Account(groups=frozenset({SUPPORT_AGENT, AUDITOR_ROLE})), False, False),
        (Account(groups=frozenset(), is_superuser=True), False, False),
        (Account(groups=frozenset({SUPPORT_AGENT}), has_own_permissions=True), False, False),
    ],
)
def test_a_lead_manages_agents_and_owners_only(target, manages, credentials) -> None:
    assert lead_may_manage(target) is manages
    assert lead_may_handle_credentials(target) is credentials


@pytest.mark.parametrize(
    ("groups", "allowed"),
    [
        ({SUPPORT_AGENT}, True),
        ({SCHOOL_OWNER}, True),
        (set(), True),
        ({SUPPORT_LEAD}, False),
        ({AUDITOR_ROLE, SUPPORT_AGENT}, False),
    ],
)
def test_a_lead_grants_agent_and_owner_roles_only(groups, allowed) -> None:
    assert lead_may_grant(groups) is allowed


@pytest.mark.parametrize(
    ("groups", "superuser", "staff"),
    [
        ({SUPPORT_AGENT}, False, True),
        ({AUDITOR_ROLE}, False, True),
        ({SCHOOL_OWNER}, False, False),
        (set(), False, False),
        (set(), True, True),
    ],
)
def test_staff_status_follows_the_roles(groups, superuser, staff) -> None:
    assert is_staff_for(groups, is_superuser=superuser) is staff
