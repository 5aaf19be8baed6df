"""Each reason in an owner's words, and what the owner can do about it.

The advice follows the support article: the owner talks to the client, the client fixes the
cause, and only then does the owner ask support to resume sending.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ..taxonomy import Reason


@dataclass(frozen=True)
class Advice:
    plain: Promise  # the reason, as an owner would say it
    what_to_do: Promise


ADVICE: dict[str, Advice] = {
    Reason.MAILBOX_UNKNOWN: Advice(
        _("The address does not exist."),
        _(
            "Check the spelling with your client: a typo such as gmial.com is common. If the "
            "address is right, the client can ask their mail provider why it was closed."
        ),
    ),
    Reason.DOMAIN_UNKNOWN: Advice(
        _("The domain does not exist."),
        _(
            "Check the part after the @ with your client. If their company's domain was down, "
            "ask again once it receives mail; support checks the domain before resuming."
        ),
    ),
    Reason.SENDER_BLOCKED: Advice(
        _("The recipient's server blocks our mail."),
        _(
            "Ask the client to add our sending address to their contacts or allow list, or to "
            "ask their IT department or mail provider to stop blocking it."
        ),
    ),
    Reason.REJECTED: Advice(
        _("The recipient's server refuses our mail."),
        _(
            "Ask the client to contact their mail provider or IT department about messages "
            "from the platform being refused."
        ),
    ),
    Reason.MAILBOX_FULL: Advice(
        _("The mailbox is full."),
        _("Ask the client to delete old messages or get more space, then ask us to resume."),
    ),
    Reason.SERVER_UNAVAILABLE: Advice(
        _("The recipient's mail server was not answering."),
        _(
            "This usually passes by itself. If it keeps happening, the client can ask their "
            "mail provider whether their server has trouble."
        ),
    ),
    Reason.MESSAGE_TOO_LARGE: Advice(
        _("Our message was too large for the mailbox."),
        _(
            "Send smaller attachments or links instead, and ask the client whether their "
            "mailbox limits message size."
        ),
    ),
    Reason.SPAM_FILTERED: Advice(
        _("A spam filter stopped our mail."),
        _(
            "Ask the client to check their spam folder, mark our mail as not spam and add our "
            "sending address to their contacts."
        ),
    ),
    Reason.DNS_ERROR: Advice(
        _("The recipient's domain could not be looked up."),
        _("Ask the client whether their domain had trouble; it often passes within a day."),
    ),
    Reason.UNKNOWN: Advice(
        _("The recipient's server refused our mail without saying why."),
        _("Ask the client to contact their mail provider, or ask support to look at it."),
    ),
    Reason.COMPLAINT: Advice(
        _("The recipient marked our mail as spam."),
        _(
            "Only the recipient can undo this. Support does not resume sending on an owner's "
            "request after a spam complaint: ask your client to write to support themselves "
            "from this address."
        ),
    ),
}


def advice_for(reason: str) -> Advice:
    return ADVICE.get(reason, ADVICE[Reason.UNKNOWN])
