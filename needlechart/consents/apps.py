from django.apps import AppConfig


class ConsentsConfig(AppConfig):
    name = "needlechart.consents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from needlechart.consents import timeline  # noqa: F401
