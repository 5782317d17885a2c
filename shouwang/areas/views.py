from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from shouwang.accounts.access import Perm, require

from .models import Area
from .selectors import area_children_for, area_get_for, area_path, area_top_for


def area_root(request: HttpRequest) -> HttpResponse:
    """The top of the user's jurisdiction: their own area, or the provinces for admins."""
    require(request.user, Perm.VIEW_AREAS)
    if request.user.area_id:
        return redirect("areas:detail", code=request.user.area_id)
    provinces = area_top_for(viewer=request.user)
    return render(
        request, "areas/detail.html", {"area": None, "path": [], "children": provinces}
    )


def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One area in the user's jurisdiction and the areas directly below it."""
    require(request.user, Perm.VIEW_AREAS)
    area: Area = area_get_for(viewer=request.user, code=code)
    return render(
        request,
        "areas/detail.html",
        {
            "area": area,
            "path": area_path(area),
            "children": area_children_for(viewer=request.user, area=area),
        },
    )
