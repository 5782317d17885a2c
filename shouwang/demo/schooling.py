"""A demo school registration list for the demo county and a few dropout cases, so
that 三比对 finds children missing from the list or listed 辍学, and the dropout
register holds cases in progress and one returned to school. Written directly as a
list with its rows (the import's check is for uploaded files) and through
schooling.services for the cases; loaded once."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from shouwang.accounts import access
from shouwang.accounts.models import User
from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.registry.models import Child, ChildStatus
from shouwang.schooling import services
from shouwang.schooling.comparison import born_between, school_age_range
from shouwang.schooling.models import DropoutCase, EnrolmentList, EnrolmentRow
from shouwang.schooling.vocab import DropoutReason, EnrolmentStatus

from .city import COUNTY_CODES

COUNTY = COUNTY_CODES[0]
SEED = 2026
MISSING_EVERY = 40  # one school-age child in 40 is not on the list
DROPPED = 6  # children listed 辍学, of whom CASES get a dropout case
CASES = 4
SCHOOLS = ("城关小学", "桃洪小学", "六都寨中学", "第二中学")
LEFT_DAYS = (90, 60, 45, 30)


def demo_schooling_load() -> dict[str, int]:
    """Write the demo county's list and dropout cases unless a list is there."""
    county = Area.objects.get(code=COUNTY)
    if EnrolmentList.objects.filter(area=county).exists():
        return demo_schooling_summary()
    today = timezone.localdate()
    first, last = born_between(today, school_age_range())
    children = list(
        Child.objects.filter(
            access.prefix_q("village_id", codes.prefix_of(COUNTY)),
            status=ChildStatus.ACTIVE,
            birth_date__gte=first,
            birth_date__lte=last,
        )
        .exclude(id_number=None)
        .exclude(id_number="")
        .order_by("pk")
    )
    rng = random.Random(SEED)
    listed = [c for i, c in enumerate(children) if i % MISSING_EVERY != 7]
    dropped = set(c.pk for c in rng.sample(listed, min(DROPPED, len(listed))))
    education = User.objects.get(username="demo_jiaoyu")
    with transaction.atomic():
        enrolment_list = EnrolmentList.objects.create(
            area=county,
            listed_on=today,
            original_name="隆回县义务教育学籍名单（演示）.xlsx",
            row_count=len(listed),
            uploaded_by=education,
        )
        EnrolmentRow.objects.bulk_create(
            (
                EnrolmentRow(
                    enrolment_list=enrolment_list,
                    row_number=row,
                    name=child.name,
                    id_number=child.id_number,
                    school=SCHOOLS[child.pk % len(SCHOOLS)],
                    status=EnrolmentStatus.DROPPED
                    if child.pk in dropped
                    else EnrolmentStatus.ENROLLED,
                )
                for row, child in enumerate(listed, start=2)
            ),
            batch_size=2000,
        )
        reasons = list(DropoutReason)
        for i, child_id in enumerate(sorted(dropped)[:CASES]):
            case = services.dropout_register(
                actor=education,
                child_id=child_id,
                values={
                    "school": SCHOOLS[child_id % len(SCHOOLS)],
                    "left_on": today - timedelta(days=LEFT_DAYS[i]),
                    "reason": reasons[i % len(reasons)],
                    "responsibles": [
                        {"role": "校长", "name": "刘校长"},
                        {"role": "村干部", "name": "村主任"},
                    ],
                },
            )
            if i == 0:
                services.dropout_close(
                    actor=education,
                    case_id=case.pk,
                    values={
                        "outcome": "返校复学",
                        "outcome_on": today,
                        "evidence": "学校出具的复学证明",
                    },
                )
    return demo_schooling_summary()


def demo_schooling_summary() -> dict[str, int]:
    """The list's rows and the demo county's dropout cases by state."""
    cases = DropoutCase.objects.filter(
        access.prefix_q("village_id", codes.prefix_of(COUNTY))
    )
    return {
        "名单人数": EnrolmentRow.objects.filter(enrolment_list__area_id=COUNTY).count(),
        "劝返中": cases.filter(status="open").count(),
        "已返校": cases.filter(outcome="返校复学").count(),
    }
