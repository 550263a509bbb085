"""Root URL configuration. Each app owns its URLs under a namespace."""

from django.contrib import admin
from django.urls import include, path

from needlechart.core import protocol_views
from needlechart.core import views as core_views

urlpatterns = [
    path("", core_views.dashboard, name="dashboard"),
    path("protocol/", protocol_views.protocol_reference, name="protocol"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("accounts/", include("needlechart.accounts.urls")),
    path("audit/", include("needlechart.audit.urls")),
    path("patients/", include("needlechart.patients.urls")),
    path("consultations/", include("needlechart.consultations.urls")),
    path("screenings/", include("needlechart.screenings.urls")),
    path("assessments/", include("needlechart.assessments.urls")),
    path("plans/", include("needlechart.plans.urls")),
    path("consents/", include("needlechart.consents.urls")),
    path("scheduling/", include("needlechart.scheduling.urls")),
    path("treatments/", include("needlechart.treatments.urls")),
    path("outcomes/", include("needlechart.outcomes.urls")),
    path("imaging/", include("needlechart.imaging.urls")),
    path("documents/", include("needlechart.documents.urls")),
    path("prescreen/", include("needlechart.prescreen.urls")),
    path("portal/", include("needlechart.portal.urls")),
    path("notifications/", include("needlechart.notifications.urls")),
    path("api/", include("needlechart.api.urls")),
    path("django-admin/", admin.site.urls),
]

handler403 = "needlechart.core.views.permission_denied"
handler404 = "needlechart.core.views.page_not_found"
handler500 = "needlechart.core.views.server_error"
