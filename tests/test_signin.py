"""Password guessing is throttled per account and per client address (django-axes)."""

from __future__ import annotations

import logging

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.models import DELETION, LogEntry

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
RIGHT = "kwiga-test"


def sign_in(client, username: str, password: str, ip: str = "127.0.0.1", **extra):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
        **extra,
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_then_the_right_one_is_refused(client, agent) -> None:
    # Each guess from another address: only the account's own count can lock it.
    answers = [sign_in(client, "agent", f"guess-{n}", ip=f"198.51.100.{n}") for n in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    assert "Please enter the correct username and password" in answers[0].text

    refused = sign_in(client, "agent", RIGHT, ip="203.0.113.9")
    assert refused.status_code == 429
    assert not signed_in(client)
    page = refused.text
    assert "the account “agent” is locked" in page
    assert "Try again in 15 minutes" in page
    assert "ask a support lead to unlock it" in page
    assert refused["Retry-After"] == "900"


def test_four_wrong_passwords_still_let_the_right_one_in(client, agent) -> None:
    for n in range(4):
        assert sign_in(client, "agent", f"guess-{n}").status_code == 200
    assert sign_in(client, "agent", RIGHT).status_code == 302
    assert signed_in(client)


def test_an_address_that_guessed_too_often_is_refused_for_every_account(
    client, agent, lead
) -> None:
    for name in ("ann", "bob", "carol", "dave", "erin"):
        sign_in(client, name, "guess", ip="192.0.2.66")

    refused = sign_in(client, "lead", RIGHT, ip="192.0.2.66")
    assert refused.status_code == 429
    assert "Too many failed sign-ins from your address (192.0.2.66)" in refused.text
    assert not signed_in(client)
    # The accounts themselves are not locked: the same lead from elsewhere gets in, and the
    # attempts list shows each row's address (not its username) as locked.
    assert sign_in(client, "lead", RIGHT, ip="192.0.2.10").status_code == 302
    attempts = client.get("/admin/axes/accessattempt/").text
    assert attempts.count('<td class="field-locks">address</td>') == 6


def test_any_login_view_is_throttled_not_only_the_admin(client, agent, settings) -> None:
    settings.ROOT_URLCONF = "tests.signin_urls"
    for n in range(5):
        client.post("/signin/", {"username": "agent", "password": f"guess-{n}"})
    refused = client.post("/signin/", {"username": "agent", "password": RIGHT})
    assert refused.status_code == 429
    assert not signed_in(client)


def test_a_lead_unlocks_and_the_user_signs_in(client, agent, lead) -> None:
    for n in range(5):
        sign_in(client, "agent", f"guess-{n}")
    assert sign_in(client, "agent", RIGHT).status_code == 429

    client.force_login(lead)
    changelist = client.get("/admin/axes/accessattempt/?q=agent")
    assert changelist.status_code == 200
    assert "Unlock: forget these failed sign-ins" in changelist.text
    ids = [str(pk) for pk in AccessAttempt.objects.values_list("pk", flat=True)]
    done = client.post(
        "/admin/axes/accessattempt/",
        {"action": "unlock", "_selected_action": ids, "index": 0},
        follow=True,
    )
    assert '<td class="field-locks">account, address</td>' in changelist.text
    assert "Unlocked 1 attempt row (usernames: agent; addresses: 127.0.0.1)" in done.text
    assert LogEntry.objects.filter(user=lead, action_flag=DELETION).count() == 1
    client.logout()

    assert sign_in(client, "agent", RIGHT).status_code == 302
    assert signed_in(client)


def test_an_auditor_sees_lockouts_but_cannot_unlock(client, auditor, agent) -> None:
    for n in range(5):
        sign_in(client, "agent", f"guess-{n}")
    client.force_login(auditor)
    changelist = client.get("/admin/axes/accessattempt/")
    assert changelist.status_code == 200
    assert "agent" in changelist.text
    assert "Unlock" not in changelist.text
    ids = [str(pk) for pk in AccessAttempt.objects.values_list("pk", flat=True)]
    for action in ("unlock", "delete_selected", "cleanup_expired_attempts"):
        client.post(
            "/admin/axes/accessattempt/",
            {"action": action, "_selected_action": ids, "index": 0, "post": "yes"},
        )
    assert AccessAttempt.objects.count() == 1
    assert (
        client.post(f"/admin/axes/accessattempt/{ids[0]}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert AccessAttempt.objects.count() == 1


def test_an_agent_does_not_see_lockouts(client, agent) -> None:
    client.force_login(agent)
    assert client.get("/admin/axes/accessattempt/").status_code == 403


def test_a_failure_is_logged_with_username_and_address_never_the_password(
    client, agent, caplog
) -> None:
    with caplog.at_level(logging.INFO):
        sign_in(client, "agent", "hunter2-secret", ip="198.51.100.23")
    lines = [r.getMessage() for r in caplog.records if r.name == "suppression.signin"]
    assert lines == ["Sign-in failed for username 'agent' from 198.51.100.23 (/admin/login/)"]
    assert "hunter2-secret" not in caplog.text


def test_the_lockout_is_logged(client, agent, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="suppression.signin"):
        for n in range(5):
            sign_in(client, "agent", f"guess-{n}")
    assert (
        "Sign-in locked after repeated failures: username 'agent', address 127.0.0.1" in caplog.text
    )


def test_behind_a_proxy_the_address_the_proxy_saw_counts_not_what_the_client_claims(
    client, agent, lead, settings
) -> None:
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    proxy = "10.0.0.1"
    for n in range(5):
        # The guesser makes up a different address each time; the proxy appends the real one.
        sign_in(
            client, f"user{n}", "guess", ip=proxy, HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, 81.2.69.142"
        )
    refused = sign_in(client, "agent", RIGHT, ip=proxy, HTTP_X_FORWARDED_FOR="7.7.7.7, 81.2.69.142")
    assert refused.status_code == 429
    assert "81.2.69.142" in refused.text
    # Somebody else behind the same proxy is not locked out with the guesser.
    assert (
        sign_in(client, "lead", RIGHT, ip=proxy, HTTP_X_FORWARDED_FOR="81.2.69.200").status_code
        == 302
    )
