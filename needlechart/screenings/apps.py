from django.apps import AppConfig


class ScreeningsConfig(AppConfig):
    name = "needlechart.screenings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the chart timeline provider and the dashboard panel.
        from needlechart.consultations.completion import register_completion
        from needlechart.screenings import dashboard, timeline  # noqa: F401
        from needlechart.screenings.services import consultation_complete

        # The consultation page's "Complete consultation": complete, then screen.
        register_completion(consultation_complete)
