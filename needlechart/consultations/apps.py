from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "needlechart.consultations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the chart timeline provider and the dashboard panel.
        from needlechart.consultations import dashboard, timeline  # noqa: F401
