from django.urls import path

from needlechart.consultations import views

app_name = "consultations"

urlpatterns = [
    path("start/<int:patient_id>/", views.consultation_start_view, name="start"),
    path("<int:consultation_id>/", views.consultation_edit, name="edit"),
]
