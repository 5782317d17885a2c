"""The responsibility bulletin (责任落实情况通报): the ranked page and its download."""

from django.urls import path

from .views_bulletin import responsibility_docx, responsibility_page

urlpatterns = [
    path("responsibility/", responsibility_page, name="responsibility"),
    path("responsibility/docx/", responsibility_docx, name="responsibility-docx"),
]
