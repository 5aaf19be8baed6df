"""Every refusal of the domain is a distinct error with a stable ``code`` a caller can show."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .policy import GuardOutcome


class SuppressionError(Exception):
    """Base of the app's domain errors. ``str(error)`` is a sentence fit for the user."""

    code = "error"

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.__doc__ or self.code)
        self.message = message or (self.__doc__ or self.code).strip()


class InvalidEmailAddress(SuppressionError):
    """The email address is not valid."""

    code = "invalid_email"

    def __init__(self, value: str, why: str) -> None:
        super().__init__(f"{value!r} is not a valid email address: {why}")
        self.value = value
        self.why = why


class NotAllowed(SuppressionError):
    """You are not allowed to do this."""

    code = "not_allowed"


class AlreadySuppressed(SuppressionError):
    """Sending to this address is already paused."""

    code = "already_suppressed"


class NotSuppressed(SuppressionError):
    """Sending to this address is not paused, so there is nothing to resume."""

    code = "not_suppressed"


class NoteRequired(SuppressionError):
    """Write a note: it is shown back to the school owner."""

    code = "note_required"


class DuplicatePendingRequest(SuppressionError):
    """A request to resume sending to this address is already waiting for support."""

    code = "duplicate_pending_request"


class AddressNotKnownToSchool(NotSuppressed):
    """This address is not among the school's paused addresses.

    An owner gets this one answer whether the address is unknown, not paused, or paused because of
    another school's mail: anything else would tell them about a stranger's address.
    """

    code = "address_not_known_to_school"


class DailyLimitReached(SuppressionError):
    """You have sent as many requests today as the portal accepts from one owner."""

    code = "daily_limit_reached"


class AlreadyDecided(SuppressionError):
    """This request has already been decided."""

    code = "already_decided"


class GuardFailed(SuppressionError):
    """A safety guard refuses to resume sending. ``outcomes`` holds every guard's result."""

    code = "guard_failed"

    def __init__(self, message: str = "", outcomes: list[GuardOutcome] | None = None) -> None:
        super().__init__(message)
        self.outcomes = outcomes or []


class ExplanationRequired(GuardFailed):
    """Say what the client did to fix the problem."""

    code = "explanation_required"


class DomainDoesNotResolve(GuardFailed):
    """The domain still does not accept mail (no MX, A or AAAA record)."""

    code = "domain_does_not_resolve"


class NewBounceSinceRequest(GuardFailed):
    """The address bounced again after the request was submitted."""

    code = "new_bounce_since_request"


class LeadOverrideRequired(GuardFailed):
    """Only a support lead can resume sending here, with a written reason."""

    code = "lead_override_required"


class ComplaintNeedsLead(LeadOverrideRequired):
    """The recipient reported our mail as spam: only a lead can resume sending."""

    code = "complaint_needs_lead"


class TooManyReinstatements(LeadOverrideRequired):
    """Sending was already resumed twice in the window: only a lead can do it again."""

    code = "too_many_reinstatements"


class HardBounceAfterReinstatement(LeadOverrideRequired):
    """The address bounced hard soon after it was last resumed: only a lead can resume it."""

    code = "hard_bounce_after_reinstatement"


class OverrideReasonRequired(SuppressionError):
    """A lead override needs a written reason."""

    code = "override_reason_required"


class OverrideNotAllowed(SuppressionError):
    """Only a support lead can override a safety guard."""

    code = "override_not_allowed"


class InvalidBounce(SuppressionError):
    """The bounce event is not valid. ``field_errors`` maps each bad field to why."""

    code = "invalid_bounce"

    def __init__(self, field_errors: dict[str, str]) -> None:
        super().__init__(
            "Invalid bounce: " + "; ".join(f"{name}: {why}" for name, why in field_errors.items())
        )
        self.field_errors = field_errors


class AlreadyLifted(SuppressionError):
    """This pause was already lifted."""

    code = "already_lifted"


class UndoWindowClosed(SuppressionError):
    """This batch can no longer be undone."""

    code = "undo_window_closed"


class NothingSelected(SuppressionError):
    """The selection matches no open suppression."""

    code = "nothing_selected"
