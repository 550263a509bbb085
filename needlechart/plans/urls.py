from django.urls import path

from needlechart.plans import views

app_name = "plans"

urlpatterns = [
    path("new/<int:screening_id>/", views.plan_new, name="new"),
    path("awaiting-approval/", views.plan_awaiting, name="awaiting"),
    path("patient/<int:patient_id>/", views.plan_list, name="list"),
    path("<int:plan_id>/", views.plan_detail, name="detail"),
    path("<int:plan_id>/edit/", views.plan_edit, name="edit"),
    path("<int:plan_id>/approve/", views.plan_approve_view, name="approve"),
    path(
        "<int:plan_id>/screening-review/",
        views.plan_screening_review_view,
        name="screening_review",
    ),
]
