"""The child-registry API (/api/children…), through HTTP, with the pages' policy."""

import base64
import json
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from shouwang.accounts.models import Role
from shouwang.audit.models import AuditEvent
from shouwang.core.idnumber import make_id_number, mask_id_number
from shouwang.registry import services
from shouwang.registry.models import Child, ChildChange
from shouwang.registry.policy import age_on
from tests.factories import FOREIGN_COUNTY, HOME_COUNTY, make_area, make_user

pytestmark = pytest.mark.django_db

UNAUTHENTICATED = {"detail": "未登录或登录已过期，请先登录。"}
VIEW_DENIED = {"detail": "您没有查看儿童信息的权限。"}
EDIT_DENIED = {"detail": "您没有登记或修改儿童信息的权限。"}
NOT_FOUND = {"detail": "儿童记录不存在或不在您的管辖范围内。"}
INVALID = "请求参数有误。"


def _today() -> date:
    return timezone.localdate()


def _born(years: int, month: int = 3, day: int = 15) -> date:
    return date(_today().year - years, month, day)


@pytest.fixture
def place():
    return SimpleNamespace(
        county=make_area(HOME_COUNTY),
        township=make_area("430524101000", "桃花镇"),
        village=make_area("430524101201", "新田村"),
        village2=make_area("430524101202", "大坪村"),
        foreign=make_area("430525101201", "外县村"),
    )


@pytest.fixture
def people(place):
    return SimpleNamespace(
        civil=make_user(Role.CIVIL_AFFAIRS, place.county, username="civil"),
        supervisor=make_user(Role.SUPERVISOR, place.township, username="supervisor"),
        director=make_user(
            Role.DIRECTOR, place.village, username="director", full_name="张主任"
        ),
        neighbour=make_user(Role.DIRECTOR, place.village2, username="neighbour"),
        leader=make_user(Role.LEADER, place.county, username="leader"),
        department=make_user(Role.DEPARTMENT, place.county, username="department"),
        admin=make_user(Role.ADMIN, None, username="admin"),
        foreign=make_user(
            Role.CIVIL_AFFAIRS, make_area(FOREIGN_COUNTY), username="foreign"
        ),
    )


def make_child(village, *, actor, name="李小明", seq=1, born=None, **facts) -> Child:
    """A left-behind child (both parents migrant) registered through the service."""
    born = born or _born(9)
    male = facts.pop("male", True)
    data = {
        "name": name,
        "sex": "男" if male else "女",
        "birth_date": born,
        "id_number": make_id_number(village.code[:6], born, seq, male=male),
        "village_id": village.code,
        "father_name": "李大山",
        "father_id_number": make_id_number(
            village.code[:6], date(1985, 1, 2), seq, male=True
        ),
        "father_status": "外出务工",
        "father_work_place": "广东省深圳市",
        "mother_status": "外出务工",
        "mother_work_place": "广东省东莞市",
        "guardian_name": "李奶奶",
        "guardian_relation": "祖父母",
        "guardian_id_number": make_id_number(
            village.code[:6], date(1958, 6, 1), seq, male=False
        ),
        "guardian_phone": "13800138000",
    } | facts
    return services.child_register(actor=actor, data=data)


