"""The commands an MTA starts once per message load only what they use (docs/ingestion.md).

``python -X importtime`` lists every module a process imports: ``parse_bounces`` sets up no Django
at all, ``ingest_bounces -`` none of the web's apps (the API, ninja, pydantic, anymail, requests,
the admin's pages), which Django's full set-up imported for each message.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from .messages import kwiga_dsn

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")
WEB_ONLY = ("ninja", "pydantic", "anymail", "requests", "suppression.api", "suppression.admin")


def imported(*args: str, stdin: bytes, env: dict[str, str] | None = None) -> tuple[set[str], str]:
    environment = {**os.environ, "KWIGA_ENV": "development", **(env or {})}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    environment.pop("PYTHONWARNINGS", None)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", MANAGE, *args],
        input=stdin,
        capture_output=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    lines = done.stderr.decode().splitlines()
    modules = {line.rsplit("|", 1)[1].strip() for line in lines if line.startswith("import time:")}
    return modules, done.stdout.decode()


def test_parse_bounces_sets_up_no_django(tmp_path: Path) -> None:
    message = tmp_path / "one.eml"
    message.write_bytes(kwiga_dsn(recipient="fast@example.com"))

    modules, out = imported("parse_bounces", str(message), stdin=b"")

    assert '"recipient": "fast@example.com"' in out
    # (The settings module raises django.core.exceptions' ImproperlyConfigured: that is all.)
    setup = ("django.apps", "django.conf", "django.db", "django.core.management")
    assert not {m for m in modules if m.startswith(setup)}


def test_parse_bounces_with_options_still_goes_through_django(tmp_path: Path) -> None:
    message = tmp_path / "one.eml"
    message.write_bytes(kwiga_dsn(recipient="slow@example.com"))

    modules, out = imported("parse_bounces", "-v", "0", str(message), stdin=b"")

    assert '"recipient": "slow@example.com"' in out
    assert "django.core.management" in modules


@pytest.mark.django_db(transaction=True)
def test_the_pipe_imports_none_of_the_web(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'pipe.sqlite3'}"
    environment = {**os.environ, "DATABASE_URL": url, "KWIGA_ENV": "development"}
    environment.pop("PYTHONWARNINGS", None)
    migrated = subprocess.run(
        [sys.executable, MANAGE, "migrate", "-v0"],
        env=environment,
        capture_output=True,
        check=False,
    )
    assert migrated.returncode == 0, migrated.stderr.decode()

    modules, out = imported("ingest_bounces", "-", stdin=kwiga_dsn(), env={"DATABASE_URL": url})

    assert out.startswith("1 messages read: 1 bounce events recorded")
    loaded = {m for m in modules if m.split(".")[0] in WEB_ONLY or m.startswith(WEB_ONLY)}
    assert not loaded, sorted(loaded)[:20]
