"""Django's auth and contenttypes apps as the pipe process sets them up (``suppression/pipe.py``).

The same apps, labels and models; only their ``ready()`` is left out. Theirs imports the
migration framework and the system checks to connect ``post_migrate`` handlers (permissions,
content types), register checks and connect ``update_last_login``: a process that records one
bounce and exits never migrates, runs no checks and signs nobody in.
"""

from __future__ import annotations

from django.apps import AppConfig


class PipeAuthConfig(AppConfig):
    name = "django.contrib.auth"
    verbose_name = "Authentication and Authorization"
    default_auto_field = "django.db.models.AutoField"


class PipeContentTypesConfig(AppConfig):
    name = "django.contrib.contenttypes"
    verbose_name = "Content Types"
    default_auto_field = "django.db.models.AutoField"


LEAN = {
    "django.contrib.auth": f"{__name__}.PipeAuthConfig",
    "django.contrib.contenttypes": f"{__name__}.PipeContentTypesConfig",
}
