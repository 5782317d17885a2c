from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import client_ip


def request_ip(request: HttpRequest) -> str | None:
    """The client's address as the WSGI server saw it (set a trusted proxy to rewrite it)."""
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Makes the client's IP address known to the services that write audit rows."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_ip.set(request_ip(request))
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)
