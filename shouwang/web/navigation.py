"""The main navigation: each item shows only to roles whose permissions allow it; a
group (a drop-down menu) shows when any of its items does. An item may carry a count
(a badge: what waits for the user), read only when the page draws it and once per
request (the home page reads the same counts)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from shouwang.accounts import access
from shouwang.accounts.access import Perm
from shouwang.accounts.models import Role
from shouwang.areas import codes
from shouwang.assistance import access as assistance_access
from shouwang.assistance import selectors_beneficiaries as allowances
from shouwang.assistance import selectors_foundlings as foundlings
from shouwang.assistance import selectors_programmes as programmes
from shouwang.exchange.lists import may_send
from shouwang.exchange.outgoing import may_receive
from shouwang.jointwork import responsibility
from shouwang.jointwork import selectors_care as care
from shouwang.jointwork import selectors_letters as letters
from shouwang.jointwork import selectors_meetings as meetings
from shouwang.protection import access as protection_access
from shouwang.protection import selectors as protection_selectors
from shouwang.schooling import access as schooling_access
from shouwang.schooling.enrolment import may_import_enrolment


def _memo(user, key: str, count: Callable[[object], int]) -> int:
    """count(user), once per request: kept on the request's user object."""
    cache = getattr(user, "_nav_counts", None)
    if cache is None:
        cache = {}
        user._nav_counts = cache
    if key not in cache:
        cache[key] = count(user)
    return cache[key]


def inbox_count(user) -> int:
    """What waits for the user's unit in the protection inbox (one or two counts)."""
    return _memo(user, "inbox", protection_selectors.inbox_count_for)


def supervision_count(user) -> int:
    """Overdue protection items in the jurisdiction (civil-affairs staff)."""
    return _memo(user, "supervision", protection_selectors.supervision_count_for)


def _reviews_glass(user) -> bool:
    return protection_access.can(user, protection_access.Do.REVIEW_GLASS)


def _county_civil(user) -> bool:
    """Civil-affairs staff of a county (they manage the exchange's API tokens)."""
    return (
        user.role == Role.CIVIL_AFFAIRS
        and bool(user.area_id)
        and codes.level_of(user.area_id) == codes.Level.COUNTY
    )


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    perm: Perm | None  # None: every signed-in user
    show: Callable[[object], bool] | None = None  # a further condition on the user
    badge: Callable[[object], int] | None = None  # a count shown beside the label


@dataclass(frozen=True)
class NavGroup:
    label: str
    items: tuple[NavItem, ...]
    badge: Callable[[object], int] | None = None  # a count shown on the closed menu


