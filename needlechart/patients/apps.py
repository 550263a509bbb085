from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "needlechart.patients"
    label = "patients"
    verbose_name = "Patients"

    def ready(self) -> None:
        # Registers this app's own (non-clinical) timeline entries.
        from needlechart.patients import timeline  # noqa: F401
