from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "needlechart.plans"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from needlechart.plans import dashboard, timeline  # noqa: F401
