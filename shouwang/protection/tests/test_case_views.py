"""The case pages through HTTP: the report and its receipt, the inbox, the list, one
case in each of its three views, every step; who may open each, and the exact words
a user reads when something is refused."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shouwang.accounts.models import Role, Unit
from shouwang.audit.models import AuditAction, AuditEvent
from shouwang.protection import services
from shouwang.protection.models import Case, CaseAction, Referral
from shouwang.protection.vocab import CaseStatus, ReferralStatus, Sensitivity, Situation
from shouwang.registry.tests.factories import make_child
from tests.factories import make_user

from .factories import file_report, make_county, make_foreign

pytestmark = pytest.mark.django_db

FORBIDDEN = "您的角色没有此项操作的权限。"
NOT_FOUND = "您要找的页面或记录不存在，或不在您的管辖范围内。"
LOGIN = "/accounts/login/"
OBSERVED = "孩子一个人在家，三天没有大人回来。"
WHEN = "%Y-%m-%d %H:%M"


@pytest.fixture
def home():
    return make_county()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return response.content.decode()


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _local(at) -> str:
    return timezone.localtime(at).strftime(WHEN)


def report_data(**overrides) -> dict:
    """The report form's POST data: a boy living alone, described (not in the ledger)."""
    found = timezone.localtime() - timedelta(hours=2)
    data = {
        "situation": Situation.LIVING_ALONE,
        "urgency": "urgent",
        "found_at": found.strftime("%Y-%m-%dT%H:%M"),
        "found_place": "村委会旁的老屋",
        "observed": OBSERVED,
        "child_id": "",
        "child_name": "小明",
        "child_sex": "男",
        "child_age": "9",
        "child_description": "",
    }
    data.update(overrides)
    return data


def _accepted(home, **overrides) -> Case:
    case = file_report(home.director, **overrides)
    return services.case_police_decide(
        actor=home.police, case_id=case.pk, decision="accepted"
    )


def _refer(home, case, unit=Unit.EDUCATION, service="schooling") -> Referral:
    return services.referral_send(
        actor=home.civil,
        case_id=case.pk,
        unit=unit,
        service=service,
        reason="安排寄宿，劝返复学",
        timeframe=72,
    )


CASE_STEPS = (
    "decide",
    "feedback",
    "assess",
    "refer",
    "action",
    "close",
    "reopen",
    "handlers",
    "sensitivity",
    "link-child",
)
REFERRAL_STEPS = ("accept", "reject", "done", "revoke")


def _urls(case, referral) -> tuple[list[str], list[str]]:
    """(pages, POST endpoints) naming the case and the referral."""
    pages = [
        "/protection/",
        "/protection/inbox/",
        "/protection/report/",
        "/protection/report/children/?child_q=小",
        f"/protection/report/{case.pk}/receipt/",
        f"/protection/{case.pk}/",
    ]
    posts = [f"/protection/{case.pk}/{step}/" for step in CASE_STEPS] + [
        f"/protection/referrals/{referral.pk}/{step}/" for step in REFERRAL_STEPS
    ]
    return pages, posts


# Who may open the pages -----------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(home):
    case = _accepted(home)
    referral = _refer(home, case)
    pages, posts = _urls(case, referral)
    client = Client()
    for url in pages + posts:
        response = client.post(url) if url in posts else client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(LOGIN), url


@pytest.mark.parametrize("role", [Role.LEADER, Role.ADMIN])
def test_leaders_and_administrators_are_refused(home, role):
    case = _accepted(home)
    referral = _refer(home, case)
    user = make_user(role, home.county if role == Role.LEADER else None)
    pages, posts = _urls(case, referral)
    client = _client(user)
    for url in pages + posts:
        response = (
            client.post(url, {"reason": "x"}) if url in posts else client.get(url)
        )
        assert response.status_code == 403, url
        assert FORBIDDEN in _text(response), url
        assert OBSERVED not in _text(response)
    assert Referral.objects.get().status == ReferralStatus.PENDING


