from django.apps import AppConfig


class PrescreenConfig(AppConfig):
    name = "needlechart.prescreen"
    default_auto_field = "django.db.models.BigAutoField"
