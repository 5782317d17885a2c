"""The department data-sharing API: its public schema, bearer keys (missing, unknown,
revoked, expired), scope (kind, area), the rate per token, uploads (accepted, refused
by row), the lists and one list's result; every request audited; and the API fuzzed
from its own schema: no operation answers 500."""

from datetime import date, timedelta

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from shouwang.accounts.models import Unit
from shouwang.audit.models import AuditAction, AuditEvent
from shouwang.exchange import tokens
from shouwang.exchange.models import Alert, DepartmentList, Measure
from shouwang.exchange.vocab import AlertState, ListKind, Person
from shouwang.registry.tests.factories import id_for, make_child, make_place
from tests.test_api_schemathesis import InTestTransaction

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
TODAY_IS_LIVE = True
BASE = "/api/exchange/v1"
LISTS = f"{BASE}/lists"
ADULT = date(1985, 4, 2)
RENEW = "请联系县级民政部门重新创建令牌。"


@pytest.fixture
def place():
    return make_place()


@pytest.fixture
def token(place):
    """A justice system's token for the home county: prison and rehab lists."""
    return tokens.token_create(
        actor=place.civil,
        name="县司法局系统",
        unit=Unit.JUSTICE,
        area=place.county,
        kinds=[ListKind.PRISON, ListKind.REHAB],
        expires_on=TODAY + timedelta(days=90),
    )


def _bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _csv(*lines: str) -> SimpleUploadedFile:
    data = ("\n".join(lines) + "\n").encode("utf-8")
    return SimpleUploadedFile("服刑在押名单.csv", data, content_type="text/csv")


def _upload(key: str, file, **fields):
    return Client().post(
        LISTS, {"file": file, "kind": "prison", **fields}, **_bearer(key)
    )


def _sent(token, area, name="名单.csv", unit=None) -> DepartmentList:
    return DepartmentList.objects.create(
        kind=ListKind.PRISON,
        area=area,
        unit=unit or token.unit,
        source=token.name,
        listed_on=TODAY,
        uploaded_by=token.created_by,
        token=token,
        original_name=name,
        sha256=name.encode().hex()[:64],
        row_count=3,
        matched=2,
    )


def test_the_schema_is_public_at_a_stable_url():
    answer = Client().get(f"{BASE}/openapi.json")
    assert answer.status_code == 200
    schema = answer.json()
    assert schema["info"]["title"] == "守望 部门数据共享接口"
    assert {"/api/exchange/v1/lists", "/api/exchange/v1/lists/{list_id}"} <= set(
        schema["paths"]
    )
    assert reverse("exchange-api:list-result", kwargs={"list_id": 7}) == (f"{LISTS}/7")


def test_keys_missing_unknown_revoked_and_expired_answer_401_each_saying_why(
    place, token
):
    found, key = token
    missing = Client().get(LISTS)
    assert missing.status_code == 401
    assert missing.json()["detail"].startswith("缺少接口令牌：请在请求头中提供")
    unknown = Client().get(LISTS, **_bearer("sw_" + "x" * 43))
    assert unknown.status_code == 401
    assert unknown.json()["detail"] == (
        f"接口令牌无效：请核对令牌是否完整复制；令牌遗失的，{RENEW}"
    )
    # A session login is no key.
    browser = Client()
    browser.force_login(place.civil)
    assert browser.get(LISTS).status_code == 401

    found.expires_at = timezone.now() - timedelta(minutes=1)
    found.save()
    expired = Client().get(LISTS, **_bearer(key))
    assert (expired.status_code, expired.json()["detail"]) == (
        401,
        f"接口令牌已于 {timezone.localtime(found.expires_at):%Y-%m-%d} 过期：{RENEW}",
    )
    found.expires_at = timezone.now() + timedelta(days=1)
    found.save()
    tokens.token_revoke(actor=place.civil, token_id=found.pk)
    found.refresh_from_db()
    revoked = _upload(key, _csv("姓名"))
    assert (revoked.status_code, revoked.json()["detail"]) == (
        401,
        f"接口令牌已于 {timezone.localtime(found.revoked_at):%Y-%m-%d} 吊销，"
        f"不能再使用：{RENEW}",
    )
    # Audited: every key presented; not the requests presenting none.
    rows = AuditEvent.objects.filter(action=AuditAction.EXCHANGE_API).order_by("id")
    assert [(e.details["prefix"], e.details["status"]) for e in rows] == [
        ("sw_xxxxx", 401),
        (found.prefix, 401),
        (found.prefix, 401),
    ]
    assert rows.last().details["operation"] == "POST /api/exchange/v1/lists"
    assert not DepartmentList.objects.exists()


