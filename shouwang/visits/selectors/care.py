"""Reads for responsibility and guardianship confirmations, cut to the viewer's
jurisdiction: my children, a village's children and directors, the history of a
child's responsible people, confirmations, coverage per area, 包片 leaders."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone

from shouwang.accounts import access
from shouwang.accounts.access import Perm
from shouwang.accounts.models import Role, User
from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.areas.selectors import area_get_for, area_list_for
from shouwang.registry.models import Child, ChildChange, ChildStatus
from shouwang.registry.selectors import child_list_for
from shouwang.reports.catalogue import FIGURES
from shouwang.reports.compute import count_children, count_children_by

from ..models import (
    Attachment,
    ConfirmationStatus,
    GuardianshipConfirmation,
    PatchLeader,
)

AREA_NOT_FOUND = "区划不存在或不在您的管辖范围内。"
SIGNED = "confirmations.signed"
RESPONSIBILITY_FIELDS = (
    "responsible_director_id",
    "liaison_cadre_name",
    "liaison_cadre_phone",
)
NEXT_LEVEL = {
    "province": "city",
    "city": "county",
    "county": "township",
    "township": "village",
    "village": "village",
}


def needs_confirmation_q() -> Q:
    """registry.policy.needs_confirmation as a database filter: the catalogue's
    definition of the figure confirmations.needed."""
    return FIGURES["confirmations.needed"].count.q(timezone.localdate())


def _active_for(viewer) -> QuerySet[Child]:
    return child_list_for(viewer=viewer).filter(status=ChildStatus.ACTIVE)


# Responsibility ------------------------------------------------------------------------


def my_children_for(*, viewer) -> QuerySet[Child]:
    """Active children whose responsible director is the viewer (in jurisdiction)."""
    return (
        _active_for(viewer)
        .filter(responsible_director=viewer)
        .select_related("village__parent")
        .order_by("next_visit_due", "village_id", "name_pinyin", "id")
    )


# The counts a list of children shows, by their catalogue figures.
LIST_FIGURES = {
    "儿童": "children.total",
    "孤儿": "children.orphan",
    "事实无人抚养儿童": "children.de_facto_unsupported",
    "农村留守儿童": "children.left_behind",
    "困境儿童": "children.difficulty",
    "高风险": "risk.high",
    "需签确认书": "confirmations.needed",
}


def category_counts(children: QuerySet[Child]) -> dict[str, int]:
    """How many of the children fall in each category, high risk and confirmations."""
    values = count_children(
        children,
        [*LIST_FIGURES.values(), "confirmations.signed"],
        as_of=timezone.localdate(),
    )
    counts = {label: values[key] for label, key in LIST_FIGURES.items()}
    counts["未签确认书"] = (
        values["confirmations.needed"] - values["confirmations.signed"]
    )
    return counts


def responsibility_villages_for(*, viewer) -> QuerySet[Area]:
    """The villages whose children's responsibility the viewer may set."""
    if not access.has_perm(viewer, Perm.ASSIGN_RESPONSIBILITY):
        return Area.objects.none()
    return (
        area_list_for(viewer=viewer)
        .filter(level="village")
        .select_related("parent")
        .order_by("code")
    )


def responsibility_village_get_for(*, viewer, code: str) -> Area:
    """One such village; 404 for missing, not a village, and not-yours alike."""
    village = responsibility_villages_for(viewer=viewer).filter(code=code).first()
    if village is None:
        raise Http404(AREA_NOT_FOUND)
    return village


def village_children_for(*, viewer, village: Area) -> QuerySet[Child]:
    """The active children of a village the viewer may see, with their director."""
    return (
        _active_for(viewer)
        .filter(village_id=village.code)
        .select_related("responsible_director")
        .order_by("name_pinyin", "id")
    )


def village_directors(village: Area) -> QuerySet[User]:
    """The active child directors of a village (whom its children may be given to)."""
    return User.objects.filter(
        role=Role.DIRECTOR, is_active=True, area_id=village.code
    ).order_by("full_name", "username")


@dataclass
class ResponsibilityEntry:
    change: ChildChange
    rows: list[tuple[str, str, str]] = field(default_factory=list)


def responsibility_history(child: Child) -> list[ResponsibilityEntry]:
    """The child's changes that touched its responsible director or 包联干部 (责任人
    变更记录), newest first, with names for the directors; the child is one the caller
    already read through a selector."""
    changes = (
        ChildChange.objects.filter(child=child)
        .filter(
            Q(changes__has_key="responsible_director_id")
            | Q(changes__has_key="liaison_cadre_name")
            | Q(changes__has_key="liaison_cadre_phone")
        )
        .order_by("-at", "-id")
    )
    labels = {
        "responsible_director_id": "责任儿童主任",
        "liaison_cadre_name": "包联干部",
        "liaison_cadre_phone": "包联干部电话",
    }
    entries, director_ids = [], set()
    for change in changes[:100]:
        pairs = [
            (name, *change.changes[name])
            for name in RESPONSIBILITY_FIELDS
            if name in change.changes
            and (change.changes[name][0] or None) != (change.changes[name][1] or None)
        ]
        if not pairs:
            continue
        director_ids.update(
            v for name, *values in pairs for v in values if name.endswith("_id") and v
        )
        entries.append((change, pairs))
    names = {
        user.pk: user.display_name
        for user in User.objects.filter(pk__in=director_ids).only(
            "pk", "full_name", "username"
        )
    }

    def show(name: str, value) -> str:
        if value in (None, ""):
            return ""
        if name.endswith("_id"):
            return names.get(value, f"#{value}")
        return str(value)

    return [
        ResponsibilityEntry(
            change,
            [
                (labels[n], show(n, before), show(n, after))
                for n, before, after in pairs
            ],
        )
        for change, pairs in entries
    ]


