"""Shared helpers of the console tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from suppression import services
from suppression.models import School


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.content[:2000]
    return response.content.decode()


def table_rows(html: str, table_id: str) -> list[str]:
    """The text of each body row of the table with ``table_id``, tags removed."""
    body = html.split(f'id="{table_id}"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


@contextmanager
def queries() -> Iterator[CaptureQueriesContext]:
    with CaptureQueriesContext(connection) as captured:
        yield captured


def sql_of(captured: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in captured.captured_queries]


def request_at(at: datetime, *, email: str, school: School, actor, explanation: str = "Fixed."):
    with time_machine.travel(at, tick=False):
        return services.request_submit(
            email=email, school=school, actor=actor, explanation=explanation
        )
