from django.urls import URLPattern, URLResolver, path

from needlechart.notifications import views

app_name = "notifications"

urlpatterns: list[URLPattern | URLResolver] = [
    path("patients/<int:patient_id>/", views.patient_messages, name="patient_messages"),
    path(
        "patients/<int:patient_id>/preference/",
        views.patient_preference,
        name="patient_preference",
    ),
    path("messages/<int:message_id>/retry/", views.message_retry, name="message_retry"),
]
