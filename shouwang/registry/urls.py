from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.child_list, name="child-list"),
    path("review/", views.child_review, name="child-review"),
    path("review/<int:pk>/exit/", views.exit_review_exit, name="exit-review-exit"),
    path("review/<int:pk>/keep/", views.exit_review_keep, name="exit-review-keep"),
    path("new/", views.child_create, name="child-create"),
    path("<int:pk>/", views.child_detail, name="child-detail"),
    path("<int:pk>/edit/", views.child_edit, name="child-edit"),
    path("<int:pk>/print/", views.child_print, name="child-print"),
    path("<int:pk>/ids/", views.child_reveal_ids, name="child-reveal-ids"),
    path("<int:pk>/exit/", views.child_exit, name="child-exit"),
    path("<int:pk>/readmit/", views.child_readmit, name="child-readmit"),
    path("<int:pk>/as-of/", views.child_as_of_view, name="child-as-of"),
    path("<int:pk>/merge/<int:other>/", views.child_merge, name="child-merge"),
    path(
        "<int:pk>/not-duplicate/<int:other>/",
        views.child_not_duplicate,
        name="child-not-duplicate",
    ),
]
