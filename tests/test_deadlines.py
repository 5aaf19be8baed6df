"""Client-side deadlines that every PostgreSQL connection and the web's connections get."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from suppression import deadlines

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def on_a_new_connection(sql: str) -> str:
    """What ``sql`` answers on a connection opened for it, as a worker thread opens one."""
    answers: list[str] = []

    def run() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                answers.append(str(cursor.fetchone()[0]))
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return answers[0]


def test_every_connection_bounds_its_waits_on_the_server() -> None:
    connection.ensure_connection()
    parameters = connection.connection.info.get_parameters()

    assert {
        name: parameters.get(name)
        for name in deadlines.postgres_options(
            connect_timeout=1, keepalive_idle=1, tcp_user_timeout=1
        )
    } == {
        "connect_timeout": "10",
        "keepalives": "1",
        "keepalives_idle": "30",
        "keepalives_interval": "10",
        "keepalives_count": "3",
        "tcp_user_timeout": "30000",
    }
    # Outside the web, statements may run as long as they need (migrations, big imports).
    assert on_a_new_connection("SHOW statement_timeout") == "0"


def test_web_connections_get_the_statement_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deadlines, "_web_process", True)

    assert on_a_new_connection("SHOW statement_timeout") == "30s"
