from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shouwang.areas.selectors import area_path

from .guide import guide_load
from .home import home_for


def home(request: HttpRequest) -> HttpResponse:
    """The signed-in user's jurisdiction and what the role has to do today in it."""
    user = request.user
    return render(
        request,
        "web/home.html",
        {
            "path": area_path(user.area) if user.area_id else [],
            **home_for(viewer=user),
        },
    )


def user_guide(request: HttpRequest) -> HttpResponse:
    """The user guide (docs/user-guide.md) for every signed-in user, with its contents."""
    guide = guide_load(settings.USER_GUIDE_PATH)
    return render(request, "web/guide.html", {"guide": guide})
