from django.urls import URLPattern, URLResolver

app_name = "imaging"

urlpatterns: list[URLPattern | URLResolver] = []
