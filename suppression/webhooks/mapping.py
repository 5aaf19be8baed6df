"""From an anymail tracking event to the bounce it reports, or to why it reports none.

Plain decisions on the event, no database: ``receivers`` records what this returns.
The per-recipient status code outranks the provider's label (providers file 5.x.x rejections
under "transient" and "soft"); the label only names a reason when the code and the server's
text say nothing specific, and only when it agrees with the code on permanent versus temporary.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from anymail.signals import AnymailTrackingEvent, EventType, RejectReason
from django.utils import timezone

# The DSN package's classifier, so that an ESP's "550 5.1.1 ..." reads exactly like a DSN's.
from ..dsn.classify import classify
from ..dsn.textutil import find_smtp_code, find_status
from ..models import Source
from ..services.bounces import occurred_or_now
from ..services.ingest import stream_for
from ..taxonomy import BounceType, Reason, bounce_type_for
from ..textsafety import clean_line, clean_text
from . import evidence as ev

R = Reason
MAX_KEY = 255

SOURCES: dict[str, Source] = {
    "Amazon SES": Source.AMAZON_SES,
    "SendGrid": Source.SENDGRID,
    "Mailgun": Source.MAILGUN,
    "Postmark": Source.POSTMARK,
    "Brevo": Source.BREVO,
    "SendinBlue": Source.BREVO,
}

# Each provider's own classification, lowercased, as "kind/detail" with a fallback on "kind".
# None: the provider says this is no bounce at all (an unsubscribe, an ESP-side setting).
# A label is used only when the server's code and words say nothing specific (see _reason). A
# generic failure label ("Permanent", "HardBounce") names no cause: it maps to ``unknown``, which
# takes hard or soft from the status class, rather than to a reason nothing said.
# The evidence for each row is the provider's documentation of the label, quoted after it.
LABELS: dict[Source, dict[str, Reason | None]] = {
    Source.AMAZON_SES: {
        # SES notification contents, bounce types: "NoEmail: the intended recipient's email
        # provider sent a bounce message indicating that the email address doesn't exist".
        "permanent/noemail": R.MAILBOX_UNKNOWN,
        # "Suppressed: the recipient's address is on the SES suppression list" (bounced before).
        "permanent/suppressed": R.REJECTED,
        "permanent/onaccountsuppressionlist": R.REJECTED,
        "permanent/unsubscribedrecipient": None,  # "has unsubscribed": not a failure
        # "General: the email provider sent a hard bounce"; no cause given.
        "permanent/general": R.UNKNOWN,
        "permanent": R.UNKNOWN,
        "transient/mailboxfull": R.MAILBOX_FULL,  # "the recipient's inbox was full"
        "transient/messagetoolarge": R.MESSAGE_TOO_LARGE,  # "exceeded the size limit"
        "transient/contentrejected": R.SPAM_FILTERED,  # "contains content the provider rejects"
        "transient/attachmentrejected": R.SPAM_FILTERED,  # "an unacceptable attachment"
        "transient/general": R.SERVER_UNAVAILABLE,  # "a general bounce ... may be able to succeed"
        "transient": R.SERVER_UNAVAILABLE,
        "undetermined": R.UNKNOWN,  # "SES was unable to determine a specific bounce reason"
        # SES refused the message itself (a virus): about the content, never the address.
        "reject": R.SPAM_FILTERED,
    },
    Source.SENDGRID: {
        # SendGrid bounce classifications (bounce_classification).
        "bounce/invalid address": R.MAILBOX_UNKNOWN,  # "the address does not exist"
        "bounce/mailbox unavailable": R.MAILBOX_UNKNOWN,  # "mailbox disabled or unavailable"
        # "the sending IP or domain has a poor reputation with the receiver": the platform.
        "bounce/reputation": R.SENDER_REPUTATION,
        "bounce/content": R.SPAM_FILTERED,  # "the content was identified as spam"
        # "the receiver limits the frequency or volume of mail from the sender": the platform.
        "bounce/frequency or volume": R.SENDER_REPUTATION,
        "bounce/technical": R.SERVER_UNAVAILABLE,  # "a technical issue on the receiving side"
        "bounce/unclassified": R.UNKNOWN,  # "could not be classified"
        "bounce/blocked": R.SENDER_BLOCKED,
        "bounce/bounce": R.UNKNOWN,
        "dropped/bounced address": R.REJECTED,  # on SendGrid's own bounce list: bounced before
        "dropped/invalid": R.MAILBOX_UNKNOWN,
        "dropped/spam reporting address": R.COMPLAINT,
        "dropped/unsubscribed address": None,
    },
    Source.MAILGUN: {
        # Mailgun event "failed": reason and severity ("permanent" / "temporary").
        "suppress-bounce": R.REJECTED,  # "the address previously bounced"
        "suppress-complaint": R.COMPLAINT,  # "the address previously complained"
        "suppress-unsubscribe": None,
        "bounce/permanent": R.UNKNOWN,  # "a hard bounce" with the server's reply, if any
        "bounce/temporary": R.SERVER_UNAVAILABLE,
        "generic/permanent": R.UNKNOWN,  # "generic": no specific cause
        "generic/temporary": R.SERVER_UNAVAILABLE,
        "old": R.SERVER_UNAVAILABLE,  # "old": retried too long, the message expired
        "hardfail": R.UNKNOWN,
        "esp-block": R.REJECTED,  # "ESP block": the receiving provider refused the domain
        "bounced": R.UNKNOWN,
    },
    Source.POSTMARK: {
        # Postmark bounce types (Bounce webhook "Type").
        "bounce/hardbounce": R.UNKNOWN,  # "the server responded with a permanent error"
        "bounce/softbounce": R.SERVER_UNAVAILABLE,  # "temporary issue", Postmark retries
        "bounce/transient": R.SERVER_UNAVAILABLE,  # "delayed; Postmark will keep trying"
        "bounce/dnserror": R.DNS_ERROR,  # "a temporary DNS error"
        "bounce/bademailaddress": R.MAILBOX_UNKNOWN,  # "invalid email address"
        "bounce/blocked": R.SENDER_BLOCKED,  # "the recipient's server blocked the message"
        # "DMARCPolicy: the message was rejected because of the sender's DMARC policy".
        "bounce/dmarcpolicy": R.SENDER_REPUTATION,
        "bounce/virusnotification": R.SPAM_FILTERED,  # "the message contained a virus"
        # "SpamNotification: the message was delivered, but was either blocked by the user, or
        # classified as spam" -- the receiving filter, and Postmark does not deactivate the
        # address on it: a content refusal, never a complaint.
        "bounce/spamnotification": R.SPAM_FILTERED,
        "bounce/manuallydeactivated": None,
        "bounce/unconfirmed": None,
        "bounce/openrelaytest": None,
        "bounce/autoresponder": None,  # "an automatic reply": no failure
        "bounce/addresschange": None,  # "the recipient asked to change address"
        "bounce/challengeverification": None,  # "a challenge-response request"
        "bounce/subscribe": None,
        "bounce/unsubscribe": None,
        "bounce/smtpapierror": None,  # Postmark's own API refusal, not the recipient's server
        "bounce/inbounderror": None,  # about inbound processing
        "bounce/templaterenderingfailed": None,  # our template, never sent
        "bounce/unknown": R.UNKNOWN,
        "spamcomplaint": R.COMPLAINT,  # "the recipient marked the message as spam"
        # Echoes of bounces and complaints already posted by the Bounce and SpamComplaint hooks.
        "subscriptionchange": None,
    },
    Source.BREVO: {
        # Brevo transactional webhook events.
        "hard_bounce": R.UNKNOWN,  # "permanent delivery failure" with the server's reason
        "soft_bounce": R.SERVER_UNAVAILABLE,  # "temporary delivery failure"
        "invalid_email": R.MAILBOX_UNKNOWN,  # "the address is invalid"
        "blocked": R.REJECTED,  # "blocked by Brevo": the contact is on Brevo's block list
        "deferred": R.SERVER_UNAVAILABLE,
        "spam": R.COMPLAINT,  # "the recipient marked the message as spam"
        "complaint": R.COMPLAINT,
    },
}

# For a rejection with no provider label we know: anymail's normalized reject reason.
REJECT_REASONS: dict[str, Reason | None] = {
    RejectReason.INVALID: R.MAILBOX_UNKNOWN,
    RejectReason.BOUNCED: R.REJECTED,
    RejectReason.TIMED_OUT: R.SERVER_UNAVAILABLE,
    RejectReason.BLOCKED: R.REJECTED,
    RejectReason.SPAM: R.COMPLAINT,
    RejectReason.UNSUBSCRIBED: None,
    RejectReason.OTHER: None,
}

_UNSPECIFIC_RULES = ("none", "class:4")


@dataclass(frozen=True, slots=True)
class EspBounce:
    """Everything ``bounce_record`` needs, except the school, which is a database lookup."""

    email: str
    source: str
    dedupe_key: str
    occurred_at: datetime
    reason: Reason
    status: str
    smtp_code: str
    diagnostic: str
    rule: str
    remote_mta: str
    stream: str
    school_slug: str
    message_id: str


@dataclass(frozen=True, slots=True)
class Ignored:
    why: str


def source_for(esp_name: str) -> Source:
    return SOURCES.get(esp_name, Source.ESP_OTHER)


def esp_bounce(event: AnymailTrackingEvent, esp_name: str) -> EspBounce | Ignored:
    """The bounce an ESP tracking event reports, or ``Ignored`` saying why it reports none.

    ``bounced``, ``rejected`` and ``complained`` events are bounces; a ``deferred`` event is one
    only when its own status code is permanent (5.x.x), because a provider retrying a permanent
    rejection has mislabelled it. ``delivered``, ``autoresponded`` and the rest never are.
    """
    source = source_for(esp_name)
    recipient = clean_line(event.recipient)
    if not recipient:
        return Ignored(f"{event.event_type} event names no recipient")
    found = ev.READERS.get(source, ev.generic)(event)
    label = found.label.strip().lower()
    label_known, label_reason = _lookup(source, label)
    if label_known and label_reason is None:
        return Ignored(f"{esp_name} says {found.label!r}: not a bounce")

    # The provider's own description (boilerplate per bounce type) is shown when the server
    # said nothing, but never classified.
    diagnostic = clean_text(found.diagnostic or str(event.description or ""))
    status, smtp_code = _codes(found, found.diagnostic)
    permanent = (status or smtp_code).startswith("5")
    if event.event_type == EventType.COMPLAINED and label == "not-spam":
        return Ignored("the recipient reported the message as not spam")
    # The provider's own label outranks anymail's normalized type when the provider documents it
    # as a refusal: anymail files Postmark's SpamNotification (the receiving filter refused the
    # content) under "complained", which would suppress the address at once.
    refusal = event.event_type == EventType.COMPLAINED and label_reason not in (None, R.COMPLAINT)
    if event.event_type == EventType.COMPLAINED and not refusal:
        reason, rule = R.COMPLAINT, f"esp:complaint{f':{found.label}' if label else ''}"[:100]
    elif (
        refusal
        or event.event_type in (EventType.BOUNCED, EventType.REJECTED)
        or (event.event_type == EventType.DEFERRED and permanent)
    ):
        fallback = label_reason if label_known else None
        if fallback is None and event.event_type == EventType.REJECTED:
            fallback = REJECT_REASONS.get(event.reject_reason or RejectReason.OTHER)
            if fallback is None and not (status or smtp_code):
                return Ignored(
                    f"rejected by {esp_name} for a reason that says nothing about the recipient "
                    f"({event.reject_reason or 'other'})"
                )
        reason, rule = _reason(
            status, smtp_code, (found.diagnostic, *found.texts), fallback, found.label.strip()
        )
    else:
        return Ignored(f"{event.event_type} is not a bounce")

    return EspBounce(
        email=recipient,
        source=source,
        dedupe_key=dedupe_key(event, found, esp_name=esp_name, source=source),
        occurred_at=_aware(found.occurred_at or event.timestamp),
        reason=reason,
        status=status,
        smtp_code=smtp_code,
        diagnostic=diagnostic,
        # Cleaned here; bounce_record cuts over-long values with a visible mark.
        rule=clean_line(rule),
        remote_mta=clean_line(found.remote_mta),
        stream=stream_for(ev.metadata_value(event, found, "stream")),
        school_slug=clean_line(ev.metadata_value(event, found, "school")),
        message_id=clean_line(found.message_id or str(event.message_id or "")).strip("<> "),
    )


def _lookup(source: Source, label: str) -> tuple[bool, Reason | None]:
    table = LABELS.get(source, {})
    for candidate in (label, label.split("/", 1)[0]):
        if candidate and candidate in table:
            return True, table[candidate]
    return False, None


def _codes(found: ev.Evidence, diagnostic: str) -> tuple[str, str]:
    status = found.status
    in_text = find_status(diagnostic)
    # The code in the server's own reply is more precise than a provider's catch-all field
    # (SendGrid's "5.0.0"), as long as both agree on permanent versus temporary.
    if in_text and (not status or in_text[0] == status[0]):
        status = in_text
    smtp_code = found.smtp_code or find_smtp_code(diagnostic)
    return status, smtp_code


def _reason(
    status: str, smtp_code: str, texts: tuple[str, ...], fallback: Reason | None, label: str
) -> tuple[Reason, str]:
    reason, rule = classify(status, smtp_code, *(text for text in texts if text))
    if (
        not (status or smtp_code)
        and fallback is not None
        and fallback is not R.COMPLAINT
        and bounce_type_for(fallback) == BounceType.SOFT
        and bounce_type_for(reason) == BounceType.HARD
    ):
        # No code, and the provider calls it a soft bounce: its words ("No MX for ...") name
        # the cause, the provider's label says it may pass, as a 4.x.x code would.
        soft = R.DNS_ERROR if reason is R.DOMAIN_UNKNOWN else R.SERVER_UNAVAILABLE
        return soft, f"{rule}+esp-soft"
    if rule not in _UNSPECIFIC_RULES or fallback is None:
        return reason, rule
    klass = (status or smtp_code)[:1]
    if fallback is not R.COMPLAINT and klass:
        label_type = bounce_type_for(fallback, status, smtp_code)
        if (label_type == BounceType.HARD) != (klass == "5"):
            return reason, rule  # the code says otherwise: it wins
    return fallback, f"esp:{label or 'rejected'}"[:100]


def dedupe_key(
    event: AnymailTrackingEvent, found: ev.Evidence, *, esp_name: str, source: Source
) -> str:
    """The provider's event id (or a hash of the raw event) and the recipient.

    One SES notification reports every recipient under one id; retries and duplicates of an
    event repeat its id, and a provider without ids repeats the same raw event.
    """
    base = found.event_id or str(event.event_id or "") or f"raw:{raw_digest(event.esp_event)}"
    key = clean_line(f"{base}:{clean_line(event.recipient).lower()}")
    if source == Source.ESP_OTHER:
        key = f"{esp_name}:{key}"
    if len(key) > MAX_KEY:
        key = f"sha256:{hashlib.sha256(key.encode()).hexdigest()}"
    return key


def raw_digest(raw: object) -> str:
    if hasattr(raw, "lists"):  # a QueryDict from a form-encoded webhook
        raw = sorted(raw.lists())
    text = json.dumps(raw, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _aware(value: datetime | None) -> datetime:
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return occurred_or_now(value)
