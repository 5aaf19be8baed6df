"""The demo of an incident: a blocklisting refuses the platform at DOMAIN's mail servers.

Records enough ``sender_reputation`` refusals (the threshold) for addresses at DOMAIN, each
through the one service every bounce goes through, and prints what follows: the incident, the
gate's answer for an address there, and that nobody was suppressed. ``--lift-as lead --note …``
then lifts it as that lead would in the console.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from suppression import policy
from suppression.addresses import normalize_email
from suppression.appendonly import refuse_in_production
from suppression.exceptions import InvalidEmailAddress, SuppressionError
from suppression.models import Incident, Source, Suppression
from suppression.selectors import check_many
from suppression.services import bounce_record
from suppression.services.incidents import incident_lift
from suppression.taxonomy import Reason

DIAGNOSTIC = (
    "550 5.7.1 Service unavailable, Client host [203.0.113.25] blocked using Spamhaus. "
    "To request removal from this list see https://www.spamhaus.org/query/ip/203.0.113.25"
)


class Command(BaseCommand):
    help = "Demo: record a blocklisting's refusals at DOMAIN; shows the pause, and lifts it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("domain", help="The recipient domain, e.g. outlook.com")
        parser.add_argument("--mta", default="", help="The refusing server (default mx.DOMAIN).")
        parser.add_argument("--lift-as", default="", help="A lead's username: lift it at once.")
        parser.add_argument("--note", default="Delisted: the demo's blocklisting is over.")

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_in_production("simulate_incident", "it records made-up bounces")
        try:
            domain = normalize_email(f"probe@{options['domain']}").domain
        except InvalidEmailAddress as error:
            raise CommandError(str(error)) from None
        mta = options["mta"] or f"mx.{domain}"
        lift_as = options["lift_as"]
        lead = User.objects.filter(username=lift_as).first() if lift_as else None
        if lift_as and lead is None:
            raise CommandError(f"No user {lift_as!r}.")
        before = Suppression.objects.count()
        run = uuid.uuid4().hex[:8]
        threshold = policy.incident_limits().threshold
        for i in range(threshold):
            bounce_record(
                email=f"student{i}.{run}@{domain}",
                source=Source.DEMO,
                dedupe_key=f"simulate-incident-{run}-{i}",
                occurred_at=timezone.now(),
                reason=Reason.SENDER_REPUTATION,
                status="5.7.1",
                smtp_code="550",
                diagnostic=DIAGNOSTIC,
                remote_mta=mta,
                stream="campaign",
            )
        incident = Incident.objects.filter(lifted_at__isnull=True, domains__domain=domain).first()
        if incident is None:
            raise CommandError("No incident opened: is the threshold reached? (see settings)")
        domains = ", ".join(incident.domains.values_list("domain", flat=True))
        self.stdout.write(
            f"{threshold} refusals recorded: incident #{incident.pk} pauses "
            f"{incident.organisation} ({domains}) "
            f"for {', '.join(incident.streams)} until {incident.until:%Y-%m-%d %H:%M} UTC"
        )
        probe = f"someone@{domain}"
        campaign = check_many([probe], stream="campaign").suppressed.get(probe)
        system = check_many([probe], stream="system").suppressed.get(probe)
        self.stdout.write(
            f"the gate for {probe}: campaign "
            f"{'paused (' + campaign['reason'] + ')' if campaign else 'may be mailed'}, system "
            f"{'paused' if system else 'may be mailed'}"
        )
        self.stdout.write(f"addresses suppressed by it: {Suppression.objects.count() - before}")
        if lead is not None:
            try:
                incident_lift(incident=incident, actor=lead, note=options["note"])
            except SuppressionError as error:
                raise CommandError(str(error)) from None
            after = check_many([probe], stream="campaign").suppressed.get(probe)
            self.stdout.write(
                f"lifted by {lead.get_username()}: {options['note']} — the gate now says "
                f"{'paused' if after else 'may be mailed'}"
            )
