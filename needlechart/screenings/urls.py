from django.urls import path

from needlechart.screenings import views

app_name = "screenings"

urlpatterns = [
    path("<int:screening_id>/", views.screening_detail, name="detail"),
    path("<int:screening_id>/override/", views.screening_override_view, name="override"),
    path(
        "<int:screening_id>/override/confirm/",
        views.screening_override_confirm_view,
        name="override_confirm",
    ),
    path("consultation/<int:consultation_id>/run/", views.screening_rerun, name="run"),
]
