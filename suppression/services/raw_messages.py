"""The raw bounce messages behind DSN-sourced events: kept compressed, once, for a while.

Support reads what the server actually said (the Postmark "dump"); the parser's reading of it is
in the event. A message is stored once per sha256 however many recipients it names, linked to
each event it recorded, and deleted by ``raw_messages_purge`` after ``RAW_MESSAGE_RETENTION_DAYS``
(``manage.py purge_raw_messages``, for cron). The events stay: they are history, the bytes are not.
"""

from __future__ import annotations

import hashlib
import zlib
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..conf import setting
from ..models import BounceEvent, BounceEventMessage, RawBounceMessage
from . import fastsql

PURGE_BATCH = 1000
# What a caller linking events to the stored messages reads back: not the bytes.
STORED_FIELDS = ("id", "sha256", "received_at", "size")


def raw_message_keep(*, raw: bytes, at: datetime | None = None) -> RawBounceMessage:
    """The stored copy of ``raw``, created on first sight (at most ``MAX_MESSAGE_BYTES`` kept)."""
    digest = hashlib.sha256(raw).hexdigest()
    existing = RawBounceMessage.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing
    kept = raw[: setting("MAX_MESSAGE_BYTES")]
    message = RawBounceMessage(
        sha256=digest,
        size=len(raw),
        compressed=zlib.compress(kept, 6),
        received_at=at or timezone.now(),
    )
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:  # the same message arrived through another connection first
        return RawBounceMessage.objects.get(sha256=digest)
    return message


def raw_messages_keep(
    *, raws: list[bytes], at: datetime | None = None
) -> dict[str, RawBounceMessage]:
    """``raw_message_keep`` for many messages at once, by sha256: two statements in all.

    Inserts the ones not stored yet (a message stored meanwhile by another connection is left
    as it is), then reads them all back without their bytes.
    """
    kept_up_to = setting("MAX_MESSAGE_BYTES")
    received_at = at or timezone.now()
    by_digest = {hashlib.sha256(raw).hexdigest(): raw for raw in raws}
    if not by_digest:
        return {}
    messages = [
        RawBounceMessage(
            sha256=digest,
            size=len(raw),
            compressed=zlib.compress(raw[:kept_up_to], 6),
            received_at=received_at,
        )
        for digest, raw in by_digest.items()
    ]
    if fastsql.available():
        fastsql.insert(messages, conflict="sha256")
        stored = fastsql.select(
            RawBounceMessage, STORED_FIELDS, "sha256 = ANY(%s)", [list(by_digest)]
        )
    else:
        RawBounceMessage.objects.bulk_create(messages, ignore_conflicts=True)
        stored = list(
            RawBounceMessage.objects.filter(sha256__in=list(by_digest)).defer("compressed")
        )
    return {message.sha256: message for message in stored}


def raw_message_link(*, event: BounceEvent, message: RawBounceMessage) -> None:
    """Record that ``message`` reported ``event`` (once; a re-ingested message adds nothing)."""
    BounceEventMessage.objects.get_or_create(event=event, defaults={"message": message})


def raw_message_bytes(message: RawBounceMessage) -> bytes:
    return zlib.decompress(bytes(message.compressed))


def raw_messages_purge(*, now: datetime | None = None, batch: int = PURGE_BATCH) -> int:
    """Delete stored messages received before the retention period; returns how many.

    In batches of ``batch`` ids, each its own short transaction, so that a purge of millions
    never holds a lock or a statement for long. Their links go with them; the events stay.
    """
    cutoff = (now or timezone.now()) - timedelta(days=setting("RAW_MESSAGE_RETENTION_DAYS"))
    deleted = 0
    while True:
        ids = list(
            RawBounceMessage.objects.filter(received_at__lt=cutoff)
            .order_by("received_at")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return deleted
        with transaction.atomic():
            BounceEventMessage.objects.filter(message_id__in=ids).delete()
            deleted += (
                RawBounceMessage.objects.filter(pk__in=ids)
                .delete()[1]
                .get(RawBounceMessage._meta.label, 0)
            )