def _client(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def _post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def _put(client, url, body):
    return client.put(url, json.dumps(body), content_type="application/json")


def _new_child_body(village, **overrides) -> dict:
    born = _born(7, 8, 20)
    return {
        "name": "王小红",
        "sex": "女",
        "birth_date": born.isoformat(),
        "id_number": make_id_number("430524", born, 21, male=False),
        "village": village.code,
        "father_status": "外出务工",
        "father_work_place": "浙江省杭州市",
        "mother_status": "外出务工",
        "mother_work_place": "浙江省宁波市",
        "guardian_name": "王奶奶",
        "guardian_relation": "祖父母",
        "guardian_phone": "0739-1234567",
        "family_assistance": ["低保"],
    } | overrides


def _errors(response) -> list[tuple[str, str]]:
    assert response.status_code == 422, response.content
    return [(e["field"], e["message"]) for e in response.json()["errors"]]


def _record(child: Child, **changes) -> dict:
    """The record as the API shows it, from the database row."""
    child.refresh_from_db()
    return {
        "id": child.pk,
        "name": child.name,
        "sex": child.sex,
        "ethnicity": child.ethnicity,
        "birth_date": child.birth_date.isoformat(),
        "age": age_on(child.birth_date, _today()),
        "id_number": mask_id_number(child.id_number),
        "hukou_registered": child.hukou_registered,
        "hukou_nature": child.hukou_nature,
        "village": child.village_id,
        "village_name": child.village.name,
        "address": child.address,
        "health": child.health,
        "disability_category": child.disability_category,
        "disability_grade": child.disability_grade,
        "serious_illness": child.serious_illness,
        "schooling": child.schooling,
        "school": child.school,
        "boarding": child.boarding,
        "father_name": child.father_name,
        "father_id_number": mask_id_number(child.father_id_number),
        "father_status": child.father_status,
        "father_work_place": child.father_work_place,
        "father_phone": child.father_phone,
        "mother_name": child.mother_name,
        "mother_id_number": mask_id_number(child.mother_id_number),
        "mother_status": child.mother_status,
        "mother_work_place": child.mother_work_place,
        "mother_phone": child.mother_phone,
        "guardian_name": child.guardian_name,
        "guardian_relation": child.guardian_relation,
        "guardian_id_number": mask_id_number(child.guardian_id_number),
        "guardian_phone": child.guardian_phone,
        "guardian_capacity": child.guardian_capacity,
        "family_assistance": child.family_assistance,
        "confirmation_signed": child.confirmation_signed,
        "confirmation_date": None,
        "lives_alone": child.lives_alone,
        "in_school_after_18": child.in_school_after_18,
        "notes": child.notes,
        "responsible_director": child.responsible_director_id,
        "responsible_director_name": child.responsible_director.display_name
        if child.responsible_director
        else "",
        "liaison_cadre_name": "",
        "liaison_cadre_phone": "",
        "last_visit_date": None,
        "next_visit_due": child.next_visit_due and child.next_visit_due.isoformat(),
        "status": child.status,
        "status_label": child.get_status_display(),
        "exit_reason": child.exit_reason,
        "exit_date": None,
        "merged_into": None,
        "version": child.version,
        "categories": child.categories,
        "difficulty_kinds": child.difficulty_kinds,
        "weakness_type": child.weakness_type,
        "risk_level": child.risk_level,
        "visit_interval_days": child.visit_interval_days,
        "reasons": child.classification_reasons,
        "classified_on": child.classified_on.isoformat(),
    } | changes


def _without_times(body: dict) -> dict:
    assert {"created_at", "updated_at"} <= body.keys()
    return {k: v for k, v in body.items() if k not in ("created_at", "updated_at")}


# Denied paths --------------------------------------------------------------------


OPERATIONS = [
    ("get", "/api/children", None),
    ("get", "/api/children/{pk}", None),
    ("get", "/api/children/{pk}/history", None),
    ("post", "/api/children", "register"),
    ("put", "/api/children/{pk}", "update"),
    ("post", "/api/children/{pk}/exit", "exit"),
    ("post", "/api/children/{pk}/readmit", "readmit"),
    ("post", "/api/children/{pk}/reveal-ids", "reveal"),
]


def _call(client, method, url, kind, child, place):
    url = url.format(pk=child.pk)
    body = {
        "register": _new_child_body(place.village),
        "update": _new_child_body(place.village, version=child.version),
        "exit": {
            "version": child.version,
            "reason": "迁出本辖区",
            "exit_date": _today().isoformat(),
        },
        "readmit": {"version": child.version},
        "reveal": None,
    }.get(kind)
    if method == "get":
        return client.get(url)
    send = client.put if method == "put" else client.post
    return send(url, json.dumps(body or {}), content_type="application/json")


@pytest.mark.parametrize(("method", "url", "kind"), OPERATIONS)
def test_anonymous_callers_get_401(place, people, method, url, kind):
    child = make_child(place.village, actor=people.civil)
    response = _call(Client(), method, url, kind, child, place)
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
    assert Child.objects.count() == 1
    assert not AuditEvent.objects.filter(action__startswith="child.view").exists()


@pytest.mark.parametrize("role", ["leader", "department", "admin"])
@pytest.mark.parametrize(("method", "url", "kind"), OPERATIONS)
def test_roles_without_casework_get_403(place, people, role, method, url, kind):
    child = make_child(place.village, actor=people.civil)
    before = ChildChange.objects.count()
    response = _call(_client(getattr(people, role)), method, url, kind, child, place)
    assert response.status_code == 403
    reads = kind in (None, "reveal")
    assert response.json() == (VIEW_DENIED if reads else EDIT_DENIED)
    assert Child.objects.count() == 1
    assert ChildChange.objects.count() == before
    child.refresh_from_db()
    assert (child.version, child.status) == (1, "active")
    assert not AuditEvent.objects.filter(
        action__in=["child.view", "child.reveal_id"]
    ).exists()


@pytest.mark.parametrize(("method", "url", "kind"), OPERATIONS[1:3] + OPERATIONS[4:])
def test_a_director_of_another_village_gets_404(place, people, method, url, kind):
    child = make_child(place.village, actor=people.civil)
    client = _client(people.neighbour)
    theirs = _call(client, method, url, kind, child, place)
    missing = _call(
        client, method, url, kind, SimpleNamespace(pk=child.pk + 999, version=1), place
    )
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json() == NOT_FOUND
    child.refresh_from_db()
    assert (child.version, child.status, child.name) == (1, "active", "李小明")
    assert not AuditEvent.objects.filter(
        action__in=["child.view", "child.reveal_id"]
    ).exists()


def test_a_record_in_another_county_answers_like_a_missing_one(place, people):
    child = make_child(place.foreign, actor=people.foreign, seq=5)
    client = _client(people.civil)
    for suffix in ("", "/history"):
        response = client.get(f"/api/children/{child.pk}{suffix}")
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    response = _post(client, f"/api/children/{child.pk}/reveal-ids")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert client.get("/api/children").json() == {"items": [], "next": None}


def test_a_post_without_the_csrf_token_is_refused(place, people):
    client = _client(people.director, enforce_csrf_checks=True)
    response = _post(client, "/api/children", _new_child_body(place.village))
    assert response.status_code == 403
    assert response.json() == {"detail": "CSRF check Failed"}  # django-ninja's text
    assert not Child.objects.exists()
    # Reads need no token.
    assert client.get("/api/children").status_code == 200


def test_a_post_with_the_csrf_token_is_accepted(place, people):
    client = _client(people.director, enforce_csrf_checks=True)
    token = "k" * 32
    client.cookies["csrftoken"] = token
    response = client.post(
        "/api/children",
        json.dumps(_new_child_body(place.village)),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201
    assert Child.objects.get().name == "王小红"


# The list ------------------------------------------------------------------------


def test_the_list_shows_the_jurisdiction_with_masked_numbers(place, people):
    ming = make_child(
        place.village, actor=people.civil, name="李小明", seq=1, schooling="小学"
    )
    hong = make_child(
        place.village2,
        actor=people.civil,
        name="陈红",
        seq=2,
        male=False,
        guardian_capacity="较好",
    )
    make_child(place.foreign, actor=people.foreign, name="外县儿童", seq=3)

    response = _client(people.civil).get("/api/children")
    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "id": hong.pk,
                "name": "陈红",
                "sex": "女",
                "birth_date": hong.birth_date.isoformat(),
                "age": age_on(hong.birth_date, _today()),
                "id_number": f"430524********{hong.id_number[-4:]}",
                "village": "430524101202",
                "village_name": "大坪村",
                "schooling": "",
                "categories": ["农村留守儿童"],
                "difficulty_kinds": [],
                "weakness_type": "",
                "risk_level": "低",
                "status": "active",
                "version": 1,
            },
            {
                "id": ming.pk,
                "name": "李小明",
                "sex": "男",
                "birth_date": ming.birth_date.isoformat(),
                "age": age_on(ming.birth_date, _today()),
                "id_number": f"430524********{ming.id_number[-4:]}",
                "village": "430524101201",
                "village_name": "新田村",
                "schooling": "小学",
                "categories": ["农村留守儿童"],
                "difficulty_kinds": [],
                "weakness_type": "",
                "risk_level": "中",
                "status": "active",
                "version": 1,
            },
        ],
        "next": None,
    }
    body = response.content.decode()
    for child in (ming, hong):
        for number in (child.id_number, child.father_id_number):
            assert number not in body

    rows = _client(people.director).get("/api/children").json()["items"]
    assert [row["name"] for row in rows] == ["李小明"]


