"""Amazon SES's tracking view, apart so that boto3 loads on the first SES post, not at start-up.

anymail's SES module imports boto3 (which the view needs: it confirms SNS subscriptions), and
importing boto3 takes a second or more: every ``manage.py`` command and every server start
would pay it. ``urls.py`` imports this module when the first SES notification arrives.
"""

from __future__ import annotations

import json
from typing import Any

from anymail.webhooks.amazon_ses import AmazonSESTrackingWebhookView

from .views import SecretRequiredMixin, UnreadablePayload


class AmazonSESTrackingView(SecretRequiredMixin, AmazonSESTrackingWebhookView):
    def check_payload(self, data: Any) -> None:
        # An SNS notification carries the SES event as JSON inside its "Message" string.
        message = data.get("Message")
        if data.get("Type") != "Notification" or not isinstance(message, str):
            return
        if message.startswith("Successfully validated SNS topic"):
            return
        try:
            event = json.loads(message)
        except ValueError as error:
            raise UnreadablePayload(f"The SNS Message is not valid JSON: {error}.") from None
        if not isinstance(event, dict):
            raise UnreadablePayload(
                f"The SNS Message must be a JSON object, not {type(event).__name__}."
            )
