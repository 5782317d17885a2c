import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from . import refusals
from .context import client_ip


def request_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind a trusted reverse proxy
    (BEHIND_PROXY=1) the last address of X-Forwarded-For, which that proxy appended.

    None when the server gives no address or something that is not one (a unix socket
    path, "unknown"): the audit column is an IP address, and PostgreSQL would refuse it.
    Login lockouts (django-axes) use this same function.
    """
    value = request.META.get("REMOTE_ADDR") or ""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.BEHIND_PROXY and forwarded:
        value = forwarded.split(",")[-1].strip()
    try:
        # An IPv6 zone ("fe80::1%eth0") names the server's interface, not the client.
        return str(ipaddress.ip_address(value.split("%", 1)[0]))
    except ValueError:
        return None


class AuditContextMiddleware:
    """Makes the client's IP address known to the services that write audit rows,
    and writes the refused reads of the request once the view is done."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_ip.set(request_ip(request))
        queue: list[refusals.Refusal] = []
        queued = refusals.pending.set(queue)
        path = refusals.request_path.set(f"{request.method} {request.path}")
        try:
            return self.get_response(request)
        finally:
            # Refused reads are written after the view, whose transaction (if any)
            # has ended by now: a 404 that rolls the view back keeps them.
            refusals.pending.reset(queued)
            refusals.request_path.reset(path)
            try:
                refusals.write(queue)
            finally:
                client_ip.reset(token)
