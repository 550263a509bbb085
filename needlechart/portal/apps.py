from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "needlechart.portal"
    default_auto_field = "django.db.models.BigAutoField"
