from django.apps import AppConfig


class ScreeningsConfig(AppConfig):
    name = "needlechart.screenings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the chart timeline provider and the dashboard panel.
        from needlechart.screenings import timeline  # noqa: F401
