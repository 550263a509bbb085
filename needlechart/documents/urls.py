from django.urls import URLPattern, URLResolver, path

from needlechart.documents import views

app_name = "documents"

urlpatterns: list[URLPattern | URLResolver] = [
    path("plan/<int:plan_id>/summary.pdf", views.plan_summary, name="plan_summary"),
    path("session/<int:session_id>/aftercare.pdf", views.aftercare, name="aftercare"),
    path("patient/<int:patient_id>/progress.pdf", views.progress_report, name="progress_report"),
]
