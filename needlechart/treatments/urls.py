from django.urls import URLPattern, URLResolver

app_name = "treatments"

urlpatterns: list[URLPattern | URLResolver] = []
