"""Sign-in attempts in the admin: leads and superusers unlock, auditors look.

axes registers its own admins; the attempts admin is replaced here so that its one action is
"Unlock", which needs the delete permission (axes' own "clean up" action needs none, so a
read-only auditor could run it).
"""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..exceptions import SuppressionError
from ..services.signin import signin_unlock

admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    actions = ["unlock"]

    @admin.action(description=_("Unlock: forget these failed sign-ins"), permissions=["delete"])
    def unlock(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        try:
            unlocked = signin_unlock(
                attempt_ids=queryset.values_list("pk", flat=True), actor=request.user
            )
        except SuppressionError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.log_deletions(request, unlocked)  # type: ignore[arg-type]
        names = sorted({a.username or "" for a in unlocked} - {""})
        addresses = sorted({a.ip_address or "" for a in unlocked} - {""})
        self.message_user(
            request,
            ngettext(
                "Unlocked %(count)d attempt row (usernames: %(names)s; addresses: %(ips)s).",
                "Unlocked %(count)d attempt rows (usernames: %(names)s; addresses: %(ips)s).",
                len(unlocked),
            )
            % {
                "count": len(unlocked),
                "names": ", ".join(names) or "-",
                "ips": ", ".join(addresses) or "-",
            },
            messages.SUCCESS,
        )
