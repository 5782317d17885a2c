"""The case workflow through the services: intake, police, civil affairs, referrals,
actions, closing, and the rules that refuse bad steps."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shouwang.accounts.models import Unit
from shouwang.core.exceptions import DomainError
from shouwang.protection import services
from shouwang.protection.models import CaseEvent
from shouwang.protection.selectors import (
    desk_inbox_for,
    inbox_count_for,
    police_inbox_for,
    referral_inbox_for,
    supervision_for,
)
from shouwang.protection.vocab import CaseStatus, ReferralStatus, Sensitivity, Situation
from shouwang.registry.models import Child
from shouwang.registry.tests.factories import make_child

from .factories import file_report, make_county, make_foreign, report_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def home():
    return make_county()


def test_a_report_reaches_police_and_desk_at_once(home):
    case = file_report(home.director)
    assert case.number.startswith("430524-")
    assert case.status == CaseStatus.REPORTED
    assert list(police_inbox_for(home.police)) == [case]
    assert list(desk_inbox_for(home.civil)) == [case]
    assert inbox_count_for(home.police) == 1
    assert inbox_count_for(home.units[Unit.EDUCATION]) == 0
    assert case.police_due_at - case.reported_at == timedelta(hours=24)
    assert case.reporter == home.director


def test_the_whole_workflow(home):
    case = file_report(home.director)
    case = services.case_police_decide(
        actor=home.police, case_id=case.pk, decision="accepted"
    )
    assert case.status == CaseStatus.ACCEPTED and case.feedback_due_at
    case = services.case_feedback(actor=home.police, case_id=case.pk, note="已出警核实")
    assert case.feedback_due_at is None
    case = services.case_assess(
        actor=home.civil,
        case_id=case.pk,
        expected_version=case.version,
        risk="high",
        needs=["guardianship", "education"],
        safety_plan="由祖母临时照料，村主任每日探望。",
    )
    education = services.referral_send(
        actor=home.civil,
        case_id=case.pk,
        unit=Unit.EDUCATION,
        service="schooling",
        reason="安排寄宿",
        timeframe=72,
    )
    federation = services.referral_send(
        actor=home.civil,
        case_id=case.pk,
        unit=Unit.WOMENS_FEDERATION,
        service="family_education",
        reason="家庭教育指导",
        timeframe=168,
    )
    assert list(referral_inbox_for(home.units[Unit.EDUCATION])) == [education]
    with pytest.raises(
        DomainError, match="还有未办结的转介：教育（就学保障与劝返复学，待接收）、妇联"
    ):
        services.case_close(
            actor=home.civil, case_id=case.pk, outcome="resolved", note="x"
        )
    for referral, user in (
        (education, home.units[Unit.EDUCATION]),
        (federation, home.units[Unit.WOMENS_FEDERATION]),
    ):
        services.referral_accept(actor=user, referral_id=referral.pk)
        services.action_record(
            actor=user,
            case_id=case.pk,
            values={
                "kind": "service",
                "service": "schooling",
                "occurred_on": timezone.localdate(),
            },
        )
        services.referral_done(
            actor=user, referral_id=referral.pk, successful=True, note="已办"
        )
    with pytest.raises(DomainError, match=r"已于 .* 办结"):
        services.referral_accept(
            actor=home.units[Unit.EDUCATION], referral_id=education.pk
        )
    case = services.case_close(
        actor=home.civil, case_id=case.pk, outcome="resolved", note="已妥善照料"
    )
    assert case.status == CaseStatus.CLOSED
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds[0] == "reported" and kinds[-1] == "closed"
    assert kinds.count("referral_done") == 2


def test_accepting_twice_names_who_accepted(home):
    case = file_report(home.director)
    services.case_police_decide(actor=home.police, case_id=case.pk, decision="accepted")
    referral = services.referral_send(
        actor=home.civil,
        case_id=case.pk,
        unit=Unit.EDUCATION,
        service="schooling",
        reason="复学",
        timeframe=72,
    )
    services.referral_accept(actor=home.units[Unit.EDUCATION], referral_id=referral.pk)
    with pytest.raises(
        DomainError, match=f"该转介已由{home.units[Unit.EDUCATION].full_name}于"
    ):
        services.referral_accept(
            actor=home.units[Unit.EDUCATION], referral_id=referral.pk
        )


def test_a_revoked_referral_cannot_be_acted_on_and_its_unit_loses_the_case(home):
    case = file_report(home.director)
    referral = services.referral_send(
        actor=home.civil,
        case_id=case.pk,
        unit=Unit.EDUCATION,
        service="schooling",
        reason="复学",
        timeframe=72,
    )
    education = home.units[Unit.EDUCATION]
    assert services.access.view_of(education, case) == "referral"
    services.referral_revoke(actor=home.civil, referral_id=referral.pk, reason="误转")
    case._views = {}
    with pytest.raises(DomainError, match=r"该转介已被转介方于 .* 撤回，不能再办理。"):
        services.referral_accept(actor=education, referral_id=referral.pk)
    assert services.access.view_of(education, case) is None


def test_a_referral_to_a_unit_without_accounts_in_the_area_is_refused(home):
    case = file_report(home.director)
    with pytest.raises(services.InvalidInput) as error:
        services.referral_send(
            actor=home.civil,
            case_id=case.pk,
            unit=Unit.HOUSING,
            service="living",
            reason="危房",
            timeframe=72,
        )
    assert error.value.field == "unit"
    assert "还没有住建的账号" in error.value.message


def test_a_report_needs_a_situation_and_a_child(home):
    with pytest.raises(services.InvalidInput) as error:
        file_report(home.director, situation="", child_name="", child_description="")
    assert error.value.problems["situation"] == ["请选择情形。"]
    assert "请选择台账中的儿童" in error.value.problems["child_description"][0]


def test_sexual_harm_is_highly_sensitive_and_seen_by_handlers_only(home):
    from tests.factories import make_user

    case = file_report(home.director, situation=Situation.GIRL_UNDER_14, child_sex="女")
    assert case.sensitivity == Sensitivity.HIGH
    named = {h.user_id for h in case.handlers.all()}
    assert named == {home.police.pk, home.civil.pk}  # the police and the desk
    colleague = make_user("civil_affairs", home.county, username="p_other_civil")
    assert services.access.view_of(colleague, case) is None
    assert services.access.view_of(home.civil, case) == "full"
    assert services.access.view_of(home.director, case) == "receipt"
    assert services.access.view_of(home.units[Unit.EDUCATION], case) is None


def test_a_ledger_child_with_an_open_abuse_case_is_high_risk_until_closed(home):
    child = make_child(home.village, guardian_capacity="良好")
    case = file_report(home.director, child_id=child.pk, situation=Situation.VIOLENCE)
    child.refresh_from_db()
    assert child.open_abuse_case and child.open_mandatory_report
    assert child.risk_level == "高" and child.difficulty_guardianship
    services.case_police_decide(actor=home.police, case_id=case.pk, decision="filed")
    services.case_close(
        actor=home.civil, case_id=case.pk, outcome="resolved", note="已解决"
    )
    child = Child.objects.get(pk=child.pk)
    assert not child.open_abuse_case and not child.open_mandatory_report


def test_break_glass_needs_a_reason_and_lasts_a_day(home):
    case = file_report(home.director, situation=Situation.GENITAL_INJURY)
    court = home.units[Unit.COURT]
    assert services.access.view_of(court, case) is None
    with pytest.raises(services.InvalidInput, match="请填写查看理由"):
        services.break_glass(actor=court, number=case.number, reason="")
    glass = services.break_glass(
        actor=court, number=case.number, reason="审理相关案件需要核对"
    )
    assert glass.expires_at - glass.created_at <= timedelta(hours=24, seconds=1)
    case._views = {}
    assert services.access.view_of(court, case) == "full"


def test_other_county_finds_nothing(home):
    foreign = make_foreign()
    case = file_report(home.director)
    for user in (foreign.police, foreign.civil, foreign.units[Unit.EDUCATION]):
        assert services.access.view_of(user, case) is None
        assert inbox_count_for(user) == 0
    with pytest.raises(services.InvalidInput, match="没有找到"):
        services.break_glass(
            actor=foreign.police, number=case.number, reason="想看看这个案件"
        )


def test_overdue_items_reach_the_supervision_list_and_are_escalated_once(home):
    case = file_report(home.director)
    later = timezone.now() + timedelta(days=4)
    items = supervision_for(home.civil, now=later)
    assert {i.what for i in items} == {"受理报告", "评估"}
    assert services.escalations_sweep(now=later) == 1
    assert services.escalations_sweep(now=later) == 0
    assert case.events.filter(kind="escalated").count() == 1


def test_phone_report_on_behalf_keeps_the_reporter_for_police_and_desk_only(home):
    case = services.report_file(
        actor=home.civil,
        values=report_values(
            channel="phone",
            reporter_name="李老师",
            reporter_unit="某小学",
            reporter_contact="13800000000",
        ),
    )
    assert case.reporter is None and case.reporter_name == "李老师"
    assert services.access.sees_reporter(home.police, case)
    assert services.access.sees_reporter(home.civil, case)
    referral = services.referral_send(
        actor=home.civil,
        case_id=case.pk,
        unit=Unit.EDUCATION,
        service="schooling",
        reason="x",
        timeframe=72,
    )
    assert referral.status == ReferralStatus.PENDING
    assert not services.access.sees_reporter(home.units[Unit.EDUCATION], case)
    with pytest.raises(services.InvalidInput, match="只有民政干部可以代录"):
        services.report_file(
            actor=home.director,
            values=report_values(channel="phone", reporter_name="x"),
        )
