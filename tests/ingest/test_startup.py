"""The commands an MTA starts once per message load only what they use (docs/ingestion.md).

``python -X importtime`` lists every module a process imports: ``parse_bounces`` sets up no Django
at all, ``ingest_bounces -`` none of the web's apps (the API, ninja, pydantic, anymail, requests,
the admin's pages), which Django's full set-up imported for each message.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from suppression.parsecli import max_message_bytes

from .messages import kwiga_dsn

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")
WEB_ONLY = ("ninja", "pydantic", "anymail", "requests", "suppression.api", "suppression.admin")
# What the pipe on its own (suppression/pipe.py) leaves out besides: the Django command and its
# management framework's commands, the migration framework and the checks that auth's and
# contenttypes' ready() import (suppression/pipeapps.py), the URLconf and the tldextract data;
# and email-validator, whose import alone is a tenth of the start-up: a plain address is
# normalized without it (suppression/addresses.py).
PIPE_NEVER = (
    "email_validator",
    "suppression.management",
    "django.core.management.commands",
    "django.db.migrations",
    "django.contrib.auth.checks",
    "django.contrib.auth.management",
    "django.contrib.contenttypes.management",
    "kwiga_mail.urls",
    "tldextract",
)
# Modules in the pipe's sys.modules on SQLite, the interpreter's own included (629 when this was
# written; 712 imported before suppression/pipe.py): a change that makes the pipe import much
# more fails here. Raise it only knowing why.
PIPE_MODULES_AT_MOST = 660


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
    # Not even the settings module (dj_database_url, django.core.exceptions): parsecli reads the
    # one value it needs from the environment as the settings module does (the next test).
    setup = ("django", "dj_database_url", "kwiga_mail.settings")
    assert not {m for m in modules if m.startswith(setup)}


@pytest.mark.parametrize("value", [None, "12345"])
def test_parse_bounces_reads_the_message_limit_as_the_settings_do(
    value: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if value is None:
        monkeypatch.delenv("SUPPRESSION_MAX_MESSAGE_BYTES", raising=False)
    else:
        monkeypatch.setenv("SUPPRESSION_MAX_MESSAGE_BYTES", value)
    spec = importlib.util.spec_from_file_location(
        "fresh_settings", Path(settings.BASE_DIR) / "kwiga_mail" / "settings.py"
    )
    assert spec is not None and spec.loader is not None
    fresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fresh)

    assert max_message_bytes() == fresh.SUPPRESSION["MAX_MESSAGE_BYTES"]


def test_parse_bounces_with_options_still_goes_through_django(tmp_path: Path) -> None:
    message = tmp_path / "one.eml"
    message.write_bytes(kwiga_dsn(recipient="slow@example.com"))

    modules, out = imported("parse_bounces", "-v", "0", str(message), stdin=b"")

    assert '"recipient": "slow@example.com"' in out
    assert "django.core.management" in modules


def modules_at_exit(
    *args: str, stdin: bytes, database_url: str, tmp_path: Path
) -> tuple[set[str], str, str]:
    """Every module in ``sys.modules`` when the process ends, its stdout and its stderr.

    ``-X importtime`` does not list what ``importlib.import_module`` imports (Django's app
    registry and command loader), so the pipe's own tests read ``sys.modules`` itself.
    """
    listing = tmp_path / "modules.txt"
    code = (
        "import atexit, os, runpy, sys\n"
        f"def listing(): open({str(listing)!r}, 'w').write('\\n'.join(sys.modules))\n"
        "atexit.register(listing)\n"
        # The pipe ends with os._exit (no tear-down, no atexit): list the modules there too.
        "real_exit = os._exit\n"
        "os._exit = lambda status: (listing(), real_exit(status))\n"
        f"sys.argv = [{MANAGE!r}, *{list(args)!r}]\n"
        f"runpy.run_path({MANAGE!r}, run_name='__main__')\n"
    )
    environment = {**os.environ, "KWIGA_ENV": "development", "DATABASE_URL": database_url}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    environment.pop("PYTHONWARNINGS", None)
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=stdin,
        capture_output=True,
        env=environment,
        timeout=120,
        check=False,
        cwd=settings.BASE_DIR,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return set(listing.read_text().split()), done.stdout.decode(), done.stderr.decode()


@pytest.fixture
def pipe_sqlite(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'pipe.sqlite3'}"
    environment = {**os.environ, "DATABASE_URL": url, "KWIGA_ENV": "development"}
    environment.pop("PYTHONWARNINGS", None)
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    migrated = subprocess.run(
        [sys.executable, MANAGE, "migrate", "-v0"],
        env=environment,
        capture_output=True,
        check=False,
    )
    assert migrated.returncode == 0, migrated.stderr.decode()
    return url


@pytest.mark.django_db(transaction=True)
def test_the_pipe_imports_none_of_the_web(pipe_sqlite: str) -> None:
    modules, out = imported(
        "ingest_bounces", "-", stdin=kwiga_dsn(), env={"DATABASE_URL": pipe_sqlite}
    )

    assert out.startswith("1 messages read: 1 bounce events recorded")
    loaded = {m for m in modules if m.split(".")[0] in WEB_ONLY or m.startswith(WEB_ONLY)}
    assert not loaded, sorted(loaded)[:20]


@pytest.mark.django_db(transaction=True)
def test_the_pipe_sets_up_only_what_recording_a_bounce_needs(
    pipe_sqlite: str, tmp_path: Path
) -> None:
    modules, out, _ = modules_at_exit(
        "ingest_bounces", "-", stdin=kwiga_dsn(), database_url=pipe_sqlite, tmp_path=tmp_path
    )

    assert out.startswith("1 messages read: 1 bounce events recorded")
    assert "suppression.pipe" in modules
    assert not {m for m in modules if m.startswith(PIPE_NEVER + WEB_ONLY)}
    assert len(modules) <= PIPE_MODULES_AT_MOST, len(modules)


@pytest.mark.django_db(transaction=True)
def test_python_m_suppression_pipe_is_the_same_entry_point(pipe_sqlite: str) -> None:
    environment = {**os.environ, "DATABASE_URL": pipe_sqlite, "KWIGA_ENV": "development"}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    environment.pop("PYTHONWARNINGS", None)
    done = subprocess.run(
        [sys.executable, "-m", "suppression.pipe"],
        input=kwiga_dsn(),
        capture_output=True,
        env=environment,
        timeout=120,
        check=False,
        cwd=settings.BASE_DIR,
    )

    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().startswith("1 messages read: 1 bounce events recorded")


@pytest.mark.django_db(transaction=True)
def test_the_pipe_with_an_option_goes_through_the_django_command(
    pipe_sqlite: str, tmp_path: Path
) -> None:
    modules, out, err = modules_at_exit(
        "ingest_bounces",
        "-v",
        "2",
        "-",
        stdin=kwiga_dsn(),
        database_url=pipe_sqlite,
        tmp_path=tmp_path,
    )

    assert out.startswith("1 messages read: 1 bounce events recorded")
    assert "-: recorded (failed)" in err
    assert "suppression.management.commands.ingest_bounces" in modules
