"""Who works on aid programmes, and the reads of programmes and their beneficiaries.

Access (deny by default, cut by jurisdiction):
- civil-affairs staff of a province, city or county set up programmes of their own
  area or an area inside it (a programme's area is a county or above);
- township staff prepare: the township's 儿童督导员 (the township level of the
  ledger's roles; civil affairs are posted at a county or above) and civil-affairs
  staff choose beneficiaries among the ledger children of their jurisdiction inside
  the programme's area, and record them as paid or delivered once approved;
- civil-affairs staff approve or refuse the beneficiaries of their jurisdiction, never
  those they chose themselves;
- leaders read each programme's totals (numbers and amounts), never a name;
- everyone else sees nothing. A programme is seen by those working under its area
  (posted inside it or at it) and by those above it, each counting only the
  beneficiaries of their own jurisdiction.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from shouwang.accounts import access
from shouwang.accounts.models import Role
from shouwang.areas import codes
from shouwang.core.exceptions import NotFound
from shouwang.registry.models import Child, ChildStatus
from shouwang.registry.policy import age_on

from .models import AidBeneficiary, AidProgramme, BeneficiaryStatus
from .policy import STANDARD_LEVELS

PROGRAMME_NOT_FOUND = "救助项目不存在或不在您的管辖范围内。"
_LARGEST_ID = 2**63 - 1
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
# What a beneficiary costs the budget: everyone not refused.
COMMITTED = (
    BeneficiaryStatus.CHOSEN,
    BeneficiaryStatus.APPROVED,
    BeneficiaryStatus.DELIVERED,
)
GRANTED = (BeneficiaryStatus.APPROVED, BeneficiaryStatus.DELIVERED)


def _active(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.area_id
    )


def may_manage(user) -> bool:
    """Civil-affairs staff of a province, city or county: set up programmes."""
    return (
        _active(user)
        and user.role == Role.CIVIL_AFFAIRS
        and codes.level_of(user.area_id) in STANDARD_LEVELS
    )


def may_prepare(user) -> bool:
    """Township supervisors and civil-affairs staff: choose and record delivery."""
    return _active(user) and user.role in (Role.CIVIL_AFFAIRS, Role.SUPERVISOR)


def may_approve(user) -> bool:
    """Civil-affairs staff: approve or refuse beneficiaries (not their own choices)."""
    return _active(user) and user.role == Role.CIVIL_AFFAIRS


def may_see_totals(user) -> bool:
    """Whoever may read the programme list: those who prepare, and leaders."""
    return may_prepare(user) or (_active(user) and user.role == Role.LEADER)


def programme_q(user) -> Q:
    """Programmes whose area holds the user's area or lies inside their jurisdiction."""
    if not may_see_totals(user):
        return Q(pk__in=[])
    return Q(area_id__in=[user.area_id, *codes.ancestors(user.area_id)]) | (
        access.jurisdiction_q(user, "area_id")
    )


def covers(user, village_id: str | None) -> bool:
    """Whether a child's village lies in the jurisdiction of one who prepares."""
    return may_prepare(user) and access.in_jurisdiction(user, village_id)


def in_programme_area(programme: AidProgramme, village_id: str) -> bool:
    return village_id.startswith(codes.prefix_of(programme.area_id))


def _totals(user) -> dict:
    mine = access.jurisdiction_q(user, "beneficiaries__village_id")

    def count(*statuses) -> Count:
        return Count(
            "beneficiaries", filter=mine & Q(beneficiaries__status__in=statuses)
        )

    def amount(*statuses) -> Coalesce:
        return Coalesce(
            Sum(
                "beneficiaries__amount",
                filter=mine & Q(beneficiaries__status__in=statuses),
            ),
            ZERO,
        )

    return {
        "chosen_count": count(BeneficiaryStatus.CHOSEN),
        "approved_count": count(*GRANTED),
        "delivered_count": count(BeneficiaryStatus.DELIVERED),
        "approved_amount": amount(*GRANTED),
        "delivered_amount": amount(BeneficiaryStatus.DELIVERED),
    }


def programme_list_for(user) -> QuerySet[AidProgramme]:
    """The programmes the user sees, each with the totals of their jurisdiction."""
    return (
        AidProgramme.objects.filter(programme_q(user))
        .select_related("area")
        .annotate(**_totals(user))
        .order_by("-starts_on", "-id")
    )


