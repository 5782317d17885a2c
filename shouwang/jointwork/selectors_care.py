"""Reads of community care (社会关爱), always given the viewer, and who may record
what. Deny by default; each list is cut to the viewer's jurisdiction (donations,
volunteers, activities, publicity by their area; pairings by the child's village).

Who records (RECORDERS): civil affairs — everything; supervisors and directors —
volunteers and pairings in their area; member units (department staff) — the
activities they organise and publicity. Who reads a list (READERS): the recorders
of that kind, plus supervisors and directors for activities; leaders read the
totals only. A director grants more disclosure on the pairings of their village.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from shouwang.accounts import access
from shouwang.accounts.models import Role
from shouwang.areas import codes
from shouwang.audit.refusals import not_found
from shouwang.registry.models import Child, ChildStatus
from shouwang.registry.selectors import child_list_for

from .models import Activity, Donation, Pairing, PublicityItem, Volunteer

DONATIONS = "donations"
VOLUNTEERS = "volunteers"
PAIRINGS = "pairings"
ACTIVITIES = "activities"
PUBLICITY = "publicity"
KINDS = {
    DONATIONS: (Donation, "社会捐赠"),
    VOLUNTEERS: (Volunteer, "志愿者"),
    PAIRINGS: (Pairing, "结对关爱"),
    ACTIVITIES: (Activity, "关爱活动"),
    PUBLICITY: (PublicityItem, "宣传品"),
}
CA, SUP, DIR, DEP = (
    Role.CIVIL_AFFAIRS,
    Role.SUPERVISOR,
    Role.DIRECTOR,
    Role.DEPARTMENT,
)
RECORDERS = {
    DONATIONS: {CA},
    VOLUNTEERS: {CA, SUP, DIR},
    PAIRINGS: {CA, SUP, DIR},
    ACTIVITIES: {CA, DEP},
    PUBLICITY: {CA, DEP},
}
READERS = {
    DONATIONS: {CA},
    VOLUNTEERS: {CA, SUP, DIR},
    PAIRINGS: {CA, SUP, DIR},
    ACTIVITIES: {CA, SUP, DIR, DEP},
    PUBLICITY: {CA, DEP},
}
_ACTIVE_ROLES = {CA, SUP, DIR, DEP, Role.LEADER}
# Compound surnames (复姓) kept whole when the given name is cut from a full name.
COMPOUND_SURNAMES = (
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
    "宇文", "司徒", "夏侯", "轩辕", "令狐", "端木", "独孤", "南宫", "西门", "申屠",
)  # fmt: skip


def _active(user) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role in _ACTIVE_ROLES
        and user.area_id is not None
    )


def may_see_page(user) -> bool:
    """Who opens the care overview: every case role with an area, and leaders."""
    return _active(user)


def may_record(user, kind: str) -> bool:
    """Whether the user records rows of this kind (RECORDERS)."""
    return _active(user) and user.role in RECORDERS[kind]


def may_void(user, kind: str, row) -> bool:
    """Whether the user voids this row they can see: a recorder of the kind, for a
    volunteer only one of their own area or below (those above are read, to pair
    with), for a member unit only what its own unit recorded."""
    if not may_record(user, kind):
        return False
    if kind == VOLUNTEERS and not access.in_jurisdiction(user, row.area_id):
        return False
    return user.role != Role.DEPARTMENT or row.created_by.unit == user.unit


def may_read(user, kind: str) -> bool:
    """Whether the user reads the list of this kind (READERS); leaders never do."""
    return _active(user) and user.role in READERS[kind]


def may_disclose(user, pairing: Pairing) -> bool:
    """A director grants more disclosure on the pairings of their own village."""
    return (
        _active(user)
        and user.role == DIR
        and pairing.child.village_id == user.area_id
        and pairing.voided_at is None
    )


def given_name(full_name: str) -> str:
    """The given name (名) of a Chinese full name: without the surname (a compound
    surname kept whole); a one-character name is kept as it is."""
    name = (full_name or "").strip()
    for surname in COMPOUND_SURNAMES:
        if name.startswith(surname) and len(name) > len(surname):
            return name[len(surname) :]
    return name[1:] if len(name) > 1 else name


def _scoped(viewer, kind: str, queryset: QuerySet, field: str) -> QuerySet:
    if not may_read(viewer, kind):
        return queryset.none()
    return access.scope(viewer, queryset, field)


def donations_for(*, viewer) -> QuerySet[Donation]:
    return _scoped(
        viewer,
        DONATIONS,
        Donation.objects.select_related("area")
        .annotate(recipients=Count("children"))
        .order_by("-donated_on", "-id"),
        "area_id",
    )


def volunteers_for(*, viewer) -> QuerySet[Volunteer]:
    """Volunteers of the viewer's jurisdiction and of the areas above it (a county's
    volunteers may be paired by a village director)."""
    if not may_read(viewer, VOLUNTEERS):
        return Volunteer.objects.none()
    return Volunteer.objects.select_related("area").filter(
        access.jurisdiction_q(viewer, "area_id")
        | Q(area_id__in=codes.ancestors(viewer.area_id))
    )


def pairings_for(*, viewer) -> QuerySet[Pairing]:
    """Pairings of children of the viewer's jurisdiction."""
    return _scoped(
        viewer,
        PAIRINGS,
        Pairing.objects.select_related("volunteer", "child", "child__village"),
        "child__village_id",
    )


