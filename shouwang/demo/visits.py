"""Synthetic visits, guardianship confirmations and 包片 leaders for the demo children,
written in bulk. Visits follow each child's history (from registration, until it
exited or left its categories) over the last fifteen months, so that every past
month-end of the last year finds a believable schedule. Most children were visited
on time; now and then a visit came late, and some children are overdue today."""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from shouwang.accounts.models import Role, User
from shouwang.areas import codes
from shouwang.areas.models import Area, AreaLevel
from shouwang.registry import policy, services
from shouwang.registry.models import Child, ChildChange, ChildStatus
from shouwang.visits.models import (
    FINDING_ASPECTS,
    GuardianshipConfirmation,
    PatchLeader,
    Visit,
)

from .city import CITY_CODE

DEMO_SEED = 2026
# Visits reach back a year and the longest interval (90 days) and more: every month-end
# of the last twelve months finds each child's latest visit.
VISIT_HISTORY_DAYS = 465
LATE_SHARE = 0.25  # visits that came later than the interval, by up to one interval
MODES = (("入户", 70), ("电话", 15), ("视频", 5), ("在校", 10))
NOTES = {
    "guardianship": ("祖辈年迈，照料较吃力", "监护人外出打工，临时由邻居照看"),
    "living": ("家中卫生条件较差", "冬季衣物不足"),
    "study": ("成绩下滑，老师反映上课走神", "近期多次迟到"),
    "safety": ("住房老旧，有漏雨", "家附近有水塘，未设防护"),
    "emotion": ("想念父母，情绪低落", "与同学相处有矛盾"),
}
MEASURES = (
    "已联系学校班主任加强关注",
    "已协调村委会上门帮扶",
    "已告知父母，约定每周视频通话",
    "已申请临时救助",
    "已转介乡镇社工站",
)


def _weighted(rng: random.Random, table) -> str:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _visit(
    rng: random.Random,
    child_id: int,
    village_id: str,
    met: str,
    day: date,
    recorder: User,
) -> Visit:
    values = {name: "正常" for name, _ in FINDING_ASPECTS}
    notes = {f"{name}_note": "" for name, _ in FINDING_ASPECTS}
    problems = measures = ""
    followup_due = None
    roll = rng.random()
    if roll < 0.25:
        aspect = rng.choice(FINDING_ASPECTS)[0]
        values[aspect] = "有问题" if roll < 0.05 else "需关注"
        notes[f"{aspect}_note"] = rng.choice(NOTES[aspect])
        if values[aspect] == "有问题":
            problems = notes[f"{aspect}_note"]
            measures = rng.choice(MEASURES)
            followup_due = day + timedelta(days=rng.choice((3, 5, 7)))
    return Visit(
        child_id=child_id,
        village_id=village_id,
        visit_date=day,
        mode=_weighted(rng, MODES),
        visitors=recorder.display_name,
        met=met or "儿童本人",
        problems=problems,
        measures=measures,
        followup_needed=followup_due is not None,
        followup_due=followup_due,
        recorded_by=recorder,
        **values,
        **notes,
    )


def _recorders() -> dict[str, User]:
    """For each demo village, who records its visits: its director, else the township's
    supervisor."""
    staff = {
        u.area_id: u
        for u in User.objects.filter(
            role__in=[Role.DIRECTOR, Role.SUPERVISOR], is_active=True
        ).order_by("-id")
    }
    low, high = codes.prefix_bounds(CITY_CODE[:4])
    recorders = {}
    for village in Area.objects.filter(
        level=AreaLevel.VILLAGE, code__gte=low, code__lte=high
    ):
        user = staff.get(village.code) or staff.get(codes.pad(village.code[:9]))
        if user is not None:
            recorders[village.code] = user
    return recorders


def _children() -> list[Child]:
    """Every demo child, exited or not: each was visited while it had a schedule."""
    low, high = codes.prefix_bounds(CITY_CODE[:4])
    return list(
        Child.objects.filter(village_id__gte=low, village_id__lte=high).order_by("pk")
    )


@dataclass(frozen=True)
class Span:
    """A stretch of a child's time on the ledger with one record: its village, who
    was met, and the visit interval (None: no schedule)."""

    start: date
    end: date  # the last day
    village_id: str
    met: str
    interval: int | None


def _spans(children: list[Child], today: date) -> dict[int, list[Span]]:
    """Each child's active stretches from its history: a stretch per record state,
    scheduled up to the last day its classification (by age that day) had an
    interval."""
    settings = services.CountySettings()
    states: dict[int, list[tuple[date, dict]]] = {}
    for child_id, at, snap in (
        ChildChange.objects.filter(child__in=children)
        .order_by("child_id", "at", "id")
        .values_list("child_id", "at", "snapshot")
        .iterator(chunk_size=2000)
    ):
        states.setdefault(child_id, []).append((timezone.localtime(at).date(), snap))
    spans: dict[int, list[Span]] = {}
    for child_id, rows in states.items():
        result = []
        for i, (start, snap) in enumerate(rows):
            end = rows[i + 1][0] - timedelta(days=1) if i + 1 < len(rows) else today
            if snap["status"] != ChildStatus.ACTIVE or end < start:
                continue
            facts = services.facts_from_values(snap)
            rules = settings(snap["village_id"])

            def interval(day: date, facts=facts, rules=rules) -> int | None:
                return policy.classify(facts, day, rules).visit_interval_days

            # Children age out of their categories: find the last scheduled day.
            if interval(end) is None:
                low, high = start.toordinal() - 1, end.toordinal()
                while high - low > 1:  # interval(low) known set, interval(high) None
                    middle = (low + high) // 2
                    if interval(date.fromordinal(middle)) is None:
                        high = middle
                    else:
                        low = middle
                end = date.fromordinal(low)
            if end >= start:
                result.append(
                    Span(
                        start,
                        end,
                        snap["village_id"],
                        snap["guardian_name"],
                        interval(end),
                    )
                )
        spans[child_id] = result
    return spans


