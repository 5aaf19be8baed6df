"""System checks of the SUPPRESSION settings (ids suppression.E001…)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from .conf import DEFAULTS, POSITIVE_INTEGERS


@register()
def check_suppression_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    configured = getattr(settings, "SUPPRESSION", {})
    if not isinstance(configured, dict):
        return [Error("SUPPRESSION must be a dict.", id="suppression.E001")]
    for name in sorted(set(configured) - set(DEFAULTS)):
        errors.append(
            Error(
                f"SUPPRESSION[{name!r}] is not a known setting.",
                hint=f"Known settings: {', '.join(sorted(DEFAULTS))}.",
                id="suppression.E002",
            )
        )
    for name in POSITIVE_INTEGERS:
        value = configured.get(name, DEFAULTS[name])
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            errors.append(
                Error(
                    f"SUPPRESSION[{name!r}] must be a positive integer, not {value!r}.",
                    id="suppression.E003",
                )
            )
    timeout = configured.get("DNS_TIMEOUT_SECONDS", DEFAULTS["DNS_TIMEOUT_SECONDS"])
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        errors.append(
            Error(
                f"SUPPRESSION['DNS_TIMEOUT_SECONDS'] must be a positive number, not {timeout!r}.",
                id="suppression.E004",
            )
        )
    servers = configured.get("DNS_NAMESERVERS", DEFAULTS["DNS_NAMESERVERS"])
    if not isinstance(servers, list | tuple) or not all(isinstance(s, str) for s in servers):
        errors.append(
            Error(
                "SUPPRESSION['DNS_NAMESERVERS'] must be a list of IP addresses.",
                id="suppression.E005",
            )
        )
    return errors
