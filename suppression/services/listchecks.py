"""List checks: an owner or support uploads a list for a school; a background job checks it.

``list_check_create`` stores the upload and queues ``list_check_run`` (suppression/jobs.py);
the job holds a lease on the row while it works, so a worker that dies leaves the check
"failed, try again" once the sweep sees the lease run out, never "running" forever.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import IO

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from .. import jobs
from ..conf import setting
from ..exceptions import NotAllowed
from ..listcheck.checker import Checker
from ..listcheck.csvfiles import ListFileError, detect
from ..listcheck.lookups import domain_checker, owner_lookup, support_lookup
from ..listcheck.models import ListCheck
from ..listcheck.run import Cancelled, check_file
from ..models import School
from ..textsafety import clean_line
from .common import Actor, require_perm

logger = logging.getLogger(__name__)

UNEXPECTED = (
    "The check stopped on an unexpected error. Try again; if it happens again, tell support."
)


def _may_check(actor: Actor, school: School, via: str) -> None:
    if via == ListCheck.Via.CONSOLE:
        require_perm(actor, "suppression.add_listcheck", "check a list for a school")
        return
    if not isinstance(actor, User) or not school.memberships.filter(user_id=actor.pk).exists():
        raise NotAllowed("Only the school's owners may check a list for it.")


def list_check_create(
    *, school: School, actor: Actor, file_name: str, chunks: IO[bytes] | list[bytes], via: str
) -> ListCheck:
    """Store the uploaded file and queue its check (after commit). Writes the row and the file."""
    _may_check(actor, school, via)
    folder = str(uuid.uuid4())
    now = timezone.now()
    check = ListCheck(
        school=school,
        created_by=actor if isinstance(actor, User) else None,
        via=via,
        file_name=clean_line(file_name, limit=200) or "list.csv",
        folder=folder,
        size_bytes=0,
        created_at=now,
        expires_at=now + timedelta(days=setting("LIST_CHECK_RETENTION_DAYS")),
    )
    check.directory.mkdir(parents=True, exist_ok=True)
    size = 0
    try:
        with open(check.source_path, "wb") as target:
            for chunk in chunks:
                target.write(chunk)
                size += len(chunk)
        check.size_bytes = size
        with transaction.atomic():
            check.save()
            jobs.enqueue(list_check_run, check.pk)
    except BaseException:
        check.remove_files()
        raise
    return check


@jobs.job
def list_check_run(check_id: int) -> None:
    """The background job: claim the row, check the file with a heartbeat per chunk, finish."""
    token = jobs.claim(ListCheck, check_id)
    if token is None:
        return  # done, failed, or another worker holds a live lease
    check = ListCheck.objects.select_related("school").get(pk=check_id)
    for stale in check.directory.glob(".*.part"):  # left by a worker killed mid-write
        stale.unlink(missing_ok=True)
    lookup = support_lookup if check.via == ListCheck.Via.CONSOLE else owner_lookup(check.school_id)
    checker = Checker(dns=domain_checker(), suppressed=lookup)

    try:
        with jobs.KeepAlive(ListCheck, check_id, token) as lease:

            def progress(rows: int, done: int, total: int) -> bool:
                return lease.update(rows_done=rows, bytes_done=done)

            layout = detect(check.source_path)
            summary = check_file(
                check.source_path,
                layout,
                checker,
                report_path=check.report_path,
                cleaned_path=check.cleaned_path,
                progress=progress,
            )
    except Cancelled:
        return  # the lease was lost: whoever holds the row now decides what it says
    except ListFileError as error:
        jobs.finish(ListCheck, check_id, token, error=str(error))
        return
    except Exception:
        logger.exception("list check %s failed", check_id)
        jobs.finish(ListCheck, check_id, token, error=UNEXPECTED)
        return
    jobs.finish(
        ListCheck,
        check_id,
        token,
        summary=summary.as_json(),
        rows_done=summary.rows,
        bytes_done=check.size_bytes,
    )


def list_check_retry(*, check: ListCheck, actor: Actor, via: str) -> bool:
    """Queue a failed check again (after commit). False if it was not failed."""
    _may_check(actor, check.school, via)
    with transaction.atomic():
        if not jobs.retry(ListCheck, check.pk):
            return False
        jobs.enqueue(list_check_run, check.pk)
    return True


def list_checks_sweep(*, school: School | None = None) -> int:
    """Fail the checks whose worker stopped (lease ran out); how many."""
    if school is None:
        return jobs.sweep(ListCheck)
    return jobs.sweep(ListCheck, school=school)


def list_checks_purge(*, now: datetime | None = None) -> int:
    """Delete the checks past their retention, files first; how many."""
    now = now or timezone.now()
    expired = list(ListCheck.objects.filter(expires_at__lte=now))
    for check in expired:
        check.remove_files()
    ListCheck.objects.filter(pk__in=[check.pk for check in expired]).delete()
    return len(expired)
