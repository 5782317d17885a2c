"""The demo protection cases: written through the services in every state, with
coherent timestamps and deadlines (some overdue and escalated), an action of every
kind in last quarter's closed cases, the member units' inboxes filled, loaded once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shouwang.accounts.models import User
from shouwang.areas.models import Area
from shouwang.demo import children as demo_children
from shouwang.demo import city
from shouwang.demo import protection as demo
from shouwang.protection import selectors
from shouwang.protection.models import Case, CaseAction, CaseEvent, Referral
from shouwang.protection.vocab import (
    ActionKind,
    CaseEventKind,
    CaseStatus,
    Channel,
    ReferralStatus,
    Sensitivity,
)
from shouwang.reports import compute
from shouwang.reports.periods import Period, last_quarter, quarter_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    city.demo_city_load()
    demo_children.demo_children_load(count=300)
    return demo.demo_cases_load()


def _user(username: str) -> User:
    return User.objects.get(username=username)


def test_cases_in_every_state_some_overdue(loaded):
    now = timezone.now()
    cases = Case.objects.filter(county_id=demo.COUNTY)
    assert loaded == cases.count() == len(demo.STORIES)
    by_status = {s: cases.filter(status=s).count() for s in CaseStatus.values}
    assert by_status == {
        "reported": 3,
        "accepted": 2,
        "assessed": 2,
        "referred": 4,
        "closed": 5,
    }
    waiting = cases.filter(status=CaseStatus.REPORTED)
    assert waiting.filter(police_due_at__lt=now).count() == 2
    assert waiting.filter(police_due_at__gt=now).count() == 1
    referrals = Referral.objects.filter(county_id=demo.COUNTY)
    assert set(referrals.values_list("status", flat=True)) == set(ReferralStatus.values)
    pending = referrals.filter(status=ReferralStatus.PENDING)
    assert pending.filter(respond_by__lt=now).count() == 1
    assert pending.filter(respond_by__gt=now).count() == 1
    assert referrals.filter(status=ReferralStatus.DONE, successful=False).exists()
    [reopened] = cases.filter(events__kind=CaseEventKind.REOPENED)
    assert reopened.is_open and now < reopened.assessment_due_at
    [sensitive] = cases.filter(sensitivity=Sensitivity.HIGH)
    assert sensitive.handlers.filter(removed_at=None).count() >= 2
    [phoned] = cases.filter(channel=Channel.PHONE)
    assert phoned.anonymous and phoned.reporter is None and not phoned.reporter_name
    # Three children outside the ledger; the others are ledger children (when a small
    # test ledger holds none that fits a story, that story's child is described).
    assert cases.filter(child=None).count() >= 3
    assert cases.exclude(child=None).values("child").distinct().count() == (
        cases.exclude(child=None).count()
    )


def test_numbers_deadlines_and_timelines_are_those_of_the_day(loaded):
    now = timezone.now()
    for case in Case.objects.filter(county_id=demo.COUNTY):
        reported = case.reported_at
        assert case.number.startswith(
            f"430524-{timezone.localtime(reported):%Y%m%d}-"
        ), case
        assert case.found_at < reported < now
        events = list(case.events.order_by("at", "id"))
        assert events[0].kind == CaseEventKind.REPORTED
        assert events[0].at == reported
        assert all(e.at < now for e in events)
        if case.police_decided_at is None:
            assert case.police_due_at == reported + timedelta(hours=24)
        else:
            assert case.police_due_at is None and case.police_decided_at > reported
            if case.feedback_at is None and case.is_open:
                assert case.feedback_due_at == case.police_decided_at + timedelta(
                    days=3
                )
        if case.assessed_at is None:
            assert case.assessment_due_at == reported + timedelta(days=3)
        for referral in case.referrals.all():
            assert referral.created_at > reported
            assert referral.respond_by == referral.created_at + timedelta(
                hours=referral.timeframe
            )
        for action in case.actions.all():
            [event] = [
                e
                for e in events
                if e.kind == CaseEventKind.ACTION and e.at == action.created_at
            ]
            assert action.occurred_on == timezone.localtime(event.at).date()
        # Escalated just after a deadline passed, never before.
        for event in case.events.filter(kind=CaseEventKind.ESCALATED):
            assert event.at < now
            assert event.note.endswith("已提请上级督办")


def test_overdue_items_are_on_the_supervision_list_escalated(loaded):
    civil = _user("demo_xianminzheng")
    items = selectors.supervision_for(civil)
    owed = sorted((item.what, item.owed_by) for item in items)
    assert owed == sorted(
        [
            ("受理报告", "公安"),
            ("受理报告", "公安"),
            ("评估", "民政"),
            ("评估", "民政"),
            ("向报告单位反馈", "公安"),
            ("接收转介（就学保障与劝返复学）", "教育"),
        ]
    )
    assert selectors.supervision_count_for(civil) == len(items) == 6
    # The sweep runs every few minutes: a case is escalated once, just after its first
    # deadline passed; a referral just after its own.
    first_due: dict = {}
    for item in items:
        key = item.referral or item.case
        first_due[key] = min(first_due.get(key, item.due_at), item.due_at)
    for record, due in first_due.items():
        assert record.escalated_at == due + timedelta(minutes=5), record


def test_last_quarter_closed_cases_hold_an_action_of_every_kind(loaded):
    quarter = last_quarter(timezone.localdate())
    actions = CaseAction.objects.filter(
        county_id=demo.COUNTY,
        occurred_on__range=(quarter.start, quarter.end),
        case__status=CaseStatus.CLOSED,
    )
    assert set(actions.values_list("kind", flat=True)) == set(ActionKind.values)
    closed = Case.objects.filter(county_id=demo.COUNTY, status=CaseStatus.CLOSED)
    in_quarter = closed.filter(
        reported_at__date__gte=quarter.start,
        closed_at__date__lte=quarter.end,
    )
    assert in_quarter.count() == closed.count() == 5
    hours = sorted(
        (c.police_decided_at - c.reported_at).total_seconds() / 3600
        for c in Case.objects.exclude(police_decided_at=None)
    )
    assert hours[0] <= 2 and hours[-1] >= 24  # one acceptance came late


def test_the_last_quarter_bulletin_counts_each_protection_figure(loaded):
    county = Area.objects.get(code=demo.COUNTY)
    today = timezone.localdate()
    figures = compute.figures_for(county, last_quarter(today))
    # Only last quarter's closed cases did these (exactly) ...
    assert {
        key: figures[key]
        for key in (
            "protection.rescues",
            "protection.placed_in_institution",
            "police.hukou_registered",
            "court.judged_cases",
            "court.abuse_cases",
            "court.abandonment_cases",
            "procuratorate.prosecution_cases",
            "procuratorate.prosecution_persons",
        )
    } == {
        "protection.rescues": 2,
        "protection.placed_in_institution": 2,
        "police.hukou_registered": 2,
        "court.judged_cases": 2,
        "court.abuse_cases": 1,
        "court.abandonment_cases": 1,
        "procuratorate.prosecution_cases": 1,
        "procuratorate.prosecution_persons": 1,
    }
    # ... these too, and the open cases of recent weeks may add to them early in a
    # quarter.
    for key, least in (
        ("protection.reports", 5),
        ("protection.police_decided", 5),
        ("protection.families_helped", 1),
        ("protection.children_helped", 1),
        ("procuratorate.arrest_cases", 1),
        ("procuratorate.arrest_persons", 1),
    ):
        assert figures[key] >= least, key
    assert 0 < figures["protection.police_hours_median"] <= 10
    assert figures["protection.police_hours_p90"] >= 10
    now = compute.figures_for(county, Period(quarter_start(today), today))
    assert now["protection.overdue_items"] == 6


def test_member_units_find_their_referrals_and_the_police_its_inbox(loaded):
    police = _user("demo_gongan")
    assert selectors.police_inbox_for(police).count() == 3
    education = _user("demo_jiaoyu")
    assert {r.status for r in selectors.referral_inbox_for(education)} == {
        ReferralStatus.PENDING,
        ReferralStatus.ACCEPTED,
    }
    assert selectors.school_notices_for(education).count() == 2
    for username in ("demo_fulian", "demo_jiancha"):
        assert selectors.referral_inbox_for(_user(username)).exists(), username
    # The court's referrals are all answered: done or rejected.
    assert not selectors.referral_inbox_for(_user("demo_fayuan")).exists()
    # The sensitive case: its handlers see it, the city's civil affairs does not.
    sensitive = Case.objects.get(sensitivity=Sensitivity.HIGH)
    assert (
        selectors.case_list_for(_user("demo_xianminzheng"))
        .filter(pk=sensitive.pk)
        .exists()
    )
    assert (
        not selectors.case_list_for(_user("demo_minzheng"))
        .filter(pk=sensitive.pk)
        .exists()
    )


def test_open_cases_mark_their_children_and_closed_ones_do_not(loaded):
    for case in Case.objects.exclude(child=None).select_related("child"):
        open_cases = case.child.protection_cases.filter(closed_at=None)
        assert case.child.open_mandatory_report == open_cases.exists(), case


def test_a_second_load_adds_nothing(loaded):
    events = CaseEvent.objects.count()
    assert demo.demo_cases_load() == 0
    assert CaseEvent.objects.count() == events
    assert Case.objects.count() == len(demo.STORIES)
