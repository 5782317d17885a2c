from datetime import date, datetime

from ninja import Router, Schema
from ninja.errors import HttpError

from shouwang.accounts import access
from shouwang.core.api_edge import page_window

from .selectors import audit_event_list_for

router = Router(tags=["审计日志"])


class AuditEventOut(Schema):
    id: int
    at: datetime
    actor_name: str
    action: str
    object_type: str
    object_id: str
    area_code: str | None = None
    ip: str | None = None
    details: dict

    @staticmethod
    def resolve_area_code(obj) -> str | None:
        return obj.area_id


@router.get(
    "/events", response=list[AuditEventOut], url_name="audit-events", summary="审计事件"
)
def events(
    request,
    action: str = "",
    actor: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    limit: int = 100,
    offset: int = 0,
):
    if not access.has_perm(request.user, access.Perm.VIEW_AUDIT):
        raise HttpError(403, "您没有查看审计日志的权限。")
    limit, offset = page_window(limit, offset, max_limit=500)
    qs = audit_event_list_for(
        viewer=request.user,
        action=action,
        actor=actor,
        date_from=date_from,
        date_to=date_to,
    )
    return list(qs[offset : offset + limit])
