"""English and Ukrainian: the browser decides, a switch on every page, the choice is kept."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from suppression.models import OwnerProfile

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "suppression" / "locale" / "uk" / "LC_MESSAGES"


def test_the_browsers_language_picks_ukrainian(school, owner_client, paused) -> None:
    page = owner_client.get(
        reverse("portal:paused", kwargs={"school": school.slug}),
        headers={"accept-language": "uk-UA,uk;q=0.9,en;q=0.5"},
    )
    text = page.content.decode()
    assert '<html lang="uk">' in text
    assert "Призупинені адреси" in text and "Такої адреси не існує." in text
    assert page["Content-Language"] == "uk"


def test_the_console_stays_english_for_a_ukrainian_browser(agent) -> None:
    client = Client()
    client.force_login(agent)
    page = client.get("/admin/", headers={"accept-language": "uk"})
    assert "Support console" in page.content.decode()


def test_the_switch_keeps_the_owners_choice(school, owner, owner_client) -> None:
    target = reverse("portal:paused", kwargs={"school": school.slug})
    response = owner_client.post(reverse("portal:language"), {"language": "uk", "next": target})
    assert response["Location"] == target
    assert OwnerProfile.objects.get(user=owner).language == "uk"
    assert "Призупинені адреси" in owner_client.get(target).content.decode()
    # the next sign-in, in another browser, brings the choice back
    fresh = Client()
    fresh.post(reverse("portal:login"), {"username": "owner", "password": "kwiga-test"})
    assert "Призупинені адреси" in fresh.get(target).content.decode()


def test_the_switch_never_redirects_off_the_portal(owner_client) -> None:
    response = owner_client.post(
        reverse("portal:language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("portal:home")


def test_every_message_is_translated_and_compiled() -> None:
    po = (LOCALE / "django.po").read_text(encoding="utf-8")
    assert 'msgstr ""\n\n' not in po.split("\n\n", 1)[1] + "\n\n"
    assert "#, fuzzy" not in po
    ids = len(re.findall(r"^msgid ", po, flags=re.MULTILINE)) - 1  # less the header
    with (LOCALE / "django.mo").open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    singular = {key for key in catalog if isinstance(key, str) and key}
    plural = {key[0] for key in catalog if isinstance(key, tuple)}
    assert len(singular) + len(plural) == ids
