"""The main navigation: each item shows only to roles whose permissions allow it."""

from dataclasses import dataclass

from django.urls import reverse

from shouwang.accounts import access
from shouwang.accounts.access import Perm


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    perm: Perm | None  # None: every signed-in user


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("首页", "web:home", None),
    NavItem("儿童信息库", "registry:child-list", Perm.VIEW_CHILDREN),
    NavItem("花名册导入", "roster:import-list", Perm.EDIT_CHILDREN),
    NavItem("行政区划", "areas:list", Perm.VIEW_AREAS),
    NavItem("账号管理", "accounts:user-list", Perm.MANAGE_USERS),
    NavItem("审计日志", "audit:list", Perm.VIEW_AUDIT),
    NavItem("系统管理", "admin:index", Perm.ADMIN_SITE),
)


def nav_for(user, path: str) -> list[dict]:
    """The navigation items the user may see, with the current one marked."""
    items = []
    for item in NAV_ITEMS:
        if item.perm is not None and not access.has_perm(user, item.perm):
            continue
        url = reverse(item.url_name)
        active = path == url if url == "/" else path.startswith(url)
        items.append({"label": item.label, "url": url, "active": active})
    return items
