from django.urls import URLPattern, URLResolver, path

from needlechart.imaging import views

app_name = "imaging"

urlpatterns: list[URLPattern | URLResolver] = [
    path("patient/<int:patient_id>/", views.gallery, name="gallery"),
    path("patient/<int:patient_id>/upload/", views.upload, name="upload"),
    path("<int:photo_id>/", views.detail, name="detail"),
    path("<int:photo_id>/file/", views.photo_file, name="file"),
    path("<int:photo_id>/marketing/", views.marketing, name="marketing"),
    path("<int:photo_id>/archive/", views.archive, name="archive"),
]
