"""Outside text on the admin's pages: stored as received, shown with its hidden characters named.

A right-to-left override in a diagnostic makes "5.1.1 user unknown" display as something else;
on every page a support person reads, it appears as ``<U+202E>`` instead.
"""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from suppression import services
from suppression.models import BounceEvent, School, Source, UnparsedMessage
from suppression.taxonomy import Reason

pytestmark = pytest.mark.django_db

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
LRI, PDI = "\u2066", "\u2069"


def page(client: Client, name: str, *args: object) -> str:
    response = client.get(reverse(f"admin:suppression_{name}", args=args))
    assert response.status_code == 200
    return response.content.decode()


def test_a_diagnostic_shows_its_bidi_override_instead_of_applying_it(
    client: Client, agent, school: School
) -> None:
    outcome = services.bounce_record(
        email="rtl@example.com",
        source=Source.API,
        dedupe_key="rtl-1",
        occurred_at=timezone.now(),
        reason=Reason.MAILBOX_UNKNOWN,
        status="5.1.1",
        diagnostic=f"550 5.1.1 {RLO}nwonknu resu{LRI}x{PDI}",
        remote_mta=f"mx{RLO}.example.com",
        message_id=f"<id{RLO}1@mail.kwiga.com>",
        school=school,
    )
    client.force_login(agent)

    html = page(client, "bounceevent_change", outcome.event.pk)

    assert RLO not in html and LRI not in html
    assert "550 5.1.1 &lt;U+202E&gt;nwonknu resu&lt;U+2066&gt;x&lt;U+2069&gt;" in html
    assert "mx&lt;U+202E&gt;.example.com" in html
    assert "id&lt;U+202E&gt;1@mail.kwiga.com" in html
    # Stored as the server wrote it.
    assert BounceEvent.objects.get().diagnostic == f"550 5.1.1 {RLO}nwonknu resu{LRI}x{PDI}"


def test_an_explanation_and_a_decision_note_show_their_hidden_characters(
    client: Client, agent, owner, school: School
) -> None:
    services.bounce_record(
        email="full@example.com",
        source=Source.API,
        dedupe_key="full-1",
        occurred_at=timezone.now(),
        reason=Reason.MAILBOX_UNKNOWN,
        status="5.1.1",
        school=school,
    )
    request = services.request_submit(
        email="full@example.com",
        school=school,
        actor=owner,
        explanation=f"The client {RLO}deraelc{PDI} the mailbox\u200b.",
    )
    services.request_reject(request=request, actor=agent, note=f"Still bouncing {RLO}today.")
    client.force_login(agent)

    html = page(client, "reinstatementrequest_change", request.pk)

    assert RLO not in html and "\u200b" not in html
    assert "The client &lt;U+202E&gt;deraelc&lt;U+2069&gt; the mailbox&lt;U+200B&gt;." in html
    assert "Still bouncing &lt;U+202E&gt;today." in html


def test_a_manual_suppression_note_shows_its_hidden_characters(client: Client, agent) -> None:
    suppression = services.suppression_open_manual(
        email="hand@example.com", actor=agent, note=f"Owner asked {RLO}kcab"
    )
    client.force_login(agent)

    html = page(client, "suppression_change", suppression.pk)

    assert RLO not in html
    assert "Owner asked &lt;U+202E&gt;kcab" in html


def test_an_unparsed_message_shows_its_hidden_characters_in_the_list_and_the_excerpt(
    client: Client, agent
) -> None:
    raw = f"Subject: {RLO}gnirts\n\nbody\x00with a NUL\x1b[31m".encode()
    kept = UnparsedMessage.objects.create(
        origin=f"bounce{RLO}.eml",
        sha256=hashlib.sha256(raw).hexdigest(),
        size=len(raw),
        raw=raw,
        detail=f"parser error: {RLO}oops",
    )
    client.force_login(agent)

    listing = page(client, "unparsedmessage_changelist")
    shown = page(client, "unparsedmessage_change", kept.pk)

    for html in (listing, shown):
        assert RLO not in html
        assert "bounce&lt;U+202E&gt;.eml" in html
        assert "parser error: &lt;U+202E&gt;oops" in html
    assert "Subject: &lt;U+202E&gt;gnirts" in shown
    assert "body&lt;U+0000&gt;with a NUL&lt;U+001B&gt;[31m" in shown


def test_history_pages_show_hidden_characters_of_explanations_notes_and_reasons(
    client: Client, auditor, agent, owner, school: School
) -> None:
    services.bounce_record(
        email="hist@example.com",
        source=Source.API,
        dedupe_key="hist-1",
        occurred_at=timezone.now(),
        reason=Reason.MAILBOX_UNKNOWN,
        status="5.1.1",
        school=school,
    )
    request = services.request_submit(
        email="hist@example.com",
        school=school,
        actor=owner,
        explanation=f"The client {RLO}deraelc{PDI} the mailbox.",
    )
    services.request_reject(request=request, actor=agent, note=f"Still bouncing {RLO}today.")
    client.force_login(auditor)

    listing = page(client, "reinstatementrequest_history", request.pk)
    version = request.history.earliest()
    shown = page(client, "reinstatementrequest_simple_history", request.pk, version.history_id)

    for html in (listing, shown):
        assert RLO not in html and PDI not in html
    assert "Still bouncing &lt;U+202E&gt;today." in listing
    assert "The client &lt;U+202E&gt;deraelc&lt;U+2069&gt; the mailbox." in shown
