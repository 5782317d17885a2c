"""Writes for schedules: a county's visit intervals, and recomputing the county's due
dates once they change (in the background)."""

from datetime import date
from functools import partial

from django.db import transaction
from django.utils import timezone

from shouwang.accounts import access
from shouwang.areas import codes
from shouwang.areas.models import Area, AreaLevel
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import DomainError, NotFound
from shouwang.registry.models import Child, ChildStatus, VisitPolicy
from shouwang.registry.policy import DEFAULT_INTERVALS
from shouwang.registry.services import children_reclassify

# (field, the risk level it sets) in the order of the page and the API.
INTERVAL_FIELDS = (("high_days", "高"), ("medium_days", "中"), ("low_days", "低"))
MIN_DAYS = 1
# A county may only be stricter than the defaults (policy.INTERPRET_STRICTER_ONLY).
MAX_DAYS = {field: DEFAULT_INTERVALS[risk] for field, risk in INTERVAL_FIELDS}
POLICY_DENIED = "您没有设置走访间隔的权限。"


def interval_problem(field: str, value) -> str | None:
    """The Chinese message for an interval that is not a whole number of days from 1
    to the default (None when it is); the form, the API and the service all say the
    same."""
    risk, most = dict(INTERVAL_FIELDS)[field], MAX_DAYS[field]
    if value is None or value == "":
        return f"请填写风险{risk}儿童的走访间隔（{MIN_DAYS}至{most}天的整数）。"
    if isinstance(value, bool) or not isinstance(value, int):
        return (
            f"风险{risk}儿童的走访间隔应为{MIN_DAYS}至{most}天的整数，"
            f"“{value}”不是整数。"
        )
    if value < MIN_DAYS:
        return (
            f"风险{risk}儿童的走访间隔应为{MIN_DAYS}至{most}天的整数，当前为{value}天。"
        )
    if value > most:
        return (
            f"风险{risk}儿童的走访间隔最长{most}天（各县只能比默认的{most}天更严），"
            f"当前为{value}天。"
        )
    return None


def policy_county_for(actor, county_code: str) -> Area:
    """The county of county_code if it lies in the actor's jurisdiction; NotFound
    for a missing county, a code of another level and another jurisdiction alike."""
    county = Area.objects.filter(code=county_code or "").first()
    if (
        county is None
        or county.level != AreaLevel.COUNTY
        or not access.in_jurisdiction(actor, county.code)
    ):
        raise NotFound("县（市、区）不存在或不在您的管辖范围内。")
    return county


def visit_policy_set(
    *, actor, county_code: str, high_days: int, medium_days: int, low_days: int
) -> VisitPolicy:
    """Set a county's visit interval per risk level (audited); every active child of
    the county is rescheduled in the background once the change is committed."""
    if not access.has_perm(actor, access.Perm.SET_VISIT_POLICY):
        raise DomainError(POLICY_DENIED)
    county = policy_county_for(actor, county_code)
    values = {"high_days": high_days, "medium_days": medium_days, "low_days": low_days}
    for field, value in values.items():
        problem = interval_problem(field, value)
        if problem:
            raise DomainError(problem, field=field)
    with transaction.atomic():
        policy = VisitPolicy.objects.select_for_update().filter(county=county).first()
        before = {field: getattr(policy, field) for field in values} if policy else None
        if before == values:
            return policy  # nothing changed: nothing written, nothing recomputed
        if policy is None:
            policy = VisitPolicy(county=county)
        for field, value in values.items():
            setattr(policy, field, value)
        policy.updated_by = actor
        policy.save()
        audit_record(
            actor=actor,
            action=AuditAction.VISIT_POLICY_SET,
            obj=policy,
            area=county,
            details={"before": before, "after": values},
        )
        transaction.on_commit(partial(_enqueue_recompute, county.code))
    return policy


def _enqueue_recompute(county_code: str) -> None:
    from ..tasks import recompute_county_schedule  # tasks import this module

    recompute_county_schedule.enqueue(county_code)


def county_schedule_recompute(*, county_code: str, as_of: date | None = None) -> int:
    """Reclassify the county's active children for as_of (today by default) so that
    their intervals and next due dates follow the county's policy; returns how many
    children's classification changed."""
    low, high = codes.prefix_bounds(codes.prefix_of(county_code))
    children = (
        Child.objects.filter(
            status=ChildStatus.ACTIVE, village_id__gte=low, village_id__lte=high
        )
        .order_by("pk")
        .iterator(chunk_size=2000)
    )
    return children_reclassify(as_of=as_of or timezone.localdate(), children=children)
