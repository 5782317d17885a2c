"""Responsibility letters (责任书): coverage, one letter, record, void, scan."""

from django.urls import path

from . import views_letters as views

urlpatterns = [
    path("letters/", views.letters, name="letters"),
    path("letters/new/", views.letter_create, name="letter-create"),
    path("letters/<int:pk>/", views.letter, name="letter"),
    path("letters/<int:pk>/void/", views.letter_void, name="letter-void"),
    path("letters/<int:pk>/scan/", views.letter_scan, name="letter-scan"),
]
