"""The JSON API the sending system calls: the sending gate (``/api/v1/``).

``suppressions`` answers "may I send to these addresses?" and serves the changes feed;
``bounces`` takes bounce events from the platform's own MTA. Every refusal has one shape
(``schemas.ErrorOut``) and a 4xx status; validation errors are 400 with field errors.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from . import bounces, suppressions
from .errors import ApiError, json_response, loc_path
from .openapi import GateAPI

api = GateAPI(
    title="Kwiga sending gate",
    version="1.0.0",
    description=(
        "Ask which recipients must not be mailed, follow suppressions as they open and lift, "
        "and push bounce events. Authenticate with `Authorization: Bearer <token>`."
    ),
    urls_namespace="api-v1",
)
api.add_router("", suppressions.router)
api.add_router("", bounces.router)


def _refuse(status: int, error: str, detail: str, fields: dict[str, str] | None = None) -> Any:
    return json_response(ApiError(status, error, detail, fields).body(), status=status)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return json_response(exc.body(), status=exc.status)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for item in exc.errors:
        loc = list(item.get("loc", ()))
        if loc and loc[0] in ("query", "path", "body"):
            loc = loc[1:]
        fields.setdefault(loc_path(loc), str(item.get("msg", "invalid")))
    return _refuse(400, "invalid_request", "Some parameters are not valid.", fields)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _refuse(
        401,
        "unauthenticated",
        "Send a valid, unexpired API token as 'Authorization: Bearer <token>'.",
    )
    response["WWW-Authenticate"] = 'Bearer realm="kwiga-mail"'
    return response


@api.exception_handler(AuthorizationError)
def _forbidden(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return _refuse(403, "forbidden", exc.message)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _refuse(exc.status_code, "error", exc.message)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _refuse(404, "not_found", "Not found.")


__all__ = ["api"]
