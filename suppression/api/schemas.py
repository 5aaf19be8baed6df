"""What goes over the wire: request and response bodies, as pydantic models (the OpenAPI source)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from ..models import Stream
from ..services.bounces import IMPLAUSIBLE_TIME, plausible_time
from ..taxonomy import BounceType, Reason

MAX_CHECK_EMAILS = 100_000
MAX_INGEST_EVENTS = 1_000

ReasonName = Reason
TypeName = BounceType
StreamName = Literal["campaign", "automation", "system", ""]
assert set(StreamName.__args__) == set(Stream.values)  # type: ignore[attr-defined]


class ErrorOut(BaseModel):
    """Every refusal: a stable code, a sentence, and the bad fields by dotted path."""

    error: str = Field(examples=["invalid_request"])
    detail: str
    field_errors: dict[str, str] = Field(
        default_factory=dict, examples=[{"emails": "must be a list of strings"}]
    )


DomainPaused = Literal["domain_paused"]


class PauseFields(BaseModel):
    """Set when the address's whole domain is paused by an incident (reason ``domain_paused``)."""

    incident: int | None = Field(None, description="The incident pausing the domain.")
    domain: str | None = None
    until: datetime | None = Field(None, description="When the pause lifts by itself.")
    streams: list[StreamName] | None = Field(None, description="The streams the pause covers.")


class SuppressionOut(PauseFields):
    address: str = Field(description="The normalized address.")
    reason: ReasonName | DomainPaused
    type: TypeName | None = Field(description="Empty for a domain pause.")
    since: datetime = Field(description="When the suppression (or the domain's pause) began.")


class AddressStatusOut(PauseFields):
    address: str = Field(description="The address as given.")
    normalized: str
    suppressed: bool = Field(description="True: do not send to this address.")
    since: datetime | None = None
    reason: ReasonName | DomainPaused | None = None
    type: TypeName | None = None


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    emails: list[str] = Field(max_length=MAX_CHECK_EMAILS, examples=[["ann@example.com"]])
    stream: StreamName | None = Field(
        None,
        description="The stream the mail belongs to: a domain pause covers some streams only. "
        "Without it, every pause applies.",
    )


class CheckOut(BaseModel):
    checked: int = Field(description="How many inputs were checked.")
    suppressed: dict[str, SuppressionOut] = Field(
        description="Inputs that must not be mailed, keyed by the input exactly as given."
    )
    invalid: dict[str, str] = Field(
        description="Inputs that are not email addresses, keyed as given, with why."
    )


class CheckCompactOut(BaseModel):
    """``?form=compact``: the same keys, each with its reason only."""

    checked: int = Field(description="How many inputs were checked.")
    suppressed: dict[str, ReasonName | DomainPaused] = Field(
        description="Inputs that must not be mailed, keyed by the input exactly as given, "
        "each with the reason."
    )
    invalid: dict[str, str] = Field(
        description="Inputs that are not email addresses, keyed as given, with why."
    )


class ChangeOut(BaseModel):
    cursor: str = Field(description="Resume after this change by passing it as ?cursor=.")
    kind: Literal["opened", "lifted", "domain_paused", "domain_lifted"]
    address: str | None = Field(None, description="Set on address changes (opened, lifted).")
    domain: str | None = Field(None, description="Set on domain changes: the recipient domain.")
    incident: int | None = Field(None, description="Set on domain changes.")
    until: datetime | None = Field(None, description="domain_paused: when it lifts by itself.")
    streams: list[StreamName] | None = Field(None, description="Domain changes: streams covered.")
    at: datetime
    reason: ReasonName | DomainPaused
    type: TypeName | None = None
    suppressed: bool = Field(
        description="Whether the address (or, on domain changes, the domain) is paused after it."
    )


class ChangesOut(BaseModel):
    changes: list[ChangeOut]
    next_cursor: str = Field(
        description="Pass as ?cursor= for the next page; equal to the given cursor when empty."
    )
    has_more: bool


class BounceEventIn(BaseModel):
    """One bounce as the platform's MTA saw it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    event_id: str = Field(
        min_length=1,
        max_length=200,
        description="The client's own id for the event: a replay with the same id records nothing.",
    )
    address: str = Field(max_length=512)
    occurred_at: AwareDatetime
    status: str = Field("", max_length=16, description="Enhanced status code, e.g. 5.1.1.")
    smtp_code: str = Field("", max_length=3, description="SMTP reply code, e.g. 550.")
    diagnostic: str = Field("", max_length=10_000)
    reason: ReasonName | None = Field(
        None, description="Leave out to let the console classify status, code and diagnostic."
    )
    message_id: str = Field("", max_length=998)
    stream: StreamName = ""
    school: str | None = Field(None, max_length=100, description="The school's slug.")
    remote_mta: str = Field("", max_length=255)

    @field_validator("occurred_at", mode="after")
    @classmethod
    def _plausible_time(cls, value: datetime) -> datetime:
        if not plausible_time(value):
            raise ValueError(IMPLAUSIBLE_TIME)
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        # PostgreSQL text cannot hold NUL; refuse it here rather than fail at the INSERT.
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value


class IngestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: list[BounceEventIn] = Field(min_length=1, max_length=MAX_INGEST_EVENTS)


class EventResultOut(BaseModel):
    index: int = Field(description="The event's position in the request.")
    event_id: str | None
    result: Literal["recorded", "duplicate", "invalid"]
    suppressed: bool | None = Field(
        None, description="Whether the address is suppressed after this event (valid events)."
    )
    field_errors: dict[str, str] = Field(default_factory=dict)


class IngestOut(BaseModel):
    recorded: int
    duplicate: int
    invalid: int
    results: list[EventResultOut]
