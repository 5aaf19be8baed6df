"""Choosing a reason for one failed recipient: enhanced status code, diagnostic phrases, SMTP code.

Order of evidence: a *specific* RFC 3463 status code decides on its own; a generic one (X.0.0,
X.5.0, X.1.0, X.7.x, ...) lets the diagnostic phrases speak first, because servers often send a
catch-all code with a precise text; then the SMTP reply code; then the status class. Every answer
carries the id of the rule that made it, so that a support agent can see why.
"""

from __future__ import annotations

import re

from suppression.dsn.phrases import match_phrase, rules_through
from suppression.taxonomy import Reason

R = Reason

# Codes precise enough to trust over any wording (RFC 3463 and the IANA registry of subcodes).
SPECIFIC_STATUS: dict[str, Reason] = {
    "X.1.1": R.MAILBOX_UNKNOWN,
    "X.1.2": R.DOMAIN_UNKNOWN,
    "X.1.4": R.MAILBOX_UNKNOWN,
    "X.1.6": R.MAILBOX_UNKNOWN,
    "X.1.7": R.REJECTED,
    "X.1.8": R.REJECTED,
    "X.2.1": R.MAILBOX_UNKNOWN,
    "X.2.2": R.MAILBOX_FULL,
    "X.2.3": R.MESSAGE_TOO_LARGE,
    "X.3.1": R.SERVER_UNAVAILABLE,
    "X.3.4": R.MESSAGE_TOO_LARGE,
    "X.3.5": R.SERVER_UNAVAILABLE,
    "X.4.3": R.DNS_ERROR,
    "X.4.5": R.SERVER_UNAVAILABLE,
    "X.4.7": R.SERVER_UNAVAILABLE,
    "X.5.3": R.REJECTED,
    "X.7.13": R.MAILBOX_UNKNOWN,
    "X.7.14": R.MAILBOX_UNKNOWN,
    # Our own SPF, reverse DNS, DKIM/DMARC (RFC 7372): the platform is refused, not the address.
    "X.7.23": R.SENDER_REPUTATION,
    "X.7.24": R.SENDER_REPUTATION,
    "X.7.25": R.SENDER_REPUTATION,
    "X.7.26": R.SENDER_REPUTATION,
    "X.7.27": R.REJECTED,
    # Microsoft 365: DMARC reject of the sending domain (509), authentication level (515), and
    # "Access denied, banned sending IP" (606 to 608; its published NDR table).
    "X.7.509": R.SENDER_REPUTATION,
    "X.7.515": R.SENDER_REPUTATION,
    "X.7.606": R.SENDER_REPUTATION,
    "X.7.607": R.SENDER_REPUTATION,
    "X.7.608": R.SENDER_REPUTATION,
}

# Codes that name a category but whose wording often says more; used after the phrases.
FALLBACK_STATUS: dict[str, Reason] = {
    "X.1.0": R.MAILBOX_UNKNOWN,
    "X.1.5": R.UNKNOWN,
    "X.1.3": R.MAILBOX_UNKNOWN,
    "X.1.9": R.REJECTED,
    "X.1.10": R.DOMAIN_UNKNOWN,
    "X.2.0": R.MAILBOX_UNKNOWN,
    "X.2.4": R.REJECTED,
    "X.3.2": R.SERVER_UNAVAILABLE,
    "X.3.3": R.REJECTED,
    "X.4.0": R.SERVER_UNAVAILABLE,
    "X.4.1": R.DNS_ERROR,
    "X.4.2": R.SERVER_UNAVAILABLE,
    "X.4.4": R.DOMAIN_UNKNOWN,
    "X.4.6": R.REJECTED,
    "X.5.0": R.REJECTED,
    "X.5.1": R.REJECTED,
    "X.5.2": R.REJECTED,
    "X.5.4": R.REJECTED,
    "X.5.5": R.REJECTED,
    "X.5.6": R.REJECTED,
    "X.6.0": R.SPAM_FILTERED,
    "X.6.1": R.SPAM_FILTERED,
    "X.6.2": R.REJECTED,
    "X.6.3": R.REJECTED,
    "X.6.4": R.REJECTED,
    "X.6.5": R.REJECTED,
    "X.7.0": R.SENDER_BLOCKED,
    "X.7.1": R.SENDER_BLOCKED,
    "X.7.2": R.REJECTED,
    "X.7.3": R.REJECTED,
    "X.7.4": R.REJECTED,
    "X.7.5": R.REJECTED,
    "X.7.6": R.REJECTED,
    "X.7.7": R.REJECTED,
    "X.7.8": R.REJECTED,
    "X.7.9": R.REJECTED,
    "X.7.10": R.REJECTED,
    "X.7.11": R.REJECTED,
    "X.7.12": R.REJECTED,
    "X.7.15": R.REJECTED,
    "X.7.16": R.MAILBOX_FULL,
    "X.7.17": R.MAILBOX_UNKNOWN,
    "X.7.18": R.MAILBOX_UNKNOWN,
    "X.7.19": R.REJECTED,
    "X.7.20": R.REJECTED,
    "X.7.21": R.REJECTED,
    "X.7.22": R.REJECTED,
    "X.7.28": R.SENDER_REPUTATION,  # "mail flood detected": Gmail's 4.7.28 rate limit
    "X.7.29": R.REJECTED,
    "X.7.30": R.REJECTED,
}

