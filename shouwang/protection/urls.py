from django.urls import path  # noqa: F401

from .views import cases, documents, oversight

app_name = "protection"
# Each view module declares its own urlpatterns (cases, oversight, documents).
urlpatterns = [
    *cases.urlpatterns,
    *documents.urlpatterns,
    *oversight.urlpatterns,
]
