from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "needlechart.assessments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from needlechart.assessments import timeline  # noqa: F401
