from django.apps import AppConfig


class SuppressionConfig(AppConfig):
    name = "suppression"
    verbose_name = "Bounce suppression"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
