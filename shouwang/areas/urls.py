from django.urls import path

from . import views

app_name = "areas"
urlpatterns = [
    path("", views.area_root, name="list"),
    path("<str:code>/", views.area_detail, name="detail"),
]
