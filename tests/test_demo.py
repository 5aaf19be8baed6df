import io
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone

from suppression.demo import (
    DEMO_ZONE,
    LAPSED_DOMAIN,
    RENEWED_DOMAIN,
    STORIES,
    story_requests,
)
from suppression.demo_dns import start_server
from suppression.dns import check_domain_accepts_mail
from suppression.models import (
    BounceEvent,
    EmailAddress,
    ReinstatementRequest,
    School,
    Suppression,
)
from suppression.services.requests import guard_outcomes
from suppression.taxonomy import Reason

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
# Only the stories, and a few other addresses: enough for every reason, quick to build.
FEW = len(STORIES) + len(Reason)


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo_dns() -> Iterator[int]:
    server, _, port = start_server(DEMO_ZONE)
    yield port
    server.stop()


@pytest.fixture
def demo_resolver(demo_dns: int, settings) -> None:
    """What `make run` does: the app asks the demo's DNS server."""
    settings.SUPPRESSION = {
        **settings.SUPPRESSION,
        "DNS_NAMESERVERS": ["127.0.0.1"],
        "DNS_PORT": demo_dns,
        "DNS_TIMEOUT_SECONDS": 2.0,
    }


def test_seed_demo_builds_every_story_and_is_idempotent() -> None:
    seed(addresses=FEW + 20)
    counts = (
        BounceEvent.objects.count(),
        Suppression.objects.count(),
        ReinstatementRequest.objects.count(),
    )
    assert set(BounceEvent.objects.values_list("reason", flat=True)) == {r.value for r in Reason}
    statuses = set(ReinstatementRequest.objects.values_list("status", flat=True))
    assert statuses == {"pending", "approved", "rejected", "withdrawn"}
    assert Suppression.objects.filter(lifted_at__isnull=False).exists()
    assert Suppression.objects.filter(is_repeat=True).exists()
    assert Suppression.objects.filter(trigger="manual").exists()
    # django-axes watches every sign-in and needs the request it came with.
    request = RequestFactory().post("/admin/login/")
    assert ReinstatementRequest.objects.filter(on_behalf_of_owner=True, status="pending").exists()
    for username in ("agent", "lead", "auditor", "owner", "owner2"):
        assert authenticate(request, username=username, password="kwiga-demo") is not None

    seed(addresses=FEW + 20)
    assert counts == (
        BounceEvent.objects.count(),
        Suppression.objects.count(),
        ReinstatementRequest.objects.count(),
    )


def test_each_guard_shows_the_outcome_the_story_tells(demo_resolver) -> None:
    seed(addresses=FEW)
    requests = story_requests()
    failing = {
        key: sorted(o.code for o in guard_outcomes(request=requests[key]) if not o.passed)
        for key in (
            "mailbox-cleared",
            "typo-fixed",
            "sender-unblocked",
            "on-behalf",
            "domain-renewed",
            "domain-still-gone",
            "complaint",
            "third-resume",
            "hard-after-resume",
        )
    }

    assert failing == {
        "mailbox-cleared": [],
        "typo-fixed": [],
        "sender-unblocked": [],
        "on-behalf": [],
        "domain-renewed": [],
        "domain-still-gone": ["domain_resolves"],
        "complaint": ["complaint"],
        "third-resume": ["repeat_reinstatement"],
        "hard-after-resume": ["hard_after_reinstatement"],
    }
    details = {
        key: next(o.detail for o in guard_outcomes(request=requests[key]) if o.code == code)
        for key, code in (
            ("domain-renewed", "domain_resolves"),
            ("domain-still-gone", "domain_resolves"),
            ("third-resume", "repeat_reinstatement"),
            ("hard-after-resume", "hard_after_reinstatement"),
        )
    }
    assert details["domain-renewed"] == f"MX: mx.{RENEWED_DOMAIN}"
    assert details["domain-still-gone"] == f"{LAPSED_DOMAIN} does not exist (NXDOMAIN)."
    assert details["third-resume"] == "This would be resume number 3 within 180 days."
    assert details["hard-after-resume"].startswith("It bounced hard on ")
    assert all(r.status == "pending" for key, r in requests.items() if key in failing)


