from django.urls import path

from . import views, views_dropout

app_name = "schooling"
urlpatterns = [
    path("enrolment/", views.enrolment_lists, name="enrolment-lists"),
    path("enrolment/upload/", views.enrolment_upload, name="enrolment-upload"),
    *views_dropout.urlpatterns,
]
