"""Response headers that keep personal data out of caches."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class NoStoreMiddleware:
    """Every answer to a signed-in user (page, API, file) is private and never stored.

    Only static assets (the same for everyone) stay cacheable. A user counts as signed in
    when the request arrived with a session or the response leaves one (the login).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path_info.startswith(settings.STATIC_URL):
            return response
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated) or (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            or settings.SESSION_COOKIE_NAME in response.cookies
        )
        if signed_in:
            response["Cache-Control"] = "private, no-store"
            response["Expires"] = "0"
        return response