def test_the_list_filters_like_the_page(place, people):
    make_child(
        place.village,
        actor=people.civil,
        name="李小明",
        seq=1,
        guardian_capacity="较好",
    )
    make_child(
        place.village2,
        actor=people.civil,
        name="陈红",
        seq=2,
        male=False,
        born=_today() - timedelta(days=4 * 365),
        health="残疾",
        disability_category="肢体",
        disability_grade="二级",
    )
    gone = make_child(place.village, actor=people.civil, name="赵强", seq=3)
    services.child_exit(
        actor=people.civil,
        child_id=gone.pk,
        expected_version=1,
        reason="迁出本辖区",
        exit_date=_today(),
    )
    client = _client(people.supervisor)

    def names(**params):
        response = client.get("/api/children", params)
        assert response.status_code == 200, response.content
        return [row["name"] for row in response.json()["items"]]

    assert names() == ["陈红", "李小明"]
    assert names(category="困境儿童") == ["陈红"]
    assert names(difficulty="自身困境") == ["陈红"]
    assert names(risk="中") == ["陈红"]
    assert names(age_band="3-5") == ["陈红"]
    assert names(area="430524101201") == ["李小明"]
    assert names(q="lxm") == ["李小明"]
    assert names(q="小明") == ["李小明"]
    assert names(q=gone.id_number, status="all") == ["赵强"]
    assert names(status="exited") == ["赵强"]
    assert names(status="all", sort="village") == ["李小明", "赵强", "陈红"]
    assert names(sort="-birth") == ["陈红", "李小明"]


def test_the_list_pages_with_a_cursor(place, people):
    for seq, name in enumerate(["安安", "贝贝", "晨晨", "丁丁", "恩恩"], start=1):
        make_child(place.village, actor=people.civil, name=name, seq=seq)
    client = _client(people.director)
    seen, after = [], ""
    for _ in range(3):
        body = client.get("/api/children", {"limit": 2, "after": after}).json()
        seen.append([row["name"] for row in body["items"]])
        after = body["next"]
        if after is None:
            break
    assert seen == [["安安", "贝贝"], ["晨晨", "丁丁"], ["恩恩"]]


def test_the_list_refuses_values_it_does_not_know(place, people):
    response = _client(people.civil).get(
        "/api/children",
        {"category": "留守", "risk": "极高", "status": "deleted", "area": "4305"},
    )
    assert response.json()["detail"] == INVALID
    assert _errors(response) == [
        (
            "category",
            "类别“留守”不是可选的值，应为：孤儿、事实无人抚养儿童、农村留守儿童、困境儿童、无类别。",
        ),
        ("risk", "风险等级“极高”不是可选的值，应为：高、中、低、无。"),
        ("status", "状态“deleted”不是可选的值，应为：active、exited、merged、all。"),
        ("area", "区划代码应为12位数字，如 430524101201。"),
    ]


def _cursor(values: str) -> str:
    return base64.urlsafe_b64encode(values.encode()).decode()


