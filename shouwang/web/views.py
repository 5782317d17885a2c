from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shouwang.accounts.selectors import user_counts_by_role_for
from shouwang.areas import codes
from shouwang.areas.models import AreaLevel
from shouwang.areas.selectors import area_counts_by_level_for, area_path
from shouwang.reports.selectors import home_figures_for


def home(request: HttpRequest) -> HttpResponse:
    """The signed-in user's jurisdiction and real figures of what it holds."""
    user = request.user
    users_by_role = user_counts_by_role_for(viewer=user)
    own_depth = codes.LEVEL_DIGITS[codes.Level(user.area.level)] if user.area_id else 0
    below = {
        level.label
        for level in AreaLevel
        if codes.LEVEL_DIGITS[codes.Level(level)] > own_depth
    }
    areas_by_level = {
        label: n
        for label, n in area_counts_by_level_for(viewer=user).items()
        if label in below
    }
    return render(
        request,
        "web/home.html",
        {
            "path": area_path(user.area) if user.area_id else [],
            "areas_by_level": areas_by_level,
            "child_figures": home_figures_for(viewer=user),
            "users_by_role": users_by_role,
            "chart": {
                "labels": list(users_by_role),
                "values": list(users_by_role.values()),
            },
        },
    )
