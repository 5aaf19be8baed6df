"""``/webhooks/<esp>/tracking/``: the same paths as ``anymail.urls``, tracking only."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "webhooks"
urlpatterns = [
    path("amazon_ses/tracking/", views.AmazonSESTrackingView.as_view(), name="amazon_ses"),
    path("brevo/tracking/", views.BrevoTrackingView.as_view(), name="brevo"),
    path("mailgun/tracking/", views.MailgunTrackingView.as_view(), name="mailgun"),
    path("postmark/tracking/", views.PostmarkTrackingView.as_view(), name="postmark"),
    path("sendgrid/tracking/", views.SendGridTrackingView.as_view(), name="sendgrid"),
]
