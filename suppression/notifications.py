"""Mail to school owners, always sent after the transaction that decided it commits."""

from __future__ import annotations

import logging

from django.core.mail import send_mail

from .models import ReinstatementRequest

logger = logging.getLogger(__name__)


def notify_request_decided(request_id: int) -> None:
    request = (
        ReinstatementRequest.objects.select_related("address", "school", "requested_by")
        .filter(pk=request_id)
        .first()
    )
    if request is None or not request.requested_by.email:
        return
    outcomes: dict[str, str] = {
        ReinstatementRequest.Status.APPROVED: "Sending has been resumed",
        ReinstatementRequest.Status.REJECTED: "Sending stays paused",
    }
    outcome = outcomes.get(request.status)
    if outcome is None:
        return
    body = f"{outcome} to {request.address.display} for {request.school}."
    if request.decision_note:
        body += f"\n\nSupport's note: {request.decision_note}"
    try:
        send_mail(
            subject=f"[Kwiga] {outcome}: {request.address.display}",
            message=body,
            from_email=None,
            recipient_list=[request.requested_by.email],
        )
    except OSError:
        # The decision stands whether or not the mail goes out; the portal shows it too.
        logger.exception("Could not mail the decision on request %s", request_id)