# Temporary variants where the permanent meaning does not fit a soft failure.
TEMPORARY_OVERRIDE: dict[str, Reason] = {
    "X.1.2": R.DNS_ERROR,
    "X.4.4": R.DNS_ERROR,
    "X.1.10": R.DNS_ERROR,
}

SMTP_CODES: dict[str, Reason] = {
    "421": R.SERVER_UNAVAILABLE,
    "450": R.SERVER_UNAVAILABLE,
    "451": R.SERVER_UNAVAILABLE,
    "452": R.SERVER_UNAVAILABLE,
    "454": R.SERVER_UNAVAILABLE,
    "551": R.MAILBOX_UNKNOWN,
    "552": R.MAILBOX_FULL,
    "553": R.REJECTED,
    "555": R.REJECTED,
    "500": R.REJECTED,
    "501": R.REJECTED,
    "502": R.REJECTED,
    "503": R.REJECTED,
    "504": R.REJECTED,
}


# The SMTP command a reply answered, as MTAs quote it ("after MAIL FROM", "in reply to RCPT TO").
_COMMAND_RE = re.compile(
    r"(?:after|in reply to|response to|while sending|during|did not like our)\s+(?:the\s+)?"
    r"(?:end of\s+)?(mail from|rcpt to|data|initial connection|helo|ehlo|connect|greeting|banner)"
    r"|>>>\s*(mail from|rcpt to|data)",
)  # run over lowercased text: faster than re.IGNORECASE
WEAK_PHRASES = frozenset({"rejected"})
# Words specific enough to beat even a specific status code: servers put 5.1.1 or 5.7.x on a
# size limit, a full mailbox, a send-rate limit, bulk content or a local delivery agent's write
# failure, and the words name the problem where the code is the server's catch-all.
OVERRIDING_PHRASES = frozenset(
    {"message-too-large", "mailbox-full", "sender-rate-limit", "bulk-content", "lda-failure"}
)
# Only these rules' answers can beat a specific code: the scan for them stops after the last one.
_OVERRIDING_WITHIN = rules_through(OVERRIDING_PHRASES)
_ADDRESS_REASONS = (R.MAILBOX_UNKNOWN, R.DOMAIN_UNKNOWN)
_HARD_REASONS = (R.MAILBOX_UNKNOWN, R.DOMAIN_UNKNOWN, R.SENDER_BLOCKED, R.REJECTED)
# A null MX (RFC 7505) says the domain never accepts mail, however the report words its status.
_PERMANENT_PHRASES = frozenset({"null-mx"})
# The server's own permanent reply quoted in a report: a 5xx where a reply starts (line start,
# "said:", "<<<", "smtp;", a bracket) or a 5.x.x code; "more than 500 messages" is not one.
_PERMANENT_REPLY_RE = re.compile(
    r"(?:^|[(\[:;'\"<>])[ \t]*5\d\d(?:[ \t-]|$)|\b5\.\d{1,3}\.\d{1,3}\b", re.MULTILINE
)


def _quotes_permanent_reply(texts: tuple[str, ...]) -> bool:
    return bool(texts) and quotes_permanent_reply(texts[0][:2000])


