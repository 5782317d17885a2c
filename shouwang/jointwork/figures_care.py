"""The community care and responsibility letter figures of the report catalogue
(issue R11 item 6), from rows not voided, per area code (the same keys the status
bulletin's sentences name, formerly pending):

- care.donations: donations dated in the period, in 万元 as the bulletin gives them
  (counted in fen, scale 1,000,000, so that sums are exact), at the recording area
  (a county or city);
- care.children_funded: distinct children named as direct recipients of those
  donations, at the child's village (a child of two donations counted once per
  village);
- care.volunteer_pairings: pairings ACTIVE in the period (started on or before its
  end, not ended before its start), at the child's village;
- care.activities: activities held in the period, at the recording area;
- publicity.activities: of those, the publicity-and-education kinds
  (INTERPRET_PUBLICITY_ACTIVITIES: 安全教育, 心理健康 — the kinds that are talks and
  campaigns to the public rather than care for named children);
- publicity.handbooks / signboards / leaflets: quantities of each kind dated in the
  period;
- jointwork.letters_signed: responsibility letters signed in the period, at the
  government party's area (a county's with its townships and units; a township's
  with its villages).
"""

from django.db.models import Count, Q, Sum

from shouwang.accounts import access
from shouwang.reports.catalogue import (
    ByArea,
    Figure,
    Kind,
    add_value,
    declare,
    declare_source,
    fen,
)

from .models import (
    Activity,
    Donation,
    Pairing,
    PublicityItem,
    ResponsibilityLetter,
)
from .vocab import ActivityKind, PublicityKind

DONATIONS = "care.donations"
CHILDREN_FUNDED = "care.children_funded"
PAIRINGS = "care.volunteer_pairings"
ACTIVITIES = "care.activities"
PUBLICITY_ACTIVITIES = "publicity.activities"
HANDBOOKS = "publicity.handbooks"
SIGNBOARDS = "publicity.signboards"
LEAFLETS = "publicity.leaflets"
LETTERS_SIGNED = "jointwork.letters_signed"

INTERPRET_PUBLICITY_ACTIVITIES = (ActivityKind.SAFETY, ActivityKind.MENTAL)
PUBLICITY_KEYS = {
    PublicityKind.HANDBOOK: HANDBOOKS,
    PublicityKind.SIGNBOARD: SIGNBOARDS,
    PublicityKind.LEAFLET: LEAFLETS,
}


class CareSource:
    """Donations, recipients, pairings, activities, publicity and letters of the
    period (rows not voided), per area code under the prefix."""

    name = "jointwork_care"
    kind = Kind.FLOW

    def _donations(self, prefix, start, end):
        return Donation.objects.filter(
            access.prefix_q("area_id", prefix),
            voided_at__isnull=True,
            donated_on__gte=start,
            donated_on__lte=end,
        )

    def compute(self, figures, *, prefix, day=None, start=None, end=None, live=False):
        result: ByArea = {}
        donations = self._donations(prefix, start, end)
        for row in donations.values("area_id").order_by().annotate(total=Sum("amount")):
            add_value(result, row["area_id"], DONATIONS, fen(row["total"]))
        # Recipients are counted where they live, whoever recorded the donation.
        funded = (
            Donation.children.through.objects.filter(
                access.prefix_q("child__village_id", prefix),
                donation__voided_at__isnull=True,
                donation__donated_on__gte=start,
                donation__donated_on__lte=end,
            )
            .values("child__village_id")
            .order_by()
            .annotate(n=Count("child_id", distinct=True))
        )
        for row in funded:
            add_value(result, row["child__village_id"], CHILDREN_FUNDED, row["n"])
        pairings = (
            Pairing.objects.filter(
                access.prefix_q("child__village_id", prefix),
                voided_at__isnull=True,
                starts_on__lte=end,
            )
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start))
            .values("child__village_id")
            .order_by()
            .annotate(n=Count("pk"))
        )
        for row in pairings:
            add_value(result, row["child__village_id"], PAIRINGS, row["n"])
        activities = (
            Activity.objects.filter(
                access.prefix_q("area_id", prefix),
                voided_at__isnull=True,
                held_on__gte=start,
                held_on__lte=end,
            )
            .values("area_id")
            .order_by()
            .annotate(
                n=Count("pk"),
                publicity=Count(
                    "pk", filter=Q(kind__in=INTERPRET_PUBLICITY_ACTIVITIES)
                ),
            )
        )
        for row in activities:
            add_value(result, row["area_id"], ACTIVITIES, row["n"])
            add_value(result, row["area_id"], PUBLICITY_ACTIVITIES, row["publicity"])
        items = (
            PublicityItem.objects.filter(
                access.prefix_q("area_id", prefix),
                voided_at__isnull=True,
                made_on__gte=start,
                made_on__lte=end,
                kind__in=list(PUBLICITY_KEYS),
            )
            .values("area_id", "kind")
            .order_by()
            .annotate(total=Sum("quantity"))
        )
        for row in items:
            add_value(result, row["area_id"], PUBLICITY_KEYS[row["kind"]], row["total"])
        letters = (
            ResponsibilityLetter.objects.filter(
                access.prefix_q("area_id", prefix),
                voided_at__isnull=True,
                signed_on__gte=start,
                signed_on__lte=end,
            )
            .values("area_id")
            .order_by()
            .annotate(n=Count("pk"))
        )
        for row in letters:
            add_value(result, row["area_id"], LETTERS_SIGNED, row["n"])
        return result

    def entered_since(self, *, prefix, period, since) -> bool:
        # updated_at: a row voided, a pairing ended, recipients set since.
        changed = Q(updated_at__gt=since)
        return any(
            model.objects.filter(access.prefix_q(field, prefix))
            .filter(changed)
            .exists()
            for model, field in (
                (Donation, "area_id"),
                (Pairing, "child__village_id"),
                (Activity, "area_id"),
                (PublicityItem, "area_id"),
                (ResponsibilityLetter, "area_id"),
            )
        )


