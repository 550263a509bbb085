from django.apps import AppConfig


class ScreeningsConfig(AppConfig):
    name = "needlechart.screenings"
    default_auto_field = "django.db.models.BigAutoField"
