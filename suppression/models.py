"""The domain's tables. Invariants are database constraints; every write goes through services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history import register
from simple_history.models import HistoricalRecords

from .taxonomy import REASON_LABELS, BounceType, Reason
from .textsafety import visible_controls


class ReasonChoices(models.TextChoices):
    MAILBOX_UNKNOWN = Reason.MAILBOX_UNKNOWN, REASON_LABELS[Reason.MAILBOX_UNKNOWN]
    DOMAIN_UNKNOWN = Reason.DOMAIN_UNKNOWN, REASON_LABELS[Reason.DOMAIN_UNKNOWN]
    SENDER_BLOCKED = Reason.SENDER_BLOCKED, REASON_LABELS[Reason.SENDER_BLOCKED]
    SENDER_REPUTATION = Reason.SENDER_REPUTATION, REASON_LABELS[Reason.SENDER_REPUTATION]
    REJECTED = Reason.REJECTED, REASON_LABELS[Reason.REJECTED]
    MAILBOX_FULL = Reason.MAILBOX_FULL, REASON_LABELS[Reason.MAILBOX_FULL]
    SERVER_UNAVAILABLE = Reason.SERVER_UNAVAILABLE, REASON_LABELS[Reason.SERVER_UNAVAILABLE]
    MESSAGE_TOO_LARGE = Reason.MESSAGE_TOO_LARGE, REASON_LABELS[Reason.MESSAGE_TOO_LARGE]
    SPAM_FILTERED = Reason.SPAM_FILTERED, REASON_LABELS[Reason.SPAM_FILTERED]
    DNS_ERROR = Reason.DNS_ERROR, REASON_LABELS[Reason.DNS_ERROR]
    UNKNOWN = Reason.UNKNOWN, REASON_LABELS[Reason.UNKNOWN]
    COMPLAINT = Reason.COMPLAINT, REASON_LABELS[Reason.COMPLAINT]


class BounceTypeChoices(models.TextChoices):
    HARD = BounceType.HARD, "Hard"
    SOFT = BounceType.SOFT, "Soft"
    COMPLAINT = BounceType.COMPLAINT, "Complaint"


class Stream(models.TextChoices):
    CAMPAIGN = "campaign", "Campaign"
    AUTOMATION = "automation", "Automation"
    SYSTEM = "system", "System message"
    UNKNOWN = "", "Unknown"


class Source(models.TextChoices):
    DSN = "dsn", "Bounce message (DSN)"
    API = "api", "Platform MTA (API)"
    AMAZON_SES = "amazon_ses", "Amazon SES"
    SENDGRID = "sendgrid", "SendGrid"
    MAILGUN = "mailgun", "Mailgun"
    POSTMARK = "postmark", "Postmark"
    BREVO = "brevo", "Brevo"
    ESP_OTHER = "esp", "Other ESP"
    DEMO = "demo", "Demo data"


class SuppressionTrigger(models.TextChoices):
    HARD_BOUNCE = "hard_bounce", "Hard bounce"
    COMPLAINT = "complaint", "Spam complaint"
    SOFT_THRESHOLD = "soft_threshold", "Repeated soft bounces"
    PROBATION_REPEAT = "probation_repeat", "Hard bounce on probation"
    MANUAL = "manual", "Suppressed by hand"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ChangeKind(models.TextChoices):
    OPENED = "opened", "Opened"
    LIFTED = "lifted", "Lifted"
    # Domain-level rows: an incident paused or lifted a whole recipient domain (docs/api.md).
    DOMAIN_PAUSED = "domain_paused", "Domain paused"
    DOMAIN_LIFTED = "domain_lifted", "Domain pause lifted"


DOMAIN_KINDS = [ChangeKind.DOMAIN_PAUSED, ChangeKind.DOMAIN_LIFTED]


def _in_choices(field: str, choices: type[models.TextChoices]) -> Q:
    return Q(**{f"{field}__in": choices.values})


class School(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    owners: models.ManyToManyField = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="SchoolMembership", related_name="schools"
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SchoolMembership(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="school_memberships"
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "user"], name="one_membership_per_school_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} owns {self.school}"


class EmailAddress(models.Model):
    """One row per normalized address (see ``addresses.normalize_email``)."""

    address = models.CharField(max_length=320, unique=True)
    domain = models.CharField(max_length=255, db_index=True)
    display = models.CharField(max_length=512, help_text="The address as first seen.")
    created_at = models.DateTimeField(default=timezone.now)
    probation_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="After sending is resumed, a hard bounce before this time re-suppresses at once.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "email address"
        verbose_name_plural = "email addresses"
        constraints = [
            models.CheckConstraint(
                condition=Q(address__contains="@") & ~Q(domain=""), name="address_has_domain"
            ),
        ]

    def __str__(self) -> str:
        return self.address

    def on_probation(self, at: datetime | None = None) -> bool:
        return self.probation_until is not None and self.probation_until > (at or timezone.now())


class Suppression(models.Model):
    """An episode during which nothing is sent to the address; lifting closes it, never deletes."""

    Trigger = SuppressionTrigger

    address = models.ForeignKey(EmailAddress, on_delete=models.PROTECT, related_name="suppressions")
    trigger = models.CharField(max_length=20, choices=SuppressionTrigger.choices)
    reason = models.CharField(max_length=20, choices=ReasonChoices.choices)
    bounce_type = models.CharField(max_length=10, choices=BounceTypeChoices.choices)
    is_repeat = models.BooleanField(
        default=False, help_text="Re-suppressed by a hard bounce while on probation."
    )
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when bounces opened it.",
    )
    open_note = models.TextField(blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lift_note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["address"],
                condition=Q(lifted_at__isnull=True),
                name="one_open_suppression_per_address",
            ),
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True) | Q(lifted_at__gte=models.F("opened_at")),
                name="suppression_lifted_after_opened",
            ),
            models.CheckConstraint(
                condition=_in_choices("trigger", SuppressionTrigger),
                name="suppression_trigger_valid",
            ),
            models.CheckConstraint(
                condition=_in_choices("reason", ReasonChoices), name="suppression_reason_valid"
            ),
            models.CheckConstraint(
                condition=_in_choices("bounce_type", BounceTypeChoices),
                name="suppression_type_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["-opened_at"], name="suppression_opened_idx"),
            models.Index(
                fields=["-opened_at"],
                condition=Q(lifted_at__isnull=True),
                name="suppression_open_recent_idx",
            ),
            models.Index(fields=["address", "-lifted_at"], name="suppression_address_lifted_idx"),
        ]

    def __str__(self) -> str:
        state = "open" if self.is_open else "lifted"
        return f"{self.address} — {self.get_reason_display()} ({state})"

    @property
    def is_open(self) -> bool:
        return self.lifted_at is None


# The event list's filter columns: each covering index of the events carries them all.
EVENT_FILTER_COLUMNS = ("bounce_type", "reason", "source", "stream", "school")


class BounceEvent(models.Model):
    """One failed delivery report for one address. Append-only: never edited or deleted."""

    address = models.ForeignKey(EmailAddress, on_delete=models.PROTECT, related_name="events")
    suppression = models.ForeignKey(
        Suppression,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        help_text="The episode this event opened or was recorded during.",
    )
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    bounce_type = models.CharField(max_length=10, choices=BounceTypeChoices.choices)
    reason = models.CharField(max_length=20, choices=ReasonChoices.choices)
    status = models.CharField("enhanced status", max_length=16, blank=True)
    smtp_code = models.CharField("SMTP code", max_length=3, blank=True)
    diagnostic = models.TextField(blank=True)
    rule = models.CharField(max_length=100, blank=True, help_text="The rule that chose the reason.")
    remote_mta = models.CharField("remote MTA", max_length=255, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices)
    dedupe_key = models.CharField(max_length=255)
    stream = models.CharField(max_length=20, choices=Stream.choices, blank=True)
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.PROTECT, related_name="bounce_events"
    )
    message_id = models.CharField("original Message-ID", max_length=998, blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "dedupe_key"], name="one_event_per_source_key"
            ),
            models.CheckConstraint(condition=~Q(dedupe_key=""), name="bounce_event_has_dedupe_key"),
            models.CheckConstraint(
                condition=_in_choices("bounce_type", BounceTypeChoices), name="bounce_type_valid"
            ),
            models.CheckConstraint(
                condition=_in_choices("reason", ReasonChoices), name="bounce_reason_valid"
            ),
            models.CheckConstraint(
                condition=_in_choices("source", Source), name="bounce_source_valid"
            ),
            models.CheckConstraint(
                condition=_in_choices("stream", Stream), name="bounce_stream_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["address", "-occurred_at"], name="bounce_address_time_idx"),
            models.Index(fields=["-received_at"], name="bounce_received_idx"),
            # The owner portal: "did this school's mail bounce from this address?" as one
            # index-only probe, and a school's addresses as one index-only range.
            models.Index(fields=["school", "address"], name="bounce_school_address_idx"),
            # The event list (console/selectors.py): newest first, and each filter in time order,
            # so a page is the first rows of one range, never a sort of every match. Each index
            # carries the other filters' columns (PostgreSQL INCLUDE; SQLite indexes the keys
            # only), so a rare combination is found by an index-only walk that reads no table
            # row until the page's 50 ids are known.
            *[
                models.Index(
                    fields=[*lead, "-occurred_at", "-id"],
                    include=[f for f in EVENT_FILTER_COLUMNS if f not in lead],
                    name=name,
                )
                for lead, name in (
                    ([], "bounce_time_cover_idx"),
                    (["school"], "bounce_school_cover_idx"),
                    (["reason"], "bounce_reason_cover_idx"),
                    (["bounce_type"], "bounce_type_cover_idx"),
                    (["source"], "bounce_source_cover_idx"),
                    (["stream"], "bounce_stream_cover_idx"),
                )
            ],
            # A school with filters its events rarely match (the daily counts have no school, so
            # they cannot bound the range): one short range per combination of values.
            models.Index(
                fields=[
                    "school",
                    "bounce_type",
                    "reason",
                    "source",
                    "stream",
                    "-occurred_at",
                    "-id",
                ],
                name="bounce_school_combo_idx",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.address} {self.bounce_type}/{self.reason} at {self.occurred_at:%Y-%m-%d %H:%M}"
        )

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise ValueError("Bounce events are append-only and cannot be changed.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("Bounce events are append-only and cannot be deleted.")


class ReinstatementRequest(models.Model):
    """A request to resume sending to one address, on behalf of one school."""

    Status = RequestStatus

    address = models.ForeignKey(EmailAddress, on_delete=models.PROTECT, related_name="requests")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="requests")
    suppression = models.ForeignKey(
        Suppression,
        on_delete=models.PROTECT,
        related_name="requests",
        help_text="The episode the request asks to close.",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    on_behalf_of_owner = models.BooleanField(
        default=False, help_text="Entered by support on the owner's behalf."
    )
    explanation = models.TextField(help_text="What the client did to fix the problem.")
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, help_text="Shown back to the school owner.")
    override_reason = models.TextField(
        blank=True, help_text="Why a lead resumed sending although a guard advised against it."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at"]
        permissions = [
            ("decide_reinstatementrequest", "Can approve or reject requests to resume sending"),
            ("override_guards", "Can resume sending against a safety guard, with a reason"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=_in_choices("status", RequestStatus), name="request_status_valid"
            ),
            models.CheckConstraint(condition=~Q(explanation=""), name="request_has_explanation"),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="request_decided_iff_not_pending",
            ),
            models.UniqueConstraint(
                fields=["address", "school"],
                condition=Q(status="pending"),
                name="one_pending_request_per_address_school",
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(status="pending"), name="request_pending_age_idx"
            ),
            models.Index(fields=["school", "-created_at"], name="request_school_idx"),
        ]

    def __str__(self) -> str:
        return f"Resume {self.address} for {self.school} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class SuppressionChange(models.Model):
    """Append-only feed of suppressions opened and lifted, in commit order (the API's cursor).

    Address rows name a suppression; domain rows (an incident's pause or lift) name a domain and
    the incident instead.
    """

    Kind = ChangeKind

    suppression = models.ForeignKey(
        Suppression, null=True, blank=True, on_delete=models.PROTECT, related_name="changes"
    )
    address = models.ForeignKey(
        EmailAddress, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    domain = models.CharField(max_length=255, blank=True)
    incident = models.ForeignKey(
        "suppression.Incident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=_in_choices("kind", ChangeKind), name="change_kind_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=DOMAIN_KINDS)
                    & Q(incident__isnull=False, suppression__isnull=True, address__isnull=True)
                    & ~Q(domain="")
                )
                | (
                    ~Q(kind__in=DOMAIN_KINDS)
                    & Q(suppression__isnull=False, address__isnull=False, incident__isnull=True)
                    & Q(domain="")
                ),
                name="change_names_address_or_domain",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.address_id or self.domain} {self.kind}"


class ApiClient(models.Model):
    """A system allowed to call the JSON API. Only a hash of its token is stored."""

    class Scope(models.TextChoices):
        CHECK = "check", "Check suppressions"
        INGEST = "ingest", "Push bounce events"

    name = models.CharField(max_length=100, unique=True)
    token_prefix = models.CharField(
        max_length=16, unique=True, help_text="The token's first characters, to tell tokens apart."
    )
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list, help_text='A list of scopes: "check", "ingest".')
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        verbose_name = "API client"
        constraints = [
            models.CheckConstraint(condition=~Q(token_hash=""), name="api_client_has_token"),
        ]

    def __str__(self) -> str:
        return self.name

    def is_active(self, at: datetime | None = None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > at)


class UnparsedMessage(models.Model):
    """A bounce message the parser could not read, kept whole for inspection instead of dropped."""

    received_at = models.DateTimeField(default=timezone.now)
    origin = models.CharField(max_length=1000, help_text="File, mailbox or stdin it came from.")
    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveIntegerField()
    raw = models.BinaryField()
    detail = models.TextField(help_text="Why the parser could not read it.")

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        # Shown in page titles and breadcrumbs: a file name is outside text.
        return f"{visible_controls(self.origin)} ({self.size} bytes)"


class RawBounceMessage(models.Model):
    """The bytes of a bounce message (DSN) the parser read, compressed, kept once per sha256.

    Not history: ``manage.py purge_raw_messages`` deletes what is older than the retention period,
    so no append-only trigger guards this table. A message naming several recipients is stored
    once and linked to each of their events.
    """

    sha256 = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField(default=timezone.now)
    size = models.PositiveIntegerField(help_text="Bytes before compression.")
    compressed = models.BinaryField(help_text="zlib-compressed bytes, cut at MAX_MESSAGE_BYTES.")

    class Meta:
        verbose_name = "raw bounce message"
        indexes = [models.Index(fields=["received_at"], name="raw_message_received_idx")]

    def __str__(self) -> str:
        return f"{self.sha256[:12]} ({self.size} bytes)"


class BounceEventMessage(models.Model):
    """Which stored bounce message reported an event; deleted with the message by the purge."""

    event = models.OneToOneField(
        BounceEvent, primary_key=True, on_delete=models.PROTECT, related_name="raw_link"
    )
    message = models.ForeignKey(
        RawBounceMessage, on_delete=models.CASCADE, related_name="event_links"
    )

    def __str__(self) -> str:
        return f"event {self.event_id} from message {self.message_id}"


class _UserHistory(HistoricalRecords):
    """Records group changes made from either side of the m2m.

    django-simple-history handles only ``user.groups.add(...)``; ``group.user_set.add(...)``
    reaches it with the group as the instance and raises. Each user changed from the group's
    side gets their own history row instead.
    """

    def m2m_changed(
        self, instance: Any, action: str, attr: Any, pk_set: Any, reverse: bool, **kw: Any
    ) -> None:
        if not reverse:
            super().m2m_changed(instance, action, attr, pk_set, reverse, **kw)
            return
        if action == "pre_clear":
            instance._users_cleared = list(instance.user_set.all())
            return
        if action in ("post_add", "post_remove"):
            changed = list(User.objects.filter(pk__in=pk_set or ()))
        elif action == "post_clear":
            changed = instance.__dict__.pop("_users_cleared", [])
        else:
            return
        for user in changed:
            self.create_historical_record(user, "~")


# Staff and owner accounts are on the audit trail too: who changed a role, an account's state or
# a password, and why. The hash and the sign-in time stay out of it (services/users.py).
register(
    User,
    app="suppression",
    records_class=_UserHistory,
    m2m_fields=["groups"],
    excluded_fields=["password", "last_login"],
)
from .console.models import AuditEntry, BounceDayCount, RefusalDayCount  # noqa: E402, F401
from .incidents.models import (  # noqa: E402, F401  (incident and resume-batch tables)
    Incident,
    PausedDomain,
    ReputationRefusal,
    ResumeBatch,
    ResumeBatchItem,
)
from .listcheck.models import ListCheck  # noqa: E402, F401  (list-check table)
from .portal.models import AddressInquiry, OwnerProfile  # noqa: E402, F401  (portal tables)


class LivenessSource(models.TextChoices):
    """The ways bounces reach us, each watched for silence (services/liveness.py)."""

    LMTP = "lmtp", "LMTP server (serve_lmtp)"
    PIPE = "pipe", "MTA pipe (ingest_bounces -)"
    API = "api", "Platform MTA (API)"
    AMAZON_SES = "amazon_ses", "Amazon SES webhook"
    SENDGRID = "sendgrid", "SendGrid webhook"
    MAILGUN = "mailgun", "Mailgun webhook"
    POSTMARK = "postmark", "Postmark webhook"
    BREVO = "brevo", "Brevo webhook"
    ESP_OTHER = "esp", "Other ESP webhook"


class SourceLiveness(models.Model):
    """When a way in last delivered: one row per source, written at most every few seconds.

    ``alarmed_at`` is set when support was mailed about the current silence and cleared by the
    next delivery, so that one silence raises one alarm however often the check runs.
    """

    source = models.CharField(max_length=20, choices=LivenessSource.choices, unique=True)
    last_delivered_at = models.DateTimeField()
    alarmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "source liveness"
        verbose_name_plural = "source liveness"
        ordering = ["source"]

    def __str__(self) -> str:
        return self.get_source_display()
