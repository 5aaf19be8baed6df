"""Turning user input into the normalized address: the one key every surface agrees on."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .exceptions import InvalidEmailAddress

MAX_INPUT_LENGTH = 512

# The special-use domain names (RFC 6761) email-validator refuses, as its SPECIAL_USE_DOMAIN_NAMES
# lists them. A copy, so that a plain address is normalized without importing the library: its
# import compiles some 20 ms of regular expressions, a tenth of the pipe's start-up for one bounce.
# tests/api/test_fast_normalize.py holds the copy equal to the library's list.
SPECIAL_USE_DOMAIN_NAMES = ("arpa", "invalid", "local", "localhost", "onion", "test")


@dataclass(frozen=True, slots=True)
class NormalizedAddress:
    address: str  # local part lowercased, domain IDNA-encoded (ASCII) and lowercased
    domain: str
    display: str  # the input as given, trimmed


def normalize_email(value: object) -> NormalizedAddress:
    """Validate ``value`` and return its normalized form, as email-validator would.

    Raises ``InvalidEmailAddress`` naming what is wrong. Deliverability (DNS) is not checked here:
    this runs on every bounce and every send check, and a domain that stopped resolving is exactly
    what a bounce tells us. A plain ASCII address takes ``fast_normalize``'s shortcut, which never
    disagrees with the library (tests/api/test_fast_normalize.py); the rest goes to the library.
    """
    if not isinstance(value, str):
        raise InvalidEmailAddress(repr(value), "an email address must be a string.")
    display = value.strip()
    if not display:
        raise InvalidEmailAddress(value, "the address is empty.")
    if len(display) > MAX_INPUT_LENGTH:
        raise InvalidEmailAddress(display[:40] + "…", "the address is too long.")
    fast = fast_normalize(display)
    if fast is not None:
        return NormalizedAddress(address=fast, domain=fast.rpartition("@")[2], display=display)
    return validated(display)


def validated(display: str) -> NormalizedAddress:
    """``display`` (trimmed, not empty) normalized by email-validator itself, with no shortcut."""
    from email_validator import EmailNotValidError, validate_email

    try:
        valid = validate_email(
            display, check_deliverability=False, allow_smtputf8=True, strict=True
        )
    except EmailNotValidError as error:
        raise InvalidEmailAddress(display, str(error)) from None
    local = valid.local_part.lower()
    domain = (valid.ascii_domain or valid.domain).lower()
    address = f"{local}@{domain}"
    if len(address) > 320:
        raise InvalidEmailAddress(display, "the address is too long.")
    return NormalizedAddress(address=address, domain=domain, display=display)


# RFC 5322 dot-atom local part and an LDH host name with an alphabetic TLD. Anything this does
# not match is not necessarily invalid: it only goes the slow, exact way.
_PLAIN = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_SPECIAL_USE_SUFFIXES = tuple("." + name for name in SPECIAL_USE_DOMAIN_NAMES)


def fast_normalize(value: str) -> str | None:
    """The normalized address, or None when only email-validator can tell."""
    text = value.strip()
    if len(text) > 254 or not _PLAIN.fullmatch(text):
        return None
    local, _, domain = text.rpartition("@")
    if len(local) > 64:
        return None
    domain = domain.lower()
    # IDNA reserves "??--" labels (xn-- and friends); email-validator judges those.
    if "--" in domain and any(label[2:4] == "--" for label in domain.split(".")):
        return None
    if domain in SPECIAL_USE_DOMAIN_NAMES or domain.endswith(_SPECIAL_USE_SUFFIXES):
        return None
    return f"{local.lower()}@{domain}"
