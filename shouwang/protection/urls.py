from django.urls import path  # noqa: F401

app_name = "protection"
# Each view module declares its own urlpatterns (cases, oversight, documents).
urlpatterns = []