def activities_for(*, viewer) -> QuerySet[Activity]:
    return _scoped(
        viewer, ACTIVITIES, Activity.objects.select_related("area"), "area_id"
    )


def publicity_for(*, viewer) -> QuerySet[PublicityItem]:
    return _scoped(
        viewer, PUBLICITY, PublicityItem.objects.select_related("area"), "area_id"
    )


LISTS = {
    DONATIONS: donations_for,
    VOLUNTEERS: volunteers_for,
    PAIRINGS: pairings_for,
    ACTIVITIES: activities_for,
    PUBLICITY: publicity_for,
}


def row_get_for(*, viewer, kind: str, pk):
    """One row of a kind the viewer reads; 404 for missing and not-yours alike."""
    model, label = KINDS[kind]
    try:
        return LISTS[kind](viewer=viewer).get(pk=int(pk))
    except (model.DoesNotExist, ValueError, TypeError):
        raise not_found(
            viewer=viewer,
            model=model,
            pk=pk,
            message=f"{label}记录不存在或不在您的管辖范围内。",
        ) from None


def pairing_get_for(*, viewer, pk) -> Pairing:
    """One pairing of a child of the viewer's jurisdiction; 404 otherwise."""
    return row_get_for(viewer=viewer, kind=PAIRINGS, pk=pk)


def children_to_pair(*, viewer) -> QuerySet[Child]:
    """Active ledger children the viewer may pair or fund (their jurisdiction)."""
    return (
        child_list_for(viewer=viewer)
        .filter(status=ChildStatus.ACTIVE)
        .select_related("village")
        .order_by("village_id", "name_pinyin", "pk")
    )


@dataclass(frozen=True)
class Totals:
    donations: int
    amount: Decimal
    children_funded: int
    volunteers: int
    pairings: int
    activities: int
    children_reached: int
    publicity: list[tuple[str, int]]


def totals_for(*, viewer) -> Totals | None:
    """Aggregates of the viewer's jurisdiction (rows not voided): what leaders read."""
    if not may_see_page(viewer):
        return None

    def scoped(model, field="area_id"):
        return access.scope(viewer, model.objects.filter(voided_at__isnull=True), field)

    donations = scoped(Donation)
    money = donations.aggregate(n=Count("pk"), total=Sum("amount"))
    funded = (
        Donation.children.through.objects.filter(donation__in=donations)
        .values("child_id")
        .distinct()
        .count()
    )
    activities = scoped(Activity).aggregate(
        n=Count("pk"), reached=Sum("children_reached")
    )
    publicity = (
        scoped(PublicityItem)
        .values("kind")
        .order_by("kind")
        .annotate(total=Sum("quantity"))
    )
    return Totals(
        donations=money["n"],
        amount=money["total"] or Decimal(0),
        children_funded=funded,
        volunteers=scoped(Volunteer).count(),
        pairings=scoped(Pairing, "child__village_id").count(),
        activities=activities["n"],
        children_reached=activities["reached"] or 0,
        publicity=[(row["kind"], row["total"]) for row in publicity],
    )