@pytest.mark.parametrize(
    ("sort", "after"),
    [
        ("name", "not-a-cursor"),
        ("name", _cursor('["a"]')),  # too short for the sort
        ("village", _cursor('["lixiaoming", 3]')),  # another sort's cursor
        ("name", _cursor('["a", "x"]')),  # the id is not a number
        ("name", _cursor('["a", 100000000000000000000000]')),  # beyond any column
        ("birth", _cursor('["2016-13-45", 3]')),  # not a date
        ("-updated", _cursor('["yesterday", 3]')),  # not a time
    ],
)
def test_a_forged_cursor_is_refused(place, people, sort, after):
    make_child(place.village, actor=people.civil)
    response = _client(people.civil).get(
        "/api/children", {"sort": sort, "after": after}
    )
    assert _errors(response) == [
        (
            "after",
            "翻页游标无效或与排序方式不符：请去掉 after 参数，从第一页重新开始。",
        )
    ]


# One record ----------------------------------------------------------------------


def test_the_record_in_full_with_masked_numbers_and_an_audited_read(place, people):
    child = make_child(
        place.village,
        actor=people.civil,
        responsible_director_id=people.director.pk,
        family_assistance=["低保"],
        address="新田村3组",
    )
    response = _client(people.supervisor).get(f"/api/children/{child.pk}")
    assert response.status_code == 200
    body = response.json()
    assert _without_times(body) == _record(
        child,
        responsible_director=people.director.pk,
        responsible_director_name="张主任",
    )
    assert body["categories"] == ["农村留守儿童", "困境儿童"]
    assert body["difficulty_kinds"] == ["生活困境"]
    assert (body["risk_level"], body["visit_interval_days"]) == ("中", 30)
    assert body["reasons"] and all(isinstance(r, str) for r in body["reasons"])
    assert body["father_id_number"] == f"430524********{child.father_id_number[-4:]}"
    text = response.content.decode()
    for number in (
        child.id_number,
        child.father_id_number,
        child.guardian_id_number,
    ):
        assert number not in text

    event = AuditEvent.objects.get(action="child.view")
    assert (event.actor, event.object_id, event.area_id) == (
        people.supervisor,
        str(child.pk),
        place.village.code,
    )


def test_the_history_newest_first_with_masked_numbers(place, people):
    child = make_child(place.village, actor=people.civil)
    old_number = child.id_number
    new_born = _born(9, 3, 16)
    new_number = make_id_number("430524", new_born, 1, male=True)
    client = _client(people.director)
    record = _read(client, child) | {
        "name": "李晓明",
        "birth_date": new_born.isoformat(),
        "id_number": new_number,
        "guardian_id_number": "",
    }
    response = _put(client, f"/api/children/{child.pk}", record)
    assert response.status_code == 200, response.content

    response = _client(people.director).get(f"/api/children/{child.pk}/history")
    assert response.status_code == 200
    update, create = response.json()
    assert (update["action"], update["action_label"], update["version"]) == (
        "update",
        "修改",
        2,
    )
    assert (update["actor_name"], update["child_id"], update["note"]) == (
        "director",
        child.pk,
        "",
    )
    assert update["changes"]["name"] == ["李小明", "李晓明"]
    assert update["changes"]["id_number"] == [
        mask_id_number(old_number),
        mask_id_number(new_number),
    ]
    assert update["changes"]["guardian_id_number"] == [
        mask_id_number(child.guardian_id_number),
        "",
    ]
    assert (create["action"], create["version"], create["actor_name"]) == (
        "create",
        1,
        "civil",
    )
    assert create["changes"]["id_number"] == [None, mask_id_number(old_number)]
    text = response.content.decode()
    for number in (old_number, new_number, child.father_id_number):
        assert number not in text
    assert AuditEvent.objects.filter(
        action="child.view", actor=people.director, object_id=str(child.pk)
    ).exists()


def test_the_full_numbers_are_revealed_on_request_and_audited(place, people):
    child = make_child(place.village, actor=people.civil)
    response = _post(_client(people.director), f"/api/children/{child.pk}/reveal-ids")
    assert response.status_code == 200
    assert response.json() == {
        "id_number": child.id_number,
        "father_id_number": child.father_id_number,
        "mother_id_number": "",
        "guardian_id_number": child.guardian_id_number,
    }
    event = AuditEvent.objects.get(action="child.reveal_id")
    assert (event.actor, event.object_type, event.object_id) == (
        people.director,
        "child",
        str(child.pk),
    )


def test_revealing_is_a_post(place, people):
    child = make_child(place.village, actor=people.civil)
    response = _client(people.director).get(f"/api/children/{child.pk}/reveal-ids")
    assert response.status_code == 405
    assert not AuditEvent.objects.filter(action="child.reveal_id").exists()


# Register ------------------------------------------------------------------------


def test_register_answers_201_with_the_record(place, people):
    body = _new_child_body(place.village, responsible_director=people.director.pk)
    response = _post(_client(people.supervisor), "/api/children", body)
    assert response.status_code == 201, response.content
    child = Child.objects.get()
    assert _without_times(response.json()) == _record(
        child,
        responsible_director=people.director.pk,
        responsible_director_name="张主任",
    )
    assert (child.name, child.village_id, child.id_number, child.family_assistance) == (
        "王小红",
        "430524101201",
        body["id_number"],
        ["低保"],
    )
    assert child.categories == ["农村留守儿童", "困境儿童"]
    assert child.guardian_phone == "0739-1234567"
    assert child.changes.get().action == "create"
    assert AuditEvent.objects.filter(
        action="child.create", actor=people.supervisor, object_id=str(child.pk)
    ).exists()


