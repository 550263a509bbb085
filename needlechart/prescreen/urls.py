from django.urls import URLPattern, URLResolver

app_name = "prescreen"

urlpatterns: list[URLPattern | URLResolver] = []
