"""Fill PostgreSQL with full-size data for benchmarks and for trying the admin at size.

Streams rows through COPY (psycopg ``cursor.copy``) with ids chosen here, so that a million
addresses and five million events load in minutes rather than the hours the services would take.
It writes addresses, suppressions (open and lifted), bounce events and the changes feed, all
consistent with each other, but no history rows: bulk data has no audit trail (say so to anyone
reading history in the admin). PostgreSQL only; on SQLite it refuses, and with
KWIGA_ENV=production too. It runs as the login (``dbroles.as_owner``), never the application role.

Re-runnable: without ``--reset`` each run appends a new batch after the existing ids (addresses
carry their id, so they never collide); ``--reset`` first empties the domain tables (TRUNCATE).
"""

from __future__ import annotations

import bisect
import itertools
import random
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection, transaction

from suppression import dbroles
from suppression.appendonly import refuse_in_production
from suppression.console import counts as console_counts

# (reason, type, weight, status, smtp code, diagnostic)
REASONS: list[tuple[str, str, int, str, str, str]] = [
    (
        "mailbox_unknown",
        "hard",
        45,
        "5.1.1",
        "550",
        "550 5.1.1 The email account that you tried to reach does not exist.",
    ),
    (
        "domain_unknown",
        "hard",
        8,
        "5.1.2",
        "550",
        "Host or domain name not found. Name service "
        "error for name={domain} type=MX: Host not found",
    ),
    (
        "sender_blocked",
        "hard",
        5,
        "5.7.1",
        "554",
        "554 5.7.1 Service unavailable; Client host blocked using zen.spamhaus.org",
    ),
    (
        "rejected",
        "hard",
        6,
        "5.7.26",
        "550",
        "550 5.7.26 Unauthenticated email is not accepted due to domain's DMARC policy",
    ),
    (
        "mailbox_full",
        "soft",
        12,
        "4.2.2",
        "452",
        "452 4.2.2 The email account that you tried to reach is over quota.",
    ),
    (
        "server_unavailable",
        "soft",
        6,
        "4.4.1",
        "421",
        "421 4.4.1 Connection timed out; try again later",
    ),
    (
        "message_too_large",
        "soft",
        1,
        "5.3.4",
        "552",
        "552 5.3.4 Message size exceeds fixed maximum message size",
    ),
    (
        "spam_filtered",
        "soft",
        4,
        "5.7.1",
        "550",
        "550 5.7.1 Message rejected as spam by Content Filtering.",
    ),
    ("dns_error", "soft", 3, "4.4.3", "451", "451 4.4.3 Temporary DNS lookup failure"),
    ("unknown", "hard", 4, "5.0.0", "550", "550 Requested action not taken"),
    ("complaint", "complaint", 6, "", "", "Feedback-Type: abuse"),
]
TRIGGER = {"hard": "hard_bounce", "soft": "soft_threshold", "complaint": "complaint"}
PROVIDERS = [
    ("gmail.com", 30),
    ("yahoo.com", 8),
    ("outlook.com", 6),
    ("hotmail.com", 6),
    ("icloud.com", 4),
    ("ukr.net", 5),
    ("i.ua", 2),
    ("gmx.de", 2),
    ("mail.ru", 3),
    ("proton.me", 1),
    ("aol.com", 1),
    ("yandex.ru", 2),
    ("web.de", 1),
    ("meta.ua", 1),
]
COMPANY_DOMAINS = 50_000  # the long tail: a quarter of all addresses
SOURCES = [
    ("dsn", 40),
    ("api", 25),
    ("amazon_ses", 15),
    ("sendgrid", 10),
    ("mailgun", 5),
    ("postmark", 5),
]
STREAMS = [("campaign", 60), ("automation", 25), ("system", 10), ("", 5)]
FIRST = [
    "anna",
    "oleh",
    "maria",
    "ivan",
    "olena",
    "taras",
    "iryna",
    "petro",
    "sofia",
    "max",
    "kate",
    "john",
    "lena",
    "andrii",
    "yulia",
    "denys",
    "nadia",
    "roman",
    "alex",
    "dana",
]
LAST = [
    "shevchenko",
    "kovalenko",
    "bondarenko",
    "tkachenko",
    "kravets",
    "melnyk",
    "boyko",
    "smith",
    "koval",
    "lysenko",
    "moroz",
    "savchenko",
    "rudenko",
    "marchenko",
    "petrenko",
]
SCHOOLS = 2_000
HISTORY_DAYS = 730
CHUNK = 1 << 20


