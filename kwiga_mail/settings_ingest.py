"""The settings of the commands the MTA feeds: ``ingest_bounces`` (the pipe) and ``serve_lmtp``.

The same settings, with only the apps that recording a bounce uses: Django's set-up imports every
installed app's models and runs its ``ready()``, and the admin's autodiscovery alone imports the
API, ninja, pydantic, anymail and requests, none of which a bounce needs, for every message the
pipe starts a process for (and the memory of the LMTP server). ``manage.py`` picks this module
for those commands unless DJANGO_SETTINGS_MODULE says otherwise.
"""

from __future__ import annotations

from .settings import *  # noqa: F403

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "simple_history",
    "suppression",
]