def test_register_accepts_an_adult_orphan_in_full_time_school(place, people):
    born = _born(19, 1, 10)
    orphan = {
        "birth_date": born.isoformat(),
        "id_number": make_id_number("430524", born, 21, male=False),
        "father_status": "死亡",
        "father_work_place": "",
        "mother_status": "不详",
        "mother_work_place": "",
        "schooling": "初中",
    }
    client = _client(people.director)
    response = _post(client, "/api/children", _new_child_body(place.village, **orphan))
    assert _errors(response) == [
        (
            "birth_date",
            "已年满18周岁，不在儿童信息库登记范围内（父母均死亡或不详、就学状况为高中、"
            "中职或高职及以上的孤儿除外）。",
        )
    ]
    orphan["schooling"] = "高职及以上"
    response = _post(client, "/api/children", _new_child_body(place.village, **orphan))
    assert response.status_code == 201, response.content
    assert response.json()["in_school_after_18"] is True
    assert response.json()["categories"] == ["孤儿"]
    child = Child.objects.get()
    assert (child.is_orphan, child.in_school_after_18) == (True, True)


def test_register_normalizes_the_id_number(place, people):
    born = _born(7, 8, 20)
    number = make_id_number("430524", born, 4, male=True)
    typed = number[:-1].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    body = _new_child_body(
        place.village, sex="男", id_number=f"  {typed}{number[-1].lower()} "
    )
    response = _post(_client(people.director), "/api/children", body)
    assert response.status_code == 201, response.content
    assert Child.objects.get().id_number == number


def test_register_refuses_markup_in_names(place, people):
    body = _new_child_body(
        place.village,
        name='<img src=x onerror="alert(x)">',
        guardian_name="王&奶奶",
        liaison_cadre_name="李 四",
    )
    response = _post(_client(people.director), "/api/children", body)
    rule = "姓名只能由汉字、字母、间隔号“·”（如 阿依古丽·买买提）组成，外文姓名的字母之间可有一个空格。"
    assert _errors(response) == [
        ("name", '姓名不能包含“<”“=”“"”“(”“)”“>”：' + rule),
        ("guardian_name", "实际监护人姓名不能包含“&”：" + rule),
        (
            "liaison_cadre_name",
            "包联干部姓名的汉字之间、汉字与字母之间不要加空格：请删除空格。",
        ),
    ]
    assert not Child.objects.exists()


def test_register_keeps_names_with_the_middle_dot(place, people):
    body = _new_child_body(
        place.village, name="阿依古丽・买买提", guardian_name="买买提•吐尔逊"
    )
    response = _post(_client(people.director), "/api/children", body)
    assert response.status_code == 201, response.content
    child = Child.objects.get()
    assert (child.name, child.guardian_name) == ("阿依古丽·买买提", "买买提·吐尔逊")
    assert response.json()["name"] == "阿依古丽·买买提"


def test_register_without_hukou_needs_no_number(place, people):
    body = _new_child_body(place.village, id_number="", hukou_registered=False)
    response = _post(_client(people.director), "/api/children", body)
    assert response.status_code == 201, response.content
    assert response.json()["id_number"] == ""
    assert Child.objects.get().id_number is None


def _wrong_check_digit(number: str) -> str:
    return number[:-1] + ("0" if number[-1] != "0" else "1")


def _day_before(iso: str) -> str:
    return (date.fromisoformat(iso) - timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            lambda body: {"id_number": _wrong_check_digit(body["id_number"])},
            [
                (
                    "id_number",
                    "身份号码校验位不正确：请逐位核对号码（常见原因是录入错一位）。",
                )
            ],
        ),
        (
            lambda body: {"birth_date": _day_before(body["birth_date"])},
            lambda body: [
                (
                    "birth_date",
                    f"出生日期 {_day_before(body['birth_date'])} 与身份号码中的 "
                    f"{body['birth_date']} 不一致：请核对。",
                )
            ],
        ),
        (
            {"health": "残疾", "disability_grade": "二级"},
            [("disability_category", "健康状况为残疾时，请选择残疾类别。")],
        ),
        (
            {"confirmation_signed": True},
            [("confirmation_date", "已签订委托监护责任确认书时，请填写签订日期。")],
        ),
        (
            {"father_status": "打工"},
            [
                (
                    "father_status",
                    "父亲状况“打工”不是可选的值，应为：在家、外出务工、重残、重病、服刑在押、"
                    "强制隔离戒毒、其他限制人身自由措施、被遣送出境、弃养、失联、被撤销监护资格、"
                    "死亡、失踪、不详。",
                )
            ],
        ),
        (
            {"village": "430525101201"},
            [("village", "户籍地须为您管辖范围内的村（社区）。")],
        ),
        (
            {"village": "430524101000"},
            [("village", "户籍地须为您管辖范围内的村（社区）。")],
        ),
        (
            {"village": "新田村"},
            [("village", "户籍地村（社区）应为12位统计用区划代码，如 430524101201。")],
        ),
        (
            {"guardian_name": "王奶奶", "guardian_relation": ""},
            [("guardian_relation", "填写了实际监护人，请选择监护人与儿童关系。")],
        ),
        (
            {"family_assistance": ["低保", "扶贫"]},
            [
                (
                    "family_assistance",
                    "家庭救助帮扶情况“扶贫”不是可选的值，应为：低保、特困供养、防返贫监测对象、"
                    "建档立卡、临时救助、医疗救助、住房救助、其他。",
                )
            ],
        ),
        (
            {"address": "长" * 201},
            [("address", "现居住地址最多200个字，当前201个。")],
        ),
    ],
    ids=[
        "bad-check-digit",
        "birth-date-not-the-ids",
        "disability-without-category",
        "signed-without-date",
        "unknown-parent-status",
        "village-of-another-county",
        "a-township-is-not-a-village",
        "village-not-a-code",
        "guardian-without-relation",
        "unknown-assistance",
        "address-too-long",
    ],
)
def test_register_refuses_bad_input_field_by_field(place, people, changes, expected):
    body = _new_child_body(place.village)
    changes = changes(body) if callable(changes) else changes
    expected = expected(body) if callable(expected) else expected
    response = _post(_client(people.supervisor), "/api/children", body | changes)
    assert response.json()["detail"] == INVALID
    assert _errors(response) == expected
    assert not Child.objects.exists()


