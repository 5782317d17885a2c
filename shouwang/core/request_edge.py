"""The first check of a request's address: no NUL character in the path or the query.

PostgreSQL text cannot hold NUL (0x00), so a NUL that reached a query would end in a
server error, and no area code, name, date or number a person types contains one.
Django's forms already refuse NUL in what they read; pages and API operations that
read a GET parameter or a path segment directly are covered here, in one place.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

NUL_REFUSED = "请求地址中含有不允许的空字符（NUL）：请检查地址后重试。"


def has_nul(request: HttpRequest) -> bool:
    """Whether the path or a query parameter (name or value) holds a NUL."""
    if "\x00" in request.path:
        return True
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    )


class NulRefusalMiddleware:
    """Answers 400 with a Chinese message to an address holding a NUL character."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_REFUSED}, status=400)
            return HttpResponse(
                NUL_REFUSED, status=400, content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)
