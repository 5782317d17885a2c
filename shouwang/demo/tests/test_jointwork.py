"""The demo joint work and community care: member units with duties (civil affairs
the office), a year of city and county meetings whose tasks are mostly closed on
time, some late, a few overdue (one with a 督办通知), some not yet due; this year's
letters short of full coverage; donations, volunteers, pairings (one disclosed by
the village director), activities and publicity of each kind; this year's figures
of the county are filled, and a second load adds nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shouwang.accounts.models import User
from shouwang.areas.models import Area
from shouwang.demo import children as demo_children
from shouwang.demo import city
from shouwang.demo import jointwork as demo
from shouwang.jointwork import figures_care, figures_meetings
from shouwang.jointwork import selectors_letters as letters
from shouwang.jointwork.models import (
    Donation,
    Meeting,
    MemberUnit,
    Pairing,
    PublicityItem,
    SupervisionNotice,
    Task,
)
from shouwang.jointwork.vocab import CIVIL_AFFAIRS, PublicityKind, TaskState
from shouwang.reports import compute
from shouwang.reports.periods import Period

pytestmark = pytest.mark.django_db


def test_a_year_of_joint_work_and_care_through_the_services():
    city.demo_city_load()
    demo_children.demo_children_load(count=300)
    summary = demo.demo_jointwork_load()
    today = timezone.localdate()

    offices = MemberUnit.objects.filter(is_office=True)
    assert {(u.area_id, u.unit) for u in offices} == {
        (city.CITY_CODE, CIVIL_AFFAIRS),
        (demo.COUNTY, CIVIL_AFFAIRS),
    }
    education = MemberUnit.objects.get(area_id=demo.COUNTY, unit="education")
    assert "控辍保学" in education.duties
    assert [u.username for u in education.contacts.all()] == ["demo_jiaoyu"]

    assert summary["会议"] == 10
    assert Meeting.objects.filter(area_id=city.CITY_CODE).count() == 4
    held = Meeting.objects.values_list("held_on", flat=True)
    assert all(today - timedelta(days=366) < d <= today for d in held)
    tasks = Task.objects.all()
    assert summary["任务"] == tasks.count() > 30
    assert all(t.deadline >= t.decision.meeting.held_on for t in tasks)
    assert summary["按期办结"] > summary["逾期办结"] > 0
    assert summary["逾期未办结"] == 4
    assert tasks.filter(state=TaskState.REPORTED).count() == 1
    assert tasks.filter(state=TaskState.OPEN, deadline__gte=today).count() >= 3
    notice = SupervisionNotice.objects.get()
    assert notice.number == f"隆督〔{today.year}〕1号"
    assert notice.task.deadline < notice.issued_on <= today < notice.new_deadline
    assert notice.task.state == TaskState.OPEN
    returned = tasks.filter(reports__text__startswith="【退回】").get()
    assert returned.state == TaskState.CLOSED

    office = User.objects.get(username=demo.COUNTY_OFFICE)
    county = Area.objects.get(code=demo.COUNTY)
    coverage = letters.coverage_for(viewer=office, area=county, year=today.year)
    assert summary["乡镇责任书"] == "5/6"
    assert coverage.areas.rate < 100 and coverage.units.rate < 100
    assert coverage.units.missing == ["法院", "团委"]
    assert sum(len(line.missing) for line in coverage.villages) == 6 * 8 - (3 * 8 - 1)

    assert Donation.objects.count() == 7
    assert Donation.objects.filter(children__isnull=False).distinct().count() == 3
    home = User.objects.get(username="demo_zhuren").area_id
    assert Pairing.objects.filter(child__village_id=home).exists()
    disclosed = Pairing.objects.get(disclose_more=True)
    assert disclosed.disclosed_by.username == "demo_zhuren"
    assert disclosed.child.village_id == home
    assert set(PublicityItem.objects.values_list("kind", flat=True)) == set(
        PublicityKind.values
    )
    assert summary["志愿者"] == 10

    values = compute.figures_for(county, Period(today.replace(month=1, day=1), today))
    for key in (
        figures_meetings.MEETINGS,
        figures_meetings.TASKS_ASSIGNED,
        figures_meetings.TASKS_OVERDUE,
        figures_care.DONATIONS,
        figures_care.CHILDREN_FUNDED,
        figures_care.PAIRINGS,
        figures_care.ACTIVITIES,
        figures_care.LEAFLETS,
        figures_care.LETTERS_SIGNED,
    ):
        assert values[key], key
    assert (
        values[figures_meetings.TASKS_OVERDUE]
        == Task.objects.filter(
            area_id=demo.COUNTY, state=TaskState.OPEN, deadline__lt=today
        ).count()
    )

    assert demo.demo_jointwork_load() == summary  # loaded once
    assert Meeting.objects.count() == 10