class Picker:
    """Weighted choice that costs one bisect (``random.choices`` re-sums weights every call)."""

    def __init__(self, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cumulative = list(itertools.accumulate(weights))

    def __call__(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


def _ts(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat()


class Command(BaseCommand):
    help = "Load full-size demo data into PostgreSQL with COPY (addresses, suppressions, events)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addresses", type=int, default=100_000)
        parser.add_argument(
            "--events",
            type=int,
            default=500_000,
            help="Bounce events in all (at least one per address).",
        )
        parser.add_argument(
            "--lifted",
            type=float,
            default=0.15,
            help="Share of addresses with a lifted suppression (default 0.15).",
        )
        parser.add_argument("--seed", type=int, default=20240601)
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Empty every domain table first (TRUNCATE; destroys their data).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_in_production(
            "seed_bulk", "it loads made-up data and --reset truncates the append-only tables"
        )
        # A loader for benchmarks: TRUNCATE, sequences and statistics are the owner's to touch.
        with dbroles.as_owner():
            self._load(**options)

    def _load(self, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "seed_bulk loads with PostgreSQL's COPY; set DATABASE_URL=postgres://… "
                "(for a small SQLite demo use seed_demo)."
            )
        n, m = options["addresses"], options["events"]
        if n < 1 or m < n:
            raise CommandError("Need --addresses ≥ 1 and --events ≥ --addresses.")
        started = time.monotonic()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            self._skip_foreign_key_checks(cursor)
            if options["reset"]:
                cursor.execute(
                    "TRUNCATE suppression_suppressionchange, suppression_bounceevent, "
                    "suppression_reinstatementrequest, suppression_historicalreinstatementrequest, "
                    "suppression_suppression, suppression_historicalsuppression, "
                    "suppression_emailaddress, suppression_historicalemailaddress "
                    # and what hangs off those rows: raw-message links, incidents' refusals,
                    # resume-batch items, owners' questions
                    "RESTART IDENTITY CASCADE"
                )
            counts = Loader(cursor, options["seed"], n, m, options["lifted"], self._say).run()
        with transaction.atomic(), connection.cursor() as cursor:
            self._skip_foreign_key_checks(cursor)  # replica mode: the audit rows go in as loaded
            if options["reset"]:
                # The audit log's rows of the tables just emptied go too (its trigger refuses a
                # DELETE outside replica mode, as it should).
                try:
                    with transaction.atomic():
                        cursor.execute(
                            "DELETE FROM suppression_auditentry WHERE object_type IN ("
                            "'suppression.suppression', 'suppression.emailaddress', "
                            "'suppression.reinstatementrequest')"
                        )
                except DatabaseError:
                    self._say("Not a superuser: the old audit entries of those tables stay.")
            self._audit_entries(cursor)
        # The console's counts, as the services would have kept them (console/counts.py).
        console_counts.rebuild()
        for table in (
            "emailaddress",
            "suppression",
            "bounceevent",
            "suppressionchange",
            "auditentry",
            "bouncedaycount",
            "refusaldaycount",
        ):
            with connection.cursor() as cursor:
                # VACUUM too, not only ANALYZE: it sets the visibility map of the pages just
                # loaded, without which the event list's index-only walks would read the table
                # (autovacuum does the same after inserts in production, only later).
                cursor.execute(f"VACUUM (ANALYZE) suppression_{table}")
        self._say(
            f"Loaded {counts['addresses']:,} addresses, {counts['suppressions']:,} suppressions "
            f"({counts['open']:,} open), {counts['events']:,} events, {counts['changes']:,} "
            f"changes in {time.monotonic() - started:.1f} s."
        )

    def _audit_entries(self, cursor: Any) -> None:
        """An audit-log entry per suppression opened and lifted, so that the audit log has its
        real size (bulk data writes no history rows; the entries name none: history_id is the
        negated suppression id, never a real history row's)."""
        cursor.execute(
            "INSERT INTO suppression_auditentry (at, actor_id, object_type, object_id, "
            "object_repr, action, summary, reason, history_id) "
            "SELECT s.opened_at, NULL, 'suppression.suppression', s.id::text, "
            "'suppression #' || s.id, '+', 'sending paused: ' || s.reason || ' by the system', "
            "'bulk load', -s.id FROM suppression_suppression s "
            "ON CONFLICT DO NOTHING"
        )
        cursor.execute(
            "INSERT INTO suppression_auditentry (at, actor_id, object_type, object_id, "
            "object_repr, action, summary, reason, history_id) "
            "SELECT s.lifted_at, NULL, 'suppression.suppression', s.id::text, "
            "'suppression #' || s.id, '~', 'sending resumed by the system', 'bulk load', "
            "-s.id - 1000000000000 FROM suppression_suppression s WHERE s.lifted_at IS NOT NULL "
            "ON CONFLICT DO NOTHING"
        )
        self._say("  audit log entries for the suppressions")

    def _skip_foreign_key_checks(self, cursor: Any) -> None:
        # The rows are consistent by construction, and checking millions of deferred foreign
        # keys at COMMIT takes longer than the COPY itself. Only a superuser may skip them
        # (replica mode also skips the append-only triggers, which only refuse UPDATE/DELETE).
        try:
            with transaction.atomic():
                cursor.execute("SET LOCAL session_replication_role = replica")
        except DatabaseError:
            self._say("Not a superuser: foreign keys are checked at COMMIT (slower).")

    def _say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()


class Loader:
    def __init__(self, cursor: Any, seed: int, n: int, m: int, lifted: float, say: Any) -> None:
        self.cursor, self.rng, self.n, self.m, self.lifted, self.say = (
            cursor,
            random.Random(seed),
            n,
            m,
            lifted,
            say,
        )
        self.now = time.time()
        self.reason = Picker(REASONS, [r[2] for r in REASONS])
        tail = [
            (f"{LAST[i % len(LAST)]}-{i}.com.ua" if i % 3 else f"corp{i}.com", 1.0 / (1 + i))
            for i in range(COMPANY_DOMAINS)
        ]
        scale = 25 / sum(w for _, w in tail)  # the tail carries a quarter of the addresses
        domains = PROVIDERS + [(d, w * scale) for d, w in tail]
        self.domain = Picker([d for d, _ in domains], [w for _, w in domains])
        self.source = Picker([s for s, _ in SOURCES], [w for _, w in SOURCES])
        self.stream = Picker([s for s, _ in STREAMS], [w for _, w in STREAMS])

    def _next_id(self, table: str) -> int:
        self.cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM suppression_{table}")
        return int(self.cursor.fetchone()[0])

    def _copy(self, table: str, columns: str, lines: Iterator[str]) -> int:
        count = 0
        with self.cursor.cursor.copy(f"COPY suppression_{table} ({columns}) FROM STDIN") as copy:
            buffer: list[str] = []
            size = 0
            for line in lines:
                buffer.append(line)
                size += len(line)
                count += 1
                if size >= CHUNK:
                    copy.write("".join(buffer))
                    buffer, size = [], 0
            if buffer:
                copy.write("".join(buffer))
        self.cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('suppression_{table}', 'id'), "
            f"(SELECT MAX(id) FROM suppression_{table}))"
        )
        return count

    def _schools(self) -> list[int]:
        self.cursor.execute(
            "INSERT INTO suppression_school (slug, name, created_at) "
            "SELECT 'bulk-school-' || g, 'Bulk school ' || g, now() "
            "FROM generate_series(1, %s) g ON CONFLICT (slug) DO NOTHING",
            [SCHOOLS],
        )
        self.cursor.execute("SELECT id FROM suppression_school WHERE slug LIKE 'bulk-school-%%'")
        return [row[0] for row in self.cursor.fetchall()]

    def run(self) -> dict[str, int]:
        rng, n = self.rng, self.n
        school_ids = self._schools()
        school = Picker(school_ids, [1.0 / (1 + i) ** 0.8 for i in range(len(school_ids))])
        first_address = self._next_id("emailaddress")
        first_suppression = self._next_id("suppression")
        first_event = self._next_id("bounceevent")
        first_change = self._next_id("suppressionchange")

        # Plan every address's episodes first: the changes feed needs them in time order.
        # (suppression id, address id, reason index, opened, lifted)
        episodes: list[tuple[int, int, int, float, float | None]] = []
        plans: list[tuple[str, str]] = []
        sid = first_suppression
        span = HISTORY_DAYS * 86400
        for i in range(n):
            aid = first_address + i
            domain = self.domain(rng)
            local = f"{rng.choice(FIRST)}.{rng.choice(LAST)}.{aid}"
            plans.append((local, domain))
            reason = REASONS.index(self.reason(rng))
            opened = self.now - rng.random() * span
            if rng.random() < self.lifted:
                lifted = min(opened + rng.uniform(3600, 60 * 86400), self.now - 60)
                episodes.append((sid, aid, reason, opened, max(lifted, opened)))
                sid += 1
                if rng.random() < 0.35 and lifted < self.now - 86400:  # bounced again later
                    reopened = lifted + rng.random() * (self.now - lifted)
                    episodes.append((sid, aid, REASONS.index(self.reason(rng)), reopened, None))
                    sid += 1
            else:
                episodes.append((sid, aid, reason, opened, None))
                sid += 1
        self.say(f"Planned {n:,} addresses and {len(episodes):,} suppressions.")

        def address_lines() -> Iterator[str]:
            for i, (local, domain) in enumerate(plans):
                address = f"{local}@{domain}"
                display = address if i % 10 else address.capitalize()
                yield f"{first_address + i}\t{address}\t{domain}\t{display}\t{_ts(self.now)}\t\\N\n"

        count_addresses = self._copy(
            "emailaddress",
            "id, address, domain, display, created_at, probation_until",
            address_lines(),
        )
        self.say(f"  addresses: {count_addresses:,}")

        def suppression_lines() -> Iterator[str]:
            for pk, aid, reason, opened, lifted in episodes:
                name, kind = REASONS[reason][0], REASONS[reason][1]
                trigger = "manual" if pk % 97 == 0 else TRIGGER[kind]
                lift = _ts(lifted) if lifted is not None else "\\N"
                note = "Client cleared the mailbox." if lifted is not None else ""
                yield (
                    f"{pk}\t{trigger}\t{name}\t{kind}\tf\t{_ts(opened)}\t\t{lift}\t{note}\t{aid}\n"
                )

        count_suppressions = self._copy(
            "suppression",
            "id, trigger, reason, bounce_type, is_repeat, opened_at, open_note, lifted_at, "
            "lift_note, address_id",
            suppression_lines(),
        )
        self.say(f"  suppressions: {count_suppressions:,}")

        changes = [(opened, "opened", aid, pk) for pk, aid, _, opened, _ in episodes]
        changes += [(lifted, "lifted", aid, pk) for pk, aid, _, _, lifted in episodes if lifted]
        changes.sort()

        def change_lines() -> Iterator[str]:
            for offset, (at, kind, aid, pk) in enumerate(changes):
                # domain: "" on an address's row (a domain row is an incident's, docs/api.md)
                yield f"{first_change + offset}\t{kind}\t{_ts(at)}\t{aid}\t{pk}\t\n"

        count_changes = self._copy(
            "suppressionchange", "id, kind, at, address_id, suppression_id, domain", change_lines()
        )
        self.say(f"  changes: {count_changes:,}")
        changes.clear()

        # Every episode gets the event that opened it; the rest fall mostly on a few addresses
        # (the same dead mailboxes bounce campaign after campaign).
        extra = self.m - len(episodes)
        heavy = Picker(
            range(len(episodes)), [1.0 / (1 + (i * 7919) % 1000) for i in range(len(episodes))]
        )

        def event_lines() -> Iterator[str]:
            eid = first_event
            opening = ((index, True) for index in range(len(episodes)))
            later = ((heavy(rng), False) for _ in range(max(extra, 0)))
            for index, opens in itertools.chain(opening, later):
                pk, aid, reason, opened, lifted = episodes[index]
                name, kind, _, status, code, diagnostic = REASONS[reason]
                domain = plans[aid - first_address][1]
                occurred = (
                    opened if opens else (opened + rng.random() * ((lifted or self.now) - opened))
                )
                received = occurred + rng.uniform(1, 600)
                stream = self.stream(rng)
                text = diagnostic.replace("{domain}", domain)
                yield (
                    f"{eid}\t{_ts(occurred)}\t{_ts(received)}\t{kind}\t{name}\t{status}\t"
                    f"{code}\t{text}\tbulk:{status or 'feedback'}\tmx.{domain}\t"
                    f"{self.source(rng)}\tbulk-{eid}\t{stream}\t<{eid}.{aid}@mail.kwiga.com>\t"
                    f"{aid}\t{school(rng)}\t{pk}\n"
                )
                eid += 1

        count_events = self._copy(
            "bounceevent",
            "id, occurred_at, received_at, bounce_type, reason, status, smtp_code, diagnostic, "
            "rule, remote_mta, source, dedupe_key, stream, message_id, address_id, school_id, "
            "suppression_id",
            event_lines(),
        )
        self.say(f"  events: {count_events:,}")
        return {
            "addresses": count_addresses,
            "suppressions": count_suppressions,
            "open": sum(1 for e in episodes if e[4] is None),
            "events": count_events,
            "changes": count_changes,
        }
