"""The lockout page and the sign-in log lines."""

from __future__ import annotations

import logging
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.helpers import get_client_ip_address, get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

log = logging.getLogger("suppression.signin")


def _client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return "unknown address"
    return getattr(request, "axes_ip_address", None) or get_client_ip_address(request) or "unknown"


def _failures(request: HttpRequest, **which: str) -> int:
    recent = AccessAttempt.objects.filter(
        attempt_time__gte=get_cool_off_threshold(request), **which
    )
    return recent.aggregate(total=Sum("failures_since_start"))["total"] or 0


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: say whether the account or the address is locked, and for how long."""
    username = get_client_username(request, credentials) or ""
    ip_address = _client_ip(request)
    limit = get_failure_limit(request, credentials)
    cool_off = get_cool_off(request)
    context = {
        "site_header": admin.site.site_header,
        "site_title": admin.site.site_title,
        "username": username,
        "ip_address": ip_address,
        "account_locked": bool(username) and _failures(request, username=username) >= limit,
        "address_locked": _failures(request, ip_address=ip_address) >= limit,
        "failure_limit": limit,
        "minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    response = render(
        request, "signin/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


def log_failed_sign_in(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Receiver of user_login_failed: who tried, from where. Never the password."""
    log.warning(
        "Sign-in failed for username %r from %s (%s)",
        credentials.get("username", ""),
        _client_ip(request),
        request.path if request is not None else "no request",
    )


def log_locked_out(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    """Receiver of axes' user_locked_out."""
    log.warning(
        "Sign-in locked after repeated failures: username %r, address %s", username, ip_address
    )
