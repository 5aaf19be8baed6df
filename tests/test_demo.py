import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from suppression.models import BounceEvent, ReinstatementRequest, Suppression
from suppression.taxonomy import Reason

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_every_story_and_is_idempotent(settings) -> None:
    call_command("seed_demo", addresses=120, stdout=io.StringIO())
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
    for username in ("agent", "lead", "auditor", "owner", "owner2"):
        assert authenticate(request, username=username, password="kwiga-demo") is not None

    call_command("seed_demo", addresses=120, stdout=io.StringIO())
    assert counts == (
        BounceEvent.objects.count(),
        Suppression.objects.count(),
        ReinstatementRequest.objects.count(),
    )


def test_seed_demo_refuses_production_settings(settings) -> None:
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="never created with production settings"):
        call_command("seed_demo")
