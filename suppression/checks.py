"""System checks of the SUPPRESSION settings (ids suppression.E001…)."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.checks import Warning as CheckWarning

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
    for name in ("DNS_TIMEOUT_SECONDS", "CONSOLE_DNS_TIMEOUT_SECONDS"):
        timeout = configured.get(name, DEFAULTS[name])
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            errors.append(
                Error(
                    f"SUPPRESSION[{name!r}] must be a positive number, not {timeout!r}.",
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
    errors += _check_deadlines(configured)
    errors += _check_list_check(configured)
    errors += _check_incidents(configured)
    return errors


JOBS_MODES = ("", "sync", "thread", "celery")


def _check_list_check(configured: dict[str, Any]) -> list[CheckMessage]:
    """The list check's DNS timeout and the background jobs' mode (E040, E041)."""
    errors: list[CheckMessage] = []
    name = "LIST_CHECK_DNS_TIMEOUT_SECONDS"
    timeout = configured.get(name, DEFAULTS[name])
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        errors.append(
            Error(
                f"SUPPRESSION[{name!r}] must be a positive number, not {timeout!r}.",
                id="suppression.E040",
            )
        )
    mode = configured.get("JOBS_MODE", DEFAULTS["JOBS_MODE"])
    if mode not in JOBS_MODES:
        errors.append(
            Error(
                f"SUPPRESSION['JOBS_MODE'] must be one of {JOBS_MODES!r}, not {mode!r}.",
                hint="Leave it empty: Celery when CELERY_BROKER_URL is set, else a thread.",
                id="suppression.E041",
            )
        )
    return errors


# Postfix kills a pipe command after command_time_limit (1000 s by default) and bounces the message.
MTA_TIME_LIMIT_SECONDS = 1000
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_$]{0,62}")


def _check_deadlines(configured: dict[str, Any]) -> list[CheckMessage]:
    errors: list[CheckMessage] = []

    def value(name: str) -> Any:
        return configured.get(name, DEFAULTS[name])

    connect, deadline = value("DB_CONNECT_TIMEOUT_SECONDS"), value("PIPE_DEADLINE_SECONDS")
    # Values that are not positive integers are reported above (E003).
    numbers = all(
        isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in (connect, deadline)
    )
    if numbers and connect < 2:
        errors.append(
            Error(
                "SUPPRESSION['DB_CONNECT_TIMEOUT_SECONDS'] must be at least 2: libpq waits "
                "2 seconds for any shorter value.",
                id="suppression.E030",
            )
        )
    if numbers and deadline <= connect:
        errors.append(
            Error(
                f"SUPPRESSION['PIPE_DEADLINE_SECONDS'] ({deadline}) must be longer than "
                f"SUPPRESSION['DB_CONNECT_TIMEOUT_SECONDS'] ({connect}).",
                hint="An unreachable database should fail the connection, not the whole run.",
                id="suppression.E031",
            )
        )
    if numbers and deadline >= MTA_TIME_LIMIT_SECONDS:
        errors.append(
            CheckWarning(
                f"SUPPRESSION['PIPE_DEADLINE_SECONDS'] ({deadline}) reaches Postfix's default "
                f"command_time_limit ({MTA_TIME_LIMIT_SECONDS} s).",
                hint="The MTA would kill the pipe and bounce the message instead of retrying it.",
                id="suppression.W030",
            )
        )
    timeout = value("WEB_STATEMENT_TIMEOUT_SECONDS")
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 0:
        errors.append(
            Error(
                "SUPPRESSION['WEB_STATEMENT_TIMEOUT_SECONDS'] must be a whole number of "
                f"seconds, 0 for none, not {timeout!r}.",
                id="suppression.E032",
            )
        )
    idle = value("DB_HEALTH_CHECK_IDLE_SECONDS")
    if isinstance(idle, bool) or not isinstance(idle, int | float) or idle < 0:
        errors.append(
            Error(
                "SUPPRESSION['DB_HEALTH_CHECK_IDLE_SECONDS'] must be a number of seconds, 0 to "
                f"ping a kept connection before every request, not {idle!r}.",
                id="suppression.E034",
            )
        )
    role = value("DB_APP_ROLE")
    if not isinstance(role, str) or (role and not ROLE_NAME.fullmatch(role)):
        errors.append(
            Error(
                f"SUPPRESSION['DB_APP_ROLE'] (DATABASE_APP_ROLE) must be a PostgreSQL role name "
                f"in lower case, not {role!r}.",
                id="suppression.E033",
            )
        )
    return errors


def _check_incidents(configured: dict[str, Any]) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    streams = configured.get("INCIDENT_STREAMS", DEFAULTS["INCIDENT_STREAMS"])
    known = {"campaign", "automation", "system"}
    if (
        not isinstance(streams, list | tuple)
        or not streams
        or not all(isinstance(s, str) and s in known for s in streams)
    ):
        errors.append(
            Error(
                f"SUPPRESSION['INCIDENT_STREAMS'] must list streams among {sorted(known)}, "
                f"not {streams!r}.",
                id="suppression.E042",
            )
        )
    base = configured.get("INCIDENT_PAUSE_MINUTES", DEFAULTS["INCIDENT_PAUSE_MINUTES"])
    top = configured.get("INCIDENT_PAUSE_MAX_MINUTES", DEFAULTS["INCIDENT_PAUSE_MAX_MINUTES"])
    if isinstance(base, int) and isinstance(top, int) and top < base:
        errors.append(
            Error(
                "SUPPRESSION['INCIDENT_PAUSE_MAX_MINUTES'] must be at least "
                "INCIDENT_PAUSE_MINUTES.",
                id="suppression.E043",
            )
        )
    return errors
