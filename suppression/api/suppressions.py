"""The check side of the gate: may the sending system mail these addresses, and what changed."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

import pydantic
from django.http import HttpRequest, HttpResponse
from ninja import Path, Query, Router

from ..conf import setting
from ..models import SuppressionChange
from ..selectors import (
    DOMAIN_PAUSED,
    DomainPause,
    address_status,
    changes_after,
    check_many,
    normalized_or_why,
    pause_answer,
)
from ..timing import Phases
from .auth import check_scope
from .errors import ApiError, fast_json_response, field_errors_of, json_response, read_json
from .openapi import request_body
from .schemas import (
    MAX_CHECK_EMAILS,
    AddressStatusOut,
    ChangesOut,
    CheckCompactOut,
    CheckIn,
    CheckOut,
    ErrorOut,
    StreamName,
)

router = Router(tags=["suppressions"], auth=check_scope)

# 100,000 addresses of ordinary length are 3-5 MB of JSON; 24 MB leaves room for long ones
# without letting one request hold hundreds of megabytes.
CHECK_MAX_BYTES = 24 * 1024 * 1024
MAX_CURSOR = 2**63 - 1
REFUSALS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut}
STREAM_QUERY = Query(
    None,
    description="The message's stream: a domain pause covers some streams only (system mail "
    "usually goes). Without it, every pause applies.",
)


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a bulk check runs.

    A 100,000-address check allocates a few hundred thousand containers (lines, rows, answers)
    and makes none that refer to each other in a cycle, yet each 700 allocations would start a
    collection and a few of them a full one over the whole process: ~200 ms at 100,000. Reference
    counting still frees everything at once; the collector resumes afterwards. Threads (gthread)
    share the switch: it stays off while any of them is checking.
    """
    global _checks_running
    with _gc_lock:
        _checks_running += 1
        gc.disable()
    try:
        yield
    finally:
        with _gc_lock:
            _checks_running -= 1
            if not _checks_running:
                gc.enable()


_gc_lock = threading.Lock()
_checks_running = 0


@router.get(
    "/suppressions/changes",
    response={200: ChangesOut, **REFUSALS},
    summary="Suppressions opened or lifted after a cursor, oldest first",
)
def changes(
    request: HttpRequest,
    cursor: str = Query(
        "0",
        pattern=r"^[0-9]{1,19}$",
        description="The next_cursor of the previous page; 0 (or nothing) starts at the beginning.",
    ),
    limit: int = Query(1000, ge=1, le=10_000),
) -> HttpResponse:
    """Every change after ``cursor``, in the order they committed.

    Keep ``next_cursor`` with your local copy and pass it back after a crash: the feed gives
    each change exactly once and never skips one that committed late (writers of the feed are
    serialised until they commit, so ids follow commit order).
    """
    after = int(cursor)
    if after > MAX_CURSOR:
        raise ApiError(400, "invalid_cursor", "The cursor is out of range.", {"cursor": "too big"})
    rows = changes_after(after, limit + 1)
    page = rows[:limit]
    # By hand, like the bulk check: 10,000 changes through the pydantic model cost more than
    # the query; tests/api/test_check_answers.py holds it to the model's answer.
    return fast_json_response(
        {
            "changes": [_change(*row) for row in page],
            "next_cursor": str(page[-1][0]) if page else str(after),
            "has_more": len(rows) > limit,
        }
    )


_OPENED = SuppressionChange.Kind.OPENED.value
_DOMAIN_PAUSED = SuppressionChange.Kind.DOMAIN_PAUSED.value


