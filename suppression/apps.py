from pathlib import Path
from typing import Any

from django.apps import AppConfig


class SuppressionConfig(AppConfig):
    name = "suppression"
    # Set explicitly: under an editable install, run from another directory, the package can
    # look like a namespace package with two locations and Django refuses to guess.
    path = str(Path(__file__).resolve().parent)
    verbose_name = "Bounce suppression"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from . import (
            checks,  # noqa: F401  (registers the system checks)
            dbroles,
            deadlines,
        )
        from .roles import sync_roles_after_migrate

        # After the auth app's own post_migrate handler has created the permissions.
        post_migrate.connect(sync_roles_after_migrate, sender=self)

        connection_created.connect(dbroles.on_connection_created, dispatch_uid="suppression.role")
        connection_created.connect(
            deadlines.on_connection_created, dispatch_uid="suppression.statement_timeout"
        )

        from django.core.signals import request_finished, request_started

        from .dbhealth import note_fresh_connections, skip_fresh_health_checks

        # Connected after django.db's close_old_connections (connected when django.db loads),
        # so these run after it on both signals.
        request_started.connect(skip_fresh_health_checks, dispatch_uid="suppression.db_fresh")
        request_finished.connect(note_fresh_connections, dispatch_uid="suppression.db_fresh")

        # The bounce commands' lean settings (kwiga_mail/settings_ingest.py) leave out the apps
        # that only the web serves: their receivers are connected when they are installed.
        from django.apps import apps

        if apps.is_installed("anymail"):
            from anymail.signals import tracking

            from .webhooks.receivers import record_tracking_event

            tracking.connect(
                record_tracking_event, dispatch_uid="suppression.record_tracking_event"
            )

        if apps.is_installed("axes"):
            from axes.signals import user_locked_out
            from django.contrib.auth.signals import user_login_failed

            from .signin.lockout import log_failed_sign_in, log_locked_out

            user_login_failed.connect(
                log_failed_sign_in, dispatch_uid="suppression.log_failed_sign_in"
            )
            user_locked_out.connect(log_locked_out, dispatch_uid="suppression.log_locked_out")

        from django.contrib.auth.signals import user_logged_in

        # last_login is left out of the users' history; Django's receiver would save the whole
        # row (a history row per sign-in that records no change).
        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(note_last_login, dispatch_uid="suppression.note_last_login")

        from simple_history.signals import post_create_historical_record

        from .console.audit import record as record_audit_entry

        # Every history row, of any model, gets its audit-log entry beside it (console/audit.py).
        post_create_historical_record.connect(
            record_audit_entry, dispatch_uid="suppression.audit_entry"
        )


def note_last_login(sender: Any, user: Any, **kwargs: Any) -> None:
    """The users service's receiver, imported on the first sign-in: the bounce commands that
    set up Django once per message never sign anyone in."""
    from .services.users import note_last_login as receiver

    receiver(sender, user=user, **kwargs)