def quotes_permanent_reply(text: str) -> bool:
    """Whether the text quotes a server's permanent reply (a 5xx where a reply starts, a 5.x.x)."""
    return bool(_PERMANENT_REPLY_RE.search(text))


def smtp_command(*texts: str) -> str:
    """The command the failing reply answered ("mail from", "rcpt to", ...), "" if not said."""
    for text in texts:
        match = _COMMAND_RE.search(text[:6000].lower())
        if match is not None:
            return match.group(1) or match.group(2)
    return ""


def status_key(status: str) -> str:
    parts = status.split(".")
    if len(parts) != 3:
        return ""
    return f"X.{parts[1]}.{parts[2]}"


def classify(status: str, smtp_code: str, *texts: str) -> tuple[Reason, str]:
    """The reason for one recipient and the id of the rule that chose it.

    ``texts`` are tried in order for phrases: the recipient's own diagnostic first, then wider
    context (the notice, the subject).
    """
    key = status_key(status)
    temporary = status.startswith("4") or (not status and smtp_code.startswith("4"))
    specific = SPECIFIC_STATUS.get(key)
    if specific in _HARD_REASONS and status.startswith("5") and texts:
        # A permanent hard code would suppress the address at once; the costliest mistake.
        said = match_phrase(texts[0], within=_OVERRIDING_WITHIN)
        if said is not None and said[1] in OVERRIDING_PHRASES:
            return said[0], f"phrase:{said[1]}+over:{status}"
    if specific is not None:
        if temporary and key in TEMPORARY_OVERRIDE:
            return TEMPORARY_OVERRIDE[key], f"status:{status}"
        if temporary and specific in _HARD_REASONS and not _quotes_permanent_reply(texts):
            # "450 4.1.1 try again": the server is not sure yet, so the address is not suppressed.
            return R.SERVER_UNAVAILABLE, f"status:{status}+temporary"
        return specific, f"status:{status}"
    phrase = None
    matched = ""
    for text in texts:
        phrase = match_phrase(text)
        if phrase is not None:
            matched = text
            break
    fallback = FALLBACK_STATUS.get(key)
    if fallback is None and key.startswith("X.7."):
        fallback = R.REJECTED  # security or policy status (vendor subcodes like 5.7.124)
    if phrase is not None and phrase[1] in WEAK_PHRASES and fallback is not None:
        phrase = None  # "rejected" alone says less than even a generic status code
    if phrase is not None:
        reason, name = phrase
        if temporary and name in ("domain-unknown", "domain-not-exist"):
            reason = R.DNS_ERROR
        if reason in _ADDRESS_REASONS:
            # "does not exist" said in reply to MAIL FROM is about our sender, not the recipient.
            command = smtp_command(matched)
            if command == "mail from":
                return R.REJECTED, f"phrase:{name}+mail-from"
            if command in ("initial connection", "helo", "ehlo", "connect", "greeting", "banner"):
                return R.SENDER_BLOCKED, f"phrase:{name}+{command.replace(' ', '-')}"
        if (
            temporary
            and reason in _HARD_REASONS
            and name not in _PERMANENT_PHRASES
            and not _PERMANENT_REPLY_RE.search(matched[:2000])
        ):
            # A 4.x.x answer is the server saying "not now": whatever the wording, it must not
            # suppress an address the way a permanent refusal does. Reporting MTAs often give a
            # generic 4.x.x while quoting the server's own 5xx reply; the reply wins then.
            return R.SERVER_UNAVAILABLE, f"phrase:{name}+temporary"
        return reason, f"phrase:{name}"
    if fallback is not None and fallback is not R.UNKNOWN:
        if temporary and key in TEMPORARY_OVERRIDE:
            return TEMPORARY_OVERRIDE[key], f"status:{status}"
        if temporary and fallback in (R.MAILBOX_UNKNOWN, R.REJECTED, R.SENDER_BLOCKED):
            return R.SERVER_UNAVAILABLE, f"status:{status}"
        return fallback, f"status:{status}"
    by_code = SMTP_CODES.get(smtp_code)
    if by_code is not None:
        return by_code, f"smtp:{smtp_code}"
    if temporary:
        return R.SERVER_UNAVAILABLE, "class:4"
    return R.UNKNOWN, "none"
