"""One error shape for every refusal, and reading request bodies with a per-view size limit."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pydantic
from django.http import HttpRequest, HttpResponse
from ninja.responses import NinjaJSONEncoder

MAX_FIELD_ERRORS = 100  # a 100,000-item body full of junk must not produce a 100,000-line answer


class ApiError(Exception):
    """Refuse the request with ``status`` and the ``ErrorOut`` body."""

    def __init__(
        self, status: int, error: str, detail: str, field_errors: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.error = error
        self.detail = detail
        self.field_errors = field_errors or {}

    def body(self) -> dict[str, Any]:
        return {"error": self.error, "detail": self.detail, "field_errors": self.field_errors}


def json_response(data: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(
        # The encoder ninja renders with, so that every endpoint writes times the same way.
        # ASCII escapes: an input string with a lone surrogate is echoed back as valid JSON
        # instead of failing to encode as UTF-8.
        json.dumps(data, ensure_ascii=True, separators=(",", ":"), cls=NinjaJSONEncoder),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def fast_json_response(data: Any, status: int = 200) -> HttpResponse:
    """``json_response`` for big answers whose values are already JSON types (times as text).

    orjson writes UTF-8 rather than ASCII escapes, 10-20 times faster than ``json``; an answer
    with a lone surrogate (which UTF-8 cannot carry) falls back to ``json_response``'s escapes.
    """
    try:
        content = orjson.dumps(data)
    except TypeError:  # orjson.JSONEncodeError: a str that is not valid UTF-8
        return json_response(data, status=status)
    return HttpResponse(content, status=status, content_type="application/json; charset=utf-8")


def loc_path(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc) or "body"


def field_errors_of(error: pydantic.ValidationError, prefix: str = "") -> dict[str, str]:
    found: dict[str, str] = {}
    for item in error.errors(include_url=False, include_input=False):
        path = loc_path(item["loc"])
        found.setdefault(f"{prefix}{path}" if prefix else path, item["msg"])
        if len(found) >= MAX_FIELD_ERRORS:
            break
    return found


def read_json(request: HttpRequest, *, max_bytes: int) -> Any:
    """The parsed JSON body, refusing bodies over ``max_bytes`` with 413 and non-JSON with 400.

    Reads the stream directly rather than ``request.body``, which enforces the site-wide
    ``DATA_UPLOAD_MAX_MEMORY_SIZE``: the bulk check needs a larger limit than every other view.
    """
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > max_bytes:
        raise ApiError(413, "too_large", f"The body is larger than {max_bytes} bytes.")
    raw = request.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise ApiError(413, "too_large", f"The body is larger than {max_bytes} bytes.")
    if not raw:
        raise ApiError(400, "invalid_json", "The body is empty; send a JSON object.")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass  # say it the way json does, or accept what only json reads (a lone surrogate)
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise ApiError(400, "invalid_json", f"The body is not JSON: {error}") from None
