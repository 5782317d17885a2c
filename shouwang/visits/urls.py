from django.urls import path

from . import attachments
from .views import care, cycle, schedule, visit

app_name = "visits"
urlpatterns = [
    path("attachments/<int:pk>/", attachments.attachment_view, name="attachment"),
    *visit.urlpatterns,
    *schedule.urlpatterns,
    *care.urlpatterns,
    *cycle.urlpatterns,
]
