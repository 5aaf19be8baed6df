"""The app's settings: one namespaced dict (``settings.SUPPRESSION``) read through one helper."""

from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, Any] = {
    "SOFT_BOUNCE_THRESHOLD": 3,
    "SOFT_BOUNCE_WINDOW_DAYS": 14,
    "PROBATION_DAYS": 30,
    "REPEAT_REINSTATEMENT_COUNT": 3,
    "REPEAT_REINSTATEMENT_WINDOW_DAYS": 180,
    "HARD_BOUNCE_AFTER_REINSTATEMENT_DAYS": 30,
    "DNS_NAMESERVERS": [],
    "DNS_PORT": 53,
    "DNS_TIMEOUT_SECONDS": 3.0,
    "MAX_MESSAGE_BYTES": 10 * 1024 * 1024,
    # Client-side database deadlines (suppression/deadlines.py), in seconds.
    "DB_CONNECT_TIMEOUT_SECONDS": 10,
    "DB_KEEPALIVE_IDLE_SECONDS": 30,
    "DB_TCP_USER_TIMEOUT_SECONDS": 30,
    # The ingest hot path's statements prepared on the server (services/fastsql.py); off behind
    # a pooler in transaction mode that cannot keep prepared statements (PgBouncer < 1.21).
    "DB_PREPARED_STATEMENTS": True,
    "PIPE_DEADLINE_SECONDS": 60,
    "WEB_STATEMENT_TIMEOUT_SECONDS": 30,
    # A kept connection that served a request this recently is not pinged before the next
    # (suppression/dbhealth.py); 0 pings before every request, as CONN_HEALTH_CHECKS does.
    "DB_HEALTH_CHECK_IDLE_SECONDS": 1.0,
    # The bulk check's answer says where its time went in a Server-Timing header.
    "API_SERVER_TIMING": False,
    # The PostgreSQL role each connection switches to (suppression/dbroles.py); "" for none.
    "DB_APP_ROLE": "",
    # The owner portal
    "OWNER_DAILY_REQUEST_LIMIT": 30,
    "SUPPORT_EMAIL": "",
    "SITE_URL": "http://127.0.0.1:8000",
    "INVITATION_DAYS": 7,
    # Bounce ingestion over LMTP (serve_lmtp) and the liveness of each way in.
    "LMTP_DEADLINE_SECONDS": 30,
    "LIVENESS_WRITE_SECONDS": 60,
    "LIVENESS_SILENCE_MINUTES": 360,
    # Checking a contact list before import (suppression/listcheck/)
    "LIST_CHECK_MAX_UPLOAD_BYTES": 20 * 1024 * 1024,
    "LIST_CHECK_RETENTION_DAYS": 7,
    "LIST_CHECK_DNS_TIMEOUT_SECONDS": 3.0,
    "LIST_CHECK_DNS_WORKERS": 32,
    "LIST_CHECK_DIR": "",  # where uploads and reports live; "" is var/listchecks
    # Background jobs (suppression/jobs.py): "" picks celery with a broker, else a thread
    "JOBS_MODE": "",
    "JOB_LEASE_SECONDS": 60,
    # The support console
    "RAW_MESSAGE_RETENTION_DAYS": 90,
    "CONSOLE_DNS_TIMEOUT_SECONDS": 1.5,
    "CONSOLE_DNS_CACHE_SECONDS": 300,
    "CASE_TIMELINE_PAGE_SIZE": 50,
    # Incidents (docs/design.md): sender_reputation refusals from one receiving organisation
    # that pause it, the back-off before the pause lifts by itself, and the streams it covers.
    "INCIDENT_THRESHOLD": 20,
    "INCIDENT_WINDOW_MINUTES": 10,
    "INCIDENT_PAUSE_MINUTES": 60,
    "INCIDENT_PAUSE_MAX_MINUTES": 24 * 60,
    "INCIDENT_REPEAT_DAYS": 7,
    "INCIDENT_STREAMS": ["campaign", "automation"],
    # Undoing a wave: how long a resume batch may be undone, and how many addresses a chunk
    # (one transaction) resumes.
    "RESUME_BATCH_UNDO_DAYS": 7,
    "RESUME_BATCH_CHUNK": 2500,
    # The console: how long a pending request may wait before the queue shows it as late.
    "REQUEST_RESPONSE_TARGET_HOURS": 24,
}

POSITIVE_INTEGERS = (
    "SOFT_BOUNCE_THRESHOLD",
    "SOFT_BOUNCE_WINDOW_DAYS",
    "PROBATION_DAYS",
    "REPEAT_REINSTATEMENT_COUNT",
    "REPEAT_REINSTATEMENT_WINDOW_DAYS",
    "HARD_BOUNCE_AFTER_REINSTATEMENT_DAYS",
    "DNS_PORT",
    "MAX_MESSAGE_BYTES",
    "DB_CONNECT_TIMEOUT_SECONDS",
    "DB_KEEPALIVE_IDLE_SECONDS",
    "DB_TCP_USER_TIMEOUT_SECONDS",
    "PIPE_DEADLINE_SECONDS",
    "OWNER_DAILY_REQUEST_LIMIT",
    "INVITATION_DAYS",
    "LMTP_DEADLINE_SECONDS",
    "LIVENESS_WRITE_SECONDS",
    "LIVENESS_SILENCE_MINUTES",
    "LIST_CHECK_MAX_UPLOAD_BYTES",
    "LIST_CHECK_RETENTION_DAYS",
    "LIST_CHECK_DNS_WORKERS",
    "JOB_LEASE_SECONDS",
    "RAW_MESSAGE_RETENTION_DAYS",
    "CONSOLE_DNS_CACHE_SECONDS",
    "CASE_TIMELINE_PAGE_SIZE",
    "INCIDENT_THRESHOLD",
    "INCIDENT_WINDOW_MINUTES",
    "INCIDENT_PAUSE_MINUTES",
    "INCIDENT_PAUSE_MAX_MINUTES",
    "INCIDENT_REPEAT_DAYS",
    "RESUME_BATCH_UNDO_DAYS",
    "RESUME_BATCH_CHUNK",
    "REQUEST_RESPONSE_TARGET_HOURS",
)


def setting(name: str) -> Any:
    """One app setting, falling back to docs/design.md's default."""
    from django.conf import settings  # here: the settings module itself imports this one

    if name not in DEFAULTS:
        raise KeyError(f"Unknown SUPPRESSION setting {name!r}")
    return getattr(settings, "SUPPRESSION", {}).get(name, DEFAULTS[name])
