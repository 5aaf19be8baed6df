"""The ingest side of the gate: the platform's MTA pushes bounce events here.

Each event is judged on its own: one bad event gets its field errors back and the rest are
recorded. The batch goes through ``bounce_record_batch`` (the outcome of ``bounce_record`` per
event, in a few statements for the whole batch), keyed per client (``<client id>:<event id>``)
so that two clients' ids never collide and a replayed batch records nothing new.
"""

from __future__ import annotations

from typing import Any

import pydantic
from django.http import HttpRequest, HttpResponse
from ninja import Router

from ..models import ApiClient, LivenessSource, School, Source
from ..services.bounce_batches import BounceInput, bounce_record_batch
from ..services.liveness import source_delivered
from .auth import ingest_scope
from .classify import classify_event
from .errors import ApiError, field_errors_of, json_response, read_json
from .openapi import request_body
from .schemas import MAX_INGEST_EVENTS, BounceEventIn, ErrorOut, IngestIn, IngestOut

router = Router(tags=["bounces"], auth=ingest_scope)

# The service names the address field "email"; the API calls it "address".
_SERVICE_FIELDS = {"email": "address", "dedupe_key": "event_id"}

# A full batch (1,000 events with diagnostics at their 10,000-character limit) is about 11 MB
# of JSON; Django's 2.5 MB default would refuse batches the schema allows.
INGEST_MAX_BYTES = 16 * 1024 * 1024


def dedupe_key(client: ApiClient, event_id: str) -> str:
    return f"{client.pk}:{event_id}"


@router.post(
    "/bounces",
    response={
        200: IngestOut,
        207: IngestOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        413: ErrorOut,
    },
    summary="Record bounce events from the platform's MTA (up to 1,000 per call)",
    openapi_extra=request_body(IngestIn),
)
def ingest(request: HttpRequest) -> HttpResponse:
    """A result per event, in order: ``recorded``, ``duplicate`` (this client sent that event_id
    before, or earlier in this batch) or ``invalid`` with its field errors.

    200 when every event was recorded or a duplicate, 207 when some were invalid, 400 (with the
    field errors as ``events.<index>.<field>``) when none was valid or the body is not a batch.
    """
    client: ApiClient = request.auth  # type: ignore[attr-defined]
    data = read_json(request, max_bytes=INGEST_MAX_BYTES)
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list) or not events or len(events) > MAX_INGEST_EVENTS:
        raise ApiError(
            400,
            "invalid_request",
            f'Send {{"events": [...]}} with 1 to {MAX_INGEST_EVENTS} events.',
            {"events": f"must be a list of 1 to {MAX_INGEST_EVENTS} events"},
        )
    if set(data) - {"events"}:
        extra = sorted(set(data) - {"events"})
        raise ApiError(
            400, "invalid_request", "Unknown fields.", {f: "unknown field" for f in extra}
        )

    results: list[dict[str, Any]] = []
    parsed: dict[int, BounceEventIn] = {}
    for index, raw in enumerate(events):
        event_id = raw.get("event_id") if isinstance(raw, dict) else None
        results.append(
            {
                "index": index,
                "event_id": event_id if isinstance(event_id, str) else None,
                "result": "invalid",
                "suppressed": None,
                "field_errors": {},
            }
        )
        try:
            parsed[index] = BounceEventIn.model_validate(raw)
        except pydantic.ValidationError as error:
            results[index]["field_errors"] = field_errors_of(error)

    slugs = {event.school for event in parsed.values() if event.school}
    schools = {school.slug: school for school in School.objects.filter(slug__in=slugs)}
    batch: list[tuple[int, BounceInput]] = []
    for index, event in parsed.items():
        results[index]["event_id"] = event.event_id
        school = schools.get(event.school) if event.school else None
        if event.school and school is None:
            results[index]["field_errors"] = {"school": f"no school with the slug {event.school!r}"}
            continue
        batch.append((index, _as_input(client, event, school)))
    recorded = bounce_record_batch(items=[item for _, item in batch], source=Source.API)
    source_delivered(LivenessSource.API)
    for (index, _), outcome in zip(batch, recorded, strict=True):
        if outcome.field_errors:
            results[index]["field_errors"] = {
                _SERVICE_FIELDS.get(f, f): why for f, why in outcome.field_errors.items()
            }
        elif outcome.created:
            results[index].update(result="recorded", suppressed=outcome.suppressed)
        else:
            results[index]["result"] = "duplicate"

    counts = {
        kind: sum(r["result"] == kind for r in results)
        for kind in ("recorded", "duplicate", "invalid")
    }
    if counts["invalid"] == len(results):
        raise ApiError(
            400,
            "invalid_events",
            "No event in the batch is valid.",
            {
                f"events.{r['index']}.{field}": why
                for r in results[:100]
                for field, why in r["field_errors"].items()
            },
        )
    return json_response({**counts, "results": results}, status=207 if counts["invalid"] else 200)


def _as_input(client: ApiClient, event: BounceEventIn, school: School | None) -> BounceInput:
    if event.reason is not None:
        reason, rule = str(event.reason), "api:given"
    else:
        found, rule = classify_event(event.status, event.smtp_code, event.diagnostic)
        reason = str(found)
    return BounceInput(
        email=event.address,
        dedupe_key=dedupe_key(client, event.event_id),
        occurred_at=event.occurred_at,
        reason=reason,
        status=event.status,
        smtp_code=event.smtp_code,
        diagnostic=event.diagnostic,
        rule=rule,
        remote_mta=event.remote_mta,
        stream=event.stream,
        school=school,
        message_id=event.message_id,
    )
