"""Reads of the administrative tree, cut to the viewer's jurisdiction."""

from django.db.models import Count, QuerySet

from shouwang.accounts import access
from shouwang.audit.refusals import not_found

from . import codes
from .models import Area, AreaLevel


def area_list_for(*, viewer) -> QuerySet[Area]:
    """Every area inside the viewer's jurisdiction (their own area included)."""
    if not access.has_perm(viewer, access.Perm.VIEW_AREAS):
        return Area.objects.none()
    return access.scope(viewer, Area.objects.all(), "code")


def area_get_for(*, viewer, code: str) -> Area:
    """One area inside the viewer's jurisdiction; 404 for missing and not-yours alike."""
    try:
        return area_list_for(viewer=viewer).get(code=code)
    except Area.DoesNotExist:
        raise not_found(
            viewer=viewer,
            model=Area,
            lookup={"code": code},
            message="区划不存在或不在您的管辖范围内。",
        ) from None


def area_children_for(*, viewer, area: Area) -> QuerySet[Area]:
    """The areas directly below one the viewer may see, with how many areas each holds."""
    return (
        area_list_for(viewer=viewer)
        .filter(parent=area)
        .annotate(n_children=Count("children"))
    )


def area_top_for(*, viewer) -> QuerySet[Area]:
    """The provinces the viewer may see, with how many areas each holds directly."""
    return (
        area_list_for(viewer=viewer)
        .filter(parent__isnull=True)
        .annotate(n_children=Count("children"))
    )


def area_path(area: Area) -> list[Area]:
    """The area and those above it, province first (names for breadcrumbs; not personal)."""
    above = {
        a.code: a for a in Area.objects.filter(code__in=codes.ancestors(area.code))
    }
    return [above[c] for c in codes.ancestors(area.code) if c in above] + [area]


def area_counts_by_level_for(*, viewer) -> dict[str, int]:
    """How many areas of each level lie inside the viewer's jurisdiction."""
    rows = area_list_for(viewer=viewer).values("level").annotate(n=Count("code"))
    counts = {row["level"]: row["n"] for row in rows}
    return {level.label: counts.get(level.value, 0) for level in AreaLevel}


def area_choices_for(*, viewer, levels: set[str] | None = None) -> QuerySet[Area]:
    """Areas the viewer may assign (for forms), optionally only some levels."""
    areas = area_list_for(viewer=viewer)
    if levels:
        areas = areas.filter(level__in=levels)
    return areas
