"""Turning user input into the normalized address: the one key every surface agrees on."""

from __future__ import annotations

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from .exceptions import InvalidEmailAddress

MAX_INPUT_LENGTH = 512


@dataclass(frozen=True, slots=True)
class NormalizedAddress:
    address: str  # local part lowercased, domain IDNA-encoded (ASCII) and lowercased
    domain: str
    display: str  # the input as given, trimmed


def normalize_email(value: object) -> NormalizedAddress:
    """Validate ``value`` with email-validator and return its normalized form.

    Raises ``InvalidEmailAddress`` naming what is wrong. Deliverability (DNS) is not checked here:
    this runs on every bounce and every send check, and a domain that stopped resolving is exactly
    what a bounce tells us.
    """
    if not isinstance(value, str):
        raise InvalidEmailAddress(repr(value), "an email address must be a string.")
    display = value.strip()
    if not display:
        raise InvalidEmailAddress(value, "the address is empty.")
    if len(display) > MAX_INPUT_LENGTH:
        raise InvalidEmailAddress(display[:40] + "…", "the address is too long.")
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
