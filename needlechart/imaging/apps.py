from django.apps import AppConfig


class ImagingConfig(AppConfig):
    name = "needlechart.imaging"
    default_auto_field = "django.db.models.BigAutoField"