def test_register_lists_every_problem_at_once(place, people):
    body = _new_child_body(
        place.village2,
        name="王2",
        sex="男",
        father_status="外出务工",
        father_work_place="",
        mother_phone="12345",
        confirmation_date=(_today() + timedelta(days=3)).isoformat(),
    )
    response = _post(_client(people.director), "/api/children", body)
    signed_on = _today() + timedelta(days=3)
    assert _errors(response) == [
        ("name", "姓名不能包含数字。"),
        ("sex", "性别“男”与身份号码（第17位表示女性）不一致：请核对。"),
        ("village", "户籍地须为您管辖范围内的村（社区）。"),
        ("father_work_place", "父亲外出务工时请填写务工地（省、市）。"),
        (
            "mother_phone",
            "电话号码应为11位手机号（1开头）或带区号的固定电话（如 0739-1234567）。",
        ),
        (
            "confirmation_date",
            "填写了签订日期，请将“已签订委托监护责任确认书”选为是，或清空日期。",
        ),
        ("confirmation_date", f"签订日期 {signed_on:%Y-%m-%d} 晚于今天：请核对。"),
    ]


def test_register_names_type_errors_in_chinese(place, people):
    body = _new_child_body(
        place.village,
        birth_date="2016-13-01",
        lives_alone="也许",
        family_assistance="低保",
        responsible_director="张主任",
        favourite_colour="红",
    )
    del body["name"]
    response = _post(_client(people.director), "/api/children", body)
    assert response.json()["detail"] == INVALID
    assert _errors(response) == [
        ("name", "请填写姓名。"),
        ("birth_date", "出生日期应为日期，格式如 2026-01-31。"),
        ("family_assistance", "家庭救助帮扶情况应为列表。"),
        ("lives_alone", "独居应为 true 或 false。"),
        ("responsible_director", "责任儿童主任应为整数。"),
        ("favourite_colour", "不认识的字段“favourite_colour”：请核对字段名。"),
    ]


def test_register_refuses_a_body_that_is_not_json(place, people):
    response = _client(people.director).post(
        "/api/children", "name=王小红", content_type="application/json"
    )
    assert _errors(response) == [("", "请求内容不是有效的 JSON。")]
    response = _post(_client(people.director), "/api/children", ["王小红"])
    assert _errors(response) == [("", "请求内容应为 JSON 对象。")]


def test_register_refuses_a_director_outside_the_jurisdiction(place, people):
    body = _new_child_body(place.village, responsible_director=people.neighbour.pk)
    response = _post(_client(people.director), "/api/children", body)
    assert _errors(response) == [
        ("responsible_director", "责任儿童主任须为您管辖范围内在岗的儿童主任。")
    ]
    body = _new_child_body(place.village, responsible_director=people.leader.pk)
    response = _post(_client(people.civil), "/api/children", body)
    assert _errors(response) == [
        ("responsible_director", "责任儿童主任须为您管辖范围内在岗的儿童主任。")
    ]


def test_an_id_clash_in_the_jurisdiction_names_the_record(place, people):
    existing = make_child(place.village, actor=people.civil)
    body = _new_child_body(
        place.village,
        sex="男",
        birth_date=existing.birth_date.isoformat(),
        id_number=existing.id_number,
    )
    response = _post(_client(people.director), "/api/children", body)
    assert _errors(response) == [
        (
            "id_number",
            "该身份号码已登记为 李小明（新田村），请勿重复登记：可打开该记录修改。",
        )
    ]
    assert Child.objects.count() == 1


def test_an_id_clash_outside_the_jurisdiction_names_only_the_county(place, people):
    other = make_child(place.foreign, actor=people.foreign, name="外县儿童", seq=9)
    body = _new_child_body(
        place.village,
        sex="男",
        birth_date=other.birth_date.isoformat(),
        id_number=other.id_number,
    )
    response = _post(_client(people.director), "/api/children", body)
    assert _errors(response) == [("id_number", "该身份号码已在洞口县登记。")]
    text = response.content.decode()
    assert "外县儿童" not in text and "外县村" not in text
    assert Child.objects.count() == 1


def test_a_clash_the_service_finds_is_a_422_with_its_message(
    place, people, monkeypatch
):
    # Two registrations racing: the edge saw no clash, the service does.
    other = make_child(place.foreign, actor=people.foreign, name="外县儿童", seq=9)
    body = _new_child_body(
        place.village,
        sex="男",
        birth_date=other.birth_date.isoformat(),
        id_number=other.id_number,
    )
    real = services.id_number_clash
    calls = []

    def clash_on_second_look(**kwargs):
        calls.append(kwargs)
        return None if len(calls) == 1 else real(**kwargs)

    # The edge looks it up on the package, the service in its own module.
    monkeypatch.setattr(services, "id_number_clash", clash_on_second_look)
    monkeypatch.setattr(services.records, "id_number_clash", clash_on_second_look)
    response = _post(_client(people.director), "/api/children", body)
    assert response.status_code == 422
    assert response.json() == {
        "detail": "该身份号码已在洞口县登记。",
        "errors": [{"field": "id_number", "message": "该身份号码已在洞口县登记。"}],
    }