def test_a_kind_or_an_area_outside_the_token_answers_403(place, token):
    _, key = token
    death = _upload(key, _csv("姓名"), kind="death")
    assert death.status_code == 403
    assert death.json()["detail"] == (
        "该令牌不能报送“死亡”名单：可报送的类型为 服刑在押（prison）、强制隔离戒毒"
        "（rehab）。需要报送其他类型的，请联系县级民政部门。"
    )
    foreign = _upload(key, _csv("姓名"), area=place.foreign_county.code)
    assert foreign.status_code == 403
    assert foreign.json()["detail"] == (
        "洞口县（430525000000）不在该令牌的适用地区隆回县（430524000000）内："
        "只能报送本地区及下级地区的名单。"
    )
    unknown = _upload(key, _csv("姓名"), kind="weather")
    assert unknown.status_code == 400
    assert unknown.json()["detail"].startswith("不认识的名单类型“weather”：")
    statuses = AuditEvent.objects.filter(action=AuditAction.EXCHANGE_API)
    assert sorted(e.details["status"] for e in statuses) == [400, 403, 403]


def test_a_token_past_its_rate_answers_429_with_retry_after(settings, token):
    settings.EXCHANGE_API_RATE_PER_MINUTE = 2
    found, key = token
    client = Client()
    assert [client.get(LISTS, **_bearer(key)).status_code for _ in range(2)] == [
        200,
        200,
    ]
    limited = client.get(LISTS, **_bearer(key))
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert limited.json()["detail"] == (
        f"请求过于频繁：每个令牌每分钟最多 2 次请求，请 {limited['Retry-After']} "
        "秒后再试。"
    )
    # Refused requests do not extend the wait; the minute slides.
    assert client.get(LISTS, **_bearer(key)).status_code == 429
    AuditEvent.objects.filter(action=AuditAction.EXCHANGE_API).update(
        at=timezone.now() - timedelta(seconds=61)
    )
    assert client.get(LISTS, **_bearer(key)).status_code == 200
    found.refresh_from_db()
    assert found.last_used_at is not None
    statuses = [
        e.details["status"]
        for e in AuditEvent.objects.filter(action=AuditAction.EXCHANGE_API).order_by(
            "id"
        )
    ]
    assert statuses == [200, 200, 429, 429, 200]


def test_lists_and_results_are_those_of_the_unit_inside_the_area(place, token):
    found, key = token
    mine = _sent(found, place.county, "本单位名单.csv")
    other_unit, _ = tokens.token_create(
        actor=place.civil,
        name="县公安局系统",
        unit=Unit.POLICE,
        area=place.county,
        kinds=[ListKind.PRISON],
        expires_on=TODAY + timedelta(days=9),
    )
    police = _sent(other_unit, place.county, "公安名单.csv")
    foreign_token, _ = tokens.token_create(
        actor=place.foreign_civil,
        name="外县司法局系统",
        unit=Unit.JUSTICE,
        area=place.foreign_county,
        kinds=[ListKind.PRISON],
        expires_on=TODAY + timedelta(days=9),
    )
    foreign = _sent(foreign_token, place.foreign_county, "外县名单.csv")
    child = make_child(place.village, name="李四")
    for state in (AlertState.OPEN, AlertState.OPEN, AlertState.REJECTED):
        Alert.objects.create(
            department_list=mine,
            row_number=2,
            child=child,
            village=place.village,
            person=Person.FATHER,
            field="father_status",
            proposed=f"服刑在押{Alert.objects.count()}",
            says="父亲在服刑在押名单中",
            state=state,
            due_on=TODAY,
        )
    Measure.objects.create(
        kind=ListKind.PRISON,
        department_list=mine,
        child=child,
        village=place.village,
        on=TODAY,
        key="k1",
    )
    client = Client()
    page = client.get(LISTS, {"limit": 5}, **_bearer(key)).json()
    assert page["count"] == 1
    assert [i["filename"] for i in page["items"]] == ["本单位名单.csv"]

    result = client.get(f"{LISTS}/{mine.pk}", **_bearer(key))
    assert result.status_code == 200
    body = result.json()
    assert body["alerts"] == {"total": 3, "open": 2, "accepted": 0, "rejected": 1}
    assert (body["rows"], body["matched"], body["measures"]) == (3, 2, 1)
    for other in (police, foreign):
        missing = client.get(f"{LISTS}/{other.pk}", **_bearer(key))
        assert missing.status_code == 404
        assert missing.json()["detail"] == (
            "名单不存在，或不是本单位通过接口报送的本地区名单。"
        )
    assert client.get(f"{LISTS}/99999999999", **_bearer(key)).status_code in (404, 422)


