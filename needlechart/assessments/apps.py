from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "needlechart.assessments"
    default_auto_field = "django.db.models.BigAutoField"
