from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "needlechart.scheduling"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from needlechart.scheduling import dashboard, timeline  # noqa: F401
