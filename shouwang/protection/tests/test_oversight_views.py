"""The oversight pages through HTTP: the supervision list, break-the-glass and its
review, a county's deadlines and protection desk — who may open them, what they show,
and the exact messages of bad input."""

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shouwang.accounts.models import Role, Unit
from shouwang.audit.models import AuditAction, AuditEvent
from shouwang.protection import services
from shouwang.protection.models import (
    BreakGlass,
    Case,
    DeadlinePolicy,
    DeskMember,
    Referral,
)
from shouwang.protection.vocab import Situation
from tests.factories import make_area, make_user

from .factories import file_report, make_county, make_foreign

pytestmark = pytest.mark.django_db

FORBIDDEN = "您的角色没有此项操作的权限。"
NOT_FOUND = "您要找的页面或记录不存在，或不在您的管辖范围内。"
PAGES = [
    "/protection/supervision/",
    "/protection/break-glass/",
    "/protection/break-glass/review/",
    "/protection/settings/",
]


@pytest.fixture
def home():
    return make_county()


@pytest.fixture
def foreign():
    return make_foreign()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _plain(response) -> str:
    """The page's words without its tags."""
    return re.sub(r"<[^>]+>", "", _text(response))


def _overdue(case: Case, **fields) -> None:
    """Move a case's open deadlines into the past (hours ago each)."""
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(
        **{field: now - timedelta(hours=hours) for field, hours in fields.items()}
    )


def _refer(home, case, unit=Unit.EDUCATION):
    return services.referral_send(
        actor=home.civil,
        case_id=case.pk,
        unit=unit,
        service="schooling",
        reason="安排寄宿",
        timeframe=72,
    )


def test_anonymous_visitors_are_sent_to_sign_in():
    for url in [*PAGES, "/protection/break-glass/1/review/"]:
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


# Supervision (督办) ---------------------------------------------------------------------


def test_the_county_sees_every_overdue_item_the_most_overdue_first(home, foreign):
    late = file_report(home.director)
    _overdue(late, police_due_at=50, assessment_due_at=2)
    accepted = file_report(home.director, child_name="小红")
    services.case_police_decide(
        actor=home.police, case_id=accepted.pk, decision="accepted"
    )
    referral = _refer(home, accepted)  # overdue by 26 hours:
    Referral.objects.filter(pk=referral.pk).update(
        respond_by=timezone.now() - timedelta(hours=26)
    )
    file_report(home.director, child_name="按时")  # nothing overdue yet
    outside = file_report(foreign.director)
    _overdue(outside, police_due_at=100)

    response = _client(home.civil).get("/protection/supervision/")
    assert response.status_code == 200
    text = _text(response)
    rows = [(r.number, r.what, r.owed_by, r.late) for r in response.context["page"]]
    assert rows == [
        (late.number, "受理报告", "公安", "逾期2天2小时"),
        (accepted.number, "接收转介（就学保障与劝返复学）", "教育", "逾期1天2小时"),
        (late.number, "评估", "民政", "逾期2小时"),
    ]
    assert "共 3 项逾期" in text
    assert "系统每 5 分钟检查一次，新逾期的事项记入案件进程并提请上级督办。" in text
    assert "sw-cards" in text  # a card per item on phones
    assert f'href="/protection/{late.pk}/"' in text
    assert outside.number not in text
    # One county: no county column and no filter.
    assert 'data-testid="county-filter"' not in text
    assert "<th>县（市、区）</th>" not in text


def test_a_city_officer_filters_by_county(home, foreign):
    city = make_user(Role.CIVIL_AFFAIRS, make_area("430500000000"), username="city")
    mine = file_report(home.director)
    theirs = file_report(foreign.director)
    _overdue(mine, police_due_at=3)
    _overdue(theirs, police_due_at=5)
    client = _client(city)
    text = _text(client.get("/protection/supervision/"))
    assert 'data-testid="county-filter"' in text
    assert "<th>县（市、区）</th>" in text
    assert mine.number in text and theirs.number in text
    assert "隆回县" in text and "洞口县" in text

    response = client.get("/protection/supervision/", {"county": "430524000000"})
    numbers = [r.number for r in response.context["page"]]
    assert numbers == [mine.number]

    response = client.get("/protection/supervision/", {"county": "110101000000"})
    assert response.status_code == 200
    assert (
        "“110101000000”不是您管辖范围内的县（市、区），已显示全部逾期事项。"
        in _text(response)
    )
    assert len(response.context["page"].object_list) == 2


