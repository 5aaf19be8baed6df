import pytest
from django.contrib.auth.models import Group, Permission

from suppression.roles import ROLES

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
