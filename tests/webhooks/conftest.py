from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest
from django.test import Client

SECRET = "kwiga-esp:Tr0ub4dor&3"
MAILGUN_SIGNING_KEY = "key-0123456789abcdef0123456789abcdef"


def basic_auth(credentials: str = SECRET) -> str:
    return "Basic " + base64.b64encode(credentials.encode()).decode()


@pytest.fixture(autouse=True)
def webhook_secrets(settings) -> None:
    settings.ANYMAIL = {
        "WEBHOOK_SECRET": SECRET,
        "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_SIGNING_KEY,
        "AMAZON_SES_AUTO_CONFIRM_SNS_SUBSCRIPTIONS": False,
    }


def post_json(
    client: Client, url: str, payload: Any, *, auth: str | None = None, **headers: str
) -> Any:
    extra = {"HTTP_AUTHORIZATION": auth} if auth is not None else {}
    extra.update(
        {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    )
    return client.post(url, data=json.dumps(payload), content_type="application/json", **extra)


def mailgun_signature(timestamp: str, token: str, key: str = MAILGUN_SIGNING_KEY) -> str:
    return hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
