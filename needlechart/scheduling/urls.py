from django.urls import path

from needlechart.scheduling import views

app_name = "scheduling"

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("book/", views.book, name="book"),
    path("plan/<int:plan_id>/book/", views.series, name="series"),
    path("appointments/<int:appointment_id>/", views.appointment_detail, name="appointment"),
    path("appointments/<int:appointment_id>/move/", views.reschedule, name="reschedule"),
    path("appointments/<int:appointment_id>/cancel/", views.cancel, name="cancel"),
    path("appointments/<int:appointment_id>/attended/", views.attend, name="attend"),
    path("appointments/<int:appointment_id>/no-show/", views.no_show, name="no_show"),
    path("appointments/<int:appointment_id>/appointment.ics", views.ics, name="ics"),
    path("hours/", views.hours, name="hours"),
    path(
        "hours/closed/<int:closed_day_id>/delete/",
        views.closed_day_delete,
        name="closed_day_delete",
    ),
]
