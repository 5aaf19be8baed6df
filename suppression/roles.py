"""Roles as Django groups with model permissions.

Created by a data migration and brought back in line after every ``migrate`` (post_migrate), so
that a permission added in code reaches the groups without a hand-written migration.
"""

from __future__ import annotations

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
    "addressinquiry",
    "historicaladdressinquiry",
]
VIEW_ALL = [f"suppression.view_{model}" for model in VIEW_MODELS]

AGENT = [
    *VIEW_ALL,
    "suppression.add_suppression",
    "suppression.add_reinstatementrequest",
    "suppression.decide_reinstatementrequest",
    "auth.view_user",
]
LEAD = [
    *AGENT,
    "suppression.override_guards",
    "suppression.add_school",
    "suppression.change_school",
    "suppression.add_schoolmembership",
    "suppression.change_schoolmembership",
    "suppression.delete_schoolmembership",
    "auth.add_user",
    "auth.change_user",
    "auth.view_group",
    "suppression.add_apiclient",
    "suppression.change_apiclient",
]
AUDITOR = [*VIEW_ALL, "auth.view_user", "auth.view_group"]

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