@pytest.mark.parametrize("who", ["police", "education", "director", "supervisor"])
def test_only_civil_affairs_open_the_supervision_list(home, who):
    user = getattr(home, who, None) or home.units[who]
    response = _client(user).get("/protection/supervision/")
    assert response.status_code == 403
    assert FORBIDDEN in _text(response)


def test_leaders_and_the_administrator_are_refused_every_page(home):
    leader = make_user(Role.LEADER, home.county, username="leader")
    admin = make_user(Role.ADMIN, None, username="admin")
    for user in (leader, admin):
        client = _client(user)
        for url in PAGES:
            response = client.get(url)
            assert response.status_code == 403, (user.role, url)
            assert FORBIDDEN in _text(response)


# Break the glass -------------------------------------------------------------------------


def test_the_page_says_how_long_and_that_it_is_audited_and_reviewed(home):
    response = _client(home.units[Unit.COURT]).get(
        "/protection/break-glass/", {"number": "430524-X"}
    )
    assert response.status_code == 200
    text = _plain(response)
    assert "查看权限自开通起 24 小时内有效，到期自动失效。" in text
    assert "每一次紧急查看都记入审计日志" in text
    assert "列入本县民政部门的复核清单" in text
    assert 'value="430524-X"' in _text(response)


def test_a_member_unit_opens_a_sensitive_case_with_a_reason(home):
    case = file_report(home.director, situation=Situation.GENITAL_INJURY)
    court = home.units[Unit.COURT]
    client = _client(court)

    response = client.post("/protection/break-glass/", {"number": "", "reason": ""})
    assert response.status_code == 200
    text = _text(response)
    assert "请填写受理编号。" in text and "请填写查看理由。" in text

    response = client.post(
        "/protection/break-glass/", {"number": case.number, "reason": "核对"}
    )
    assert "请具体说明为什么需要查看该案件（至少5个字）。" in _text(response)

    response = client.post(
        "/protection/break-glass/",
        {"number": "430524-19990101-0001", "reason": "审理相关案件需要核对"},
    )
    assert "没有找到该受理编号的案件，或它不在您的管辖范围内。" in _text(response)
    # The typed reason is kept.
    assert "审理相关案件需要核对" in _text(response)
    assert not BreakGlass.objects.exists()

    response = client.post(
        "/protection/break-glass/",
        {"number": f" {case.number} ", "reason": "审理相关案件需要核对"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/protection/{case.pk}/"
    glass = BreakGlass.objects.get()
    assert (glass.user, glass.case, glass.reason) == (
        court,
        case,
        "审理相关案件需要核对",
    )
    assert AuditEvent.objects.filter(
        action=AuditAction.CASE_BREAK_GLASS, actor=court
    ).exists()
    followed = client.get("/protection/break-glass/")
    assert f"已开通紧急查看：案件 {case.number}，有效至" in _text(followed)

    # Seen now: a second grant is refused.
    response = client.post(
        "/protection/break-glass/",
        {"number": case.number, "reason": "审理相关案件需要核对"},
    )
    assert "您已可以查看该案件，无需紧急查看。" in _text(response)
    assert BreakGlass.objects.count() == 1


def test_another_county_finds_no_case_to_break_into(home, foreign):
    case = file_report(home.director)
    response = _client(foreign.police).post(
        "/protection/break-glass/",
        {"number": case.number, "reason": "想看看这个案件的情况"},
    )
    assert "没有找到该受理编号的案件，或它不在您的管辖范围内。" in _text(response)
    assert not BreakGlass.objects.exists()


@pytest.mark.parametrize("who", ["director", "supervisor"])
def test_caseworkers_may_not_break_the_glass(home, who):
    client = _client(getattr(home, who))
    assert client.get("/protection/break-glass/").status_code == 403
    case = file_report(home.director)
    response = client.post(
        "/protection/break-glass/",
        {"number": case.number, "reason": "想看看这个案件的情况"},
    )
    assert response.status_code == 403
    assert not BreakGlass.objects.exists()


# Review of break-the-glass ---------------------------------------------------------------


def _glass(home, user, situation=Situation.GENITAL_INJURY):
    case = file_report(home.director, situation=situation)
    return services.break_glass(
        actor=user, number=case.number, reason="审理相关案件需要核对"
    )


def test_the_county_reviews_each_grant_unreviewed_first(home, foreign):
    first = _glass(home, home.units[Unit.COURT])
    second = _glass(home, home.units[Unit.PROCURATORATE])
    outside = _glass(foreign, foreign.units[Unit.COURT])
    client = _client(home.civil)

    response = client.post(f"/protection/break-glass/{first.pk}/review/", {"note": ""})
    assert response.status_code == 200
    text = _text(response)
    assert "请填写复核意见。" in text
    assert "请填写复核意见。" in text.split(f'data-glass="{first.pk}"')[1]
    first.refresh_from_db()
    assert first.reviewed_at is None

    response = client.post(
        f"/protection/break-glass/{first.pk}/review/", {"note": "理由正当"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/protection/break-glass/review/"
    first.refresh_from_db()
    assert (first.reviewed_by, first.review_note) == (home.civil, "理由正当")

    response = client.get("/protection/break-glass/review/")
    assert "已复核 保护法院 对案件" in _text(response)
    assert [g.pk for g in response.context["page"]] == [second.pk, first.pk]
    assert response.context["unreviewed"] == 1
    assert "待复核 1 项，共 2 项" in _plain(response)
    text = _text(response)
    assert outside.case.number not in text

    response = client.post(
        f"/protection/break-glass/{first.pk}/review/", {"note": "再看一次"}
    )
    assert "该紧急查看已复核。" in _text(response)

    # Another county's grant: not found; the review page takes POST only.
    response = client.post(
        f"/protection/break-glass/{outside.pk}/review/", {"note": "越权"}
    )
    assert response.status_code == 404
    assert NOT_FOUND in _text(response)
    outside.refresh_from_db()
    assert outside.reviewed_at is None
    assert client.get(f"/protection/break-glass/{second.pk}/review/").status_code == 405


def test_nobody_reviews_their_own_grant(home):
    desk = make_user(Role.CIVIL_AFFAIRS, home.county, username="desk2")
    DeskMember.objects.create(user=desk, county=home.county)
    glass = _glass(home, home.civil)  # home.civil is no longer on the desk
    response = _client(home.civil).post(
        f"/protection/break-glass/{glass.pk}/review/", {"note": "理由正当"}
    )
    assert "不能复核自己的紧急查看，请由其他民政干部复核。" in _text(response)
    page = _text(_client(home.civil).get("/protection/break-glass/review/"))
    assert "本人的紧急查看，请由其他民政干部复核" in page
    response = _client(desk).post(
        f"/protection/break-glass/{glass.pk}/review/", {"note": "理由正当"}
    )
    assert response.status_code == 302


@pytest.mark.parametrize("unit", [Unit.POLICE, Unit.COURT])
def test_member_units_may_not_review(home, unit):
    glass = _glass(home, home.units[Unit.COURT])
    client = _client(home.units[unit])
    assert client.get("/protection/break-glass/review/").status_code == 403
    response = client.post(
        f"/protection/break-glass/{glass.pk}/review/", {"note": "理由正当"}
    )
    assert response.status_code == 403
    glass.refresh_from_db()
    assert glass.reviewed_at is None


# Settings: deadlines and the protection desk ---------------------------------------------


def test_a_county_officer_sets_the_deadlines(home):
    client = _client(home.civil)
    response = client.get("/protection/settings/")
    assert response.status_code == 200
    text = _plain(response)
    assert "隆回县尚未单独设置，使用默认时限。" in text
    assert "24 小时" in text
    assert "能看到强制报告的报告人身份" in text
    assert "尚未指定专岗人员：目前本县所有县级民政干部都视为专岗。" in text

    values = {
        "action": "deadlines",
        "county": "430524000000",
        "police_accept_hours": "0",
        "feedback_days": "3",
        "assessment_days": "3",
    }
    response = client.post("/protection/settings/", values)
    assert response.status_code == 200
    assert "公安受理时限（小时）应为 1 到 168 之间的整数。" in _text(response)
    for typed in ("abc", "", "9" * 5000):
        response = client.post(
            "/protection/settings/",
            {**values, "police_accept_hours": "12", "feedback_days": typed},
        )
        assert "反馈时限（天）应为 1 到 30 之间的整数。" in _text(response), typed
    assert not DeadlinePolicy.objects.exists()

    response = client.post(
        "/protection/settings/", {**values, "police_accept_hours": "12"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/protection/settings/?county=430524000000"
    policy = DeadlinePolicy.objects.get()
    assert (policy.police_accept_hours, policy.updated_by) == (12, home.civil)
    text = _text(client.get(response["Location"]))
    assert "已保存隆回县的办理时限。" in text
    assert "由 保护民政 于" in text
    # A report filed now has 12 hours for the police.
    case = file_report(home.director)
    assert case.police_due_at - case.reported_at == timedelta(hours=12)


def test_a_county_officer_names_the_protection_desk(home):
    other = make_user(
        Role.CIVIL_AFFAIRS, home.county, username="p_other", full_name="专岗甲"
    )
    city = make_user(Role.CIVIL_AFFAIRS, make_area("430500000000"), username="p_city")
    client = _client(home.civil)
    desk = client.get("/protection/settings/").context["desk"]
    assert {u.username for u in desk} == {home.civil.username, "p_other"}

    response = client.post(
        "/protection/settings/", {"action": "desk", "user": other.pk, "active": "1"}
    )
    assert response.status_code == 302
    member = DeskMember.objects.get()
    assert (member.user, member.county_id, member.active) == (
        other,
        "430524000000",
        True,
    )
    text = _text(client.get(response["Location"]))
    assert "已指定 专岗甲 为隆回县保护专岗人员。" in text
    assert "已指定专岗人员。" in text

    for bad in (city.pk, "abc", "", 999999):
        response = client.post(
            "/protection/settings/", {"action": "desk", "user": bad, "active": "1"}
        )
        assert response.status_code == 200
        assert "只能指定本辖区县级民政干部为保护专岗人员。" in _text(response), bad
    assert DeskMember.objects.count() == 1

    response = client.post(
        "/protection/settings/", {"action": "desk", "user": other.pk, "active": "0"}
    )
    assert response.status_code == 302
    assert not DeskMember.objects.get().active
    assert "已取消 专岗甲 的隆回县保护专岗身份。" in _text(
        client.get(response["Location"])
    )


def test_the_desk_service_refuses_a_city_officer(home):
    city = make_user(Role.CIVIL_AFFAIRS, make_area("430500000000"), username="p_city")
    with pytest.raises(services.DomainError, match="只能指定本辖区县级民政干部"):
        services.desk_member_set(actor=city, user=city, active=True)


def test_a_city_officer_picks_a_county_and_not_another_city(home, foreign):
    city = make_user(Role.CIVIL_AFFAIRS, make_area("430500000000"), username="p_city")
    client = _client(city)
    response = client.get("/protection/settings/")
    codes = [c.code for c in response.context["counties"]]
    assert {"430524000000", "430525000000"} <= set(codes)
    assert all(code.startswith("4305") for code in codes)
    assert 'data-testid="county-picker"' in _text(response)
    response = client.post(
        "/protection/settings/",
        {
            "action": "deadlines",
            "county": "430525000000",
            "police_accept_hours": "6",
            "feedback_days": "2",
            "assessment_days": "2",
        },
    )
    assert response.status_code == 302
    assert DeadlinePolicy.objects.get().county_id == "430525000000"
    response = client.get("/protection/settings/", {"county": "110101000000"})
    assert response.status_code == 404
    assert NOT_FOUND in _text(response)
    # A county officer cannot reach the neighbour county either.
    response = _client(home.civil).get(
        "/protection/settings/", {"county": "430525000000"}
    )
    assert response.status_code == 404
    response = _client(home.civil).post(
        "/protection/settings/",
        {"action": "deadlines", "county": "430525000000", "police_accept_hours": "1"},
    )
    assert response.status_code == 404
    assert DeadlinePolicy.objects.count() == 1


@pytest.mark.parametrize("who", ["police", "education", "director"])
def test_only_civil_affairs_open_the_settings(home, who):
    user = getattr(home, who, None) or home.units[who]
    client = _client(user)
    assert client.get("/protection/settings/").status_code == 403
    response = client.post(
        "/protection/settings/",
        {
            "action": "deadlines",
            "county": "430524000000",
            "police_accept_hours": "1",
            "feedback_days": "1",
            "assessment_days": "1",
        },
    )
    assert response.status_code == 403
    assert not DeadlinePolicy.objects.exists()


def test_a_refused_review_of_a_grant_on_another_page_is_still_said(home, monkeypatch):
    from shouwang.protection.views import oversight

    monkeypatch.setattr(oversight, "PAGE_SIZE", 1)
    older = _glass(home, home.units[Unit.COURT])
    newer = _glass(home, home.units[Unit.PROCURATORATE])
    client = _client(home.civil)
    page = client.get("/protection/break-glass/review/")
    assert [g.pk for g in page.context["page"]] == [newer.pk]
    assert f"/protection/break-glass/{newer.pk}/review/?page=1" in _text(page)
    response = client.post(f"/protection/break-glass/{older.pk}/review/", {"note": ""})
    assert response.status_code == 200
    assert (
        'class="alert alert-danger" role="alert" data-testid="glass-error">请填写复核意见。'
        in _text(response)
    )
    response = client.post(
        f"/protection/break-glass/{older.pk}/review/?page=2", {"note": " "}
    )
    assert [g.pk for g in response.context["page"]] == [older.pk]
    assert response.context["error_elsewhere"] == ""
    assert "请填写复核意见。" in _text(response)
