from django.urls import path

from . import export_views, views

app_name = "roster"
urlpatterns = [
    path("template/", export_views.template_download, name="template"),
    path("export/", export_views.roster_export, name="export"),
    path("imports/", views.import_list, name="import-list"),
    path("imports/upload/", views.import_upload, name="import-upload"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import-progress"),
    path("imports/<int:pk>/commit/", views.import_commit, name="import-commit"),
    path("imports/<int:pk>/retry/", views.import_retry, name="import-retry"),
    path("imports/<int:pk>/file/", views.import_file, name="import-file"),
    path("imports/<int:pk>/report/", views.import_report, name="import-report"),
]
