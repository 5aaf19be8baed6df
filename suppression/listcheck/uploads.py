"""Refusing an upload that is too large before it is read into memory (or onto disk).

Two gates: a declared ``Content-Length`` over the limit is refused before the body is touched;
a body without one (chunked) is counted as it streams, and parsing stops at the limit. The
view must set the handler before anything reads ``request.POST`` (so it is CSRF-exempt and
checks CSRF itself afterwards, as Django's docs on changing upload handlers describe).
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

# Room for the multipart envelope and the CSRF field around the file itself.
FORM_OVERHEAD = 16 * 1024


class SizeLimitHandler(FileUploadHandler):
    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.too_large = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> Any:
        return None


def declared_too_large(request: HttpRequest, limit: int) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > limit + FORM_OVERHEAD


def guard(request: HttpRequest, limit: int) -> SizeLimitHandler:
    handler = SizeLimitHandler(request, limit)
    request.upload_handlers = [handler, *request.upload_handlers]
    return handler
