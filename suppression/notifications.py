"""Mail from the product, always sent after the transaction that caused it commits.

Every mail goes out as plain text with an HTML alternative, rendered from
``templates/portal/email/<name>_{subject,body}.txt`` and ``<name>_body.html``. Owners get theirs in
the language they chose in the portal; support gets English.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .conf import setting
from .models import AddressInquiry, Incident, OwnerProfile, ReinstatementRequest, School

logger = logging.getLogger(__name__)


def site_url(path: str) -> str:
    return f"{setting('SITE_URL').rstrip('/')}{path}"


def owner_language(user: User) -> str:
    profile = OwnerProfile.objects.filter(user_id=user.pk).first()
    if profile and profile.language:
        return profile.language
    return settings.LANGUAGE_CODE


def send(name: str, context: dict[str, Any], to: list[str], *, language: str) -> None:
    """Render ``name``'s three templates in ``language`` and send them as one message."""
    with translation.override(language):
        subject = " ".join(render_to_string(f"portal/email/{name}_subject.txt", context).split())
        text = render_to_string(f"portal/email/{name}_body.txt", context)
        html = render_to_string(f"portal/email/{name}_body.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=to)
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except OSError:
        # What the mail reports stands whether or not it goes out; the portal shows it too.
        logger.exception("Could not send the %s mail to %s", name, to)


def notify_request_decided(request_id: int) -> None:
    """Tell whoever asked (the school's owners, when support asked for them) what support did."""
    request = (
        ReinstatementRequest.objects.select_related("address", "school", "requested_by")
        .filter(pk=request_id)
        .first()
    )
    if request is None or request.status not in (
        ReinstatementRequest.Status.APPROVED,
        ReinstatementRequest.Status.REJECTED,
    ):
        return
    if request.on_behalf_of_owner:
        recipients = list(request.school.owners.filter(is_active=True))
    else:
        recipients = [request.requested_by]
    link = site_url(
        reverse("portal:request_detail", kwargs={"school": request.school.slug, "pk": request.pk})
    )
    for user in recipients:
        if user.email:
            send(
                "request_decided",
                {"request": request, "user": user, "link": link},
                [user.email],
                language=owner_language(user),
            )


def _support() -> list[str]:
    address = setting("SUPPORT_EMAIL")
    return [address] if address else []


def notify_support_new_request(request_id: int) -> None:
    """Tell the support team a request waits in their queue."""
    request = (
        ReinstatementRequest.objects.select_related("address", "school", "requested_by")
        .filter(pk=request_id)
        .first()
    )
    to = _support()
    if request is None or not to:
        return
    link = site_url(reverse("admin:suppression_reinstatementrequest_change", args=[request.pk]))
    send("support_new_request", {"request": request, "link": link}, to, language="en")


def notify_support_new_inquiry(inquiry_id: int) -> None:
    """Tell the support team an owner asked about an address."""
    inquiry = (
        AddressInquiry.objects.select_related("school", "asked_by").filter(pk=inquiry_id).first()
    )
    to = _support()
    if inquiry is None or not to:
        return
    link = site_url(reverse("admin:suppression_addressinquiry_change", args=[inquiry.pk]))
    send("support_new_inquiry", {"inquiry": inquiry, "link": link}, to, language="en")


def notify_owner_invited(user_id: int, school_id: int) -> None:
    """Welcome an owner to a school: a set-password link, or the sign-in page if they have one."""
    from .portal.tokens import invitation_token_generator

    user = User.objects.filter(pk=user_id).first()
    school = School.objects.filter(pk=school_id).first()
    if user is None or school is None or not user.email:
        return
    if user.has_usable_password():
        link = site_url(reverse("portal:login"))
    else:
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = invitation_token_generator.make_token(user)
        link = site_url(reverse("portal:invitation", kwargs={"uidb64": uid, "token": token}))
    context = {
        "user": user,
        "school": school,
        "link": link,
        "set_password": not user.has_usable_password(),
        "days": setting("INVITATION_DAYS"),
    }
    send("owner_invited", context, [user.email], language=owner_language(user))


def notify_support_incident_opened(incident_id: int) -> None:
    """Tell the support team a receiving organisation refuses the platform and is paused."""
    incident = Incident.objects.filter(pk=incident_id).first()
    to = _support()
    if incident is None or not to:
        return
    link = site_url(reverse("admin:suppression_incident_change", args=[incident.pk]))
    domains = list(incident.domains.values_list("domain", flat=True)[:50])
    send(
        "support_incident_opened",
        {"incident": incident, "domains": domains, "link": link},
        to,
        language="en",
    )
