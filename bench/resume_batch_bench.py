"""Time a resume batch of 50,000 addresses on PostgreSQL (undo a wave), and its undo.

    createdb -h 127.0.0.1 -U postgres kwiga_bench_waves
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/kwiga_bench_waves
    .venv/bin/python manage.py migrate --noinput
    .venv/bin/python bench/resume_batch_bench.py [N [CHUNK]]

Seeds N (default 50,000) addresses suppressed as ``sender_blocked`` at one domain by a wave, with
SQL (seeding is not what is measured; a rerun seeds a fresh domain), then times ``batch_create``
(the selection snapshot) and ``waves.run`` (every chunk: guards, lifts with history rows,
probation, a changes-feed row per address) and the undo. A benchmark, not a test: it prints figures.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kwiga_mail.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection  # noqa: E402

from suppression.models import SuppressionChange  # noqa: E402
from suppression.services import waves  # noqa: E402
from suppression.services.waves import WaveCriteria, batch_create, batch_undo  # noqa: E402

SEED = """
WITH a AS (
    INSERT INTO suppression_emailaddress (address, domain, display, created_at)
    SELECT 'u' || g || '@' || %(domain)s, %(domain)s, 'u' || g || '@' || %(domain)s, now()
    FROM generate_series(1, %(n)s) g
    RETURNING id
), s AS (
    INSERT INTO suppression_suppression (address_id, trigger, reason, bounce_type, is_repeat,
                                         opened_at, open_note, lift_note)
    SELECT id, 'hard_bounce', 'sender_blocked', 'hard', false, now() - interval '1 hour', '', ''
    FROM a RETURNING id, address_id
)
INSERT INTO suppression_bounceevent (address_id, suppression_id, occurred_at, received_at,
    bounce_type, reason, status, smtp_code, diagnostic, rule, remote_mta, source, dedupe_key,
    stream, message_id)
SELECT address_id, id, now() - interval '1 hour', now() - interval '1 hour', 'hard',
    'sender_blocked', '5.7.1', '550', 'blocked using Spamhaus', '', '', 'api',
    %(domain)s || '-' || id, 'campaign', ''
FROM s
"""


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database (see the docstring).")
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    if len(sys.argv) > 2:  # a chunk size other than the setting's
        settings.SUPPRESSION = {**settings.SUPPRESSION, "RESUME_BATCH_CHUNK": int(sys.argv[2])}
    print(
        f"chunk size {settings.SUPPRESSION['RESUME_BATCH_CHUNK']}; load average {os.getloadavg()}"
    )
    lead, _ = User.objects.get_or_create(username="bench-lead", defaults={"is_staff": True})
    lead.groups.add(Group.objects.get(name="Support lead"))
    lead = User.objects.get(pk=lead.pk)  # fresh permission cache
    domain = f"wave-{uuid.uuid4().hex[:8]}.example"
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(SEED, {"domain": domain, "n": n})
        cursor.execute("ANALYZE")
    print(f"seeded {n} suppressed addresses at {domain} in {time.perf_counter() - started:.1f} s")
    feed_before = SuppressionChange.objects.count()
    waves.batch_enqueue = lambda batch_id: None  # type: ignore[assignment]  # run it here, timed
    started = time.perf_counter()
    batch = batch_create(criteria=WaveCriteria(domain=domain), actor=lead, note="bench wave")
    selected_s = time.perf_counter() - started
    started = time.perf_counter()
    batch = waves.run(batch.pk)
    run_s = time.perf_counter() - started
    print(f"selection snapshot: {batch.selected} items in {selected_s:.1f} s")
    print(
        f"resume: {batch.resumed} resumed, {batch.left_out} left out in {run_s:.1f} s "
        f"({batch.resumed / run_s:.0f} addresses/s); "
        f"{SuppressionChange.objects.count() - feed_before} feed rows"
    )
    started = time.perf_counter()
    batch_undo(batch=batch, actor=lead, note="bench undo")
    batch = waves.run(batch.pk)
    undo_s = time.perf_counter() - started
    print(f"undo: {batch.resuppressed} suppressed again in {undo_s:.1f} s")
    print(f"total (snapshot + resume): {selected_s + run_s:.1f} s for {n} addresses")


if __name__ == "__main__":
    main()