def test_an_upload_is_matched_and_answers_its_counts(place, token):
    found, key = token
    father = id_for(place.village, ADULT)
    make_child(
        place.village,
        name="李四",
        father_name="张三",
        father_id_number=father,
        father_status="外出务工",
        mother_status="失联",
    )
    start = (TODAY - timedelta(days=30)).isoformat()
    file = _csv(
        "姓名,公民身份号码,开始日期,结束日期,场所",
        f"张三,{father},{start},,某监狱",
        f"王五,{id_for(place.village, ADULT)},{start},,某监狱",
    )
    answer = _upload(key, file)
    assert answer.status_code == 201, answer.content.decode()
    sent = DepartmentList.objects.get()
    assert answer.json() == {
        "list_id": sent.pk,
        "status": "committed",
        "rows": 2,
        "matched": 1,
        "alerts": 1,
        "measures": 0,
    }
    assert (sent.token, sent.unit, sent.uploaded_by) == (
        found,
        Unit.JUSTICE,
        place.civil,
    )
    file.seek(0)
    again = _upload(key, file)
    assert again.status_code == 400
    assert "同一份名单不会重复比对" in again.json()["detail"]
    assert Alert.objects.count() == 1
    event = AuditEvent.objects.filter(action=AuditAction.EXCHANGE_API).first()
    assert event.details == {
        "prefix": found.prefix,
        "operation": "POST /api/exchange/v1/lists",
        "status": 400,
        "admitted": True,
    }


def test_a_bad_upload_answers_422_with_every_problem_and_masked_numbers(place, token):
    _, key = token
    wrong = _upload(key, _csv("姓名,身份证,开始日期", "张三,1,2026-01-01"))
    assert wrong.status_code == 422
    body = wrong.json()
    assert "公民身份号码" in body["detail"]
    bad_id = "430524198504020012"  # check digit wrong
    rows = _upload(
        key,
        _csv(
            "姓名,公民身份号码,开始日期,结束日期,场所",
            f"张三,{bad_id},2026-01-01,,某监狱",
        ),
    )
    assert rows.status_code == 422
    body = rows.json()
    assert body["detail"] == "名单有 1 处错误，整份未接收：请改正后重新报送。"
    [problem] = body["errors"]
    assert (problem["row"], problem["column"], problem["value"]) == (
        2,
        "公民身份号码",
        "430524********0012",
    )
    assert bad_id not in rows.content.decode()
    assert not DepartmentList.objects.exists()


def test_the_api_answers_every_generated_request_as_its_schema_says(place, token):
    found, key = token
    known = _sent(found, place.county)
    schema = schemathesis.openapi.from_dict(Client().get(f"{BASE}/openapi.json").json())
    app = InTestTransaction()
    headers = {"Authorization": f"Bearer {key}"}
    failures: list[str] = []
    statuses: set[int] = set()
    operations = []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations.append(operation.label)
        strategy = operation.as_strategy()
        if operation.path_parameters:
            strategy = st.one_of(
                strategy, operation.as_strategy(path_parameters={"list_id": known.pk})
            )

        @hypothesis_settings(
            max_examples=6,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case) -> None:
            try:
                response = case.call(app=app, headers=headers)
                statuses.add(response.status_code)
                case.validate_response(
                    response, checks=[not_a_server_error, response_schema_conformance]
                )
            except Exception as error:
                failures.append(f"{case.operation.label}: {error}"[:2000])

        run()

    assert len(operations) == 3, operations
    assert 200 in statuses, statuses
    assert not failures, "\n\n".join(failures)


def test_any_file_of_a_kind_the_token_may_send_answers_below_500(place, token):
    """Garbage bytes under any name, sent as a kind the token may send: the checks
    refuse them (400 or 422), never a server error."""
    _, key = token

    @hypothesis_settings(
        max_examples=12,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(
        data=st.binary(max_size=300),
        suffix=st.sampled_from([".csv", ".xlsx", ".xls", ".txt", ""]),
    )
    def run(data, suffix) -> None:
        file = SimpleUploadedFile(f"名单{suffix}", data)
        answer = _upload(key, file)
        assert answer.status_code in (400, 422), answer.content.decode()[:500]

    run()


def test_a_token_lapses_when_its_creator_no_longer_manages_its_area(place, token):
    _, key = token
    assert Client().get(LISTS, **_bearer(key)).status_code == 200
    place.civil.area = place.foreign_county
    place.civil.save()
    moved = Client().get(LISTS, **_bearer(key))
    assert (moved.status_code, moved.json()["detail"]) == (
        401,
        f"创建该令牌的民政干部已不再管理隆回县，令牌随之失效：{RENEW}",
    )
