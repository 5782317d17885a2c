from .views import bulletin, dashboard

app_name = "reports"
urlpatterns = [*dashboard.urlpatterns, *bulletin.urlpatterns]