# What a client does about each reason, in the words an owner would use.
FITS = {
    Reason.MAILBOX_FULL: "cleared",
    Reason.MAILBOX_UNKNOWN: "typo",
    Reason.DOMAIN_UNKNOWN: "renewed",
    Reason.COMPLAINT: "spam by mistake",
    Reason.SENDER_BLOCKED: "block list",
    Reason.SERVER_UNAVAILABLE: "mail server was down",
    Reason.SPAM_FILTERED: "safe senders",
}


def test_requests_explain_what_fits_the_reason_and_wait_from_minutes_to_days() -> None:
    seed(addresses=FEW)

    requests = ReinstatementRequest.objects.select_related("suppression", "address")
    assert requests.count() == 17
    for request in requests:
        assert FITS[Reason(request.suppression.reason)] in request.explanation, request.address
    now = timezone.now()
    waiting = sorted(now - r.created_at for r in requests.filter(status="pending"))
    assert waiting[0] < timedelta(minutes=30)
    assert waiting[-1] > timedelta(days=4)
    assert any(timedelta(hours=1) < w < timedelta(days=2) for w in waiting)


def test_the_demo_owner_runs_two_schools() -> None:
    seed(addresses=FEW)

    def schools_of(username: str) -> list[str]:
        return sorted(
            School.objects.filter(memberships__user__username=username).values_list(
                "name", flat=True
            )
        )

    assert schools_of("owner") == ["Demo School", "Python Bootcamp"]
    assert schools_of("owner2") == ["Second School"]
    asked_in = set(
        ReinstatementRequest.objects.filter(requested_by__username="owner").values_list(
            "school__name", flat=True
        )
    )
    assert asked_in == {"Demo School", "Python Bootcamp"}


# As `make demo-reset` runs: not inside a transaction (PostgreSQL will not TRUNCATE tables with
# checks still pending in the open transaction).
@pytest.mark.django_db(transaction=True)
def test_reset_rebuilds_the_demo_from_nothing() -> None:
    seed(addresses=FEW)
    before = (BounceEvent.objects.count(), ReinstatementRequest.objects.count())
    call_command("ingest_bounces", str(ROOT / "tests/samples/arf-abuse.eml"), stdout=io.StringIO())
    assert EmailAddress.objects.filter(address="marta.reader@mailprovider.example").exists()

    out = seed(addresses=FEW, reset=True)

    assert "Emptied the database." in out
    assert not EmailAddress.objects.filter(address="marta.reader@mailprovider.example").exists()
    assert (BounceEvent.objects.count(), ReinstatementRequest.objects.count()) == before
    request = RequestFactory().post("/admin/login/")
    assert authenticate(request, username="lead", password="kwiga-demo") is not None
    assert authenticate(request, username="lead", password="kwiga-demo").has_perm(
        "suppression.override_guards"
    )


def test_seed_demo_refuses_production_settings(settings) -> None:
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="never created with production settings"):
        call_command("seed_demo")
    with pytest.raises(CommandError, match="never created with production settings"):
        call_command("seed_demo", reset=True)


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_demo_dns_command_answers_for_the_demo_domains(settings) -> None:
    port = _free_udp_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "demo_dns", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        assert server.stdout.readline().startswith(f"Demo DNS on 127.0.0.1:{port}")
        settings.SUPPRESSION = {
            **settings.SUPPRESSION,
            "DNS_NAMESERVERS": ["127.0.0.1"],
            "DNS_PORT": port,
            "DNS_TIMEOUT_SECONDS": 2.0,
        }
        renewed = check_domain_accepts_mail(RENEWED_DOMAIN)
        lapsed = check_domain_accepts_mail(LAPSED_DOMAIN)
    finally:
        server.terminate()
        server.wait(timeout=10)

    assert renewed.accepts_mail and renewed.detail == f"MX: mx.{RENEWED_DOMAIN}"
    assert not lapsed.accepts_mail and "NXDOMAIN" in lapsed.detail
