"""The protection API (/api/protection…), through HTTP: each operation, its denied
paths and bad input, with the access policy of protection.access."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shouwang.accounts.models import Role, Unit
from shouwang.audit.models import AuditEvent
from shouwang.protection.models import BreakGlass, Case, Referral
from shouwang.protection.vocab import Situation
from tests.factories import make_user

from .factories import file_report, make_county, make_foreign

pytestmark = pytest.mark.django_db

BASE = "/api/protection"
CASE_NOT_FOUND = {"detail": "案件不存在或您无权查看。"}
REFERRAL_NOT_FOUND = {"detail": "转介不存在或您无权办理。"}
DENIED = {"detail": "您没有办理此项的权限。"}


@pytest.fixture
def home():
    return make_county()


def _client(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def _post(client, url, body=None):
    return client.post(
        f"{BASE}{url}", json.dumps(body or {}), content_type="application/json"
    )


def _get(client, url):
    return client.get(f"{BASE}{url}")


def _report_body(**overrides) -> dict:
    body = {
        "situation": "living_alone",
        "urgency": "urgent",
        "found_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "found_place": "村口小卖部",
        "observed": "孩子独自在家两天",
        "child_name": "小红",
        "child_sex": "女",
        "child_age": 8,
    }
    body.update(overrides)
    return body


def _accepted(home) -> Case:
    """A report the police have accepted."""
    case = file_report(home.director)
    response = _post(
        _client(home.police), f"/cases/{case.pk}/decide", {"decision": "accepted"}
    )
    assert response.status_code == 200
    return Case.objects.get(pk=case.pk)


def _referred(home, unit=Unit.EDUCATION) -> tuple[Case, dict]:
    case = _accepted(home)
    response = _post(
        _client(home.civil),
        f"/cases/{case.pk}/referrals",
        {"unit": unit, "service": "schooling", "reason": "安排寄宿", "timeframe": 72},
    )
    assert response.status_code == 201, response.json()
    return case, response.json()


# Reports --------------------------------------------------------------------------


def test_a_report_is_filed_and_answers_with_its_receipt(home):
    response = _post(_client(home.director), "/cases", _report_body())
    assert response.status_code == 201
    answer = response.json()
    case = Case.objects.get(pk=answer["id"])
    assert answer["number"] == case.number and case.number.startswith("430524-")
    assert (answer["status"], answer["status_label"]) == ("reported", "待公安受理")
    assert answer["view"] == "receipt"
    inbox = _get(_client(home.police), "/inbox").json()
    assert [c["number"] for c in inbox["police"]] == [case.number]
    assert inbox["count"] == 1


def test_a_report_without_a_situation_or_a_child_lists_every_problem(home):
    response = _post(
        _client(home.director),
        "/cases",
        _report_body(situation="", child_name="", found_place=""),
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "请求参数有误。"
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert errors["situation"] == "请选择情形。"
    assert errors["found_place"] == "请填写发现地点。"
    assert errors["child_description"].startswith("请选择台账中的儿童，或填写儿童的")
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"child_age": "八岁"}, "child_age", "儿童年龄应为整数。"),
        ({"child_age": 30}, "child_age", "儿童年龄应为 0 到 17 之间的整数"),
        ({"channel": "fax"}, "channel", "报告方式“fax”不是可选的值"),
        ({"found_at": "9999-12-31T23:59:00"}, "found_at", "发现时间不能晚于现在"),
        ({"found_at": "0001-01-01T00:00:00+08:00"}, "found_at", "发现时间早于十年前"),
        ({"found_place": "村\x00口"}, "found_place", "发现地点含有不允许的空字符"),
        ({"colour": "红"}, "colour", "不认识的字段“colour”"),
        ({"situation": "bad"}, "situation", "情形“bad”不是可选的值"),
    ],
)
def test_bad_report_values_are_refused_in_chinese_by_field(
    home, overrides, field, message
):
    response = _post(_client(home.director), "/cases", _report_body(**overrides))
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert errors[field].startswith(message)
    assert not Case.objects.exists()


def test_only_reporting_roles_file_reports(home):
    leader = make_user(Role.LEADER, home.county, username="p_leader")
    response = _post(_client(leader), "/cases", _report_body())
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "您没有提交强制报告的权限。"},
    )
    response = _post(
        _client(home.director),
        "/cases",
        _report_body(channel="phone", reporter_name="李老师"),
    )
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert errors == {"channel": "只有民政干部可以代录电话报告。"}


def test_a_post_needs_the_csrf_token(home):
    client = _client(home.director, enforce_csrf_checks=True)
    response = _post(client, "/cases", _report_body())
    assert response.status_code == 403
    assert not Case.objects.exists()
    client.cookies["csrftoken"] = token = "p" * 32
    response = client.post(
        f"{BASE}/cases",
        json.dumps(_report_body()),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201


def test_anonymous_gets_401():
    assert Client().get(f"{BASE}/cases").status_code == 401
    assert Client().post(f"{BASE}/cases").status_code == 401


# Reading cases ------------------------------------------------------------------


def test_the_list_shows_what_the_viewer_sees_and_filters(home):
    case = file_report(home.director)
    other = file_report(home.director, situation=Situation.NO_HUKOU)
    answer = _get(_client(home.police), "/cases").json()
    assert answer["count"] == 2
    assert {i["number"] for i in answer["items"]} == {case.number, other.number}
    assert {i["view"] for i in answer["items"]} == {"full"}
    answer = _get(_client(home.police), "/cases?situation=no_hukou").json()
    assert [i["number"] for i in answer["items"]] == [other.number]
    answer = _get(_client(home.police), f"/cases?q={case.number}").json()
    assert [i["number"] for i in answer["items"]] == [case.number]
    answer = _get(_client(home.director), "/cases?limit=1").json()
    assert answer["count"] == 2 and len(answer["items"]) == 1
    assert answer["items"][0]["view"] == "receipt"
    assert _get(_client(home.units[Unit.EDUCATION]), "/cases").json() == {
        "count": 0,
        "items": [],
    }
    foreign = make_foreign()
    assert _get(_client(foreign.civil), "/cases").json()["count"] == 0


def test_the_list_refuses_unknown_filters_and_roles_without_cases(home):
    response = _get(_client(home.police), "/cases?status=lost")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "status",
            "message": "状态“lost”不是可选的值，应为："
            "reported、accepted、assessed、referred、closed。",
        }
    ]
    leader = make_user(Role.LEADER, home.county, username="p_leader")
    response = _get(_client(leader), "/cases")
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "您没有办理保护案件的权限。"},
    )


def test_the_whole_case_for_civil_affairs_with_the_reporter(home):
    case, _ = _referred(home)
    response = _get(_client(home.civil), f"/cases/{case.pk}")
    assert response.status_code == 200
    answer = response.json()
    assert answer["view"] == "full"
    assert answer["report"]["observed"] == "孩子一个人在家，三天没有大人回来。"
    assert answer["report"]["version"] == Case.objects.get(pk=case.pk).version
    assert answer["reporter"]["name"] == home.director.full_name
    assert answer["police"]["decision"] == "accepted"
    assert answer["deadlines"]["police_due_at"] is None
    assert [r["unit"] for r in answer["referrals"]] == ["education"]
    assert [e["kind"] for e in answer["events"]] == [
        "reported",
        "police_decided",
        "referred",
    ]
    assert {"assess", "refer", "record_action", "close"} <= set(answer["allowed"])
    assert "decide" not in answer["allowed"]
    assert "rescue" in answer["action_kinds"]
    assert AuditEvent.objects.filter(action="case.view", actor=home.civil).exists()


def test_a_member_unit_sees_only_what_its_referral_needs(home):
    case, _ = _referred(home)
    federation = _post(
        _client(home.civil),
        f"/cases/{case.pk}/referrals",
        {"unit": "womens_federation", "service": "family_education", "reason": "指导"},
    )
    assert federation.status_code == 201
    answer = _get(_client(home.units[Unit.EDUCATION]), f"/cases/{case.pk}").json()
    assert answer["view"] == "referral"
    assert answer["child"] == {
        "ledger_id": None,
        "name": "小明",
        "sex": "男",
        "age": 9,
        "village": None,
        "village_name": "",
        "guardian_name": "",
        "guardian_phone": "",
        "description": "",
    }
    for hidden in ("report", "reporter", "police", "assessment", "deadlines"):
        assert answer[hidden] is None, hidden
    assert answer["actions"] == [] and answer["handlers"] == []
    assert [r["unit"] for r in answer["referrals"]] == ["education"]
    assert {e["kind"] for e in answer["events"]} == {"referred"}
    assert answer["allowed"] == ["break_glass"]
    assert "村口" not in json.dumps(answer, ensure_ascii=False)


def test_the_reporter_sees_a_receipt(home):
    case = _accepted(home)
    answer = _get(_client(home.director), f"/cases/{case.pk}").json()
    assert answer["view"] == "receipt"
    assert answer["child"] is None and answer["report"] is None
    assert answer["police"]["decision_label"] == "受案"
    assert answer["police"]["decided_by"] is None
    assert answer["reporter"]["name"] == home.director.full_name
    assert answer["referrals"] == [] and answer["allowed"] == []


def test_a_phone_report_shows_its_reporter_to_police_and_desk_only(home):
    response = _post(
        _client(home.civil),
        "/cases",
        _report_body(
            channel="phone",
            reporter_name="李老师",
            reporter_unit="某小学",
            reporter_contact="13800000000",
        ),
    )
    assert response.status_code == 201 and response.json()["view"] == "full"
    pk = response.json()["id"]
    for user in (home.civil, home.police):
        reporter = _get(_client(user), f"/cases/{pk}").json()["reporter"]
        assert reporter["name"] == "李老师" and reporter["channel"] == "phone"
    colleague = make_user(Role.CIVIL_AFFAIRS, home.county, username="p_colleague")
    from shouwang.protection import services

    services.desk_member_set(actor=home.civil, user=home.civil, active=True)
    answer = _get(_client(colleague), f"/cases/{pk}").json()
    assert answer["view"] == "full" and answer["reporter"] is None


def test_a_case_not_seen_answers_like_a_missing_one(home):
    case = file_report(home.director, situation=Situation.GIRL_UNDER_14)
    foreign = make_foreign()
    missing = Case.objects.order_by("-pk").first().pk + 100
    for user in (foreign.civil, home.units[Unit.EDUCATION], home.supervisor):
        client = _client(user)
        for pk in (case.pk, missing):
            response = _get(client, f"/cases/{pk}")
            assert (response.status_code, response.json()) == (404, CASE_NOT_FOUND)
            response = _post(client, f"/cases/{pk}/close", {"outcome": "resolved"})
            assert (response.status_code, response.json()) == (404, CASE_NOT_FOUND)


# Steps on a case ----------------------------------------------------------------


def test_police_decide_once(home):
    case = file_report(home.director)
    police = _client(home.police)
    response = _post(police, f"/cases/{case.pk}/decide", {"decision": "not_filed"})
    assert response.status_code == 400
    assert response.json() == {"detail": "请填写理由。", "field": "reason"}
    response = _post(police, f"/cases/{case.pk}/decide", {"decision": "maybe"})
    assert response.json() == {
        "detail": "受理结果“maybe”不是可选的值，请从列表中选择。",
        "field": "decision",
    }
    response = _post(police, f"/cases/{case.pk}/decide", {"decision": "filed"})
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    assert response.json()["deadlines"]["feedback_due_at"]
    again = _post(police, f"/cases/{case.pk}/decide", {"decision": "filed"})
    assert again.status_code == 400
    assert again.json()["detail"].endswith("立案，无需再次受理。")
    response = _post(
        _client(home.civil), f"/cases/{case.pk}/decide", {"decision": "filed"}
    )
    assert (response.status_code, response.json()) == (403, DENIED)


def test_feedback_follows_the_decision(home):
    case = file_report(home.director)
    police = _client(home.police)
    response = _post(police, f"/cases/{case.pk}/feedback", {"note": "已出警"})
    assert response.json() == {
        "detail": "请先受理该报告，再向报告单位反馈。",
        "field": None,
    }
    _post(police, f"/cases/{case.pk}/decide", {"decision": "accepted"})
    response = _post(police, f"/cases/{case.pk}/feedback", {"note": "已出警核实"})
    assert response.status_code == 200
    assert response.json()["police"]["feedback_note"] == "已出警核实"
    assert response.json()["deadlines"]["feedback_due_at"] is None
    director = _get(_client(home.director), f"/cases/{case.pk}").json()
    assert director["police"]["feedback_note"] == "已出警核实"


def test_assessment_on_the_version_read(home):
    case = file_report(home.director)
    civil = _client(home.civil)
    version = _get(civil, f"/cases/{case.pk}").json()["report"]["version"]
    body = {
        "expected_version": version,
        "risk": "high",
        "needs": ["guardianship", "flying"],
        "safety_plan": "祖母照料",
    }
    response = _post(civil, f"/cases/{case.pk}/assess", body)
    assert response.json() == {
        "detail": "需求“flying”不是可选的值，请从列表中选择。",
        "field": "needs",
    }
    body["needs"] = ["guardianship"]
    response = _post(civil, f"/cases/{case.pk}/assess", body)
    assert response.status_code == 200
    assert response.json()["assessment"]["risk_label"] == "高"
    stale = _post(civil, f"/cases/{case.pk}/assess", body)
    assert stale.status_code == 400
    assert "该案件已被他人更新" in stale.json()["detail"]
    response = _post(
        civil, f"/cases/{case.pk}/assess", {**body, "expected_version": "x"}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "expected_version", "message": "版本号应为整数。"}
    ]
    response = _post(_client(home.police), f"/cases/{case.pk}/assess", body)
    assert (response.status_code, response.json()) == (403, DENIED)


def test_referrals_go_to_units_that_exist(home):
    case = _accepted(home)
    civil = _client(home.civil)
    response = _post(
        civil,
        f"/cases/{case.pk}/referrals",
        {"unit": "housing", "service": "living", "reason": "危房"},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "unit"
    assert "还没有住建的账号" in response.json()["detail"]
    response = _post(
        civil,
        f"/cases/{case.pk}/referrals",
        {"unit": "education", "service": "schooling", "reason": "复学", "timeframe": 5},
    )
    assert response.json() == {"detail": "请选择响应时限。", "field": "timeframe"}
    case, referral = _referred(home)
    assert (referral["unit_label"], referral["status"]) == ("教育", "pending")
    assert referral["timeframe"] == 72 and referral["child_name"] == "小明"
    response = _post(
        _client(home.police),
        f"/cases/{case.pk}/referrals",
        {"unit": "education", "service": "schooling", "reason": "复学"},
    )
    assert (response.status_code, response.json()) == (403, DENIED)


def test_actions_are_recorded_by_their_unit(home):
    case, referral = _referred(home)
    civil = _client(home.civil)
    today = timezone.localdate().isoformat()
    response = _post(
        civil,
        f"/cases/{case.pk}/actions",
        {"kind": "rescue", "persons": 2, "occurred_on": today},
    )
    assert response.status_code == 201
    assert response.json()["summary"] == "救助流浪乞讨未成年人：2人"
    response = _post(
        civil, f"/cases/{case.pk}/actions", {"kind": "rescue", "occurred_on": today}
    )
    assert response.json() == {
        "detail": "救助人次应为 1 到 9999 之间的整数。",
        "field": "persons",
    }
    response = _post(
        _client(home.police),
        f"/cases/{case.pk}/actions",
        {"kind": "placement", "placement": "foster", "occurred_on": today},
    )
    assert response.status_code == 400 and response.json()["field"] == "kind"
    education = _client(home.units[Unit.EDUCATION])
    body = {"kind": "service", "service": "schooling", "occurred_on": today}
    response = _post(education, f"/cases/{case.pk}/actions", body)
    assert (response.status_code, response.json()) == (403, DENIED)
    _post(education, f"/referrals/{referral['id']}/accept")
    response = _post(education, f"/cases/{case.pk}/actions", body)
    assert response.status_code == 201 and response.json()["unit"] == "education"
    response = _post(_client(home.director), f"/cases/{case.pk}/actions", body)
    assert (response.status_code, response.json()) == (403, DENIED)


def test_closing_names_open_referrals_and_reopening_needs_a_reason(home):
    case, referral = _referred(home)
    civil = _client(home.civil)
    close = {"outcome": "resolved", "note": "已妥善照料"}
    response = _post(civil, f"/cases/{case.pk}/close", close)
    assert response.json() == {
        "detail": "还有未办结的转介：教育（就学保障与劝返复学，待接收）。"
        "请等待办结，或撤回后再结案。",
        "field": None,
    }
    _post(civil, f"/referrals/{referral['id']}/revoke", {"reason": "误转"})
    response = _post(civil, f"/cases/{case.pk}/close", close)
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert response.json()["closing"]["outcome_label"] == "风险已消除"
    response = _post(civil, f"/cases/{case.pk}/reopen", {"reason": ""})
    assert response.json() == {"detail": "请填写重新开启的理由。", "field": "reason"}
    response = _post(civil, f"/cases/{case.pk}/reopen", {"reason": "孩子再次独居"})
    assert response.status_code == 200 and response.json()["status"] != "closed"
    again = _post(civil, f"/cases/{case.pk}/reopen", {"reason": "再开"})
    assert again.json()["detail"] == "该案件尚未结案，无需重新开启。"
    response = _post(_client(home.police), f"/cases/{case.pk}/close", close)
    assert (response.status_code, response.json()) == (403, DENIED)


# Referrals ----------------------------------------------------------------------


def test_the_unit_accepts_and_completes_a_referral_once(home):
    _, referral = _referred(home)
    education = _client(home.units[Unit.EDUCATION])
    url = f"/referrals/{referral['id']}"
    response = _post(education, f"{url}/done", {"successful": True, "note": "已办"})
    assert response.json() == {
        "detail": "该转介尚未接收：请先接收，再填写办理结果。",
        "field": None,
    }
    response = _post(education, f"{url}/accept")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    again = _post(education, f"{url}/accept")
    assert again.status_code == 400
    assert again.json()["detail"].startswith(
        f"该转介已由{home.units[Unit.EDUCATION].full_name}于"
    )
    response = _post(education, f"{url}/done", {"note": "已办"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "successful", "message": "请填写办理成功。"}
    ]
    response = _post(education, f"{url}/done", {"successful": False, "note": ""})
    assert response.json() == {"detail": "请填写未成功的原因。", "field": "note"}
    response = _post(education, f"{url}/done", {"successful": True, "note": "已复学"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["successful"]) == ("done", True)
    # Done: the unit's open referral is gone, and with it the case.
    response = _post(education, f"{url}/accept")
    assert (response.status_code, response.json()) == (404, REFERRAL_NOT_FOUND)


def test_a_referral_is_rejected_with_a_reason(home):
    _, referral = _referred(home)
    education = _client(home.units[Unit.EDUCATION])
    url = f"/referrals/{referral['id']}/reject"
    response = _post(education, url, {"reason": ""})
    assert response.json() == {"detail": "请填写拒绝理由。", "field": "reason"}
    response = _post(education, url, {"reason": "不属于本单位职责"})
    assert response.status_code == 200
    assert response.json()["reject_reason"] == "不属于本单位职责"
    assert Referral.objects.get(pk=referral["id"]).status == "rejected"


def test_other_units_cannot_touch_a_referral(home):
    _, referral = _referred(home)
    url = f"/referrals/{referral['id']}/accept"
    federation = _client(home.units[Unit.WOMENS_FEDERATION])
    assert (_post(federation, url).status_code, _post(federation, url).json()) == (
        404,
        REFERRAL_NOT_FOUND,
    )
    # The police see the whole case, but the referral is not theirs to answer.
    response = _post(_client(home.police), url)
    assert (response.status_code, response.json()) == (403, DENIED)
    response = _post(
        _client(home.units[Unit.EDUCATION]),
        f"/referrals/{referral['id']}/revoke",
        {"reason": "x"},
    )
    assert (response.status_code, response.json()) == (403, DENIED)


def test_a_revoked_referral_cannot_be_acted_on(home):
    _, referral = _referred(home)
    civil = _client(home.civil)
    url = f"/referrals/{referral['id']}"
    response = _post(civil, f"{url}/revoke", {"reason": ""})
    assert response.json() == {"detail": "请填写撤回理由。", "field": "reason"}
    response = _post(civil, f"{url}/revoke", {"reason": "误转"})
    assert response.status_code == 200 and response.json()["status"] == "revoked"
    again = _post(civil, f"{url}/revoke", {"reason": "再撤"})
    assert again.status_code == 400
    assert again.json()["detail"].startswith("该转介已被转介方于 ")
    assert again.json()["detail"].endswith(" 撤回，不能再办理。")
    response = _post(_client(home.units[Unit.EDUCATION]), f"{url}/accept")
    assert (response.status_code, response.json()) == (404, REFERRAL_NOT_FOUND)


# Inboxes, supervision, break the glass -----------------------------------------


def test_each_role_has_its_inbox(home):
    case, referral = _referred(home)
    school = file_report(home.director, situation=Situation.OUT_OF_SCHOOL)
    police = _get(_client(home.police), "/inbox").json()
    assert [c["number"] for c in police["police"]] == [school.number]
    desk = _get(_client(home.civil), "/inbox").json()
    assert {c["number"] for c in desk["desk"]} == {case.number, school.number}
    assert desk["count"] == 2
    education = _get(_client(home.units[Unit.EDUCATION]), "/inbox").json()
    assert [r["id"] for r in education["referrals"]] == [referral["id"]]
    assert [c["number"] for c in education["school"]] == [school.number]
    assert education["school"][0]["view"] == "referral"
    assert education["count"] == 1
    response = _get(_client(home.director), "/inbox")
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "您没有办理保护案件的权限。"},
    )


def test_the_supervision_list_shows_overdue_items_to_civil_affairs(home):
    case = file_report(home.director)
    Case.objects.filter(pk=case.pk).update(
        police_due_at=timezone.now() - timedelta(hours=5)
    )
    answer = _get(_client(home.civil), "/supervision").json()
    assert answer["count"] == 1
    [item] = answer["items"]
    assert (item["number"], item["what"], item["owed_by"]) == (
        case.number,
        "受理报告",
        "公安",
    )
    assert item["overdue_hours"] == 5
    response = _get(_client(home.police), "/supervision")
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "只有民政干部可以查看督办清单。"},
    )


def test_break_the_glass_needs_a_reason_and_opens_the_case(home):
    case = file_report(home.director, situation=Situation.GENITAL_INJURY)
    court = _client(home.units[Unit.COURT])
    assert _get(court, f"/cases/{case.pk}").status_code == 404
    response = _post(court, "/break-glass", {"number": case.number, "reason": ""})
    assert (response.status_code, response.json()) == (
        400,
        {"detail": "请填写查看理由。", "field": "reason"},
    )
    response = _post(
        court, "/break-glass", {"number": "nope", "reason": "审理需要核对"}
    )
    assert response.json()["field"] == "number"
    response = _post(
        court, "/break-glass", {"number": case.number, "reason": "审理相关案件需要核对"}
    )
    assert response.status_code == 201
    assert response.json()["case_id"] == case.pk
    assert BreakGlass.objects.filter(case=case).count() == 1
    assert _get(court, f"/cases/{case.pk}").json()["view"] == "full"
    response = _post(
        _client(home.director),
        "/break-glass",
        {"number": case.number, "reason": "想看看办理进度"},
    )
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "您的角色不能紧急查看保护案件。"},
    )
    foreign = make_foreign()
    response = _post(
        _client(foreign.police),
        "/break-glass",
        {"number": case.number, "reason": "想看看这个案件"},
    )
    assert response.status_code == 400 and response.json()["field"] == "number"


STEPS = [
    ("/cases/{case}/decide", "civil", {"decision": "filed"}),
    ("/cases/{case}/feedback", "civil", {"note": "已核实"}),
    ("/cases/{case}/assess", "police", {"expected_version": 1, "risk": "low"}),
    ("/cases/{case}/referrals", "police", {"unit": "court", "service": "legal"}),
    ("/cases/{case}/actions", "director", {"kind": "rescue", "persons": 1}),
    ("/cases/{case}/close", "police", {"outcome": "resolved", "note": "x"}),
    ("/cases/{case}/reopen", "police", {"reason": "再查"}),
    ("/referrals/{referral}/accept", "police", {}),
    ("/referrals/{referral}/reject", "civil", {"reason": "x"}),
    ("/referrals/{referral}/done", "police", {"successful": True, "note": "x"}),
    ("/referrals/{referral}/revoke", "police", {"reason": "x"}),
]


@pytest.mark.parametrize(("url", "who", "body"), STEPS)
def test_every_step_refuses_who_may_not_take_it_and_hides_from_who_cannot_see(
    home, url, who, body
):
    case, referral = _referred(home)
    url = url.format(case=case.pk, referral=referral["id"])
    user = home.director if who == "director" else getattr(home, who)
    version = Case.objects.get(pk=case.pk).version
    response = _post(_client(user), url, body)
    assert (response.status_code, response.json()) == (403, DENIED)
    # Someone who cannot see the case at all is told it is not there.
    outsider = home.units[Unit.WOMENS_FEDERATION]
    response = _post(_client(outsider), url, body)
    expected = REFERRAL_NOT_FOUND if url.startswith("/referrals/") else CASE_NOT_FOUND
    assert (response.status_code, response.json()) == (404, expected)
    assert Case.objects.get(pk=case.pk).version == version
