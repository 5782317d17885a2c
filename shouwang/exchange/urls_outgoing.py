"""The outgoing lists page: member units download the lists of their purpose."""

from django.urls import path

from . import views_outgoing

urlpatterns = [
    path("outgoing/", views_outgoing.outgoing_page, name="outgoing"),
]