care = CareSource()
declare_source(care)


def _figure(key, label, unit, definition, group, *, counted_at="village", **extra):
    return Figure(
        key=key,
        label=label,
        unit=unit,
        definition=definition,
        kind=Kind.FLOW,
        group=group,
        source=care.name,
        counted_at=counted_at,
        list_view="",
        **extra,
    )


CARE = "社会关爱"
PUBLICITY = "宣传"
declare(
    _figure(
        DONATIONS,
        "筹集捐款",
        "万元",
        "捐赠日期在期内、未作废的社会捐赠金额合计，以万元计（按登记的县、市计）。",
        CARE,
        counted_at="county",
        scale=100 * 10_000,  # fen in a 万元
    ),
    _figure(
        CHILDREN_FUNDED,
        "资助儿童",
        "人",
        "期内社会捐赠中登记为直接受助的儿童人数（每人计一次，按儿童所在村计）。",
        CARE,
    ),
    _figure(
        PAIRINGS,
        "志愿者结对帮扶",
        "对",
        "期内处于结对期间（开始日期不晚于期末、结束日期不早于期初或未结束）、"
        "未作废的志愿者与儿童结对对数（按儿童所在村计）。",
        CARE,
    ),
    _figure(
        ACTIVITIES,
        "关爱活动",
        "场次",
        "活动日期在期内、未作废的关爱活动场次（按登记的区划计）。",
        CARE,
        counted_at="township",
    ),
    _figure(
        PUBLICITY_ACTIVITIES,
        "宣传活动",
        "场次",
        "活动日期在期内、类型为安全教育或心理健康（面向公众的宣传教育）的关爱活动"
        "场次。",
        PUBLICITY,
        counted_at="township",
    ),
    _figure(
        HANDBOOKS,
        "发放宣传手册",
        "册",
        "日期在期内、未作废的宣传手册数量合计。",
        PUBLICITY,
        counted_at="township",
    ),
    _figure(
        SIGNBOARDS,
        "设置宣传牌",
        "块",
        "日期在期内、未作废的宣传标牌数量合计。",
        PUBLICITY,
        counted_at="township",
    ),
    _figure(
        LEAFLETS,
        "发放宣传单",
        "份",
        "日期在期内、未作废的宣传单数量合计。",
        PUBLICITY,
        counted_at="township",
    ),
    _figure(
        LETTERS_SIGNED,
        "签订责任书",
        "份",
        "签订日期在期内、未作废的责任书份数（县与乡镇、成员单位签订的计在县，"
        "乡镇与村签订的计在乡镇）。",
        "联席会议",
        counted_at="township",
    ),
)
