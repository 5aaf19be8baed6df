"""Staff and owner accounts: create, change, deactivate, set a password, school memberships.

Nobody rises above their role: a superuser manages everyone; a lead (``auth.change_user``)
manages agents, owners and users without a role, and hands out only the agent and owner groups
(the rules are in ``roles.py``); everybody else manages nobody. Users are deactivated, never
deleted, so that "who" in the audit trail keeps its name.

Every change writes one history row of the user (django-simple-history, with the groups as an
m2m snapshot) carrying who did it and why.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..exceptions import NotAllowed, SuppressionError
from ..models import School, SchoolMembership
from ..roles import (
    LEAD_GRANTS,
    ROLES,
    SCHOOL_OWNER,
    SUPERUSER,
    Account,
    is_staff_for,
    lead_may_grant,
    lead_may_handle_credentials,
    lead_may_manage,
)
from .common import Actor, audited_save


class InvalidUserChange(SuppressionError):
    """This change to the account is not valid."""

    code = "invalid_user_change"


def account_of(user: User) -> Account:
    return Account(
        groups=frozenset(user.groups.values_list("name", flat=True)),
        is_superuser=user.is_superuser,
        has_own_permissions=user.user_permissions.exists(),
    )


def _signed_in(actor: Actor) -> User:
    if not isinstance(actor, User) or not actor.is_active:
        raise NotAllowed("Sign in to manage users.")
    return actor


def _require_why(why: str) -> str:
    why = why.strip()
    if not why:
        raise InvalidUserChange("Say why: the reason goes on the audit trail.")
    return why


def _level(actor: Actor) -> str:
    """Superuser, lead (changes users within the rules) or "" (manages nobody)."""
    if not isinstance(actor, User) or not actor.is_active:
        return ""
    if actor.is_superuser:
        return "superuser"
    return "lead" if actor.has_perm("auth.change_user") else ""


def may_manage(actor: Actor, user: User) -> bool:
    """Whether ``actor`` may change ``user`` at all (the admin asks before showing a form)."""
    level = _level(actor)
    return level == "superuser" or (level == "lead" and lead_may_manage(account_of(user)))


def may_set_password(actor: Actor, user: User) -> bool:
    level = _level(actor)
    return level == "superuser" or (
        level == "lead" and lead_may_handle_credentials(account_of(user))
    )


def grantable_groups(actor: Actor) -> list[str]:
    """The groups ``actor`` may give or take away, by name."""
    return {"superuser": sorted(ROLES), "lead": sorted(LEAD_GRANTS), "": []}[_level(actor)]


def creatable_roles(actor: Actor) -> list[str]:
    """The roles ``actor`` may create an account in (a superuser also creates superusers)."""
    level = _level(actor)
    if level == "superuser":
        return [*grantable_groups(actor), SUPERUSER]
    if level == "lead" and isinstance(actor, User) and actor.has_perm("auth.add_user"):
        return [role for role in grantable_groups(actor) if role != SCHOOL_OWNER]
    return []


def check_user_update(
    *,
    user: User,
    actor: Actor,
    username: str | None = None,
    email: str | None = None,
    is_active: bool | None = None,
    groups: Collection[str] | None = None,
    is_superuser: bool | None = None,
) -> None:
    """Raise ``NotAllowed`` unless ``actor`` may make these changes to ``user`` as it is now."""
    actor = _signed_in(actor)
    level = _level(actor)
    if level == "superuser":
        if actor.pk == user.pk and (is_active is False or is_superuser is False):
            raise NotAllowed(
                "You cannot deactivate yourself or give up your own superuser status: "
                "ask another superuser."
            )
        return
    if level != "lead":
        raise NotAllowed("You are not allowed to change users.")
    target = account_of(user)
    if not lead_may_manage(target):
        raise NotAllowed(
            "A lead manages agents and school owners only: ask a superuser to change this account."
        )
    if is_superuser is not None and is_superuser != user.is_superuser:
        raise NotAllowed("Only a superuser makes superusers.")
    if groups is not None and not lead_may_grant(set(groups) ^ target.groups):
        raise NotAllowed(
            "A lead gives and takes away only the Support agent and School owner roles."
        )
    credentials = (username is not None and username != user.username) or (
        email is not None and email != user.email
    )
    if credentials and not lead_may_handle_credentials(target):
        raise NotAllowed("Only a superuser changes a school owner's username or email.")


def user_update(
    *,
    user: User,
    actor: Actor,
    why: str,
    username: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    email: str | None = None,
    is_active: bool | None = None,
    groups: Collection[str] | None = None,
    is_superuser: bool | None = None,
) -> User:
    """Change an account; ``None`` leaves a field as it is. ``is_staff`` follows the roles.

    Locks the user row, re-checks the rules on it (the page may be stale), writes one history row
    with the new groups, by ``actor``, because ``why``.
    """
    why = _require_why(why)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        check_user_update(
            user=locked,
            actor=actor,
            username=username,
            email=email,
            is_active=is_active,
            groups=groups,
            is_superuser=is_superuser,
        )
        values: dict[str, Any] = {
            "username": username,
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "is_active": is_active,
            "is_superuser": is_superuser,
        }
        for field, value in values.items():
            if value is not None:
                setattr(locked, field, value)
        save_with_roles(locked, actor=actor, why=why, groups=groups)
    return locked


def user_deactivate(*, user: User, actor: Actor, why: str) -> User:
    """Stop the user from signing in (sessions end at their next request); nothing is deleted."""
    return user_update(user=user, actor=actor, why=f"deactivated: {why}", is_active=False)


def user_create(
    *,
    actor: Actor,
    username: str,
    email: str,
    password: str | None,
    role: str,
    why: str,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create an account in ``role`` (a group name, or ``SUPERUSER``).

    ``password=None`` leaves the account without a usable password (it is set later by a
    set-password link). Writes the user's first history row, by ``actor``, because ``why``.
    """
    why = _require_why(why)
    actor = _signed_in(actor)
    if role not in creatable_roles(actor):
        raise NotAllowed(f"You are not allowed to create an account in the role {role!r}.")
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidUserChange(f"A user named {username!r} already exists.")
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    user.is_superuser = role == SUPERUSER
    if password is None:
        user.set_unusable_password()
    else:
        _validate_password(password, user)
        user.set_password(password)
    groups = [] if role == SUPERUSER else [role]
    user.is_staff = is_staff_for(groups, is_superuser=user.is_superuser)
    why = f"created as {role}: {why}"
    with transaction.atomic():
        audited_save(user, actor=actor, why=why)
        if groups:  # the roles need the row: a second history row records them
            save_with_roles(user, actor=actor, why=why, groups=groups)
    return user


