"""The anymail ``tracking`` signal receiver: every ESP bounce goes through ``bounce_record``."""

from __future__ import annotations

import logging
from typing import Any

from anymail.signals import AnymailTrackingEvent
from django.db import DataError

from ..exceptions import InvalidBounce
from ..services.bounces import BounceOutcome, bounce_record
from ..services.ingest import school_for
from ..services.liveness import source_delivered
from ..textsafety import cut
from .mapping import Ignored, esp_bounce, source_for

logger = logging.getLogger(__name__)


def record_tracking_event(
    sender: object, event: AnymailTrackingEvent, esp_name: str, **kwargs: Any
) -> BounceOutcome | None:
    """Record the bounce a tracking event reports, once per provider event and recipient.

    An invalid address is logged and dropped: answering with an error would only make the
    provider retry the same event forever. Database errors propagate, so anymail answers 500
    and the provider retries later.
    """
    # Any event, bounce or not, shows the provider's webhook is delivering.
    source_delivered(source_for(esp_name))
    mapped = esp_bounce(event, esp_name)
    if isinstance(mapped, Ignored):
        logger.debug(
            "%s %s event %s not recorded: %s",
            esp_name,
            event.event_type,
            event.event_id,
            mapped.why,
        )
        return None
    school = school_for(mapped.school_slug)
    if mapped.school_slug and school is None:
        logger.warning(
            "%s event %s names no known school: %s",
            esp_name,
            event.event_id,
            cut(mapped.school_slug, 120),
        )
    try:
        outcome = bounce_record(
            email=mapped.email,
            source=mapped.source,
            dedupe_key=mapped.dedupe_key,
            occurred_at=mapped.occurred_at,
            reason=mapped.reason,
            status=mapped.status,
            smtp_code=mapped.smtp_code,
            diagnostic=mapped.diagnostic,
            rule=mapped.rule,
            remote_mta=mapped.remote_mta,
            stream=mapped.stream,
            school=school,
            message_id=mapped.message_id,
        )
    except (InvalidBounce, DataError) as error:
        # DataError: the database refuses what the event says; a retry would say it again.
        logger.warning(
            "%s %s event %s not recorded: %s", esp_name, event.event_type, event.event_id, error
        )
        return None
    if not outcome.created:
        logger.info(
            "%s event %s for %s was recorded before", esp_name, event.event_id, mapped.email
        )
    return outcome
