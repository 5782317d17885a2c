"""The alert pages: the worklist, one alert and its decisions, a county's deadline."""

from django.urls import path

from . import views_alerts as views

urlpatterns = [
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/policy/", views.alert_policy, name="alert-policy"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert"),
    path("alerts/<int:pk>/accept/", views.alert_accept, name="alert-accept"),
    path("alerts/<int:pk>/reject/", views.alert_reject, name="alert-reject"),
]
