"""The API tokens pages (views_tokens)."""

from django.urls import path

from . import views_tokens

urlpatterns = [
    path("tokens/", views_tokens.token_page, name="tokens"),
    path("tokens/<int:pk>/revoke/", views_tokens.token_revoke, name="token-revoke"),
]
