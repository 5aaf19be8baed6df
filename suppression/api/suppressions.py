"""The check side of the gate: may the sending system mail these addresses, and what changed."""

from __future__ import annotations

from typing import Any

import pydantic
from django.http import HttpRequest, HttpResponse
from ninja import Path, Query, Router

from ..models import SuppressionChange
from ..selectors import (
    DomainPause,
    check_many,
    domain_pauses_for,
    normalized_or_why,
    open_suppressions,
)
from .auth import check_scope
from .errors import ApiError, field_errors_of, json_response, read_json
from .openapi import request_body
from .schemas import (
    MAX_CHECK_EMAILS,
    AddressStatusOut,
    ChangesOut,
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
) -> dict[str, Any]:
    """Every change after ``cursor``, in the order they committed.

    Keep ``next_cursor`` with your local copy and pass it back after a crash: the feed gives
    each change exactly once and never skips one that committed late (writers of the feed are
    serialised until they commit, so ids follow commit order).
    """
    after = int(cursor)
    if after > MAX_CURSOR:
        raise ApiError(400, "invalid_cursor", "The cursor is out of range.", {"cursor": "too big"})
    rows = list(
        SuppressionChange.objects.filter(id__gt=after)
        .order_by("id")
        .values_list(
            "id",
            "kind",
            "at",
            "address__address",
            "suppression__reason",
            "suppression__bounce_type",
            "domain",
            "incident_id",
            "incident__until",
            "incident__streams",
        )[: limit + 1]
    )
    page = rows[:limit]
    return {
        "changes": [_change(*row) for row in page],
        "next_cursor": str(page[-1][0]) if page else str(after),
        "has_more": len(rows) > limit,
    }


def _change(
    pk: int,
    kind: str,
    at: Any,
    address: str | None,
    reason: str | None,
    bounce_type: str | None,
    domain: str,
    incident: int | None,
    until: Any,
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
            "suppressed": kind == SuppressionChange.Kind.OPENED,
        }
    # A whole domain paused or lifted by an incident (docs/api.md): one row, not one per address.
    paused = kind == SuppressionChange.Kind.DOMAIN_PAUSED
    return {
        "cursor": str(pk),
        "kind": kind,
        "at": at,
        "domain": domain,
        "incident": incident,
        "until": until if paused else None,
        "streams": streams or [],
        "reason": "domain_paused",
        "suppressed": paused,
    }


def _pause_fields(info: object) -> dict[str, Any]:
    """What the gate adds for an address at a paused domain: which incident, and until when."""
    if not isinstance(info, DomainPause):
        return {}
    return {
        "incident": info.incident_id,
        "domain": info.domain,
        "until": info.until,
        "streams": list(info.streams),
    }


@router.post(
    "/suppressions/check",
    response={200: CheckOut, **REFUSALS, 413: ErrorOut},
    summary="Which of these addresses must not be mailed (up to 100,000 per call)",
    openapi_extra=request_body(CheckIn),
)
def check(request: HttpRequest) -> HttpResponse:
    """The suppressed inputs with reason, type and since, keyed by the input exactly as given,
    and the inputs that are not email addresses with why. Inputs not listed may be mailed."""
    data = read_json(request, max_bytes=CHECK_MAX_BYTES)
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
    result = check_many(body.emails, stream=body.stream)
    # Built by hand rather than through pydantic: at 100,000 inputs the model round trip would
    # cost more than the database query. tests/api check the output against the OpenAPI schema.
    return json_response(
        {
            "checked": result.checked,
            "suppressed": {
                given: {
                    "address": info.address,
                    "reason": info.reason,
                    "type": info.bounce_type,
                    "since": info.since,
                    **_pause_fields(info),
                }
                for given, info in result.suppressed.items()
            },
            "invalid": result.invalid,
        }
    )


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
    info: Any = open_suppressions([normalized]).get(normalized)
    info = info or domain_pauses_for([normalized], stream or None).get(normalized)
    if info is None:
        body = {"suppressed": False, "since": None, "reason": None, "type": None}
    else:
        # The domain-pause fields appear only on a domain pause, as the bulk check writes them.
        body = {
            "suppressed": True,
            "since": info.since,
            "reason": info.reason,
            "type": info.bounce_type,
            **_pause_fields(info),
        }
    return json_response({"address": address, "normalized": normalized, **body})