# Update --------------------------------------------------------------------------


def _read(client, child) -> dict:
    return client.get(f"/api/children/{child.pk}").json()


def test_update_saves_the_record_and_keeps_masked_numbers(place, people):
    child = make_child(place.village, actor=people.civil)
    numbers = (child.id_number, child.father_id_number, child.guardian_id_number)
    client = _client(people.director)
    record = _read(client, child)
    record |= {"father_status": "在家", "father_work_place": "", "school": "新田小学"}
    response = _put(client, f"/api/children/{child.pk}", record)
    assert response.status_code == 200, response.content
    child.refresh_from_db()
    assert _without_times(response.json()) == _record(child)
    assert (child.version, child.father_status, child.school) == (2, "在家", "新田小学")
    assert (child.id_number, child.father_id_number, child.guardian_id_number) == (
        numbers
    )
    assert child.categories == []
    change = child.changes.first()
    assert (change.action, change.actor, change.version) == (
        "update",
        people.director,
        2,
    )
    assert set(change.changes) >= {"father_status", "father_work_place", "school"}
    assert "id_number" not in change.changes


def test_update_without_changes_keeps_the_version(place, people):
    child = make_child(place.village, actor=people.civil)
    client = _client(people.director)
    response = _put(client, f"/api/children/{child.pk}", _read(client, child))
    assert response.status_code == 200
    assert response.json()["version"] == 1
    assert child.changes.count() == 1


def test_update_needs_the_whole_record(place, people):
    child = make_child(place.village, actor=people.civil)
    response = _put(
        _client(people.director),
        f"/api/children/{child.pk}",
        {
            "version": 1,
            "name": "李晓明",
            "sex": "男",
            "birth_date": child.birth_date.isoformat(),
            "village": child.village_id,
            "father_status": "外出务工",
            "mother_status": "外出务工",
        },
    )
    errors = _errors(response)
    assert len(errors) == len(services.FACT_FIELDS) - 6
    assert errors[0] == (
        "ethnicity",
        "请填写民族：修改须提交完整记录，未改动的项目按读取到的值提交。",
    )
    assert (
        "address",
        "请填写现居住地址：修改须提交完整记录，未改动的项目按读取到的值提交。",
    ) in errors
    child.refresh_from_db()
    assert (child.name, child.version) == ("李小明", 1)


def test_update_refuses_bad_input_like_register(place, people):
    child = make_child(place.village, actor=people.civil)
    client = _client(people.director)
    record = _read(client, child) | {"mother_status": "出国", "village": "430524101202"}
    response = _put(client, f"/api/children/{child.pk}", record)
    assert [field for field, _ in _errors(response)] == ["village", "mother_status"]
    child.refresh_from_db()
    assert (child.version, child.village_id) == (1, "430524101201")


def test_a_stale_update_answers_409_and_overwrites_nothing(place, people):
    child = make_child(place.village, actor=people.civil)
    client = _client(people.director)
    mine = _read(client, child) | {"notes": "我的修改"}
    theirs = _read(_client(people.supervisor), child) | {"school": "新田小学"}
    assert (
        _put(
            _client(people.supervisor), f"/api/children/{child.pk}", theirs
        ).status_code
        == 200
    )
    changes = ChildChange.objects.count()

    response = _put(client, f"/api/children/{child.pk}", mine)
    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == (
        "保存失败：在您编辑期间，该记录已被他人修改（当前为第2版）。"
        "您填写的内容没有丢失，请对照后重新提交。"
    )
    child.refresh_from_db()
    assert _without_times(body["current"]) == _record(child)
    assert (child.version, child.school, child.notes) == (2, "新田小学", "")
    assert ChildChange.objects.count() == changes
    assert child.id_number not in response.content.decode()


def test_a_stale_update_of_a_record_moved_away_answers_404(place, people):
    child = make_child(place.village, actor=people.civil)
    client = _client(people.director)
    mine = _read(client, child) | {"notes": "我的修改"}
    services.child_update(
        actor=people.civil,
        child_id=child.pk,
        expected_version=1,
        data={"village_id": place.village2.code, "address": "大坪村1组"},
    )
    response = _put(client, f"/api/children/{child.pk}", mine)
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


# Exit and re-admit ---------------------------------------------------------------


def test_exit_and_readmit(place, people):
    child = make_child(place.village, actor=people.civil)
    client = _client(people.director)
    left_on = _today() - timedelta(days=2)
    response = _post(
        client,
        f"/api/children/{child.pk}/exit",
        {
            "version": 1,
            "reason": "父母返乡/监护恢复",
            "exit_date": left_on.isoformat(),
            "note": "父母已返乡务农",
        },
    )
    assert response.status_code == 200, response.content
    child.refresh_from_db()
    assert _without_times(response.json()) == _record(
        child, exit_date=left_on.isoformat()
    )
    assert (child.status, child.exit_reason, child.exit_date, child.version) == (
        "exited",
        "父母返乡/监护恢复",
        left_on,
        2,
    )
    assert response.json()["status_label"] == "已退出"
    assert child.changes.first().note == "父母已返乡务农"

    response = _post(client, f"/api/children/{child.pk}/readmit", {"version": 2})
    assert response.status_code == 200, response.content
    child.refresh_from_db()
    assert _without_times(response.json()) == _record(child)
    assert (child.status, child.exit_reason, child.exit_date, child.version) == (
        "active",
        "",
        None,
        3,
    )
    assert [c.action for c in child.changes.all()] == ["readmit", "exit", "create"]


