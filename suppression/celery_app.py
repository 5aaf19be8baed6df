"""The Celery app of background jobs (only used when ``CELERY_BROKER_URL`` is set).

Worker: ``CELERY_BROKER_URL=redis://127.0.0.1:6379/0 celery -A suppression.celery_app worker``.
One task, ``suppression.jobs.run``, runs any function marked ``@suppression.jobs.job`` by its
dotted path (see suppression/jobs.py); nothing else needs registering.
"""

from __future__ import annotations

import os
from typing import Any

import django
from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kwiga_mail.settings")
django.setup()

app = Celery("kwiga_mail")
# CELERY_* Django settings (CELERY_BROKER_URL), read when the app is first used.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    # A job is acknowledged when it ends, so a worker killed mid-job leaves the message to be
    # redelivered; the job's lease (not the broker) is what tells the user it stopped.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)


@app.task(name="suppression.jobs.run")
def run(path: str, args: list[Any]) -> None:
    from . import jobs

    jobs.run(path, args)