def _change(
    pk: int,
    kind: str,
    at: str,
    address: str | None,
    reason: str | None,
    bounce_type: str | None,
    domain: str,
    incident: int | None,
    until: str | None,
    streams: list[str] | None,
) -> dict[str, Any]:
    if incident is None:
        return {
            "cursor": str(pk),
            "kind": kind,
            "at": at,
            "address": address,
            "reason": reason,
            "type": bounce_type,
            "suppressed": kind == _OPENED,
        }
    # A whole domain paused or lifted by an incident (docs/api.md): one row, not one per address.
    paused = kind == _DOMAIN_PAUSED
    return {
        "cursor": str(pk),
        "kind": kind,
        "at": at,
        "domain": domain,
        "incident": incident,
        "until": until if paused else None,
        "streams": streams or [],
        "reason": DOMAIN_PAUSED,
        "suppressed": paused,
    }


@router.post(
    "/suppressions/check",
    response={200: CheckOut | CheckCompactOut, **REFUSALS, 413: ErrorOut},
    summary="Which of these addresses must not be mailed (up to 100,000 per call)",
    openapi_extra=request_body(CheckIn),
)
def check(
    request: HttpRequest,
    form: Literal["full", "compact"] = Query(
        "full",
        description="`compact`: each suppressed input maps to its reason only (under half the "
        "bytes at 100,000 addresses); `full` (the default): reason, type, since and the "
        "normalized address.",
    ),
) -> HttpResponse:
    """The suppressed inputs with reason, type and since, keyed by the input exactly as given,
    and the inputs that are not email addresses with why. Inputs not listed may be mailed."""
    phases = Phases()
    data = read_json(request, max_bytes=CHECK_MAX_BYTES)
    phases.done("read")
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_request", 'Send {"emails": [...]}.', {"body": "not an object"})
    try:
        body = CheckIn.model_validate(data)
    except pydantic.ValidationError as error:
        raise ApiError(
            400,
            "invalid_request",
            f"Send up to {MAX_CHECK_EMAILS} addresses as strings.",
            field_errors_of(error),
        ) from None
    phases.done("validate")
    with gc_paused():
        result = check_many(body.emails, stream=body.stream, phases=phases)
        # check_many adds the answers of paused domains (incidents) to result.suppressed, so
        # that both forms carry them.
        suppressed: dict[str, Any] = result.suppressed
        if form == "compact":
            suppressed = {given: answer["reason"] for given, answer in suppressed.items()}
        # Built by hand rather than through pydantic: at 100,000 inputs the model round trip
        # would cost more than the database query. tests/api check the output against the
        # OpenAPI schema, and test_check_speed.py against the answer of the code before.
        response = fast_json_response(
            {"checked": result.checked, "suppressed": suppressed, "invalid": result.invalid}
        )
        phases.done("encode")
    if setting("API_SERVER_TIMING"):
        response["Server-Timing"] = phases.header()
    return response


@router.get(
    "/suppressions/{path:address}",
    response={200: AddressStatusOut, **REFUSALS},
    summary="Whether sending to one address is suppressed",
)
def status(
    request: HttpRequest,
    address: str = Path(
        ...,
        pattern=r"^[^\s/]+@[^\s/]+$",
        description="The address, percent-encoded. Addresses with a slash or a space (legal but "
        "rare) cannot travel in a path: check them with POST /suppressions/check.",
    ),
    stream: StreamName | None = STREAM_QUERY,
) -> HttpResponse:
    normalized, why = normalized_or_why(address)
    if normalized is None:
        raise ApiError(400, "invalid_email", f"Not an email address: {why}", {"address": why})
    found = address_status(normalized, stream or None)
    if found is None:
        body: dict[str, Any] = {"suppressed": False, "since": None, "reason": None, "type": None}
    elif isinstance(found, DomainPause):
        # The domain-pause fields appear only on a domain pause, as the bulk check writes them.
        answer = pause_answer(normalized, found)
        del answer["address"]
        body = {"suppressed": True, **answer}
    else:
        body = {
            "suppressed": True,
            "since": found.since,
            "reason": found.reason,
            "type": found.bounce_type,
        }
    return json_response({"address": address, "normalized": normalized, **body})
