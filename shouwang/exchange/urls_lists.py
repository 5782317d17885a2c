"""Department list pages: the upload with the lists of one's jurisdiction, one list."""

from django.urls import path

from . import views_lists as views

urlpatterns = [
    path("lists/", views.lists, name="lists"),
    path("lists/<int:pk>/", views.list_detail, name="list-detail"),
]
