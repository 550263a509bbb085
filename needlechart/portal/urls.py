from django.urls import URLPattern, URLResolver, path

from needlechart.portal import views

app_name = "portal"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("sign-in/", views.request_link, name="request_link"),
    path("enter/<str:secret>/", views.enter, name="enter"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path(
        "appointments/<int:appointment_id>/calendar.ics",
        views.appointment_ics_view,
        name="appointment_ics",
    ),
    path("appointments/<int:appointment_id>/reschedule/", views.reschedule, name="reschedule"),
    path("documents/", views.documents, name="documents"),
    path("documents/consent/<int:consent_id>/", views.consent_document, name="consent_pdf"),
    path("documents/aftercare/<int:session_id>/", views.aftercare_document, name="aftercare_pdf"),
    path("documents/plan/<int:plan_id>/", views.plan_document, name="plan_pdf"),
    path("aftercare/", views.aftercare, name="aftercare"),
    path("progress/", views.progress, name="progress"),
    path("photos/<int:photo_id>/", views.photo, name="photo"),
    path("check-ins/<int:session_id>/day/<int:day>/", views.check_in, name="check_in"),
    path("check-ins/<int:check_in_id>/", views.check_in_result, name="check_in_result"),
    path(
        "check-ins/<int:check_in_id>/photo/<str:size>/",
        views.check_in_photo,
        name="check_in_photo",
    ),
    # staff side
    path("invite/<int:patient_id>/", views.invite, name="invite"),
    path("staff/check-ins/<int:check_in_id>/", views.check_in_review_view, name="check_in_review"),
    path(
        "staff/check-ins/<int:check_in_id>/photo/<str:size>/",
        views.check_in_photo_staff,
        name="check_in_photo_staff",
    ),
    path(
        "staff/reschedule/<int:request_id>/handled/",
        views.reschedule_handled,
        name="reschedule_handled",
    ),
]
