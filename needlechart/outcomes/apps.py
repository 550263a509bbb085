from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "needlechart.outcomes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from needlechart.outcomes import dashboard, timeline  # noqa: F401
