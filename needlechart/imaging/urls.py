from django.urls import URLPattern, URLResolver, path

from needlechart.imaging import views, views_compare, views_redness

app_name = "imaging"

urlpatterns: list[URLPattern | URLResolver] = [
    path("patient/<int:patient_id>/", views.gallery, name="gallery"),
    path("patient/<int:patient_id>/upload/", views.upload, name="upload"),
    path("<int:photo_id>/", views.detail, name="detail"),
    path("<int:photo_id>/file/", views.photo_file, name="file"),
    path("<int:photo_id>/marketing/", views.marketing, name="marketing"),
    path("<int:photo_id>/archive/", views.archive, name="archive"),
    # capture guidance, comparison and redness (helper I2)
    path("patient/<int:patient_id>/capture/", views_compare.capture, name="capture"),
    path("patient/<int:patient_id>/compare/", views_compare.compare, name="compare"),
    path("patient/<int:patient_id>/redness/", views_redness.redness, name="redness"),
    path("<int:photo_id>/redness/", views_redness.measure, name="measure"),
]