def user_set_password(*, user: User, actor: Actor, password: str | None, why: str) -> User:
    """Set ``user``'s password, or disable password sign-in with ``None``.

    Their other sessions end. Locks the user row; the history row records who and why (the hash
    itself is left out of history).
    """
    why = _require_why(why)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not may_set_password(actor, locked):
            raise NotAllowed("Only a superuser sets the password of a lead, auditor or owner.")
        if password is None:
            locked.set_unusable_password()
            why = f"password sign-in disabled: {why}"
        else:
            _validate_password(password, locked)
            locked.set_password(password)
            why = f"password set: {why}"
        audited_save(locked, actor=actor, why=why, update_fields=["password"])
    return locked


def note_last_login(sender: Any, user: User, **kwargs: Any) -> None:
    """Receiver for ``user_logged_in`` in place of Django's ``update_last_login``.

    ``last_login`` is left out of the users' history; a plain UPDATE keeps a sign-in from
    writing a history row that records no change.
    """
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(last_login=now)
    user.last_login = now


def membership_add(*, school: School, user: User, actor: Actor, why: str) -> SchoolMembership:
    """Make ``user`` (a school owner) an owner of ``school``; writes the membership's history."""
    actor = _signed_in(actor)
    if not actor.has_perm("suppression.add_schoolmembership"):
        raise NotAllowed("You are not allowed to add school owners.")
    if not user.groups.filter(name=SCHOOL_OWNER).exists():
        raise InvalidUserChange(f"{user} is not a school owner: give them that role first.")
    membership = SchoolMembership(school=school, user=user)
    with transaction.atomic():
        audited_save(membership, actor=actor, why=why)
    return membership


def membership_remove(*, membership: SchoolMembership, actor: Actor, why: str) -> None:
    """End an ownership; the membership's history keeps who removed it and why."""
    actor = _signed_in(actor)
    if not actor.has_perm("suppression.delete_schoolmembership"):
        raise NotAllowed("You are not allowed to remove school owners.")
    membership._history_user = actor  # type: ignore[attr-defined]
    membership._change_reason = why  # type: ignore[attr-defined]
    membership.delete()


def _validate_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise InvalidUserChange(" ".join(error.messages)) from error


def save_with_roles(user: User, *, actor: Actor, why: str, groups: Collection[str] | None) -> None:
    # The group changes write no history of their own: the one save after them records the
    # fields and the new groups together, with who and why.
    if groups is not None:
        wanted = list(Group.objects.filter(name__in=groups))
        if len(wanted) != len(set(groups)):
            raise InvalidUserChange(f"Unknown role among {sorted(groups)}.")
        user.skip_history_when_saving = True  # type: ignore[attr-defined]
        try:
            user.groups.set(wanted)
        finally:
            del user.skip_history_when_saving  # type: ignore[attr-defined]
    names = user.groups.values_list("name", flat=True) if groups is None else groups
    user.is_staff = is_staff_for(set(names), is_superuser=user.is_superuser)
    audited_save(user, actor=actor, why=why)
