from django.urls import URLPattern, URLResolver, path

from needlechart.consents import views

app_name = "consents"

urlpatterns: list[URLPattern | URLResolver] = [
    path("plan/<int:plan_id>/new/", views.consent_new, name="new"),
    path("patient/<int:patient_id>/", views.consent_list, name="list"),
    path("<int:consent_id>/", views.consent_detail, name="detail"),
    path("<int:consent_id>/sign/", views.consent_sign, name="sign"),
    path("<int:consent_id>/countersign/", views.consent_countersign_view, name="countersign"),
    path("<int:consent_id>/withdraw/", views.consent_withdraw_view, name="withdraw"),
    path("<int:consent_id>/pdf/", views.consent_pdf_view, name="pdf"),
]
