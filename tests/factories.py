"""Factories for reference data; domain state is built through the services."""

from __future__ import annotations

import itertools
from datetime import datetime

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from suppression import services
from suppression.models import School, SchoolMembership, Source
from suppression.services import BounceOutcome
from suppression.taxonomy import Reason

_keys = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@staff.example.com")
    password = factory.django.Password("kwiga-test")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"School {n}")
    slug = factory.Sequence(lambda n: f"school-{n}")


def user_in_role(username: str, role: str, **extra: object) -> User:
    user = UserFactory(username=username, is_staff=role != "School owner", **extra)
    user.groups.add(Group.objects.get(name=role))
    return user


def owner_of(school: School, username: str) -> User:
    user = user_in_role(username, "School owner")
    SchoolMembership.objects.get_or_create(school=school, user=user)
    return user


def bounce(
    email: str,
    reason: Reason | str = Reason.MAILBOX_UNKNOWN,
    *,
    at: datetime | None = None,
    status: str = "",
    school: School | None = None,
    source: str = Source.API,
    key: str | None = None,
) -> BounceOutcome:
    defaults = {
        Reason.MAILBOX_UNKNOWN: "5.1.1",
        Reason.DOMAIN_UNKNOWN: "5.1.2",
        Reason.MAILBOX_FULL: "4.2.2",
        Reason.COMPLAINT: "",
        Reason.SERVER_UNAVAILABLE: "4.4.1",
    }
    return services.bounce_record(
        email=email,
        source=source,
        dedupe_key=key or f"test-{next(_keys)}",
        occurred_at=at or timezone.now(),
        reason=reason,
        status=status or defaults.get(Reason(reason), ""),
        diagnostic="test bounce",
        school=school,
    )
