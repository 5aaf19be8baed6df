"""Anymail's tracking webhook views, refusing every request until authentication is set up.

Anymail accepts unauthenticated posts (with a warning) when ``ANYMAIL["WEBHOOK_SECRET"]`` is
unset; a console whose bounces suppress addresses must not. Basic auth is required everywhere
except where a signature already proves the sender: Mailgun (its webhook signing key, which
anymail always verifies) and SendGrid once its verification key is set.
"""

from __future__ import annotations

from typing import Any

from anymail.exceptions import AnymailWebhookValidationFailure
from anymail.webhooks.amazon_ses import AmazonSESTrackingWebhookView
from anymail.webhooks.brevo import BrevoTrackingWebhookView
from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from anymail.webhooks.sendgrid import SendGridTrackingWebhookView
from django.http import HttpRequest


class SecretRequiredMixin:
    """Refuse requests while no webhook secret (and no signature key) is configured."""

    basic_auth: list[str] | None
    esp_name: str
    # Anymail's warning says the webhook is open to anyone; here it is closed instead.
    warn_if_no_basic_auth = False

    def signed(self) -> bool:
        return False

    def validate_request(self, request: HttpRequest) -> None:
        # anymail runs every validate_request of the class chain; this one adds the refusal.
        if not self.basic_auth and not self.signed():
            raise AnymailWebhookValidationFailure(
                f"The {self.esp_name} webhook is not configured: set ANYMAIL_WEBHOOK_SECRET."
            )


class AmazonSESTrackingView(SecretRequiredMixin, AmazonSESTrackingWebhookView):
    pass


class BrevoTrackingView(SecretRequiredMixin, BrevoTrackingWebhookView):
    pass


class MailgunTrackingView(SecretRequiredMixin, MailgunTrackingWebhookView):
    def signed(self) -> bool:
        return True  # anymail refuses to start without the signing key and checks every post


class PostmarkTrackingView(SecretRequiredMixin, PostmarkTrackingWebhookView):
    pass


class SendGridTrackingView(SecretRequiredMixin, SendGridTrackingWebhookView):
    def signed(self) -> bool:
        key: Any = getattr(self, "webhook_verification_key", None)
        return key is not None