def _denied(client, case, referral=None) -> None:
    """Every page and step naming the case (and the referral) answers 404."""
    urls = [f"/protection/{case.pk}/", f"/protection/report/{case.pk}/receipt/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert NOT_FOUND in _text(response)
        assert OBSERVED not in _text(response)
    for step in CASE_STEPS:
        url = f"/protection/{case.pk}/{step}/"
        assert client.post(url, {"reason": "x", "note": "x"}).status_code == 404, url
    if referral is not None:
        for step in REFERRAL_STEPS:
            url = f"/protection/referrals/{referral.pk}/{step}/"
            assert client.post(url, {"reason": "x"}).status_code == 404, url


def test_another_county_finds_nothing(home):
    foreign = make_foreign()
    case = _accepted(home)
    referral = _refer(home, case)
    for user in (foreign.civil, foreign.police, foreign.units[Unit.EDUCATION]):
        client = _client(user)
        _denied(client, case, referral)
        listed = client.get("/protection/")
        assert case.number not in _text(listed)
        assert case.number not in _text(client.get("/protection/inbox/"))
    assert Referral.objects.get().status == ReferralStatus.PENDING


def test_another_unit_of_the_county_and_a_unit_not_referred_find_nothing(home):
    case = _accepted(home)
    referral = _refer(home, case)
    other = _accepted(home)  # referred to nobody
    federation = _client(home.units[Unit.WOMENS_FEDERATION])
    _denied(federation, case, referral)
    education = _client(home.units[Unit.EDUCATION])
    _denied(education, other)
    assert education.get(f"/protection/{case.pk}/").status_code == 200


def test_a_revoked_referral_takes_the_case_away_from_its_unit(home):
    case = _accepted(home)
    referral = _refer(home, case)
    services.referral_revoke(actor=home.civil, referral_id=referral.pk, reason="误转")
    _denied(_client(home.units[Unit.EDUCATION]), case, referral)


def test_a_highly_sensitive_case_is_for_its_handlers_only(home):
    case = file_report(home.director, situation=Situation.GIRL_UNDER_14, child_sex="女")
    colleague = make_user(Role.CIVIL_AFFAIRS, home.county, username="p_colleague")
    _denied(_client(colleague), case)
    assert _client(colleague).get("/protection/").context["total"] == 0
    assert _client(home.civil).get(f"/protection/{case.pk}/").status_code == 200
    assert _client(home.police).get(f"/protection/{case.pk}/").status_code == 200


# The report -----------------------------------------------------------------------------


def test_a_director_reports_and_gets_a_receipt(home):
    client = _client(home.director)
    form = _text(client.get("/protection/report/"))
    assert "高检发〔2020〕9号第四条所列情形" in form and "台账关注情形" in form
    assert "电话代录" not in form
    response = client.post("/protection/report/", report_data())
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/protection/report/{case.pk}/receipt/"
    receipt = client.get(response["Location"])
    text = _text(receipt)
    assert case.number in text
    assert f"公安机关应于 <strong>{_local(case.police_due_at)}</strong> 前受理" in text
    assert "公安机关受理后 3 日内向报告单位反馈办理情况" in text
    assert case.reporter == home.director
    assert case.found_place == "村委会旁的老屋" and case.child_name == "小明"
    assert case.child_age == 9 and case.urgency == "urgent"
    assert AuditEvent.objects.filter(action=AuditAction.CASE_REPORT).count() == 1


def test_a_report_with_bad_input_names_every_field_and_keeps_what_was_typed(home):
    client = _client(home.director)
    response = client.post(
        "/protection/report/",
        report_data(
            situation="",
            observed="",
            child_name="",
            child_age="九岁",
            child_description="",
            found_place="村口大树下",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["situation"] == ["请选择情形。"]
    assert errors["observed"] == ["请填写发现的情况。"]
    assert errors["child_age"] == ["儿童年龄应为 0 到 17 之间的整数，不清楚可不填。"]
    assert errors["child_description"] == [
        "请选择台账中的儿童，或填写儿童的姓名或描述（性别、大致年龄、衣着特征等）。"
    ]
    text = _text(response)
    assert "请修改以下4处后再提交（已填写的内容都还在）" in text
    assert "情形：请选择情形。" in text
    assert 'value="村口大树下"' in text and 'value="九岁"' in text
    assert not Case.objects.exists()


def test_a_report_found_in_the_future_or_at_no_time_is_refused(home):
    client = _client(home.director)
    later = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/protection/report/", report_data(found_at=later))
    assert response.context["form"].errors["found_at"] == [
        "发现时间不能晚于现在，请核对。"
    ]
    response = client.post("/protection/report/", report_data(found_at="昨天下午"))
    assert response.context["form"].errors["found_at"] == [
        "发现时间应为有效的日期和时间，如 2025-03-08 14:30。"
    ]
    response = client.post("/protection/report/", report_data(found_at=""))
    assert response.context["form"].errors["found_at"] == [
        "请填写发现时间（年-月-日 时:分）。"
    ]
    assert not Case.objects.exists()


def test_a_ledger_child_is_found_by_name_and_picked(home):
    child = make_child(home.village, name="王小花", sex="女")
    foreign = make_foreign()
    make_child(foreign.village, name="王小草")
    client = _client(home.director)
    found = _text(client.get("/protection/report/children/", {"child_q": "王小"}))
    assert "王小花" in found and "王小草" not in found
    assert 'name="child_id"' in found and f'value="{child.pk}"' in found
    nothing = _text(client.get("/protection/report/children/", {"child_q": "赵"}))
    assert "台账中没有找到“赵”" in nothing
    # A member unit reads no ledger: it describes the child.
    education = _client(home.units[Unit.EDUCATION])
    assert education.get("/protection/report/children/?child_q=王").status_code == 403
    assert "在台账中查找儿童" not in _text(education.get("/protection/report/"))

    response = client.post(
        "/protection/report/", report_data(child_id=str(child.pk), child_name="")
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.child == child and case.area == home.village


def test_a_ledger_child_refused_stays_picked_with_the_message(home):
    foreign = make_foreign()
    stranger = make_child(foreign.village, name="外县儿童")
    child = make_child(home.village, name="王小花")
    client = _client(home.director)
    response = client.post(
        "/protection/report/",
        report_data(child_id=str(stranger.pk), child_name="", situation=""),
    )
    assert response.context["form"].errors["child_id"] == [
        "所选儿童不在您可查看的台账中：请重新选择，或改为填写儿童描述。"
    ]
    assert "外县儿童" not in _text(response)
    response = client.post(
        "/protection/report/",
        report_data(child_id=str(child.pk), child_name="", situation=""),
    )
    assert f'value="{child.pk}" checked' in _text(response)
    assert not Case.objects.exists()


def test_civil_affairs_enter_a_phone_report_on_behalf(home):
    client = _client(home.civil)
    assert "电话代录" in _text(client.get("/protection/report/"))
    response = client.post("/protection/report/", report_data(reporter_name="李老师"))
    assert response.context["form"].errors["channel"] == [
        "填写了报告人信息：代录电话报告请选择“电话报告（代录）”；"
        "本人发现的请清空报告人信息。"
    ]
    data = report_data(channel="phone", reporter_name="", reporter_unit="某小学")
    response = client.post("/protection/report/", data)
    assert response.context["form"].errors["reporter_name"] == [
        "请填写报告人姓名；报告人不愿留名的，请勾选“匿名报告”。"
    ]
    assert 'value="某小学"' in _text(response)
    assert not Case.objects.exists()
    response = client.post("/protection/report/", {**data, "anonymous": "on"})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == "phone" and case.anonymous and case.reporter is None
    assert case.entered_by == home.civil


# Inbox and list -------------------------------------------------------------------------


def test_the_police_inbox_shows_the_time_left_and_overdue_in_red(home):
    case = file_report(home.director)
    client = _client(home.police)
    text = _text(client.get("/protection/inbox/"))
    assert case.number in text
    assert f"{_local(case.police_due_at)} 前 · 剩余23小时" in text
    Case.objects.filter(pk=case.pk).update(
        police_due_at=timezone.now() - timedelta(hours=5, minutes=10)
    )
    text = _text(client.get("/protection/inbox/"))
    assert 'class="text-danger fw-semibold" data-testid="overdue"' in text
    assert "已逾期5小时" in text


def test_each_unit_sees_what_waits_for_it(home):
    reported = file_report(home.director)
    referred = _accepted(home)
    referral = _refer(home, referred)
    school = file_report(home.director, situation=Situation.OUT_OF_SCHOOL)

    police = _text(_client(home.police).get("/protection/inbox/"))
    assert reported.number in police and "待向报告单位反馈" in police
    assert referred.number in police  # its feedback is due

    desk = _client(home.civil).get("/protection/inbox/")
    desk_rows = [c.number for c in desk.context["sections"][0].rows]
    assert set(desk_rows) == {reported.number, referred.number, school.number}

    education = _client(home.units[Unit.EDUCATION]).get("/protection/inbox/")
    sections = {s.key: s for s in education.context["sections"]}
    assert [r.pk for r in sections["referrals"].rows] == [referral.pk]
    assert [c.pk for c in sections["school"].rows] == [school.pk]
    assert f"{_local(referral.respond_by)} 前 · 剩余2天23小时" in _text(education)

    federation = _client(home.units[Unit.WOMENS_FEDERATION]).get("/protection/inbox/")
    assert federation.context["sections"][0].total == 0
    assert referred.number not in _text(federation)

    director = _text(_client(home.director).get("/protection/inbox/"))
    assert "没有等待您办理的事项" in director

    told = _client(home.units[Unit.EDUCATION]).get(f"/protection/{school.pk}/")
    assert told.context["view"] == "referral" and told.context["forms"] == []


def test_the_case_list_filters_and_shows_only_what_the_viewer_sees(home):
    living_alone = file_report(home.director)
    out_of_school = _accepted(home, situation=Situation.OUT_OF_SCHOOL)
    referral = _refer(home, out_of_school)
    client = _client(home.civil)
    listed = client.get("/protection/")
    assert listed.context["total"] == 2
    by_status = client.get("/protection/", {"status": "referred"})
    assert [c.pk for c in by_status.context["page"]] == [out_of_school.pk]
    by_situation = client.get("/protection/", {"situation": "living_alone"})
    assert [c.pk for c in by_situation.context["page"]] == [living_alone.pk]
    assert client.get("/protection/", {"overdue": "on"}).context["total"] == 0
    Referral.objects.filter(pk=referral.pk).update(
        respond_by=timezone.now() - timedelta(hours=1)
    )
    overdue = client.get("/protection/", {"overdue": "on"})
    assert [c.pk for c in overdue.context["page"]] == [out_of_school.pk]
    partial = client.get(
        "/protection/", {"status": "reported"}, headers={"HX-Target": "case-results"}
    )
    assert "<html" not in _text(partial)
    assert living_alone.number in _text(partial)

    education = _client(home.units[Unit.EDUCATION]).get("/protection/")
    assert [c.pk for c in education.context["page"]] == [out_of_school.pk]
    director = _client(home.director).get("/protection/")
    assert director.context["total"] == 2  # the reporter's own receipts


# One case, three views ------------------------------------------------------------------


def test_civil_affairs_see_the_whole_case_and_each_read_is_audited(home):
    child = make_child(home.village, name="王小花", guardian_phone="13900000001")
    case = _accepted(home, child_id=child.pk)
    _refer(home, case)
    client = _client(home.civil)
    before = AuditEvent.objects.filter(action=AuditAction.CASE_VIEW).count()
    response = client.get(f"/protection/{case.pk}/")
    text = _text(response)
    assert response.context["view"] == "full"
    assert OBSERVED in text and "保护主任" in text  # the reporter: the desk sees it
    assert "王桂兰 （祖父母）" in text and "13900000001" in text
    assert f'href="/children/{child.pk}/"' in text
    assert "转介给教育" not in text or "安排寄宿，劝返复学" in text
    for step in ("assess", "refer", "action", "close"):
        assert f'data-testid="form-{step}"' in text, step
    assert 'data-testid="form-decide"' not in text
    after = AuditEvent.objects.filter(action=AuditAction.CASE_VIEW).count()
    assert after == before + 1


def test_a_member_unit_sees_only_what_the_referral_needs(home):
    child = make_child(
        home.village, name="王小花", guardian_phone="13900000001", school="育才小学"
    )
    case = _accepted(home, child_id=child.pk)
    services.case_assess(
        actor=home.civil,
        case_id=case.pk,
        expected_version=case.version,
        risk="high",
        needs=["education"],
        safety_plan="祖母每日接送",
    )
    _refer(home, case)
    response = _client(home.units[Unit.EDUCATION]).get(f"/protection/{case.pk}/")
    text = _text(response)
    assert response.context["view"] == "referral"
    assert "王小花" in text and "王桂兰" in text and "13900000001" in text
    assert "安排寄宿，劝返复学" in text and case.get_situation_display() in text
    for secret in (OBSERVED, "村委会旁的老屋", "祖母每日接送", "育才小学", "张建国"):
        assert secret not in text, secret
    assert "保护主任" not in text  # the reporter
    assert child.id_number[-4:] not in text
    assert 'data-testid="form-accept"' in text
    assert 'data-testid="form-action"' not in text  # not accepted yet
    # The unit prints its referral letter, never the report form.
    referral = case.referrals.get()
    assert f'href="/protection/referrals/{referral.pk}/letter.docx"' in text
    assert "report-form.docx" not in text
    whole = _text(_client(home.civil).get(f"/protection/{case.pk}/"))
    assert f'href="/protection/{case.pk}/report-form.docx"' in whole


def test_the_reporter_reads_a_receipt_with_the_police_answer(home):
    case = _accepted(home)
    services.case_feedback(actor=home.police, case_id=case.pk, note="已出警核实")
    services.case_assess(
        actor=home.civil,
        case_id=case.pk,
        expected_version=Case.objects.get().version,
        risk="high",
        needs=["guardianship"],
        safety_plan="由祖母临时照料",
    )
    response = _client(home.director).get(f"/protection/{case.pk}/")
    text = _text(response)
    assert response.context["view"] == "receipt"
    assert "受案" in text and "已出警核实" in text and OBSERVED in text
    assert "由祖母临时照料" not in text
    assert '<form method="post"' not in text.split("退出登录")[-1]


def test_civil_affairs_off_the_desk_see_the_case_but_not_the_reporter(home):
    desk = make_user(Role.CIVIL_AFFAIRS, home.county, username="p_desk")
    services.desk_member_set(actor=desk, user=desk, active=True)
    case = _accepted(home)
    text = _text(_client(home.civil).get(f"/protection/{case.pk}/"))
    assert OBSERVED in text
    assert "保密（仅公安和保护专岗可见）" in text and "报告人（保密）" in text
    assert home.director.full_name not in text
    assert home.director.full_name in _text(
        _client(desk).get(f"/protection/{case.pk}/")
    )


def test_the_reporter_is_absent_for_education_on_a_referral(home):
    case = services.report_file(
        actor=home.civil,
        values={
            **{
                k: v
                for k, v in report_data().items()
                if k not in ("found_at", "child_id")
            },
            "child_age": 9,
            "found_at": timezone.now() - timedelta(hours=1),
            "channel": "phone",
            "reporter_name": "李老师",
            "reporter_unit": "育英小学",
            "reporter_contact": "13800000000",
        },
    )
    services.case_police_decide(actor=home.police, case_id=case.pk, decision="filed")
    _refer(home, case)
    text = _text(_client(home.units[Unit.EDUCATION]).get(f"/protection/{case.pk}/"))
    for secret in ("李老师", "育英小学", "13800000000", home.civil.full_name + "代录"):
        assert secret not in text, secret
    police = _text(_client(home.police).get(f"/protection/{case.pk}/"))
    assert "李老师（育英小学） · 13800000000" in police


# Every step -----------------------------------------------------------------------------


def test_the_whole_workflow_through_the_pages(home):
    case = file_report(home.director)
    police = _client(home.police)
    civil = _client(home.civil)
    education = _client(home.units[Unit.EDUCATION])
    federation = _client(home.units[Unit.WOMENS_FEDERATION])
    url = f"/protection/{case.pk}/"

    response = police.post(f"{url}decide/", {"decision": "accepted"}, follow=True)
    case.refresh_from_db()
    assert _messages(response) == [
        f"已受案（{case.number}）。请于 {_local(case.feedback_due_at)} 前向报告单位反馈。"
    ]
    assert response.redirect_chain[-1][0] == url
    again = police.post(f"{url}decide/", {"decision": "filed"})
    assert (
        f"未能受理报告：该报告已由保护公安于 {_local(case.police_decided_at)} 受案，"
        "无需再次受理。"
    ) in _text(again)
    response = police.post(f"{url}feedback/", {"note": "已出警核实"}, follow=True)
    assert _messages(response) == ["已向报告单位反馈。"]

    case.refresh_from_db()
    response = civil.post(
        f"{url}assess/",
        {
            "expected_version": case.version,
            "risk": "high",
            "needs": ["guardianship", "education"],
            "safety_plan": "由祖母临时照料，村主任每日探望。",
        },
        follow=True,
    )
    assert _messages(response) == ["已保存评估：风险高。"]
    for unit, service, label in (
        (Unit.EDUCATION, "schooling", "教育（就学保障与劝返复学）"),
        (Unit.WOMENS_FEDERATION, "family_education", "妇联（家庭教育指导）"),
    ):
        response = civil.post(
            f"{url}refer/",
            {"unit": unit, "service": service, "reason": "帮扶", "timeframe": "72"},
            follow=True,
        )
        referral = Referral.objects.get(unit=unit)
        assert _messages(response) == [
            f"已转介给{label}，应于 {_local(referral.respond_by)} 前接收。"
        ]
    response = civil.post(f"{url}close/", {"outcome": "resolved", "note": "已妥善照料"})
    assert response.status_code == 200
    assert (
        "还有未办结的转介：教育（就学保障与劝返复学，待接收）、妇联（家庭教育指导，待接收）。"
        "请等待办结，或撤回后再结案。"
    ) in _text(response)
    assert 'value="已妥善照料"' not in _text(response)  # a textarea keeps it inside
    assert "已妥善照料</textarea>" in _text(response)

    first = Referral.objects.get(unit=Unit.EDUCATION)
    response = education.post(f"/protection/referrals/{first.pk}/accept/", follow=True)
    assert _messages(response) == [
        "已接收转介（就学保障与劝返复学）。办理后请记录处置措施，并填写办理结果。"
    ]
    response = education.post(
        f"{url}action/",
        {
            "kind": "service",
            "service": "schooling",
            "occurred_on": timezone.localdate().isoformat(),
            "persons": "",
            "note": "安排寄宿",
        },
        follow=True,
    )
    assert _messages(response) == [
        "已记录处置措施：其他帮扶措施：就学保障与劝返复学，安排寄宿。"
    ]
    response = education.post(
        f"/protection/referrals/{first.pk}/done/",
        {"successful": "1", "note": "已入学寄宿"},
        follow=True,
    )
    assert _messages(response) == [
        "已办结转介（办理成功）。",
        "该案件已不在本单位可查看的范围内。",
    ]
    assert response.redirect_chain[-1][0] == "/protection/inbox/"

    second = Referral.objects.get(unit=Unit.WOMENS_FEDERATION)
    response = federation.post(
        f"/protection/referrals/{second.pk}/reject/", {"reason": "不属本单位职责"}
    )
    assert response.status_code == 302
    response = civil.post(
        f"{url}close/", {"outcome": "resolved", "note": "已妥善照料"}, follow=True
    )
    assert _messages(response) == ["案件已结案：风险已消除。"]
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert CaseAction.objects.get().unit == Unit.EDUCATION
    page = _text(response)
    assert "已于" in page and 'data-testid="form-reopen"' in page
    response = civil.post(f"{url}reopen/", {"reason": "发现新情况"}, follow=True)
    assert _messages(response) == ["案件已重新开启，请重新评估。"]
    assert Case.objects.get().status != CaseStatus.CLOSED


def test_a_unit_revoked_while_it_worked_is_told_why(home):
    case = _accepted(home)
    referral = _refer(home, case)
    civil = _client(home.civil)
    response = civil.post(
        f"/protection/referrals/{referral.pk}/revoke/", {"reason": ""}
    )
    assert response.context["failed"].errors["reason"] == ["请填写撤回理由。"]
    assert Referral.objects.get().status == ReferralStatus.PENDING
    response = civil.post(
        f"/protection/referrals/{referral.pk}/revoke/",
        {"reason": "误转"},
        follow=True,
    )
    assert _messages(response) == ["已撤回给教育的转介。"]
    assert Referral.objects.get().status == ReferralStatus.REVOKED


def test_bad_step_input_names_the_field_and_saves_nothing(home):
    case = file_report(home.director)
    url = f"/protection/{case.pk}/"
    police = _client(home.police)
    response = police.post(f"{url}decide/", {"decision": "not_filed", "reason": ""})
    assert response.status_code == 200
    form = response.context["failed"]
    assert form.errors["reason"] == ["请填写理由。"]
    text = _text(response)
    assert "未能受理报告：请按“受理报告”中的提示修改后再提交" in text
    assert 'value="not_filed"' in text and "checked" in text
    assert Case.objects.get().police_decided_at is None

    services.case_police_decide(actor=home.police, case_id=case.pk, decision="filed")
    civil = _client(home.civil)
    version = Case.objects.get().version
    response = civil.post(
        f"{url}assess/",
        {"expected_version": version, "risk": "high", "safety_plan": "每日探望"},
    )
    assert response.context["failed"].errors["needs"] == ["请至少选择一项需求。"]
    assert "每日探望</textarea>" in _text(response)
    response = civil.post(
        f"{url}refer/",
        {
            "unit": Unit.HOUSING,
            "service": "living",
            "reason": "危房",
            "timeframe": "72",
        },
    )
    assert response.context["failed"].errors["unit"] == [
        "隆回县还没有住建的账号，无法转介给该单位：请先为该单位开通账号，或选择其他单位。"
    ]
    response = civil.post(
        f"{url}action/",
        {
            "kind": "rescue",
            "persons": "",
            "occurred_on": timezone.localdate().isoformat(),
        },
    )
    assert response.context["failed"].errors["persons"] == [
        "救助人次应为 1 到 9999 之间的整数。"
    ]
    response = civil.post(f"{url}close/", {"outcome": "", "note": "x"})
    assert response.context["failed"].errors["outcome"] == ["请选择结案结果。"]
    response = civil.post(f"{url}sensitivity/", {"sensitivity": "high", "reason": ""})
    assert response.context["failed"].errors["reason"] == ["请填写调整理由。"]
    response = civil.post(f"{url}link-child/", {"child_id": ""})
    assert response.context["failed"].errors["child_id"] == [
        "请先搜索并选择台账中的儿童。"
    ]
    case = Case.objects.get()
    assert case.assessed_at is None and case.sensitivity == Sensitivity.NORMAL
    assert not Referral.objects.exists() and not CaseAction.objects.exists()

    referral = _refer(home, case)
    education = _client(home.units[Unit.EDUCATION])
    response = education.post(
        f"/protection/referrals/{referral.pk}/reject/", {"reason": " "}
    )
    assert response.context["failed"].errors["reason"] == ["请填写拒绝理由。"]
    services.referral_accept(actor=home.units[Unit.EDUCATION], referral_id=referral.pk)
    response = education.post(
        f"/protection/referrals/{referral.pk}/done/", {"note": "已办"}
    )
    assert response.context["failed"].errors["successful"] == [
        "请选择办理结果：办理成功或未成功。"
    ]
    response = education.post(
        f"{url}action/",
        {"kind": "rescue", "persons": "1", "occurred_on": "2020-01-01"},
    )
    assert response.context["failed"].errors["kind"] == [
        "“rescue”不是可选的措施：请从列表中选择。"
    ]
    response = education.post(f"/protection/referrals/{referral.pk}/accept/")
    assert response.status_code == 200
    accepted = _local(Referral.objects.get().responded_at)
    assert (
        f"未能接收转介：该转介已由保护教育于 {accepted} 接收，无需再次接收。"
    ) in _text(response)
    assert Referral.objects.get().status == ReferralStatus.ACCEPTED
    assert not CaseAction.objects.exists()


def test_a_stale_assessment_shows_the_newer_one_and_keeps_the_typed_one(home):
    case = _accepted(home)
    stale = case.version
    services.case_assess(
        actor=home.civil,
        case_id=case.pk,
        expected_version=stale,
        risk="medium",
        needs=["living"],
        safety_plan="同事先写的安全计划",
    )
    current = Case.objects.get().version
    response = _client(home.civil).post(
        f"/protection/{case.pk}/assess/",
        {
            "expected_version": stale,
            "risk": "high",
            "needs": ["safety"],
            "safety_plan": "我写的安全计划",
        },
    )
    assert response.status_code == 200
    text = _text(response)
    assert (
        f"保存失败：在您办理期间，该案件已被他人更新（当前为第{current}版）。"
        "您填写的内容没有丢失，请刷新后对照重新提交。"
    ) in text
    assert "同事先写的安全计划" in text  # the newer assessment, shown above
    assert "我写的安全计划</textarea>" in text
    assert f'name="expected_version" value="{current}"' in text
    assert Case.objects.get().safety_plan == "同事先写的安全计划"


def test_steps_the_viewer_may_not_take_are_refused(home):
    case = _accepted(home)
    referral = _refer(home, case)
    url = f"/protection/{case.pk}/"
    refusals = (
        (home.director, f"{url}decide/", {"decision": "accepted"}),
        (home.director, f"{url}assess/", {"risk": "high"}),
        (home.civil, f"{url}decide/", {"decision": "accepted"}),
        (home.police, f"{url}close/", {"outcome": "resolved", "note": "x"}),
        (home.units[Unit.EDUCATION], f"{url}assess/", {"risk": "high"}),
        (home.units[Unit.EDUCATION], f"{url}action/", {"kind": "service"}),
        (
            home.units[Unit.EDUCATION],
            f"/protection/referrals/{referral.pk}/revoke/",
            {"reason": "x"},
        ),
        (home.police, f"/protection/referrals/{referral.pk}/accept/", {}),
    )
    for user, target, data in refusals:
        response = _client(user).post(target, data)
        assert response.status_code == 403, (user.username, target)
        assert FORBIDDEN in _text(response)
    for step in ("decide/", "close/"):  # steps are taken by POST only
        assert _client(home.civil).get(f"{url}{step}").status_code == 405
    assert Referral.objects.get().status == ReferralStatus.PENDING
    assert Case.objects.get().assessed_at is None


def test_handlers_sensitivity_and_the_ledger_child(home):
    case = _accepted(home)
    child = make_child(home.village, name="王小花")
    civil = _client(home.civil)
    url = f"/protection/{case.pk}/"
    page = _text(civil.get(url))
    assert 'data-testid="form-handlers"' in page and "保护公安" in page
    response = civil.post(f"{url}handlers/", {"add": [home.police.pk]}, follow=True)
    assert _messages(response) == ["已调整经办人。"]
    assert list(case.handlers.values_list("user", flat=True)) == [home.police.pk]
    response = civil.post(
        f"{url}sensitivity/", {"sensitivity": "high", "reason": "涉及性侵"}, follow=True
    )
    assert _messages(response) == ["敏感级别：高度敏感。"]
    response = civil.post(f"{url}link-child/", {"child_id": child.pk}, follow=True)
    assert _messages(response) == ["已关联台账儿童：王小花。"]
    case.refresh_from_db()
    assert case.child == child and case.sensitivity == Sensitivity.HIGH
    child.refresh_from_db()
    assert child.open_mandatory_report
    text = _text(response)
    assert "一般 → 高度敏感：涉及性侵" in text and "关联台账儿童：王小花" in text


def test_the_action_form_offers_the_units_own_kinds(home):
    case = _accepted(home)
    referral = _refer(home, case)
    services.referral_accept(actor=home.units[Unit.EDUCATION], referral_id=referral.pk)
    civil = _client(home.civil).get(f"/protection/{case.pk}/")
    action = next(f for f in civil.context["forms"] if f.step == "action")
    kinds = dict(action.fields["kind"].choices)
    assert "rescue" in kinds and "service" in kinds and "hukou" not in kinds
    education = _client(home.units[Unit.EDUCATION]).get(f"/protection/{case.pk}/")
    action = next(f for f in education.context["forms"] if f.step == "action")
    assert [k for k, _ in action.fields["kind"].choices] == ["", "service"]
    text = _text(education)
    assert 'data-kinds="rescue family_help hukou arrest prosecution"' in text
