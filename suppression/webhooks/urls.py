"""``/webhooks/<esp>/tracking/``: the same paths as ``anymail.urls``, tracking only."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from . import views


@cache
def _amazon_ses_view() -> Any:
    from .ses import AmazonSESTrackingView  # imports boto3: see ses.py

    return AmazonSESTrackingView.as_view()


@csrf_exempt  # as anymail's views are: providers post without a token, authenticated instead
def amazon_ses(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    response: HttpResponse = _amazon_ses_view()(request, *args, **kwargs)
    return response


app_name = "webhooks"
urlpatterns = [
    path("amazon_ses/tracking/", amazon_ses, name="amazon_ses"),
    path("brevo/tracking/", views.BrevoTrackingView.as_view(), name="brevo"),
    path("mailgun/tracking/", views.MailgunTrackingView.as_view(), name="mailgun"),
    path("postmark/tracking/", views.PostmarkTrackingView.as_view(), name="postmark"),
    path("sendgrid/tracking/", views.SendGridTrackingView.as_view(), name="sendgrid"),
]
