"""Sign-in attempts in the admin: leads and superusers unlock, auditors look.

axes registers its own admins; the attempts admin is replaced here so that its one action is
"Unlock", which needs the delete permission (axes' own "clean up" action needs none, so a
read-only auditor could run it). Unlocking goes through ``signin_unlock`` only: no role (the
superuser included) edits or deletes an attempt, a failure log or an access log row from its
page or with "delete selected", which would unlock without the service's record or erase the
sign-in trail.
"""

from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.admin import AccessFailureLogAdmin as AxesAccessFailureLogAdmin
from axes.admin import AccessLogAdmin as AxesAccessLogAdmin
from axes.helpers import get_cool_off
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..exceptions import SuppressionError
from ..services.signin import signin_unlock

admin.site.unregister(AccessAttempt)
admin.site.unregister(AccessLog)
admin.site.unregister(AccessFailureLog)


class ReadOnlyMixin:
    """Shown, never edited nor deleted from the admin."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyMixin, AxesAccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(ReadOnlyMixin, AxesAccessFailureLogAdmin):
    pass


@admin.register(AccessAttempt)
class AccessAttemptAdmin(ReadOnlyMixin, AxesAccessAttemptAdmin):
    # axes' own "status" column and filter judge each row alone, but a username or an address is
    # locked by its failures summed over rows: "Locks" says which of this row's two are locked.
    list_display = [
        "attempt_time",
        "username",
        "ip_address",
        "failures_since_start",
        "locks",
        "path_info",
        "user_agent",
    ]
    list_filter = ["attempt_time", "path_info"]
    actions = ["unlock"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AccessAttempt]:
        cool_off = get_cool_off(request)
        recent = AccessAttempt.objects.all()
        if cool_off is not None:
            recent = recent.filter(attempt_time__gte=timezone.now() - cool_off)

        def failures(field: str) -> Coalesce:
            same = recent.filter(**{field: OuterRef(field)}).values(field)
            total = same.annotate(total=Sum("failures_since_start")).values("total")[:1]
            return Coalesce(Subquery(total, output_field=IntegerField()), 0)

        return (
            super()
            .get_queryset(request)
            .annotate(
                account_failures=failures("username"), address_failures=failures("ip_address")
            )
        )

    @admin.display(description=_("Locks"))
    def locks(self, obj: AccessAttempt) -> str:
        limit = settings.AXES_FAILURE_LIMIT
        locked = [
            str(what)
            for what, count in (
                (_("account"), obj.account_failures),  # type: ignore[attr-defined]
                (_("address"), obj.address_failures),  # type: ignore[attr-defined]
            )
            if count >= limit
        ]
        return ", ".join(locked) or "-"

    def has_unlock_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("axes.delete_accessattempt")

    @admin.action(description=_("Unlock: forget these failed sign-ins"), permissions=["unlock"])
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
