"""Background jobs: Celery on Redis when a broker is configured, a thread otherwise.

``enqueue(func, *args)`` runs a function marked ``@job`` after the current transaction commits:

* ``celery`` mode (``settings.CELERY_BROKER_URL`` set): one generic Celery task,
  ``suppression.jobs.run``, receives the function's dotted path and its arguments
  (``suppression/celery_app.py`` is the worker's app; celery is imported only there);
* ``thread`` mode (no broker: the demo, ``make run``): a daemon thread of the web process;
* ``sync`` mode (``SUPPRESSION["JOBS_MODE"] = "sync"``, tests): in the caller, right after commit.

A worker can die mid-job (OOM, deploy, kill -9), and a Redis broker redelivers its message only
after the visibility timeout, so the job's row carries a **lease**: ``claim`` takes it,
``heartbeat`` renews it while the work goes on, ``finish`` ends it, and ``sweep`` marks every job
whose lease ran out as failed, with a retry, instead of "running" forever. docs/jobs.md has the
contract other jobs code against.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import close_old_connections, connections, models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .conf import setting

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

LEASE_EXPIRED = "The worker stopped before finishing (its lease ran out). Try again."


def job(func: F) -> F:
    """Mark ``func`` as a job: only marked functions run from the queue."""
    func.is_job = True  # type: ignore[attr-defined]
    return func


def mode() -> str:
    """ "celery", "thread" or "sync" (see the module's docstring)."""
    forced = setting("JOBS_MODE")
    if forced:
        return str(forced)
    return "celery" if getattr(settings, "CELERY_BROKER_URL", "") else "thread"


def dotted_path(func: Callable[..., Any] | str) -> str:
    if isinstance(func, str):
        return func
    return f"{func.__module__}.{func.__qualname__}"


def resolve(path: str) -> Callable[..., Any]:
    """The job function at ``path``; refuses anything not marked ``@job``."""
    func = import_string(path)
    if not getattr(func, "is_job", False):
        raise ValueError(f"{path} is not a job (mark it with @suppression.jobs.job)")
    return func  # type: ignore[no-any-return]


def run(path: str, args: list[Any]) -> None:
    """Run one job in this process (what the Celery task and the thread both do)."""
    resolve(path)(*args)


def _run_in_thread(path: str, args: list[Any]) -> None:
    try:
        close_old_connections()
        run(path, args)
    except Exception:
        logger.exception("job %s%r failed", path, tuple(args))
    finally:
        connections.close_all()


def enqueue(func: Callable[..., Any] | str, *args: Any) -> None:
    """Run ``func(*args)`` in the background once the current transaction commits."""
    path = dotted_path(func)
    resolve(path)  # fail now, in the caller, rather than in a worker
    chosen = mode()

    def send() -> None:
        if chosen == "celery":
            from .celery_app import app

            app.send_task("suppression.jobs.run", args=[path, list(args)])
        elif chosen == "sync":
            run(path, list(args))
        else:
            threading.Thread(
                target=_run_in_thread, args=(path, list(args)), daemon=True, name=path
            ).start()

    transaction.on_commit(send)


# Leases -----------------------------------------------------------------------------------


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class LeasedJob(models.Model):
    """Fields a job row needs for leases; inherit it (abstract)."""

    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    lease_token = models.CharField(max_length=36, blank=True, default="")
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def stalled(self) -> bool:
        """Running, but its worker stopped renewing the lease: shown (and retried) as failed.

        Pages read this instead of sweeping, so that a GET writes nothing; ``sweep`` (from cron)
        makes it so in the database.
        """
        return (
            self.status == JobStatus.RUNNING
            and self.lease_until is not None
            and self.lease_until < timezone.now()
        )

    @property
    def shown_status(self) -> str:
        return JobStatus.FAILED if self.stalled else str(self.status)

    @property
    def shown_error(self) -> str:
        return LEASE_EXPIRED if self.stalled else self.error


M = TypeVar("M", bound=LeasedJob)


def _lease_seconds(seconds: int | None) -> int:
    return int(seconds if seconds is not None else setting("JOB_LEASE_SECONDS"))


def claim(model: type[M], pk: Any, *, lease_seconds: int | None = None) -> str | None:
    """Take the job: queued (or running with a lapsed lease) → running. The token, or None."""
    now = timezone.now()
    with transaction.atomic():
        row = model._default_manager.select_for_update().filter(pk=pk).first()
        if row is None:
            return None
        lapsed = row.lease_until is not None and row.lease_until < now
        if row.status != JobStatus.QUEUED and not (row.status == JobStatus.RUNNING and lapsed):
            return None
        token = str(uuid.uuid4())
        row.status = JobStatus.RUNNING
        row.lease_token = token
        row.lease_until = now + timedelta(seconds=_lease_seconds(lease_seconds))
        row.attempts += 1
        row.error = ""
        row.started_at = now
        row.save(
            update_fields=[
                "status",
                "lease_token",
                "lease_until",
                "attempts",
                "error",
                "started_at",
            ]
        )
    return token


def heartbeat(
    model: type[M], pk: Any, token: str, *, lease_seconds: int | None = None, **fields: Any
) -> bool:
    """Renew the lease (and save ``fields``, e.g. progress). False if the lease was lost."""
    until = timezone.now() + timedelta(seconds=_lease_seconds(lease_seconds))
    updated = model._default_manager.filter(
        pk=pk, status=JobStatus.RUNNING, lease_token=token
    ).update(lease_until=until, **fields)
    return updated == 1


class KeepAlive:
    """Renews a job's lease on a thread of its own while the job works (``with`` block).

    A job may block longer than its lease on one step (a chunk whose domains all time out), so
    the lease is not tied to the job's own progress: it lives exactly as long as the process
    does. ``update(**fields)`` hands over progress to save with the next renewal and answers
    whether the lease is still held (False: stop, write nothing more). In ``sync`` mode (tests)
    the renewal happens inside ``update`` instead, at most every ``interval`` seconds.
    """

    def __init__(
        self, model: type[M], pk: Any, token: str, *, lease_seconds: int | None = None
    ) -> None:
        self.model, self.pk, self.token = model, pk, token
        self.lease_seconds = _lease_seconds(lease_seconds)
        self.interval = min(self.lease_seconds / 3, 2.0)
        self.fields: dict[str, Any] = {}
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._last = 0.0

    def _renew(self) -> None:
        with self._lock:
            fields = dict(self.fields)
        if not heartbeat(
            self.model, self.pk, self.token, lease_seconds=self.lease_seconds, **fields
        ):
            self.lost.set()

    def _loop(self) -> None:
        try:
            while not self._stop.wait(self.interval) and not self.lost.is_set():
                self._renew()
        except Exception:
            logger.exception("lease renewal of %s %s failed", self.model.__name__, self.pk)
        finally:
            connections.close_all()

    def update(self, **fields: Any) -> bool:
        with self._lock:
            self.fields.update(fields)
        if self._thread is None:
            now = time.monotonic()
            if now - self._last >= self.interval:
                self._last = now
                self._renew()
        return not self.lost.is_set()

    def __enter__(self) -> KeepAlive:
        if mode() != "sync":
            self._thread = threading.Thread(
                target=self._loop, daemon=True, name=f"lease-{self.model.__name__}-{self.pk}"
            )
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


def finish(model: type[M], pk: Any, token: str, *, error: str = "", **fields: Any) -> bool:
    """End the job: done, or failed with ``error``. False if the lease was lost meanwhile."""
    updated = model._default_manager.filter(
        pk=pk, status=JobStatus.RUNNING, lease_token=token
    ).update(
        status=JobStatus.FAILED if error else JobStatus.DONE,
        error=error,
        lease_token="",
        lease_until=None,
        finished_at=timezone.now(),
        **fields,
    )
    return updated == 1


def sweep(model: type[M], *, now: datetime | None = None, **filters: Any) -> int:
    """Fail every running job of ``model`` whose lease ran out; how many."""
    now = now or timezone.now()
    return model._default_manager.filter(
        status=JobStatus.RUNNING, lease_until__lt=now, **filters
    ).update(
        status=JobStatus.FAILED,
        error=LEASE_EXPIRED,
        lease_token="",
        lease_until=None,
        finished_at=now,
    )


def retry(model: type[M], pk: Any) -> bool:
    """failed (or stalled: running with a lapsed lease) → queued; then enqueue it again.

    False if it was neither. The old holder's token stops working.
    """
    stalled = models.Q(status=JobStatus.RUNNING, lease_until__lt=timezone.now())
    return (
        model._default_manager.filter(models.Q(status=JobStatus.FAILED) | stalled, pk=pk).update(
            status=JobStatus.QUEUED, error="", finished_at=None, lease_token="", lease_until=None
        )
        == 1
    )
