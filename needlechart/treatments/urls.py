from django.urls import URLPattern, URLResolver, path

from needlechart.treatments import views

app_name = "treatments"

urlpatterns: list[URLPattern | URLResolver] = [
    path("plan/<int:plan_id>/start/", views.session_start_view, name="start"),
    path("patient/<int:patient_id>/", views.session_list, name="list"),
    path("lots/", views.lot_lookup_view, name="lot_lookup"),
    path("session/<int:session_id>/", views.session_detail, name="detail"),
    path("session/<int:session_id>/edit/", views.session_edit, name="edit"),
    path("session/<int:session_id>/sign/", views.session_sign_view, name="sign"),
    path(
        "session/<int:session_id>/countersign/",
        views.session_countersign_view,
        name="countersign",
    ),
    path("session/<int:session_id>/amend/", views.session_amend_view, name="amend"),
    path("session/<int:session_id>/aftercare/", views.session_aftercare, name="aftercare"),
    path("patient/<int:patient_id>/symptoms/", views.symptom_list, name="symptom_list"),
    path("patient/<int:patient_id>/symptoms/new/", views.symptom_new, name="symptom_new"),
    path("symptoms/review/", views.symptom_review, name="symptom_review"),
    path("symptoms/<int:report_id>/", views.symptom_detail, name="symptom_detail"),
    path("symptoms/<int:report_id>/resolve/", views.symptom_resolve, name="symptom_resolve"),
    path("patient/<int:patient_id>/adverse-events/", views.adverse_list, name="adverse_list"),
    path("patient/<int:patient_id>/adverse-events/new/", views.adverse_new, name="adverse_new"),
    path("adverse-events/<int:event_id>/", views.adverse_detail, name="adverse_detail"),
]
