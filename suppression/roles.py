"""Roles as Django groups with model permissions.

Created by a data migration and brought back in line after every ``migrate`` (post_migrate), so
that a permission added in code reaches the groups without a hand-written migration.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

VIEW_MODELS = [
    "school",
    "schoolmembership",
    "emailaddress",
    "suppression",
    "bounceevent",
    "reinstatementrequest",
    "suppressionchange",
    "historicalschool",
    "historicalschoolmembership",
    "historicalemailaddress",
    "historicalsuppression",
    "historicalreinstatementrequest",
    "unparsedmessage",
    "apiclient",
    "historicalapiclient",
    "historicaluser",
    "addressinquiry",
    "historicaladdressinquiry",
    "sourceliveness",
    "listcheck",
    "incident",
    "historicalincident",
    "pauseddomain",
    "reputationrefusal",
    "resumebatch",
    "historicalresumebatch",
    "resumebatchitem",
    "auditentry",
]
VIEW_ALL = [f"suppression.view_{model}" for model in VIEW_MODELS]
SIGNIN_VIEW = ["axes.view_accessattempt", "axes.view_accesslog", "axes.view_accessfailurelog"]

AGENT = [
    *VIEW_ALL,
    "suppression.add_suppression",
    "suppression.add_reinstatementrequest",
    "suppression.decide_reinstatementrequest",
    # Run a contact-list check for a school (suppression/listcheck/).
    "suppression.add_listcheck",
    "auth.view_user",
]
LEAD = [
    *AGENT,
    "suppression.override_guards",
    "suppression.lift_incident",
    "suppression.run_resumebatch",
    "suppression.add_school",
    "suppression.change_school",
    "suppression.add_schoolmembership",
    "suppression.change_schoolmembership",
    "suppression.delete_schoolmembership",
    # Within the rules of lead_may_manage (enforced by services/users.py, not by these perms).
    "auth.add_user",
    "auth.change_user",
    "auth.view_group",
    "suppression.add_apiclient",
    "suppression.change_apiclient",
    # Sign-in lockouts (django-axes): see them, and unlock by deleting the failed attempts.
    *SIGNIN_VIEW,
    "axes.delete_accessattempt",
]
AUDITOR = [*VIEW_ALL, "auth.view_user", "auth.view_group", *SIGNIN_VIEW]

SUPPORT_AGENT = "Support agent"
SUPPORT_LEAD = "Support lead"
AUDITOR_ROLE = "Auditor"
SCHOOL_OWNER = "School owner"

ROLES: dict[str, list[str]] = {
    SUPPORT_AGENT: AGENT,
    SUPPORT_LEAD: LEAD,
    AUDITOR_ROLE: AUDITOR,
    # Owners never enter the admin; the portal grants what their school memberships allow.
    SCHOOL_OWNER: [],
}


def sync_roles(apps: Any, using: str = "default", *, missing_ok: bool = False) -> None:
    """Create the groups and set exactly their permissions (``apps``: real or historical).

    ``missing_ok`` lets an early data migration skip permissions of models that later migrations
    add; post_migrate runs it again strictly once every migration is applied.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLES.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            found = (
                Permission.objects.using(using)
                .filter(content_type__app_label=app_label, codename=codename)
                .first()
            )
            if found is None and not missing_ok:
                raise LookupError(f"Permission {perm} does not exist.")
            if found is not None:
                wanted.append(found)
        group.permissions.set(wanted)


def sync_roles_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from django.apps import apps

    sync_roles(kwargs.get("apps") or apps, using=using)


# Who may manage whom. Roles are groups; a superuser stands above every role.
SUPERUSER = "Superuser"
STAFF_ROLES = frozenset({SUPPORT_AGENT, SUPPORT_LEAD, AUDITOR_ROLE})
# The only groups a lead hands out or takes away; a lead manages only users within them.
LEAD_GRANTS = frozenset({SUPPORT_AGENT, SCHOOL_OWNER})


@dataclass(frozen=True, slots=True)
class Account:
    """What the rules need to know about a user: roles, superuser, permissions of their own."""

    groups: frozenset[str]
    is_superuser: bool = False
    has_own_permissions: bool = False


def is_staff_for(groups: Collection[str], *, is_superuser: bool) -> bool:
    """The admin is for staff roles (and superusers); owners use the portal."""
    return is_superuser or bool(STAFF_ROLES.intersection(groups))


def lead_may_manage(target: Account) -> bool:
    """A lead manages agents, owners and users without a role, never anyone above them."""
    return (
        not target.is_superuser and not target.has_own_permissions and target.groups <= LEAD_GRANTS
    )


def lead_may_handle_credentials(target: Account) -> bool:
    """Password, username and email decide who can sign in as the user.

    A lead resets an agent's password; an owner's sign-in stays the owner's own (else a lead
    could take over a school's portal account).
    """
    return lead_may_manage(target) and SCHOOL_OWNER not in target.groups


def lead_may_grant(groups: Collection[str]) -> bool:
    return LEAD_GRANTS.issuperset(groups)
