"""The support console's case page and the decisions taken on it (admin views via get_urls).

One screen per address: status banner, bounce timeline, episodes, requests from every school,
history, and the pending requests' panels with every guard's outcome. Every change is a POST
form with a note, a confirmation step where the owner is told something, and one service call;
the services re-check permissions and guards on locked rows.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from .. import services
from ..conf import setting
from ..dns import check_domain_for_page
from ..exceptions import SuppressionError
from ..models import BounceEvent, BounceEventMessage, EmailAddress, ReinstatementRequest
from ..selectors import incident_for_domain
from ..services.raw_messages import raw_message_bytes
from ..services.requests import guard_outcomes
from ..textsafety import visible_controls
from . import case_selectors as reads
from .forms import DecisionForm, OnBehalfForm, ResumeForm, SuppressForm

DECIDE = "suppression.decide_reinstatementrequest"
OVERRIDE = "suppression.override_guards"
SUPPRESS = "suppression.add_suppression"
ASK = "suppression.add_reinstatementrequest"


def case_url(address_id: int) -> str:
    return reverse("admin:suppression_emailaddress_change", args=[address_id])


def _pk(object_id: str) -> int:
    try:
        return int(object_id)
    except ValueError:
        raise Http404("No such object.") from None


class _ConsoleViews(admin.ModelAdmin):
    def _url(self, route: str, view: Any, suffix: str) -> URLPattern:
        name = f"{self.opts.app_label}_{self.opts.model_name}_{suffix}"
        return path(route, self.admin_site.admin_view(view), name=name)

    def _render(
        self, request: HttpRequest, template: str, context: dict[str, Any]
    ) -> TemplateResponse:
        base = {**self.admin_site.each_context(request), "opts": self.opts}
        return TemplateResponse(request, f"admin/console/{template}", {**base, **context})


class CaseAdminMixin(_ConsoleViews):
    """EmailAddressAdmin: search, the case page in place of the change form, and its forms."""

    def get_urls(self) -> list[URLPattern]:
        return [
            self._url("find/", self.find_view, "find"),
            self._url("<path:object_id>/change/", self.case_view, "change"),
            self._url("<path:object_id>/suppress/", self.suppress_view, "suppress"),
            self._url("<path:object_id>/ask/", self.on_behalf_view, "ask"),
            *super().get_urls(),
        ]

    def find_view(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        found = reads.address_find(request.GET.get("q", ""))
        if len(found.rows) == 1 and found.how in ("address", "domain", "part"):
            return HttpResponseRedirect(case_url(found.rows[0][0].pk))
        return self._render(request, "find.html", {"title": "Find an address", "found": found})

    def case_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        address = get_object_or_404(EmailAddress, pk=_pk(object_id))
        case = reads.case_view(address, before=request.GET.get("before", ""))
        user = request.user
        panels = [
            {
                "panel": panel,
                "resume": ResumeForm(
                    initial={"guards_seen": panel.fingerprint},
                    may_override=user.has_perm(OVERRIDE),
                    auto_id=f"r{panel.request.pk}-%s",
                ),
                "reject": DecisionForm(auto_id=f"x{panel.request.pk}-%s"),
            }
            for panel in case.pending
        ]
        return self._render(
            request,
            "case.html",
            {
                "title": f"Case: {address.address}",
                "case": case,
                "panels": panels,
                "may_decide": user.has_perm(DECIDE),
                "may_override": user.has_perm(OVERRIDE),
                "may_suppress": user.has_perm(SUPPRESS) and not case.state.paused,
                "may_ask": user.has_perm(ASK) and case.state.paused,
                "suppress_form": SuppressForm(),
                "ask_form": OnBehalfForm(address=address) if case.state.paused else None,
                "retention_days": setting("RAW_MESSAGE_RETENTION_DAYS"),
                "domain_incident": incident_for_domain(address.domain),
            },
        )

    def _address_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        *,
        perm: str,
        form_class: type,
        template: str,
        title: str,
        act: Any,
        with_address: bool = False,
    ) -> HttpResponse:
        if not request.user.has_perm(perm):
            raise PermissionDenied
        address = get_object_or_404(EmailAddress, pk=_pk(object_id))
        form = form_class(request.POST or None, **({"address": address} if with_address else {}))
        if request.method == "POST" and form.is_valid():
            try:
                done = act(address, form.cleaned_data)
            except SuppressionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, done)
                return HttpResponseRedirect(case_url(address.pk))
        return self._render(request, template, {"title": title, "address": address, "form": form})

    def suppress_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        def act(address: EmailAddress, data: dict[str, Any]) -> str:
            services.suppression_open_manual(
                email=address.address, actor=request.user, note=data["note"], reason=data["reason"]
            )
            return f"Sending to {address} is paused."

        return self._address_form_view(
            request,
            object_id,
            perm=SUPPRESS,
            form_class=SuppressForm,
            template="suppress.html",
            title="Suppress by hand",
            act=act,
        )

    def on_behalf_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        def act(address: EmailAddress, data: dict[str, Any]) -> str:
            services.request_submit(
                email=address.address,
                school=data["school"],
                actor=request.user,
                explanation=data["explanation"],
            )
            return f"Request to resume {address} recorded for {data['school']}."

        return self._address_form_view(
            request,
            object_id,
            perm=ASK,
            form_class=OnBehalfForm,
            template="ask.html",
            title="Record a request on the owner's behalf",
            act=act,
            with_address=True,
        )


class DecisionAdminMixin(_ConsoleViews):
    """ReinstatementRequestAdmin: Resume sending and Reject, each a note and a confirmation."""

    def get_urls(self) -> list[URLPattern]:
        return [
            self._url("<path:object_id>/resume/", self.resume_view, "resume"),
            self._url("<path:object_id>/reject/", self.reject_view, "reject"),
            *super().get_urls(),
        ]

    def resume_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._decide(request, object_id, resume=True)

    def reject_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._decide(request, object_id, resume=False)

    def _decide(self, request: HttpRequest, object_id: str, *, resume: bool) -> HttpResponse:
        user = request.user
        if not user.has_perm(DECIDE):
            raise PermissionDenied
        pending = get_object_or_404(
            ReinstatementRequest.objects.select_related("address", "school", "requested_by"),
            pk=_pk(object_id),
        )
        # Field ids name the request: a case page shows a form per pending request.
        auto_id = f"{'r' if resume else 'x'}{pending.pk}-%s"
        data = request.POST if request.method == "POST" else None
        may_override = user.has_perm(OVERRIDE)
        form: DecisionForm = (
            ResumeForm(data, auto_id=auto_id, may_override=may_override)
            if resume
            else DecisionForm(data, auto_id=auto_id)
        )
        outcomes = (
            guard_outcomes(request=pending, domain_checker=check_domain_for_page)
            if pending.is_pending
            else []
        )
        fingerprint = reads.guards_fingerprint(outcomes)
        step, changed = "form", []
        if data is not None and form.is_valid():
            seen = form.cleaned_data.get("guards_seen") or ""
            changed = reads.guards_changed(seen, outcomes) if seen else []
            now_failing = [o for o in outcomes if not o.passed]
            worse = any(f"“{o.label}” now fails" in c for o in now_failing for c in changed)
            if not form.is_confirmed or worse:
                step = "confirm"
            else:
                try:
                    self._act(request, pending, form, resume=resume)
                except SuppressionError as error:
                    form.add_error(None, str(error))
                else:
                    return HttpResponseRedirect(case_url(pending.address_id))
        if step == "form" and not form.is_bound:
            form.initial["guards_seen"] = fingerprint
        panel = reads.PendingPanel(request=pending, outcomes=outcomes)
        verb = "Resume sending" if resume else "Reject"
        return self._render(
            request,
            "decide.html",
            {
                "title": f"{verb}: {pending.address}",
                "pending": pending,
                "panel": panel,
                "form": form,
                "resume": resume,
                "step": step,
                "changed": changed,
                "fingerprint": fingerprint,
                "may_override": may_override,
                "may_decide": True,
                "case_url": case_url(pending.address_id),
            },
        )

    def _act(
        self,
        request: HttpRequest,
        pending: ReinstatementRequest,
        form: DecisionForm,
        *,
        resume: bool,
    ) -> None:
        note = form.cleaned_data["note"]
        if resume:
            services.request_approve(
                request=pending,
                actor=request.user,
                note=note,
                override_reason=form.cleaned_data.get("override_reason") or None,
            )
            messages.success(request, f"Sending to {pending.address} resumed; the owner is told.")
        else:
            services.request_reject(request=pending, actor=request.user, note=note)
            messages.success(
                request, f"Request for {pending.address} rejected; the owner gets your note."
            )


class RawMessageAdminMixin(_ConsoleViews):
    """BounceEventAdmin: the raw bounce message an event came from, shown as text."""

    def get_urls(self) -> list[URLPattern]:
        return [self._url("<path:object_id>/raw/", self.raw_view, "raw"), *super().get_urls()]

    def raw_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        event = get_object_or_404(BounceEvent.objects.select_related("address"), pk=_pk(object_id))
        link = BounceEventMessage.objects.select_related("message").filter(event=event).first()
        text = ""
        if link is not None:
            text = visible_controls(raw_message_bytes(link.message).decode("utf-8", "replace"))
        return self._render(
            request,
            "raw_message.html",
            {
                "title": f"Bounce message for {event.address}",
                "event": event,
                "stored": link.message if link else None,
                "text": text,
                "case_url": case_url(event.address_id),
                "retention_days": setting("RAW_MESSAGE_RETENTION_DAYS"),
            },
        )
