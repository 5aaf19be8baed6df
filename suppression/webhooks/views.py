"""Anymail's tracking webhook views, refusing every request until authentication is set up.

Anymail accepts unauthenticated posts (with a warning) when ``ANYMAIL["WEBHOOK_SECRET"]`` is
unset; a console whose bounces suppress addresses must not. Basic auth is required everywhere
except where a signature already proves the sender: Mailgun (its webhook signing key, which
anymail always verifies) and SendGrid once its verification key is set.

A body that is not the JSON the provider sends (malformed, or an array where an object belongs)
is answered 400 with a sentence saying so, after authentication and before anything is recorded;
anymail would answer 500, which a provider retries for days.

Amazon SES's view lives in ``ses.py``: anymail's SES module imports boto3, which would add a
second or more to every start of the app, so the URL conf loads it on the first SES post.
"""

from __future__ import annotations

import json
from typing import Any

from anymail.exceptions import AnymailWebhookValidationFailure
from anymail.webhooks.base import AnymailBasicAuthMixin
from anymail.webhooks.brevo import BrevoTrackingWebhookView
from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from anymail.webhooks.sendgrid import SendGridTrackingWebhookView
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from ..textsafety import clean_line


class UnreadablePayload(Exception):
    """The body is not what the provider posts: no retry will make it readable."""


class SecretRequiredMixin:
    """Refuse requests while no webhook secret (and no signature key) is configured."""

    basic_auth: list[str] | None
    esp_name: str
    # Anymail's warning says the webhook is open to anyone; here it is closed instead.
    warn_if_no_basic_auth = False

    def signed(self) -> bool:
        return False

    # The JSON value a post carries at the top: an object, or (SendGrid) an array of them.
    payload_type: type = dict

    def validate_request(self, request: HttpRequest) -> None:
        # anymail runs every validate_request of the class chain; this one adds the refusal.
        if not self.basic_auth and not self.signed():
            raise AnymailWebhookValidationFailure(
                f"The {self.esp_name} webhook is not configured: set ANYMAIL_WEBHOOK_SECRET."
            )

    def run_validators(self, request: HttpRequest) -> None:
        # anymail runs them in class order, which puts some providers' body parsing (SES's)
        # before basic auth: authenticate first, then read the body, then the provider's checks
        # (Mailgun's signature is inside the body).
        SecretRequiredMixin.validate_request(self, request)
        AnymailBasicAuthMixin.validate_request(self, request)  # type: ignore[arg-type]
        self.check_payload(self.json_payload(request))
        super().run_validators(request)  # type: ignore[misc]

    def json_payload(self, request: HttpRequest) -> Any:
        """The decoded JSON body, or ``UnreadablePayload`` saying what is wrong with it."""
        try:
            data = json.loads(request.body.decode("utf-8"))
        except UnicodeDecodeError as error:
            raise UnreadablePayload(f"The body is not UTF-8 text: {error.reason}.") from None
        except ValueError as error:
            raise UnreadablePayload(f"The body is not valid JSON: {error}.") from None
        if not isinstance(data, self.payload_type):
            wanted = "an array" if self.payload_type is list else "an object"
            raise UnreadablePayload(
                f"The body must be {wanted} of {self.esp_name} event data, "
                f"not {type(data).__name__}."
            )
        return data

    def check_payload(self, data: Any) -> None:
        """Provider-specific shape checks the event parser would otherwise crash on."""

    def parse_events(self, request: HttpRequest) -> list[Any]:
        try:
            return super().parse_events(request)  # type: ignore[misc, no-any-return]
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            # anymail indexes into the payload: a field of the wrong type, or a missing one.
            raise UnreadablePayload(
                f"The body is not {self.esp_name} event data: "
                f"{type(error).__name__}: {clean_line(error, limit=200)}."
            ) from None

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().post(request, *args, **kwargs)  # type: ignore[misc, no-any-return]
        except UnreadablePayload as error:
            return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")


class BrevoTrackingView(SecretRequiredMixin, BrevoTrackingWebhookView):
    pass


class MailgunTrackingView(SecretRequiredMixin, MailgunTrackingWebhookView):
    def signed(self) -> bool:
        return True  # anymail refuses to start without the signing key and checks every post

    def json_payload(self, request: HttpRequest) -> Any:
        # The legacy webhook posts a form, whose fields anymail reads itself.
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return {}
        return super().json_payload(request)

    def check_payload(self, data: Any) -> None:
        if data and not isinstance(data.get("signature"), dict):
            raise UnreadablePayload('The body has no Mailgun "signature" object.')
        if data and not isinstance(data.get("event-data", {}), dict):
            raise UnreadablePayload('The Mailgun "event-data" must be a JSON object.')


class PostmarkTrackingView(SecretRequiredMixin, PostmarkTrackingWebhookView):
    pass


class SendGridTrackingView(SecretRequiredMixin, SendGridTrackingWebhookView):
    payload_type = list

    def check_payload(self, data: Any) -> None:
        if not all(isinstance(item, dict) for item in data):
            raise UnreadablePayload("Every item of the SendGrid array must be a JSON object.")

    def signed(self) -> bool:
        key: Any = getattr(self, "webhook_verification_key", None)
        return key is not None
