from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("users/", views.user_list, name="user-list"),
    path("users/new/", views.user_create, name="user-create"),
    path("users/<int:pk>/", views.user_detail, name="user-detail"),
    path(
        "users/<int:pk>/password/",
        views.user_password_reset,
        name="user-password-reset",
    ),
    path("users/<int:pk>/active/", views.user_set_active, name="user-set-active"),
    path("lockouts/", views.lockout_list, name="lockout-list"),
    path("lockouts/<int:pk>/lift/", views.lockout_lift, name="lockout-lift"),
]
