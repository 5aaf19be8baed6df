"""Liveness of the ways bounces come in: when each last delivered, and an alarm on silence.

A bounce pipeline that stops (a webhook never subscribed, an MTA transport pointed elsewhere)
fails silently: nothing is recorded and nothing looks wrong. Every way in calls
``source_delivered`` when it receives something; the row it keeps per source is written at most
every ``LIVENESS_WRITE_SECONDS`` (one conditional UPDATE, and a process remembers its last write
so that it does not even ask sooner), never per event. ``silent_sources_alarm`` (cron:
``manage.py check_liveness``) mails support once per silence longer than
``LIVENESS_SILENCE_MINUTES`` of a source that delivered before.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from django.core.mail import send_mail
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from ..conf import setting
from ..models import LivenessSource, SourceLiveness

logger = logging.getLogger(__name__)

# source -> when this process last wrote (or found) a recent delivery for it
_written: dict[str, datetime] = {}
_lock = threading.Lock()


def forget_writes() -> None:
    """Forget this process's recent writes (tests; a process that must write at once)."""
    with _lock:
        _written.clear()


def source_delivered(source: LivenessSource | str, *, now: datetime | None = None) -> bool:
    """Note that ``source`` delivered now; True when the row was written.

    Never raises a database error: liveness is bookkeeping, and a bounce that was stored must
    not be retried for it. Call it after the delivery's own transaction commits.
    """
    source = LivenessSource(source).value
    now = now or timezone.now()
    every = timedelta(seconds=setting("LIVENESS_WRITE_SECONDS"))
    with _lock:
        last = _written.get(source)
        if last is not None and now - last < every:
            return False
        _written[source] = now
    try:
        updated = SourceLiveness.objects.filter(
            source=source, last_delivered_at__lte=now - every
        ).update(last_delivered_at=now, alarmed_at=None)
        if updated:
            return True
        written = (
            SourceLiveness.objects.filter(source=source)
            .values_list("last_delivered_at", flat=True)
            .first()
        )
        if written is not None:
            # Another process wrote it within the interval: this one waits from that time.
            with _lock:
                _written[source] = written
            return False
        with transaction.atomic():
            SourceLiveness.objects.create(source=source, last_delivered_at=now)
        return True
    except IntegrityError:
        return False  # another process created it first
    except DatabaseError:
        with _lock:
            _written.pop(source, None)
        logger.exception("Could not note that %s delivered", source)
        return False


def silence_limit() -> timedelta:
    return timedelta(minutes=setting("LIVENESS_SILENCE_MINUTES"))


def silent_sources_alarm(*, now: datetime | None = None) -> list[SourceLiveness]:
    """Mail support about each source silent longer than the limit and not alarmed yet.

    The rows are marked only once the mail went out, in the same transaction: a mail server that
    refuses raises, nothing is marked, and the next run tries again. Returns the sources named.
    """
    now = now or timezone.now()
    to = setting("SUPPORT_EMAIL")
    with transaction.atomic():
        silent = list(
            SourceLiveness.objects.select_for_update(skip_locked=True)
            .filter(last_delivered_at__lt=now - silence_limit(), alarmed_at__isnull=True)
            .order_by("last_delivered_at")
        )
        if not silent or not to:
            return []
        send_mail(
            subject=_subject(silent),
            message=_body(silent, now=now),
            from_email=None,
            recipient_list=[to],
        )
        SourceLiveness.objects.filter(pk__in=[row.pk for row in silent]).update(alarmed_at=now)
    return silent


def _subject(silent: list[SourceLiveness]) -> str:
    names = ", ".join(row.get_source_display() for row in silent)
    return f"Bounces stopped arriving: {names}"


def _body(silent: list[SourceLiveness], *, now: datetime) -> str:
    lines = [
        "These ways in delivered bounces before and have been silent for longer than "
        f"{setting('LIVENESS_SILENCE_MINUTES')} minutes:",
        "",
    ]
    for row in silent:
        hours = (now - row.last_delivered_at).total_seconds() / 3600
        lines.append(
            f"* {row.get_source_display()}: last delivered "
            f"{row.last_delivered_at:%Y-%m-%d %H:%M} UTC ({hours:.1f} hours ago)"
        )
    lines += [
        "",
        "Bounces that do not arrive suppress nothing: check the webhook subscription, the MTA's",
        "transport and its queue, and serve_lmtp's health check. You get one mail per silence;",
        "the next one comes after the source delivers again and falls silent again.",
        "",
        f"Source liveness: {setting('SITE_URL')}/admin/suppression/sourceliveness/",
    ]
    return "\n".join(lines)
