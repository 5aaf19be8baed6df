from pathlib import Path

from django.apps import AppConfig


class SuppressionConfig(AppConfig):
    name = "suppression"
    # Set explicitly: under an editable install, run from another directory, the package can
    # look like a namespace package with two locations and Django refuses to guess.
    path = str(Path(__file__).resolve().parent)
    verbose_name = "Bounce suppression"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import checks  # noqa: F401  (registers the system checks)
        from .roles import sync_roles_after_migrate

        # After the auth app's own post_migrate handler has created the permissions.
        post_migrate.connect(sync_roles_after_migrate, sender=self)

        from anymail.signals import tracking

        from .webhooks.receivers import record_tracking_event

        tracking.connect(record_tracking_event, dispatch_uid="suppression.record_tracking_event")

        from django.contrib.auth.signals import user_logged_in

        from .services.users import note_last_login

        # last_login is left out of the users' history; Django's receiver would save the whole
        # row (a history row per sign-in that records no change).
        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(note_last_login, dispatch_uid="suppression.note_last_login")