def test_exit_refuses_bad_input(place, people):
    child = make_child(place.village, actor=people.civil)
    client = _client(people.director)
    url = f"/api/children/{child.pk}/exit"
    response = _post(
        client, url, {"version": 1, "reason": "毕业", "exit_date": "2026-01-05"}
    )
    assert _errors(response) == [
        (
            "reason",
            "退出原因“毕业”不是可选的值，应为：年满16周岁、年满18周岁、父母返乡/监护恢复、"
            "迁出本辖区、死亡、被收养、其他。",
        )
    ]
    response = _post(client, url, {"reason": "死亡"})
    assert _errors(response) == [
        ("version", "请填写版本。"),
        ("exit_date", "请填写退出日期。"),
    ]
    tomorrow = (_today() + timedelta(days=1)).isoformat()
    response = _post(
        client, url, {"version": 1, "reason": "死亡", "exit_date": tomorrow}
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": "退出日期不能晚于今天。",
        "errors": [{"field": "exit_date", "message": "退出日期不能晚于今天。"}],
    }
    child.refresh_from_db()
    assert (child.status, child.version) == ("active", 1)


def test_exit_of_an_exited_child_and_readmit_of_an_active_one_are_refused(
    place, people
):
    child = make_child(place.village, actor=people.civil)
    client = _client(people.director)
    response = _post(client, f"/api/children/{child.pk}/readmit", {"version": 1})
    assert (response.status_code, response.json()) == (
        422,
        {"detail": "只有已退出的儿童才能重新纳入。", "errors": []},
    )
    exit_body = {"version": 1, "reason": "死亡", "exit_date": _today().isoformat()}
    assert _post(client, f"/api/children/{child.pk}/exit", exit_body).status_code == 200
    exit_body["version"] = 2
    response = _post(client, f"/api/children/{child.pk}/exit", exit_body)
    assert (response.status_code, response.json()) == (
        422,
        {"detail": "该儿童已不在册，无需退出。", "errors": []},
    )


def test_a_stale_exit_answers_409(place, people):
    child = make_child(place.village, actor=people.civil)
    client = _client(people.director)
    assert (
        _put(
            client,
            f"/api/children/{child.pk}",
            _read(client, child) | {"school": "新田小学"},
        ).status_code
        == 200
    )
    response = _post(
        client,
        f"/api/children/{child.pk}/exit",
        {"version": 1, "reason": "死亡", "exit_date": _today().isoformat()},
    )
    assert response.status_code == 409
    assert response.json()["current"]["version"] == 2
    child.refresh_from_db()
    assert (child.status, child.version) == ("active", 2)


# The schema ----------------------------------------------------------------------


def test_the_openapi_schema_lists_the_operations(people):
    response = _client(people.director).get("/api/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    operations = {
        (method, path): operation
        for path, item in paths.items()
        if path.startswith("/api/children")
        for method, operation in item.items()
    }
    assert {
        (method, path): operation["summary"]
        for (method, path), operation in operations.items()
    } == {
        ("get", "/api/children"): "管辖范围内的儿童（筛选、搜索、分页）",
        ("post", "/api/children"): "登记儿童",
        ("get", "/api/children/{child_id}"): "一名儿童的完整记录（查看留痕）",
        (
            "put",
            "/api/children/{child_id}",
        ): "修改儿童信息（提交完整记录和读取时的版本号）",
        (
            "get",
            "/api/children/{child_id}/history",
        ): "一名儿童的变更历史（新的在前，查看留痕）",
        ("post", "/api/children/{child_id}/exit"): "儿童退出信息库（记录保留）",
        ("post", "/api/children/{child_id}/readmit"): "已退出的儿童重新纳入信息库",
        ("post", "/api/children/{child_id}/reveal-ids"): "查看完整身份号码（留痕）",
    }
    assert all(op["tags"] == ["儿童信息库"] for op in operations.values())
    register = operations[("post", "/api/children")]["requestBody"]
    fields = register["content"]["application/json"]["schema"]["properties"]
    assert fields["father_status"]["enum"][:2] == ["在家", "外出务工"]
    assert fields["birth_date"]["format"] == "date"
    assert fields["village"]["description"].startswith(
        "户籍地村（社区）的12位统计用区划代码"
    )
    exit_fields = operations[("post", "/api/children/{child_id}/exit")]["requestBody"][
        "content"
    ]["application/json"]["schema"]["properties"]
    assert set(exit_fields) == {"version", "reason", "exit_date", "note"}
    parameters = {p["name"] for p in operations[("get", "/api/children")]["parameters"]}
    assert parameters == {
        "area",
        "category",
        "difficulty",
        "weakness",
        "risk",
        "age_band",
        "schooling",
        "status",
        "q",
        "sort",
        "after",
        "limit",
    }


def test_the_schema_needs_login():
    response = Client().get("/api/openapi.json")
    assert response.status_code == 302
