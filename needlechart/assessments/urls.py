from django.urls import path

from needlechart.assessments import views

app_name = "assessments"

urlpatterns = [
    path("new/<int:patient_id>/", views.assessment_new, name="new"),
    path("new/<int:patient_id>/<int:consultation_id>/", views.assessment_new, name="new"),
    path("patient/<int:patient_id>/", views.assessment_list, name="list"),
    path("<int:assessment_id>/", views.assessment_detail, name="detail"),
]
