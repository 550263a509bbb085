from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "needlechart.audit"
    label = "audit"
    verbose_name = "Audit trail"
