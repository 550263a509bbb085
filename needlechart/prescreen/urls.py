from django.urls import path

from needlechart.prescreen import views

app_name = "prescreen"

urlpatterns = [
    # Public (no sign-in)
    path("", views.prescreen_start, name="start"),
    path("request/", views.prescreen_request, name="request"),
    path("thanks/", views.prescreen_thanks, name="thanks"),
    # Staff
    path("leads/", views.lead_list, name="leads"),
    path("leads/<int:lead_id>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:lead_id>/status/", views.lead_status, name="lead_status"),
    path("leads/<int:lead_id>/convert/", views.lead_convert_view, name="lead_convert"),
    path(
        "leads/<int:lead_id>/start-consultation/",
        views.lead_start_consultation_view,
        name="lead_start_consultation",
    ),
]
