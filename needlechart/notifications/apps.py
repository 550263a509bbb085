from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "needlechart.notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the dashboard panel of messages that failed to send.
        from needlechart.notifications import dashboard  # noqa: F401