def _visit_days(
    rng: random.Random, spans: list[Span], since: date
) -> list[tuple[date, Span]]:
    """Visit days through the child's scheduled stretches, from registration (or
    `since`, mid-schedule): the first soon after registration, then one interval
    apart, now and then late (the late ones are the overdue children of their day)."""
    days = []
    for n, span in enumerate(spans):
        interval = span.interval
        if interval is None:
            continue
        if n == 0 and span.start < since:
            day = since + timedelta(days=rng.randint(0, interval - 1))
        else:
            day = max(span.start, since) + timedelta(
                days=rng.randint(0, min(5, interval))
            )
        if days and days[-1][0] + timedelta(days=interval) > day:
            day = days[-1][0] + timedelta(
                days=interval - rng.randint(0, min(3, interval - 1))
            )
        while day <= span.end:
            days.append((day, span))
            if rng.random() < LATE_SHARE:
                gap = interval + rng.randint(1, interval)
            else:
                gap = interval - rng.randint(0, min(3, interval - 1))
            day += timedelta(days=gap)
    return days


def demo_visits_count() -> int:
    """How many visits the demo children have."""
    low, high = codes.prefix_bounds(CITY_CODE[:4])
    return Visit.objects.filter(village_id__gte=low, village_id__lte=high).count()


@transaction.atomic
def demo_visits_load(*, seed: int = DEMO_SEED, as_of: date | None = None) -> int:
    """Visits for every demo child while it had a schedule, over the last
    VISIT_HISTORY_DAYS (once); each child's schedule follows its latest visit.
    Returns how many visits were added."""
    if demo_visits_count():
        return 0
    as_of = as_of or timezone.localdate()
    rng = random.Random(seed)
    recorders = _recorders()
    children = _children()
    spans = _spans(children, as_of)
    since = as_of - timedelta(days=VISIT_HISTORY_DAYS)
    batch: list[Visit] = []
    total = 0
    for child in children:
        visits = [
            _visit(rng, child.pk, span.village_id, span.met, day, recorder)
            for day, span in _visit_days(rng, spans.get(child.pk, []), since)
            if (recorder := recorders.get(span.village_id)) is not None
        ]
        batch.extend(visits)
        if visits:
            latest = visits[-1]
            child.last_visit_date = latest.visit_date
            child.visit_followup_due = latest.followup_due
        if child.status == ChildStatus.ACTIVE:
            child.next_visit_due = policy.next_visit_due(
                interval_days=child.visit_interval_days,
                last_visit=child.last_visit_date,
                follow_up=child.visit_followup_due,
                registered_on=timezone.localtime(child.created_at).date(),
            )
        if len(batch) >= 5000:
            Visit.objects.bulk_create(batch)
            total += len(batch)
            batch = []
    Visit.objects.bulk_create(batch)
    total += len(batch)
    Child.objects.bulk_update(
        children,
        ["last_visit_date", "visit_followup_due", "next_visit_due"],
        batch_size=1000,
    )
    return total


@transaction.atomic
def demo_confirmations_load() -> int:
    """A current confirmation for every demo child whose record says one was signed
    (once); returns how many were added."""
    low, high = codes.prefix_bounds(CITY_CODE[:4])
    children = Child.objects.filter(
        confirmation_signed=True,
        village_id__gte=low,
        village_id__lte=high,
        confirmations__isnull=True,
    ).order_by("pk")
    recorders = _recorders()
    rows = []
    for child in children:
        recorder = recorders.get(child.village_id)
        if recorder is None:
            continue
        parents = "、".join(n for n in (child.father_name, child.mother_name) if n)
        rows.append(
            GuardianshipConfirmation(
                child=child,
                village_id=child.village_id,
                signed_on=child.confirmation_date or timezone.localdate(),
                valid_until=None,
                entrusting_parties=parents or "父母",
                entrusted_guardian=child.guardian_name or "（未登记）",
                committee_signatory=recorder.display_name,
                recorded_by=recorder,
                note="演示数据",
            )
        )
    GuardianshipConfirmation.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


@transaction.atomic
def demo_patch_leaders_load(*, seed: int = DEMO_SEED) -> int:
    """A 包片 leader for every demo township (once); returns how many were added."""
    rng = random.Random(seed)
    low, high = codes.prefix_bounds(CITY_CODE[:4])
    townships = Area.objects.filter(
        level=AreaLevel.TOWNSHIP, code__gte=low, code__lte=high
    ).order_by("code")
    assigner = User.objects.filter(role=Role.CIVIL_AFFAIRS, area_id=CITY_CODE).first()
    if assigner is None:
        return 0
    added = 0
    for township in townships:
        if PatchLeader.objects.filter(area=township).exists():
            continue
        PatchLeader.objects.create(
            area=township,
            name=rng.choice("王李张刘陈杨黄赵") + rng.choice(("志刚", "建华", "丽萍")),
            title=rng.choice(("党委副书记", "副镇长", "人大主席")),
            phone=f"138{rng.randint(0, 99_999_999):08d}",
            started_on=date(timezone.localdate().year, 1, 1),
            assigned_by=assigner,
        )
        added += 1
    return added
