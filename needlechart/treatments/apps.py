from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    name = "needlechart.treatments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from needlechart.treatments import dashboard, timeline  # noqa: F401
