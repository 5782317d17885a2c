from ninja import Field, Router, Schema
from ninja.errors import HttpError

from shouwang.core.api_edge import page_window

from . import access
from .selectors import user_get_for, user_list_for

router = Router(tags=["账号"])


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    role: str
    role_label: str = Field(..., alias="get_role_display")
    area_code: str | None = Field(None, alias="area_id")
    unit: str
    is_active: bool


class MeOut(UserOut):
    permissions: list[str]

    @staticmethod
    def resolve_permissions(obj) -> list[str]:
        return sorted(p.value for p in access.Perm if access.has_perm(obj, p))


@router.get("/me", response=MeOut, url_name="me", summary="当前登录账号")
def me(request):
    return request.user


@router.get(
    "/users", response=list[UserOut], url_name="user-list", summary="管辖范围内的账号"
)
def users(
    request,
    role: str = "",
    area: str = "",
    q: str = "",
    limit: int = 100,
    offset: int = 0,
):
    if not access.has_perm(request.user, access.Perm.MANAGE_USERS):
        raise HttpError(403, "您没有管理账号的权限。")
    limit, offset = page_window(limit, offset, max_limit=500)
    return list(
        user_list_for(viewer=request.user, role=role, area_code=area, search=q)[
            offset : offset + limit
        ]
    )


@router.get(
    "/users/{user_id}", response=UserOut, url_name="user-detail", summary="一个账号"
)
def user_detail(request, user_id: int):
    if not access.has_perm(request.user, access.Perm.MANAGE_USERS):
        raise HttpError(403, "您没有管理账号的权限。")
    return user_get_for(viewer=request.user, pk=user_id)