def programme_get_for(user, pk: int) -> AidProgramme:
    """One programme the user sees, with their totals; NotFound for missing and
    not-yours alike."""
    found = (
        programme_list_for(user).filter(pk=pk).first()
        if 0 < pk <= _LARGEST_ID
        else None
    )
    if found is None:
        raise NotFound(PROGRAMME_NOT_FOUND)
    return found


def committed_amount(programme_id: int) -> Decimal:
    """What the programme's beneficiaries not refused cost its budget, everywhere."""
    return (
        AidBeneficiary.objects.filter(programme_id=programme_id, status__in=COMMITTED)
        .aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
        .quantize(CENT)
    )


def beneficiaries_for(user, programme: AidProgramme) -> QuerySet[AidBeneficiary]:
    """The programme's beneficiaries in the jurisdiction of one who prepares."""
    if not may_prepare(user):
        return AidBeneficiary.objects.none()
    return (
        AidBeneficiary.objects.filter(
            access.jurisdiction_q(user, "village_id"), programme=programme
        )
        .select_related("child", "village", "chosen_by", "decided_by")
        .order_by("village_id", "id")
    )


# The ledger categories a programme looks at first; `all` shows every child.
CATEGORY_FILTERS = {
    "orphan": ("孤儿", Q(is_orphan=True)),
    "de_facto": ("事实无人抚养儿童", Q(is_de_facto_unsupported=True)),
    "disabled": ("残疾儿童", ~Q(disability_category="")),
    "all": ("全部在册儿童", Q()),
}
DEFAULT_CATEGORIES = (
    Q(is_orphan=True) | Q(is_de_facto_unsupported=True) | ~Q(disability_category="")
)


def candidates_for(
    user,
    programme: AidProgramme,
    *,
    category: str = "",
    schooling: str = "",
    village: str = "",
) -> QuerySet[Child]:
    """Active ledger children in the programme's area and the user's jurisdiction not
    yet chosen for it; by default the orphans, de facto unsupported and disabled."""
    if not may_prepare(user):
        return Child.objects.none()
    rows = Child.objects.filter(
        access.jurisdiction_q(user, "village_id"),
        access.prefix_q("village_id", codes.prefix_of(programme.area_id)),
        status=ChildStatus.ACTIVE,
    ).exclude(pk__in=programme.beneficiaries.values("child_id"))
    rows = rows.filter(
        CATEGORY_FILTERS[category][1]
        if category in CATEGORY_FILTERS
        else DEFAULT_CATEGORIES
    )
    if schooling:
        rows = rows.filter(schooling=schooling)
    if village:
        rows = rows.filter(access.prefix_q("village_id", codes.prefix_of(village)))
    return rows.select_related("village").order_by("village_id", "name_pinyin", "id")


def ledger_facts(child: Child, *, on: date) -> dict:
    """The ledger facts that matter to a programme, as they stand on a day."""
    disability = ""
    if child.disability_category:
        disability = f"{child.disability_category}{child.disability_grade}"
    return {
        "categories": [
            label
            for flag, label in (
                (child.is_orphan, "孤儿"),
                (child.is_de_facto_unsupported, "事实无人抚养儿童"),
                (bool(child.disability_category), "残疾儿童"),
            )
            if flag
        ],
        "disability": disability,
        "schooling": child.schooling,
        "school": child.school,
        "age": age_on(child.birth_date, on),
        "in_school_after_18": child.in_school_after_18,
    }


@dataclass(frozen=True)
class AidTotals:
    beneficiaries: int
    amount: Decimal


def aid_totals(*, prefix: str, start: date, end: date) -> AidTotals:
    """Beneficiaries recorded as paid or delivered from `start` to `end` (inclusive) in
    an area, and the amount paid to them (unvalued in-kind aid counts no yuan)."""
    totals = AidBeneficiary.objects.filter(
        access.prefix_q("village_id", prefix),
        status=BeneficiaryStatus.DELIVERED,
        delivered_on__gte=start,
        delivered_on__lte=end,
    ).aggregate(n=Count("id"), total=Coalesce(Sum("amount"), ZERO))
    return AidTotals(totals["n"], totals["total"].quantize(CENT))
