"""The owner portal's pages: plain class-based views that read through selectors and write
through services only. Every state change is a POST that redirects (POST/redirect/GET)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from .. import policy
from ..conf import setting
from ..exceptions import (
    AddressNotKnownToSchool,
    AlreadyDecided,
    DailyLimitReached,
    DuplicatePendingRequest,
    InvalidEmailAddress,
    SuppressionError,
)
from ..models import OwnerProfile, ReinstatementRequest
from ..services import request_submit, request_withdraw
from ..services.owners import inquiry_submit, owner_set_language
from . import selectors
from .advice import advice_for
from .filters import PausedFilter, RequestFilter
from .forms import (
    AddressLookupForm,
    AskSupportForm,
    LanguageForm,
    OwnerPasswordResetForm,
    PortalAuthenticationForm,
    ResumeForm,
    WithdrawForm,
    clean_address,
)
from .mixins import OwnerMixin, SchoolMixin
from .paging import NEWER, OLDER, START, Cursor, keyset_page, parse_start
from .tokens import invitation_token_generator

PAGE_SIZE = 50


def _limit_message() -> str:
    return _(
        "You have sent %(limit)d requests and questions today, the most the portal takes from "
        "one owner in a day. Please try again tomorrow."
    ) % {"limit": setting("OWNER_DAILY_REQUEST_LIMIT")}


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )


# --- Signing in -----------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = PortalAuthenticationForm
    redirect_authenticated_user = True
    next_page = reverse_lazy("portal:home")  # type: ignore[assignment]

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        profile = OwnerProfile.objects.filter(user=user).first()
        if profile is not None and profile.language:
            _set_language_cookie(response, profile.language)
        else:
            # Mails follow what the owner reads the portal in until they choose.
            owner_set_language(user=user, language=translation.get_language() or "en")
        return response


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("portal:login")  # type: ignore[assignment]


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "portal/password_reset.html"
    form_class = OwnerPasswordResetForm
    email_template_name = "portal/email/password_reset_body.txt"
    html_email_template_name = "portal/email/password_reset_body.html"
    subject_template_name = "portal/email/password_reset_subject.txt"
    success_url = reverse_lazy("portal:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "portal/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "portal/set_password.html"
    success_url = reverse_lazy("portal:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "portal/password_reset_complete.html"


class InvitationView(auth_views.PasswordResetConfirmView):
    """An invited owner's set-password link: once, and only for ``INVITATION_DAYS``."""

    template_name = "portal/set_password.html"
    token_generator = invitation_token_generator
    reset_url_token = "welcome"
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("portal:home")
    extra_context = {"invitation": True}

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is set. Welcome to the owner portal."))
        return response


