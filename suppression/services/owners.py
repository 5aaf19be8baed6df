"""School owners: invitations, their language, and the questions they ask support."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from ..addresses import normalize_email
from ..exceptions import AlreadyDecided, ExplanationRequired, NotAllowed
from ..models import AddressInquiry, OwnerProfile, School, SchoolMembership
from ..notifications import notify_owner_invited, notify_support_new_inquiry
from ..roles import SCHOOL_OWNER
from .common import Actor, audited_save, require_perm
from .requests import check_owner_daily_limit
from .users import save_with_roles

INVITE_PERMS = ("auth.add_user", "suppression.add_schoolmembership")


@dataclass(frozen=True, slots=True)
class Invitation:
    user: User
    membership: SchoolMembership
    created_user: bool
    created_membership: bool


def owner_invite(
    *,
    email: str,
    school: School,
    actor: Actor,
    first_name: str = "",
    last_name: str = "",
    language: str = "",
) -> Invitation:
    """Make ``email`` an owner of ``school`` and mail them a link to the portal.

    ``actor`` is a lead or a superuser (``auth.add_user`` and ``add_schoolmembership``), or None
    for the platform itself (``manage.py invite_owner``). Reuses the user whose username or email
    is the address; a new one gets no usable password, so the mailed link is the only way in: it
    sets the password and expires (``INVITATION_DAYS``) or dies once used. Staff accounts are
    refused: a person is either support or an owner. Locks the user row; writes the membership's
    history row; mails the owner on commit.
    """
    if actor is not None:
        for perm in INVITE_PERMS:
            require_perm(actor, perm, "invite school owners")
    normalized = normalize_email(email).address
    by = "the platform" if actor is None else actor.get_username()
    why = f"owner invited by {by}"
    with transaction.atomic():
        user = (
            User.objects.select_for_update().filter(username=normalized).first()
            or User.objects.select_for_update().filter(email__iexact=normalized).first()
        )
        created_user = user is None
        if user is None:
            user = User(username=normalized, email=normalized)
            user.set_unusable_password()
        elif user.is_staff or user.is_superuser:
            raise NotAllowed(f"{normalized} is a support account; owners need their own.")
        user.first_name = first_name.strip() or user.first_name
        user.last_name = last_name.strip() or user.last_name
        user.is_active = True
        if user.pk is None:
            audited_save(user, actor=actor, why=why)
        # One history row records the fields and the owner role, with who and why.
        roles = {*user.groups.values_list("name", flat=True), SCHOOL_OWNER}
        save_with_roles(user, actor=actor, why=why, groups=roles)
        if language:
            owner_set_language(user=user, language=language)
        membership = SchoolMembership.objects.filter(school=school, user=user).first()
        created_membership = membership is None
        if membership is None:
            membership = SchoolMembership(school=school, user=user)
            audited_save(membership, actor=actor, why=why)
        transaction.on_commit(partial(notify_owner_invited, user.pk, school.pk))
    return Invitation(user, membership, created_user, created_membership)


def owner_set_language(*, user: User, language: str) -> None:
    """Remember the owner's language, so that the portal and the mails to them use it."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unsupported language {language!r}")
    OwnerProfile.objects.update_or_create(user=user, defaults={"language": language})


def inquiry_submit(*, school: School, actor: Actor, email: str, message: str) -> AddressInquiry:
    """An owner asks support about an address. Always filed, whatever the address's state.

    The portal's answer is the same for every address, so it reveals nothing; support reads the
    question in their queue. Counts toward the owner's daily limit (locks the user row). Writes
    the question's history row and mails support on commit.
    """
    if not isinstance(actor, User) or not school.memberships.filter(user_id=actor.pk).exists():
        raise NotAllowed("Only the school's owners can ask about its addresses.")
    if not message or not message.strip():
        raise ExplanationRequired("Say what you would like support to check.")
    normalized = normalize_email(email).address
    with transaction.atomic():
        check_owner_daily_limit(actor)
        inquiry = AddressInquiry(
            school=school, email=normalized, asked_by=actor, message=message.strip()
        )
        audited_save(inquiry, actor=actor, why="question asked in the portal")
        transaction.on_commit(partial(notify_support_new_inquiry, inquiry.pk))
    return inquiry


def inquiry_answer(*, inquiry: AddressInquiry, actor: Actor, answer: str) -> AddressInquiry:
    """Support marks a question answered; ``answer`` is shown to the owner in the portal."""
    require_perm(actor, "suppression.decide_reinstatementrequest", "answer owners' questions")
    with transaction.atomic():
        locked = AddressInquiry.objects.select_for_update().get(pk=inquiry.pk)
        if locked.status != AddressInquiry.Status.OPEN:
            raise AlreadyDecided("This question was already answered.")
        locked.status = AddressInquiry.Status.ANSWERED
        locked.answered_by = actor  # type: ignore[assignment]
        locked.answered_at = timezone.now()
        locked.answer = answer.strip()
        audited_save(
            locked,
            actor=actor,
            why="answered",
            update_fields=["status", "answered_by", "answered_at", "answer"],
        )
    return locked
