from django.apps import AppConfig


class ImagingConfig(AppConfig):
    name = "needlechart.imaging"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from needlechart.imaging import storage, timeline  # noqa: F401