class LanguageView(View):
    """The switch on every page: remembers the choice in a cookie and, for owners, their profile."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        form = LanguageForm(request.POST)
        target = request.POST.get("next") or reverse("portal:home")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ) or not target.startswith("/portal/"):
            target = reverse("portal:home")
        response = HttpResponseRedirect(target)
        if form.is_valid():
            language = form.cleaned_data["language"]
            _set_language_cookie(response, language)
            user = request.user
            if user.is_authenticated and not user.is_staff:
                owner_set_language(user=user, language=language)  # type: ignore[arg-type]
        return response


# --- Pages of a signed-in owner -------------------------------------------------------------


class HomeView(OwnerMixin, TemplateView):
    """One school: straight to its paused addresses. Several: choose one. Staff: the console."""

    template_name = "portal/home.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if len(self.memberships) == 1 and not request.user.is_staff:
            return redirect("portal:paused", school=self.memberships[0].school.slug)
        return super().get(request, *args, **kwargs)


class PausedView(SchoolMixin, TemplateView):
    template_name = "portal/paused.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        filterset = PausedFilter(self.request.GET, queryset=selectors.school_paused(self.school))
        paused = filterset.qs
        count, capped = selectors.capped_count(paused)
        # Keyset pages (paging.py): the 500th page costs what the first does. An exact count
        # bounds the query (a search with no match in this school makes none).
        page = keyset_page(
            paused,
            size=PAGE_SIZE,
            time_field="opened_at",
            older=Cursor.parse(self.request.GET.get(OLDER)),
            newer=Cursor.parse(self.request.GET.get(NEWER)),
            start=parse_start(self.request.GET.get(START)),
            total=None if capped else count,
        )
        pending = selectors.pending_by_address(self.school, [s.address_id for s in page.rows])
        context.update(
            filter=filterset,
            count=count,
            capped=capped,
            pager=_pager(
                self.request,
                newer={NEWER: page.newer, START: page.start - PAGE_SIZE} if page.newer else None,
                older={OLDER: page.older, START: page.start + len(page.rows)}
                if page.older
                else None,
            ),
            rows=[
                {
                    "suppression": s,
                    "advice": advice_for(s.reason),
                    "may_ask": policy.owner_may_ask_to_resume(
                        reason=s.reason, bounce_type=s.bounce_type
                    ),
                    "pending": pending.get(s.address_id),
                }
                for s in page.rows
            ],
            query=_query_without_page(self.request),
        )
        return context


PAGE_PARAMS = ("page", OLDER, NEWER, START)


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    for name in PAGE_PARAMS:
        query.pop(name, None)
    return query.urlencode()


def _pager(
    request: HttpRequest,
    *,
    newer: dict[str, Any] | None,
    older: dict[str, Any] | None,
    **more: Any,
) -> dict[str, Any]:
    """The links of ``_pagination.html``: the filters of this request, and another page."""

    def link(page: dict[str, Any] | None) -> str | None:
        if page is None:
            return None
        query = request.GET.copy()
        for name in PAGE_PARAMS:
            query.pop(name, None)
        for name, value in page.items():
            query[name] = str(value)
        return "?" + query.urlencode()

    return {"newer": link(newer), "older": link(older), **more}


class ResumeView(SchoolMixin, FormView):
    """Ask to resume sending to one address.

    The page has three faces: the form, for one of the school's paused addresses; an explanation
    without a form, when support would not resume on an owner's request (a spam complaint); and
    "not among your paused addresses", the one answer for every other address, whatever it is.
    """

    template_name = "portal/resume.html"
    form_class = ResumeForm

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        given = request.GET.get("address", "").strip()
        if not given:
            return self.render_to_response(
                self.get_context_data(lookup=AddressLookupForm(), form=None)
            )
        lookup = AddressLookupForm(request.GET)
        if not lookup.is_valid():
            return self.render_to_response(self.get_context_data(lookup=lookup, form=None))
        return self._for_address(lookup.cleaned_data["address"], form=None)

    def _for_address(self, address: str, *, form: ResumeForm | None) -> HttpResponse:
        pending = selectors.pending_request(self.school, address)
        if pending is not None:
            messages.info(
                self.request, _("A request for this address is already waiting for support.")
            )
            return redirect("portal:request_detail", school=self.school.slug, pk=pending.pk)
        suppression = selectors.paused_for_school(self.school, address)
        if suppression is None:
            return self._not_ours(address)
        may_ask = policy.owner_may_ask_to_resume(
            reason=suppression.reason, bounce_type=suppression.bounce_type
        )
        if form is None and may_ask:
            form = ResumeForm(initial={"address": address})
        return self.render_to_response(
            self.get_context_data(
                form=form if may_ask else None,
                suppression=suppression,
                advice=advice_for(suppression.reason),
                may_ask=may_ask,
            )
        )

    def _not_ours(self, address: str) -> HttpResponse:
        # Built from the typed address alone: nothing here may depend on its state elsewhere.
        return self.render_to_response(self.get_context_data(form=None, not_ours=address))

    def form_invalid(self, form: ResumeForm) -> HttpResponse:  # type: ignore[override]
        address = form.cleaned_data.get("address")
        if address:
            return self._for_address(address, form=form)
        return self.render_to_response(self.get_context_data(form=form, lookup=None))

    def form_valid(self, form: ResumeForm) -> HttpResponse:  # type: ignore[override]
        address = form.cleaned_data["address"]
        suppression = selectors.paused_for_school(self.school, address)
        if suppression is not None and not policy.owner_may_ask_to_resume(
            reason=suppression.reason, bounce_type=suppression.bounce_type
        ):
            return self._for_address(address, form=None)
        try:
            request = request_submit(
                email=address,
                school=self.school,
                actor=self.request.user,  # type: ignore[arg-type]
                explanation=form.cleaned_data["explanation"],
            )
        except AddressNotKnownToSchool:
            return self._not_ours(address)
        except DuplicatePendingRequest:
            return self._for_address(address, form=None)
        except DailyLimitReached:
            form.add_error(None, _limit_message())
            return self._for_address(address, form=form)
        except SuppressionError:
            form.add_error(None, _("Support could not take this request. Please try again."))
            return self._for_address(address, form=form)
        messages.success(
            self.request,
            _("Your request was sent. Support usually answers within one working day."),
        )
        return redirect("portal:request_detail", school=self.school.slug, pk=request.pk)


class AskSupportView(SchoolMixin, FormView):
    """Ask support about any address: always filed, always the same answer."""

    template_name = "portal/ask_support.html"
    form_class = AskSupportForm

    def get_initial(self) -> dict[str, Any]:
        given = self.request.GET.get("address", "")
        try:
            return {"address": clean_address(given)} if given else {}
        except ValidationError:
            return {}

    def form_valid(self, form: AskSupportForm) -> HttpResponse:  # type: ignore[override]
        try:
            inquiry_submit(
                school=self.school,
                actor=self.request.user,  # type: ignore[arg-type]
                email=form.cleaned_data["address"],
                message=form.cleaned_data["message"],
            )
        except DailyLimitReached:
            form.add_error(None, _limit_message())
            return self.form_invalid(form)
        except InvalidEmailAddress:
            form.add_error("address", _("Enter the whole email address."))
            return self.form_invalid(form)
        return redirect("portal:ask_support_sent", school=self.school.slug)


class AskSupportSentView(SchoolMixin, TemplateView):
    template_name = "portal/ask_support_sent.html"


class RequestListView(SchoolMixin, TemplateView):
    template_name = "portal/requests.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        filterset = RequestFilter(self.request.GET, queryset=selectors.school_requests(self.school))
        # An owner files at most a few dozen requests a day: numbered pages stay cheap here.
        paginator = selectors.CappedPaginator(filterset.qs, PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("page"))
        inquiries = list(selectors.school_inquiries(self.school)[:20])
        context.update(
            filter=filterset,
            page=page,
            pager=_pager(
                self.request,
                newer={"page": page.previous_page_number()} if page.has_previous() else None,
                older={"page": page.next_page_number()} if page.has_next() else None,
                number=page.number if page.has_other_pages() else None,
                pages=paginator.num_pages,
                cap=paginator.cap if paginator.capped and not page.has_next() else None,
            ),
            inquiries=inquiries,
            query=_query_without_page(self.request),
        )
        return context


class SchoolRequestMixin(SchoolMixin):
    """``self.found`` is the URL's request, if it belongs to the URL's school."""

    found: ReinstatementRequest

    def resolve_objects(self, **kwargs: Any) -> None:
        self.found = get_object_or_404(
            selectors.school_requests(self.school).select_related("suppression"),
            pk=kwargs["pk"],
        )


class RequestDetailView(SchoolRequestMixin, TemplateView):
    template_name = "portal/request_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        request = self.found
        context.update(
            request_obj=request,
            advice=advice_for(request.suppression.reason),
            withdraw_form=WithdrawForm() if request.is_pending else None,
        )
        return context


class WithdrawView(SchoolRequestMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, school: str, pk: int) -> HttpResponse:
        found = self.found
        try:
            request_withdraw(request=found, actor=request.user)
        except AlreadyDecided:
            messages.error(request, _("This request was already decided; nothing was changed."))
        except SuppressionError:
            raise Http404("No such request") from None
        else:
            messages.success(request, _("You withdrew the request. Sending stays paused."))
        return redirect("portal:request_detail", school=self.school.slug, pk=found.pk)
