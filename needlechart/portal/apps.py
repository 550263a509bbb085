from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "needlechart.portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from needlechart.portal import dashboard, timeline  # noqa: F401
