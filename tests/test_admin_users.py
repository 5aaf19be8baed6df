"""Users in the admin: a lead manages agents and owners and never rises above the role.

Real HTTP: each page is fetched, its own rendered values are posted back with a valid CSRF token
and with the change a person would make (or a tester would try).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from suppression.models import SchoolMembership
from suppression.roles import SCHOOL_OWNER, SUPPORT_AGENT, SUPPORT_LEAD

from .adminhttp import csrf_client, get_then_post, post_with_token, snapshot
from .factories import UserFactory, user_in_role

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-new-passphrase-7"


def change_url(user: User) -> str:
    return reverse("admin:auth_user_change", args=[user.pk])


def password_url(user: User) -> str:
    return reverse("admin:auth_user_password_change", args=[user.pk])


def group_id(name: str) -> str:
    return str(Group.objects.get(name=name).pk)


def roles_of(user: User) -> set[str]:
    return set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


def last_history(user: User):
    return User.history.filter(id=user.pk).latest()


def signs_in(user: User, password: str = "kwiga-test") -> bool:
    # django-axes needs the request that a real sign-in has.
    return Client().login(request=HttpRequest(), username=user.username, password=password)


# --- a lead manages agents ------------------------------------------------------------------


def test_lead_creates_an_agent(lead) -> None:
    http = csrf_client(lead)
    response = get_then_post(
        http,
        reverse("admin:auth_user_add"),
        {
            "username": "new-agent",
            "email": "new-agent@staff.example.com",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "role": SUPPORT_AGENT,
            "why": "joins the support team",
        },
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    created = User.objects.get(username="new-agent")
    assert roles_of(created) == {SUPPORT_AGENT}
    assert created.is_staff and not created.is_superuser and created.is_active
    assert signs_in(created, NEW_PASSWORD)
    rows = list(User.history.filter(id=created.pk).order_by("history_id"))
    assert {row.history_user for row in rows} == {lead}
    assert all("joins the support team" in row.history_change_reason for row in rows)
    assert {g.group.name for g in rows[-1].groups.all()} == {SUPPORT_AGENT}


@pytest.mark.parametrize("role", [SUPPORT_LEAD, "Auditor", "Superuser", SCHOOL_OWNER])
def test_lead_cannot_create_anyone_but_an_agent(lead, role) -> None:
    http = csrf_client(lead)
    before = snapshot()
    response = get_then_post(
        http,
        reverse("admin:auth_user_add"),
        {
            "username": "climber",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "role": role,
            "why": "promotion",
        },
    )
    assert response.status_code == 200  # the form refuses the choice
    assert "role" in response.context["adminform"].form.errors
    assert snapshot() == before


def test_lead_deactivates_an_agent_who_is_signed_out_everywhere(lead, agent) -> None:
    session = Client()
    session.force_login(agent)
    assert session.get(reverse("admin:index")).status_code == 200
    http = csrf_client(lead)
    response = get_then_post(http, change_url(agent), {"is_active": "", "why": "left the company"})
    assert response.status_code == 302, response.context and response.context["errors"]
    agent.refresh_from_db()
    assert not agent.is_active
    assert not signs_in(agent)
    assert session.get(reverse("admin:index")).status_code == 302  # to the login page
    row = last_history(agent)
    assert (row.history_user, row.history_change_reason) == (lead, "left the company")
    assert not row.is_active


def test_lead_deactivates_a_school_owner(lead, owner) -> None:
    response = get_then_post(
        csrf_client(lead), change_url(owner), {"is_active": "", "why": "school closed"}
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    owner.refresh_from_db()
    assert not owner.is_active and not owner.is_staff
    assert last_history(owner).history_user == lead


def test_a_change_without_a_reason_is_refused(lead, agent) -> None:
    http = csrf_client(lead)
    before = snapshot()
    response = get_then_post(http, change_url(agent), {"is_active": "", "why": ""})
    assert response.status_code == 200
    assert "why" in response.context["adminform"].form.errors
    assert snapshot() == before


def test_lead_resets_an_agents_password(lead, agent) -> None:
    response = get_then_post(
        csrf_client(lead),
        password_url(agent),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "why": "forgot it"},
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert signs_in(agent, NEW_PASSWORD) and not signs_in(agent)
    row = last_history(agent)
    assert (row.history_user, row.history_change_reason) == (lead, "password set: forgot it")
    assert not hasattr(row, "password")  # the hash is kept out of the audit trail


def test_lead_puts_a_user_in_and_out_of_the_agent_group(lead) -> None:
    user = UserFactory(username="helper")
    http = csrf_client(lead)
    response = get_then_post(
        http, change_url(user), {"groups": [group_id(SUPPORT_AGENT)], "why": "covers nights"}
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    assert roles_of(user) == {SUPPORT_AGENT} and User.objects.get(pk=user.pk).is_staff
    added = last_history(user)
    assert added.history_user == lead and added.history_change_reason == "covers nights"
    assert {g.group.name for g in added.groups.all()} == {SUPPORT_AGENT}

    response = get_then_post(http, change_url(user), {"groups": [], "why": "back to sales"})
    assert response.status_code == 302, response.context and response.context["errors"]
    assert roles_of(user) == set() and not User.objects.get(pk=user.pk).is_staff
    removed = last_history(user)
    assert removed.history_change_reason == "back to sales" and not removed.groups.exists()
    assert not removed.is_staff


# --- a lead does not rise above the role ----------------------------------------------------


def test_lead_cannot_make_themselves_superuser(lead) -> None:
    http = csrf_client(lead)
    before = snapshot()
    response = get_then_post(
        http, change_url(lead), {"is_superuser": "on", "is_staff": "on", "why": "because"}
    )
    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("target", ["auditor", "admin_user", "other_lead"])
def test_lead_cannot_edit_a_lead_auditor_or_superuser(request, lead, target) -> None:
    victim = (
        user_in_role("lead2", SUPPORT_LEAD)
        if target == "other_lead"
        else request.getfixturevalue(target)
    )
    http = csrf_client(lead)
    page = http.get(change_url(victim))
    assert page.status_code == 200 and b'name="_save"' not in page.content  # view only
    before = snapshot()
    for url, data in [
        (change_url(victim), {"is_active": "", "first_name": "X", "why": "x"}),
        (change_url(victim), {"groups": [group_id(SUPPORT_AGENT)], "why": "demote"}),
    ]:
        assert get_then_post(http, url, data).status_code == 403
    response = post_with_token(
        http,
        password_url(victim),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "why": "take over"},
    )
    assert response.status_code == 403
    assert http.get(password_url(victim)).status_code == 403
    assert snapshot() == before


def test_lead_cannot_set_an_owners_password_or_sign_in(lead, owner) -> None:
    http = csrf_client(lead)
    assert http.get(password_url(owner)).status_code == 403
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "why": "take over"}
    assert post_with_token(http, password_url(owner), data).status_code == 403
    users_before = {k: v for k, v in snapshot().items() if "user" in k}
    response = get_then_post(
        http,
        change_url(owner),
        {"email": "lead@staff.example.com", "username": "lead-owner", "why": "take over"},
    )
    # Username and email are not editable for a lead: the posted values are ignored.
    assert response.status_code == 302
    assert {k: v for k, v in snapshot().items() if "user" in k} == users_before


def test_lead_cannot_grant_a_group_above_agent(lead, agent) -> None:
    http = csrf_client(lead)
    before = snapshot()
    for group in [SUPPORT_LEAD, "Auditor"]:
        response = get_then_post(
            http, change_url(agent), {"groups": [group_id(group)], "why": "promotion"}
        )
        assert response.status_code == 200
        assert "groups" in response.context["adminform"].form.errors
    assert snapshot() == before


def test_lead_cannot_set_superuser_staff_or_permissions_on_an_agent(lead, agent) -> None:
    http = csrf_client(lead)
    perm = Permission.objects.get(codename="delete_bounceevent")
    response = get_then_post(
        http,
        change_url(agent),
        {
            "is_superuser": "on",
            "is_staff": "",
            "user_permissions": [str(perm.pk)],
            "first_name": "Alex",
            "why": "name fixed",
        },
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    agent = User.objects.get(pk=agent.pk)
    assert agent.first_name == "Alex"  # what a lead may change, changed
    assert not agent.is_superuser and agent.is_staff and not agent.user_permissions.exists()


@pytest.mark.parametrize("role", ["agent", "auditor"])
def test_agents_and_auditors_read_users_and_their_history_but_change_none(request, role) -> None:
    http = csrf_client(request.getfixturevalue(role))
    target = user_in_role("agent-b", SUPPORT_AGENT)
    history = http.get(reverse("admin:auth_user_history", args=[target.pk]))
    assert history.status_code == 200 and b"Support agent" in history.content
    assert http.get(reverse("admin:auth_user_add")).status_code == 403
    before = snapshot()
    response = get_then_post(http, change_url(target), {"is_active": "", "why": "x"})
    assert response.status_code == 403
    assert http.get(password_url(target)).status_code == 403
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "why": "x"}
    assert post_with_token(http, password_url(target), data).status_code == 403
    assert snapshot() == before


# --- a superuser makes every role; nobody is deleted ---------------------------------------


def test_superuser_makes_a_lead_and_sets_the_auditors_password(admin_user, auditor) -> None:
    http = csrf_client(admin_user)
    response = get_then_post(
        http,
        reverse("admin:auth_user_add"),
        {
            "username": "new-lead",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "role": SUPPORT_LEAD,
            "why": "team grew",
        },
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    assert roles_of(User.objects.get(username="new-lead")) == {SUPPORT_LEAD}
    response = get_then_post(
        http,
        password_url(auditor),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "why": "rotation"},
    )
    assert response.status_code == 302
    assert signs_in(auditor, NEW_PASSWORD)


def test_superuser_cannot_deactivate_themselves(admin_user) -> None:
    http = csrf_client(admin_user)
    before = snapshot()
    response = get_then_post(http, change_url(admin_user), {"is_active": "", "why": "oops"})
    assert response.status_code == 200
    assert snapshot() == before


@pytest.mark.parametrize("role", ["admin_user", "lead"])
def test_nobody_deletes_a_user_or_a_role(request, role, agent) -> None:
    http = csrf_client(request.getfixturevalue(role))
    group = Group.objects.get(name=SUPPORT_AGENT)
    before = snapshot()
    for url in [
        reverse("admin:auth_user_delete", args=[agent.pk]),
        reverse("admin:auth_group_delete", args=[group.pk]),
    ]:
        assert http.get(url).status_code == 403
        token = http.get(reverse("admin:auth_user_changelist")).context["csrf_token"]
        assert http.post(url, {"post": "yes", "csrfmiddlewaretoken": token}).status_code == 403
    changelist = http.get(reverse("admin:auth_user_changelist"))
    assert b"delete_selected" not in changelist.content
    response = http.post(
        reverse("admin:auth_user_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [agent.pk],
            "post": "yes",
            "csrfmiddlewaretoken": changelist.context["csrf_token"],
        },
    )
    assert response.status_code in (200, 302)
    assert snapshot() == before


def test_roles_are_not_edited_in_the_admin(admin_user) -> None:
    http = csrf_client(admin_user)
    group = Group.objects.get(name=SUPPORT_AGENT)
    before = snapshot()
    assert http.get(reverse("admin:auth_group_add")).status_code == 403
    page = http.get(reverse("admin:auth_group_change", args=[group.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    token = page.context["csrf_token"]
    response = http.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": "Support agent", "permissions": [], "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 403
    assert snapshot() == before


# --- school memberships ---------------------------------------------------------------------


def _school_form(school, *, add_user=None, delete=None) -> dict:
    rows = list(school.memberships.order_by("pk"))
    data = {
        "name": school.name,
        "slug": school.slug,
        "memberships-TOTAL_FORMS": str(len(rows) + (1 if add_user else 0)),
        "memberships-INITIAL_FORMS": str(len(rows)),
    }
    for i, row in enumerate(rows):
        data[f"memberships-{i}-id"] = str(row.pk)
        data[f"memberships-{i}-school"] = str(school.pk)
        if delete == row:
            data[f"memberships-{i}-DELETE"] = "on"
    if add_user:
        data[f"memberships-{len(rows)}-school"] = str(school.pk)
        data[f"memberships-{len(rows)}-user"] = str(add_user.pk)
    return data


def test_memberships_are_for_owners_and_removed_on_the_audit_trail(
    lead, school, owner, agent
) -> None:
    http = csrf_client(lead)
    membership = school.memberships.get(user=owner)
    url = reverse("admin:suppression_school_change", args=[school.pk])
    before = snapshot()
    response = get_then_post(http, url, _school_form(school, add_user=agent))
    assert response.status_code == 200  # an agent is not a school owner
    assert snapshot() == before
    response = get_then_post(http, url, _school_form(school, delete=membership))
    assert response.status_code == 302, response.context and response.context["errors"]
    assert not school.memberships.exists()
    row = SchoolMembership.history.filter(id=membership.pk).latest()
    assert (row.history_type, row.history_user) == ("-", lead)
    assert row.history_change_reason == "owner removed in the admin"


def test_an_existing_membership_is_not_moved_to_another_user(lead, school, owner) -> None:
    other = user_in_role("other-owner", SCHOOL_OWNER)
    http = csrf_client(lead)
    url = reverse("admin:suppression_school_change", args=[school.pk])
    data = _school_form(school)
    data["memberships-0-user"] = str(other.pk)
    get_then_post(http, url, data)
    assert list(school.memberships.values_list("user", flat=True)) == [owner.pk]


def test_signing_in_writes_no_history_row(agent) -> None:
    before = User.history.filter(id=agent.pk).count()
    assert signs_in(agent)
    assert User.history.filter(id=agent.pk).count() == before
    assert User.objects.get(pk=agent.pk).last_login is not None


def test_user_list_query_count_does_not_grow_with_users(
    lead, django_assert_max_num_queries
) -> None:
    http = csrf_client(lead)
    url = reverse("admin:auth_user_changelist")
    with django_assert_max_num_queries(9):
        assert http.get(url).status_code == 200
    for i in range(15):
        user_in_role(f"agent-{i}", SUPPORT_AGENT)
    with django_assert_max_num_queries(9):
        page = http.get(url)
    assert b"agent-14" in page.content and b"Support agent" in page.content
