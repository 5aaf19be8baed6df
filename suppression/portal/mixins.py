"""The school in the URL, resolved from the signed-in owner's memberships, or a 404."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponseBase
from django.urls import reverse_lazy

from ..models import School, SchoolMembership
from .selectors import owner_memberships


class OwnerMixin(LoginRequiredMixin):
    login_url = reverse_lazy("portal:login")
    memberships: list[SchoolMembership]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            self.memberships = owner_memberships(request.user)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["memberships"] = self.memberships
        return context


class SchoolMixin(OwnerMixin):
    """``self.school`` is the URL's school if the owner owns it; any other slug is a 404.

    A school the owner does not own and a school that does not exist look the same.
    """

    school: School

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            self.memberships = owner_memberships(request.user)
            found = [m.school for m in self.memberships if m.school.slug == kwargs.get("school")]
            if not found:
                raise Http404("No such school")
            self.school = found[0]
            self.resolve_objects(**kwargs)
        return super(OwnerMixin, self).dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def resolve_objects(self, **kwargs: Any) -> None:
        """Look up the URL's other ids within ``self.school``, before any method check, so that
        another school's id is a 404 whatever the method."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["school"] = self.school
        return context
