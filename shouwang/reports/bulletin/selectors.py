"""Reads of generated bulletins and uploaded templates for a viewer: cut to the
viewer's jurisdiction, deny by default; a record outside it answers like one that
does not exist."""

from django.db.models import QuerySet
from django.http import Http404

from shouwang.accounts import access
from shouwang.accounts.access import Perm
from shouwang.areas import codes
from shouwang.areas.models import Area, AreaLevel

from ..models import Bulletin, BulletinTemplate

BULLETIN_NOT_FOUND = "通报不存在或不在您的管辖范围内。"
TEMPLATE_NOT_FOUND = "模板不存在或不在您的管辖范围内。"
LEVEL_ORDER = [level.value for level in AreaLevel]
AREA_CHOICES_MAX = 600


def bulletin_list_for(*, viewer) -> QuerySet[Bulletin]:
    """The generated bulletins of areas in the viewer's jurisdiction, newest first;
    none unless the viewer may read bulletins."""
    if not access.has_perm(viewer, Perm.VIEW_BULLETINS):
        return Bulletin.objects.none()
    return access.scope(viewer, Bulletin.objects.all(), "area_id").select_related(
        "area", "requested_by"
    )


def bulletin_get_for(*, viewer, pk: int) -> Bulletin:
    """One bulletin the viewer may read; Http404 for missing and not-yours alike."""
    bulletin = bulletin_list_for(viewer=viewer).filter(pk=pk).first()
    if bulletin is None:
        raise Http404(BULLETIN_NOT_FOUND)
    return bulletin


def template_list_for(*, viewer) -> QuerySet[BulletinTemplate]:
    """The templates uploaded for areas in the viewer's jurisdiction (active first,
    newest first); none unless the viewer manages templates."""
    if not access.has_perm(viewer, Perm.GENERATE_BULLETINS):
        return BulletinTemplate.objects.none()
    return (
        access.scope(viewer, BulletinTemplate.objects.all(), "area_id")
        .select_related("area", "uploaded_by")
        .order_by("-is_active", "-created_at", "-id")
    )


def template_get_for(*, viewer, pk: int) -> BulletinTemplate:
    """One template the viewer manages; Http404 for missing and not-yours alike."""
    template = template_list_for(viewer=viewer).filter(pk=pk).first()
    if template is None:
        raise Http404(TEMPLATE_NOT_FOUND)
    return template


def bulletin_areas_for(*, viewer, depth: int = 2) -> list[Area]:
    """The areas a viewer may generate bulletins for, for a pick list: their own and
    those up to `depth` levels below (villages left out), in code order."""
    if not viewer.area_id:
        return []
    own = viewer.area
    index = LEVEL_ORDER.index(own.level)
    levels = LEVEL_ORDER[index : min(index + depth + 1, LEVEL_ORDER.index("village"))]
    if own.level not in levels:
        levels.append(own.level)
    return list(
        Area.objects.filter(
            access.prefix_q("code", codes.prefix_of(own.code)), level__in=levels
        ).order_by("code")[:AREA_CHOICES_MAX]
    )


def template_areas_for(*, viewer) -> list[Area]:
    """The areas a viewer may upload templates for: in the jurisdiction, county or
    above."""
    return [
        area
        for area in bulletin_areas_for(viewer=viewer)
        if LEVEL_ORDER.index(area.level) <= LEVEL_ORDER.index(AreaLevel.COUNTY)
    ]
