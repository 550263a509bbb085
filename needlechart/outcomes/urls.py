from django.urls import path

from needlechart.outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("new/<int:patient_id>/", views.follow_up_new, name="new"),
    path("progress/<int:patient_id>/", views.progress, name="progress"),
    path("<int:follow_up_id>/", views.follow_up_detail, name="detail"),
]
