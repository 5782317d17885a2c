"""What a user may export as a roster, and the audited export itself.

The export holds exactly what the child list shows the user under the same filters
(child_list_for cut by child_filter, in the list's order), with ID numbers masked
unless the user may see full numbers and asks for them. Every export writes an audit
row (roster.export); one with full numbers writes a second, as a reveal.
"""

from dataclasses import asdict, fields
from datetime import date
from typing import IO

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from shouwang.accounts import access
from shouwang.areas.models import Area
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.idnumber import InvalidIdNumber, mask_id_number, parse_id_number
from shouwang.registry.forms import ChildFilterForm
from shouwang.registry.models import Child
from shouwang.registry.selectors import (
    SORTS,
    ChildFilters,
    child_filter,
    child_list_for,
)

from .workbook import Village, write_roster

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_FILENAME = "儿童信息花名册模板.xlsx"
FULL_ID_DENIED = "您没有导出完整身份号码的权限。"
_FILTER_NAMES = {f.name for f in fields(ChildFilters)}


def export_filename(on: date) -> str:
    """The name an export is saved under: 儿童信息花名册-YYYYMMDD.xlsx."""
    return f"儿童信息花名册-{on:%Y%m%d}.xlsx"


def filters_from_query(query: QueryDict) -> ChildFilters:
    """The child list's filters from its query string, read as the list reads them
    (registry.views.child_list): a filter that does not validate is left out."""
    form = ChildFilterForm(query or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = ChildFilters(
        **{k: v for k, v in data.items() if v and k in _FILTER_NAMES}
    )
    if data.get("status") == "all":
        filters.status = ""
    return filters


def export_children_for(
    *, viewer, filters: ChildFilters, as_of: date
) -> QuerySet[Child]:
    """The children the viewer's list shows under filters, in the list's order."""
    children = child_filter(child_list_for(viewer=viewer), filters, as_of=as_of)
    return children.order_by(*SORTS.get(filters.sort, SORTS["name"]), "id")


def villages_for(*, viewer) -> list[Village]:
    """The villages the viewer may register children in, with their townships."""
    if not access.has_perm(viewer, access.Perm.EDIT_CHILDREN):
        return []
    rows = (
        access.scope(viewer, Area.objects.filter(level="village"), "code")
        .order_by("code")
        .values_list("code", "name", "parent__name")
    )
    return [Village(code, name, township or "") for code, name, township in rows]


def roster_export_write(
    *,
    actor,
    out: IO[bytes] | str,
    filters: ChildFilters,
    full_id: bool = False,
    as_of: date | None = None,
) -> int:
    """Write the actor's children under filters to out as a roster and audit it;
    PermissionDenied without VIEW_CHILDREN, or for full numbers without REVEAL_ID."""
    access.require(actor, access.Perm.VIEW_CHILDREN)
    if full_id and not access.has_perm(actor, access.Perm.REVEAL_ID):
        raise PermissionDenied(FULL_ID_DENIED)
    as_of = as_of or timezone.localdate()
    with transaction.atomic():
        children = export_children_for(viewer=actor, filters=filters, as_of=as_of)
        count = write_roster(
            out, children, full_id=full_id, villages=villages_for(viewer=actor)
        )
        chosen = _audited_filters(filters)
        audit_record(
            actor=actor,
            action=AuditAction.ROSTER_EXPORT,
            object_type="roster",
            area=actor.area,
            details={"count": count, "full_id": full_id, "filters": chosen},
        )
        if full_id:
            audit_record(
                actor=actor,
                action="child.reveal_id",
                object_type="roster",
                area=actor.area,
                details={"via": "roster.export", "count": count, "filters": chosen},
            )
    return count


def _audited_filters(filters: ChildFilters) -> dict[str, str]:
    """The filters in use, as the audit row keeps them: a search by full ID number
    is kept masked (the audit trail is read by more people than the exporter)."""
    chosen = {k: v for k, v in asdict(filters).items() if v}
    if chosen.get("q"):
        try:
            number = parse_id_number(chosen["q"])
        except InvalidIdNumber:
            pass
        else:
            chosen["q"] = mask_id_number(number.value)
    return chosen
