from django.apps import AppConfig


class PrescreenConfig(AppConfig):
    name = "needlechart.prescreen"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the dashboard panel.
        from needlechart.prescreen import dashboard  # noqa: F401
