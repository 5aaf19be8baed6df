"""suppression/jobs.py: leases, the sweep, and the three ways a job runs (sync, a thread, a real
Celery worker on Redis, killed mid-job)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from suppression import jobs
from suppression.listcheck.models import ListCheck
from suppression.models import School
from suppression.services.listchecks import list_check_create

REDIS_URL = "redis://127.0.0.1:6379/13"  # this branch's own Redis database
ROOT = Path(__file__).resolve().parents[2]


def make_check(
    school: School, tmp_path: Path, content: bytes = b"email\na@gmail.com\n"
) -> ListCheck:
    folder = tmp_path / "c"
    folder.mkdir(exist_ok=True)
    (folder / "upload.csv").write_bytes(content)
    return ListCheck.objects.create(
        school=school,
        via="console",
        file_name="l.csv",
        folder="c",
        size_bytes=len(content),
        expires_at=timezone.now() + timedelta(days=1),
    )


@pytest.fixture
def check_dir(settings, tmp_path: Path) -> Path:
    settings.SUPPRESSION = {**settings.SUPPRESSION, "LIST_CHECK_DIR": str(tmp_path)}
    return tmp_path


@pytest.mark.django_db
def test_a_lease_is_held_by_one_worker_until_it_runs_out(school, check_dir) -> None:
    check = make_check(school, check_dir)
    token = jobs.claim(ListCheck, check.pk, lease_seconds=30)
    assert token
    assert jobs.claim(ListCheck, check.pk) is None  # someone holds it
    assert jobs.heartbeat(ListCheck, check.pk, token, rows_done=7)
    assert ListCheck.objects.get(pk=check.pk).rows_done == 7
    assert jobs.sweep(ListCheck) == 0  # the lease is live

    ListCheck.objects.filter(pk=check.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert jobs.sweep(ListCheck) == 1
    swept = ListCheck.objects.get(pk=check.pk)
    assert (swept.status, swept.error, swept.lease_token) == ("failed", jobs.LEASE_EXPIRED, "")
    # the old holder finds out, and writes nothing more
    assert not jobs.heartbeat(ListCheck, check.pk, token)
    assert not jobs.finish(ListCheck, check.pk, token)
    assert ListCheck.objects.get(pk=check.pk).status == "failed"
    # retry: failed → queued, and a new claim counts a second attempt
    assert jobs.retry(ListCheck, check.pk)
    assert jobs.claim(ListCheck, check.pk)
    assert ListCheck.objects.get(pk=check.pk).attempts == 2


@pytest.mark.django_db
def test_a_running_job_with_a_lapsed_lease_may_be_claimed_again(school, check_dir) -> None:
    check = make_check(school, check_dir)
    first = jobs.claim(ListCheck, check.pk)
    ListCheck.objects.filter(pk=check.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    second = jobs.claim(ListCheck, check.pk)  # a redelivered message, before any sweep
    assert second and second != first
    assert not jobs.heartbeat(ListCheck, check.pk, first)


def not_a_job(check_id: int) -> None:
    raise AssertionError("must never run")


@pytest.mark.django_db
def test_only_functions_marked_as_jobs_run() -> None:
    with pytest.raises(ValueError, match="is not a job"):
        jobs.enqueue(not_a_job, 1)
    with pytest.raises(ValueError, match="is not a job"):
        jobs.run("os.system", ["true"])


def test_mode_follows_the_broker_setting(settings) -> None:
    settings.SUPPRESSION = {**settings.SUPPRESSION, "JOBS_MODE": ""}
    settings.CELERY_BROKER_URL = ""
    assert jobs.mode() == "thread"
    settings.CELERY_BROKER_URL = REDIS_URL
    assert jobs.mode() == "celery"


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def status_of(pk: int) -> str:
    return ListCheck.objects.get(pk=pk).status


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_without_a_broker_a_thread_runs_the_check(settings, school, owner, check_dir) -> None:
    settings.SUPPRESSION = {**settings.SUPPRESSION, "JOBS_MODE": "", "LIST_CHECK_DNS_WORKERS": 1}
    settings.CELERY_BROKER_URL = ""
    check = list_check_create(
        school=school,
        actor=owner,
        file_name="l.csv",
        chunks=[b"email\na@gmail.com\n"],
        via="portal",
    )
    assert wait_for(lambda: status_of(check.pk) == "done", 30), ListCheck.objects.get(
        pk=check.pk
    ).error
    assert ListCheck.objects.get(pk=check.pk).summary["counts"]["ok"] == 1


# A real worker ---------------------------------------------------------------------------------


def redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture
def celery_worker(
    settings, tmp_path, list_dns_settings, list_dns
) -> Iterator[Callable[[], subprocess.Popen]]:
    if not redis_available():
        pytest.skip("needs Redis on 127.0.0.1:6379 (database 13)")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    _, dns_port = list_dns
    settings.CELERY_BROKER_URL = REDIS_URL
    settings.SUPPRESSION = {
        **settings.SUPPRESSION,
        "JOBS_MODE": "",
        "LIST_CHECK_DIR": str(tmp_path),
        "JOB_LEASE_SECONDS": 3,
    }
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": REDIS_URL,
        "SUPPRESSION_LIST_CHECK_DIR": str(tmp_path),
        "SUPPRESSION_JOB_LEASE_SECONDS": "3",
        "SUPPRESSION_DNS_NAMESERVERS": "127.0.0.1",
        "SUPPRESSION_DNS_PORT": str(dns_port),
        "SUPPRESSION_LIST_CHECK_DNS_TIMEOUT": "20",
    }
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "suppression.celery_app", "worker",
             "--pool=solo", "--concurrency=1", "--loglevel=WARNING", "--without-heartbeat",
             "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait(10)
    redis.Redis.from_url(REDIS_URL).flushdb()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_celery_worker_runs_the_check(celery_worker, school, owner) -> None:
    celery_worker()
    check = list_check_create(
        school=school,
        actor=owner,
        file_name="l.csv",
        chunks=[b"email\nolena@has-mx.example\nx@nowhere.example\n"],
        via="portal",
    )
    assert wait_for(lambda: status_of(check.pk) == "done", 90)
    assert ListCheck.objects.get(pk=check.pk).summary["counts"] | {} == {
        "invalid": 1, "duplicate": 0, "suppressed": 0, "fix_suggested": 0,
        "could_not_check": 0, "risky": 0, "ok": 1,
    }  # fmt: skip
    assert check.report_path.exists() and check.cleaned_path.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_check_leaves_it_failed_with_a_retry(
    celery_worker, school, owner
) -> None:
    worker = celery_worker()
    # Every domain hangs (20 s DNS timeout), far longer than the 3 s lease.
    rows = "".join(f"a@d{i}.silent.example\n" for i in range(5))
    check = list_check_create(
        school=school,
        actor=owner,
        file_name="l.csv",
        chunks=[f"email\n{rows}".encode()],
        via="portal",
    )
    assert wait_for(lambda: status_of(check.pk) == "running", 90)
    time.sleep(5)  # beyond the lease: the worker is alive and blocked, and keeps its lease
    assert jobs.sweep(ListCheck) == 0
    assert status_of(check.pk) == "running"

    worker.send_signal(signal.SIGKILL)
    worker.wait(10)
    time.sleep(3.5)
    assert jobs.sweep(ListCheck) == 1
    failed = ListCheck.objects.get(pk=check.pk)
    assert (failed.status, failed.error) == ("failed", jobs.LEASE_EXPIRED)
    assert not failed.report_path.exists()
    # the retry runs it again, start to finish, on a new worker
    assert jobs.retry(ListCheck, check.pk)


@pytest.mark.django_db
def test_a_stalled_job_shows_as_failed_and_may_be_retried_before_any_sweep(
    school, check_dir
) -> None:
    check = make_check(school, check_dir)
    token = jobs.claim(ListCheck, check.pk)
    ListCheck.objects.filter(pk=check.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    stalled = ListCheck.objects.get(pk=check.pk)
    assert (stalled.status, stalled.shown_status, stalled.shown_error) == (
        "running", "failed", jobs.LEASE_EXPIRED,
    )  # fmt: skip
    assert jobs.retry(ListCheck, check.pk)
    assert not jobs.heartbeat(ListCheck, check.pk, token)  # the old holder is out
    assert ListCheck.objects.get(pk=check.pk).status == "queued"
