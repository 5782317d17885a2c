from . import views_standards

app_name = "assistance"
urlpatterns = [
    *views_standards.urlpatterns,
]
