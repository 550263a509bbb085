from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "needlechart.documents"
    default_auto_field = "django.db.models.BigAutoField"