# Confirmations -------------------------------------------------------------------------


def confirmations_of(child: Child) -> QuerySet[GuardianshipConfirmation]:
    """The child's confirmations, newest first, with their scanned files (the child is
    one the caller already read through a selector)."""
    return (
        GuardianshipConfirmation.objects.filter(child=child)
        .select_related("recorded_by")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("id"))
        )
        .order_by("-signed_on", "-id")
    )


@dataclass
class CoverageRow:
    area: Area
    needing: int
    signed: int

    @property
    def missing(self) -> int:
        return self.needing - self.signed

    @property
    def rate(self) -> float | None:
        """Signed ÷ needing, None when no child needs one."""
        return self.signed / self.needing if self.needing else None


@dataclass
class Coverage:
    area: Area
    rows: list[CoverageRow]
    total: CoverageRow
    drill: bool  # whether the rows are areas one can open


def coverage_area_for(*, viewer, code: str = "") -> Area:
    """The area the coverage is for: the given code inside the viewer's jurisdiction
    (404 otherwise), else the viewer's own area."""
    if not access.has_perm(viewer, Perm.VIEW_CHILDREN):
        raise Http404(AREA_NOT_FOUND)
    if code:
        if not codes.is_code(code):
            raise Http404(AREA_NOT_FOUND)
        return area_get_for(viewer=viewer, code=code)
    area = access.jurisdiction_area(viewer)
    if area is None:
        raise Http404(AREA_NOT_FOUND)
    return area


def coverage_for(*, viewer, area: Area) -> Coverage:
    """Children needing a confirmation and those signed, per area one level below
    `area` (a village: itself), with the total; active children only."""
    children = _active_for(viewer).filter(
        access.prefix_q("village_id", codes.prefix_of(area.code))
    )
    below = NEXT_LEVEL[area.level]
    if area.level == "village":
        subareas = [area]
    else:
        subareas = list(
            area_list_for(viewer=viewer).filter(parent=area).order_by("code")
        )
    digits = codes.LEVEL_DIGITS[codes.Level(below)]
    counts = {
        part: {"needing": values["confirmations.needed"], "signed": values[SIGNED]}
        for part, values in count_children_by(
            children.annotate(part=Substr("village_id", 1, digits)),
            "part",
            ["confirmations.needed", SIGNED],
            as_of=timezone.localdate(),
        ).items()
    }
    rows = []
    for sub in subareas:
        row = counts.get(codes.prefix_of(sub.code)[:digits], {})
        rows.append(CoverageRow(sub, row.get("needing", 0), row.get("signed", 0)))
    total = CoverageRow(
        area,
        sum(r["needing"] for r in counts.values()),
        sum(r["signed"] for r in counts.values()),
    )
    return Coverage(area, rows, total, drill=area.level != "village")


def missing_confirmations_for(*, viewer, area: Area) -> QuerySet[Child]:
    """Active children in the area who need a confirmation and have none signed."""
    return (
        _active_for(viewer)
        .filter(access.prefix_q("village_id", codes.prefix_of(area.code)))
        .filter(needs_confirmation_q(), confirmation_signed=False)
        .select_related("village__parent")
        .order_by("village_id", "name_pinyin", "id")
    )


# 包片 leaders ---------------------------------------------------------------------------


def patch_townships_for(*, viewer) -> QuerySet[Area]:
    """The townships whose 包片 leaders the viewer may set."""
    if not access.has_perm(viewer, Perm.ASSIGN_RESPONSIBILITY):
        return Area.objects.none()
    return area_list_for(viewer=viewer).filter(level="township").order_by("code")


def patch_township_get_for(*, viewer, code: str) -> Area:
    """One such township; 404 for missing, not a township, and not-yours alike."""
    township = patch_townships_for(viewer=viewer).filter(code=code).first()
    if township is None:
        raise Http404(AREA_NOT_FOUND)
    return township


def patch_area_get_for(*, viewer, code: str) -> Area:
    """A township or village whose 包片 leader the viewer may set; 404 otherwise."""
    if not access.has_perm(viewer, Perm.ASSIGN_RESPONSIBILITY) or not codes.is_code(
        code or ""
    ):
        raise Http404(AREA_NOT_FOUND)
    return area_get_for(viewer=viewer, code=code)


@dataclass
class PatchRow:
    area: Area
    current: PatchLeader | None


def patch_leaders_for(*, viewer, township: Area) -> tuple[list[PatchRow], list]:
    """The township and its villages with their current 包片 leader, and the
    township's history of leaders (newest first)."""
    areas = [
        township,
        *area_list_for(viewer=viewer)
        .filter(parent=township, level="village")
        .order_by("code"),
    ]
    leaders = list(
        access.scope(
            viewer,
            PatchLeader.objects.filter(
                access.prefix_q("area_id", codes.prefix_of(township.code))
            ),
            "area_id",
        )
        .select_related("area", "assigned_by")
        .order_by("-started_on", "-id")
    )
    current = {p.area_id: p for p in leaders if p.ended_on is None}
    return [PatchRow(a, current.get(a.code)) for a in areas], leaders


def area_patch_leaders(village_code: str) -> list[PatchLeader]:
    """The current 包片 leaders of a village and of its township (the caller has
    already read a record of that village)."""
    township = codes.pad(village_code[:9])
    return list(
        PatchLeader.objects.filter(
            area_id__in=[village_code, township], ended_on__isnull=True
        )
        .select_related("area")
        .order_by("-area_id")
    )


def current_confirmation(child: Child) -> GuardianshipConfirmation | None:
    return confirmations_of(child).filter(status=ConfirmationStatus.CURRENT).first()