NAV_ITEMS: tuple[NavItem | NavGroup, ...] = (
    NavItem("首页", "web:home", None),
    NavItem("儿童信息库", "registry:child-list", Perm.VIEW_CHILDREN),
    NavItem("我的待走访", "visits:my-due", Perm.RECORD_VISITS),
    NavGroup(
        "走访与摸排",
        (
            NavItem("我负责的儿童", "visits:my-children", Perm.VIEW_CHILDREN),
            NavItem("季度摸排", "visits:cycle-list", Perm.VIEW_CHILDREN),
            NavItem("走访逾期率", "visits:overdue", Perm.VIEW_CHILD_STATS),
            NavItem("确认书签订情况", "visits:coverage", Perm.VIEW_CHILDREN),
            NavItem("待复核退出", "registry:child-review", Perm.VIEW_CHILDREN),
            NavItem("调整责任人", "visits:responsibility", Perm.ASSIGN_RESPONSIBILITY),
            NavItem("包片领导", "visits:patch-leaders", Perm.ASSIGN_RESPONSIBILITY),
            NavItem("走访间隔设置", "visits:policy", Perm.SET_VISIT_POLICY),
        ),
    ),
    NavGroup(
        "保护案件",
        (
            NavItem("待办", "protection:inbox", Perm.HANDLE_CASES, badge=inbox_count),
            NavItem("强制报告", "protection:report", Perm.REPORT_CASES),
            NavItem("案件", "protection:case-list", Perm.REPORT_CASES),
            NavItem(
                "督办",
                "protection:supervision",
                Perm.HANDLE_CASES,
                show=protection_access.is_civil,
                badge=supervision_count,
            ),
            NavItem("紧急查看", "protection:break-glass", Perm.HANDLE_CASES),
            NavItem(
                "复核紧急查看",
                "protection:glass-list",
                Perm.HANDLE_CASES,
                show=_reviews_glass,
            ),
            NavItem(
                "保护工作设置",
                "protection:settings",
                Perm.HANDLE_CASES,
                show=protection_access.is_civil,
            ),
        ),
        badge=inbox_count,
    ),
    NavGroup(
        "控辍保学",
        (
            NavItem(
                "疑似失学辍学",
                "schooling:worklist",
                None,
                show=schooling_access.may_work,
            ),
            NavItem(
                "辍学登记",
                "schooling:dropout-list",
                None,
                show=schooling_access.may_work,
            ),
            NavItem(
                "学籍名单",
                "schooling:enrolment-lists",
                None,
                show=may_import_enrolment,
            ),
        ),
    ),
    NavGroup(
        "救助保障",
        (
            NavItem(
                "基本生活保障对象",
                "assistance:beneficiary-list",
                None,
                show=allowances.may_read,
            ),
            NavItem(
                "应保未保",
                "assistance:beneficiary-unpaid",
                None,
                show=allowances.may_read,
            ),
            NavItem(
                "应停未停",
                "assistance:beneficiary-stop-due",
                None,
                show=allowances.may_read,
            ),
            NavItem(
                "发放批次",
                "assistance:batch-list",
                None,
                show=allowances.may_see_totals,
            ),
            NavItem(
                "基本生活保障标准",
                "assistance:standards",
                None,
                show=assistance_access.may_read_standards,
            ),
            NavItem(
                "救助项目",
                "assistance:programme-list",
                None,
                show=programmes.may_see_totals,
            ),
            NavItem(
                "弃婴登记",
                "assistance:foundling-list",
                None,
                show=foundlings.may_read,
            ),
            NavItem(
                "弃婴数量",
                "assistance:foundling-counts",
                None,
                show=foundlings.may_count,
            ),
        ),
    ),
    # 部门协同, called 协同: department data exchange (R10) and joint work (R11). A
    # longer name would push the desktop navigation of county civil affairs past
    # 1200 px (tests/browser/test_layout.py).
    NavGroup(
        "协同",
        (
            NavItem("比对提示", "exchange:alerts", Perm.VIEW_CHILDREN),
            NavItem("部门名单", "exchange:lists", None, show=may_send),
            NavItem("接口令牌", "exchange:tokens", None, show=_county_civil),
            NavItem("名单提供", "exchange:outgoing", None, show=may_receive),
            NavItem("联席会议", "jointwork:meetings", None, show=meetings.is_office),
            NavItem("督办任务", "jointwork:tasks", None, show=meetings.may_read),
            NavItem("成员单位", "jointwork:units", None, show=meetings.may_read),
            NavItem("责任书", "jointwork:letters", None, show=letters.may_read),
            NavItem("社会关爱", "jointwork:care", None, show=care.may_see_page),
            NavItem(
                "责任落实通报",
                "jointwork:responsibility",
                None,
                show=responsibility.may_read,
            ),
        ),
    ),
    NavGroup(
        "统计与通报",
        (
            NavItem("统计分析", "reports:dashboard", Perm.VIEW_REPORTS),
            NavItem("工作情况通报", "reports:bulletin-list", Perm.VIEW_BULLETINS),
            NavItem("通报模板", "reports:bulletin-templates", Perm.GENERATE_BULLETINS),
            NavItem("指标说明", "reports:bulletin-placeholders", Perm.VIEW_REPORTS),
        ),
    ),
    NavItem("花名册导入", "roster:import-list", Perm.EDIT_CHILDREN),
    NavItem("行政区划", "areas:list", Perm.VIEW_AREAS),
    NavItem("账号管理", "accounts:user-list", Perm.MANAGE_USERS),
    NavItem("审计日志", "audit:list", Perm.VIEW_AUDIT),
    NavItem("系统管理", "admin:index", Perm.ADMIN_SITE),
    NavItem("使用手册", "web:guide", None),
)


def _badge(user, count: Callable[[object], int] | None):
    """The count, read only when the page draws it (None: the item has none)."""
    if count is None:
        return None
    return SimpleLazyObject(lambda: count(user))


def _entry(user, item: NavItem) -> dict | None:
    if item.perm is not None and not access.has_perm(user, item.perm):
        return None
    if item.show is not None and not item.show(user):
        return None
    return {
        "label": item.label,
        "url": reverse(item.url_name),
        "active": False,
        "badge": _badge(user, item.badge),
    }


def nav_for(user, path: str) -> list[dict]:
    """The navigation items the user may see, the current one marked (the longest URL
    the path lies under); a group carries its visible items under "menu"."""
    entries, leaves = [], []
    for item in NAV_ITEMS:
        if isinstance(item, NavItem):
            if entry := _entry(user, item):
                entries.append(entry)
                leaves.append(entry)
            continue
        if items := [e for i in item.items if (e := _entry(user, i))]:
            entries.append(
                {
                    "label": item.label,
                    "menu": items,
                    "active": False,
                    "badge": _badge(user, item.badge),
                }
            )
            leaves.extend(items)
    current = max(
        (
            e
            for e in leaves
            if path == e["url"] or (e["url"] != "/" and path.startswith(e["url"]))
        ),
        key=lambda e: len(e["url"]),
        default=None,
    )
    if current is not None:
        current["active"] = True
        for entry in entries:
            if current in entry.get("menu", ()):
                entry["active"] = True
    return entries
