"""What keeps `make run`'s first start quick (README, "Two commands"; bench/first_run.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_starting_the_app_does_not_import_boto3() -> None:
    # boto3 costs a second or more per process (migrate, seed_demo, the server); only the SES
    # webhook needs it, and loads it on its first post (test_amazon_ses posts through it).
    code = (
        "import sys, django; django.setup();"
        "from django.core.management import call_command; call_command('check');"
        "from django.urls import resolve; resolve('/webhooks/amazon_ses/tracking/');"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'boto3', 'botocore'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "kwiga_mail.settings", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_the_demo_users_precomputed_hash_is_the_demo_password(settings) -> None:
    # seed_demo skips the slow hash with a precomputed one; it must still be kwiga-demo's.
    from django.contrib.auth.hashers import check_password

    from suppression import demo

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    assert demo._password_hash() == demo.PASSWORD_HASH
    assert check_password(demo.PASSWORD, demo.PASSWORD_HASH)
    assert not check_password("kwiga-demo2", demo.PASSWORD_HASH)


def test_seed_demo_migrates_first_in_one_process(tmp_path) -> None:
    # `make run` runs `seed_demo --migrate` on a fresh database: one start of the app, not two.
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--migrate", "--addresses", "20"],
        cwd=ROOT,
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "Applying suppression.0001_initial... OK" in result.stdout
    assert "Demo data:" in result.stdout and "users created" in result.stdout


def test_seed_demo_migrate_refuses_production_before_touching_the_database(tmp_path) -> None:
    database = tmp_path / "prod.sqlite3"
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--migrate"],
        cwd=ROOT,
        env={
            "DATABASE_URL": f"sqlite:///{database}",
            "KWIGA_ENV": "production",
            "DJANGO_SECRET_KEY": "x" * 50,
            "DJANGO_ALLOWED_HOSTS": "console.example.com",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "never created with production settings" in result.stderr
    assert not database.exists() or database.stat().st_size == 0
