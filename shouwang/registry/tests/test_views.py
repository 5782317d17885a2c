"""The child-registry pages through HTTP: who may open them, registering, reading,
editing with versions, exit and re-admission, duplicates, the list and the worklist."""

import html
import re
from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.forms import CheckboxInput, NullBooleanSelect
from django.test import Client
from django.utils import timezone

from shouwang.audit.models import AuditEvent
from shouwang.core.idnumber import mask_id_number
from shouwang.registry import services
from shouwang.registry.models import Child, ChildChange, DuplicateDecision

from .factories import (
    DE_FACTO,
    FATHER_ID,
    GUARDIAN_ID,
    LEDGER_FILTERS,
    ORPHAN,
    make_child,
    make_ledger,
    make_place,
    post_data,
    years_ago,
)
from .test_forms import BAD_INPUTS, BORN

pytestmark = pytest.mark.django_db

FORBIDDEN = "您的角色没有此项操作的权限。"
NOT_FOUND = "您要找的页面或记录不存在，或不在您的管辖范围内。"


@pytest.fixture
def place():
    return make_place()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return response.content.decode()


def _without_tokens(response) -> str:
    """The page with its per-response CSRF tokens blanked, for comparing two pages."""
    return re.sub(r"[A-Za-z0-9]{64}", "", _text(response))


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _listed(response) -> list[str]:
    """The names in the list's rows, in order."""
    return re.findall(r'<a href="/children/\d+/">([^<]+)</a>', _text(response))


def _listed_pks(response) -> list[int]:
    return [
        int(pk) for pk in re.findall(r'<a href="/children/(\d+)/">', _text(response))
    ]


def _audits(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def _edit_data(child: Child, **changes) -> dict:
    """The edit form's POST data for the record as it is, with changes."""
    data = post_data(
        child.village,
        **{k: getattr(child, k) for k in services.FACT_FIELDS if k != "village_id"},
    )
    data["version"] = str(child.version)
    data.update(changes)
    return data


# --- who may open the pages --------------------------------------------------------------

GET_PAGES = ["/children/", "/children/review/", "/children/new/"]
CHILD_GET_PAGES = [
    "/children/{pk}/",
    "/children/{pk}/edit/",
    "/children/{pk}/as-of/?date=2026-01-01",
]
CHILD_POST_PAGES = [
    "/children/{pk}/ids/",
    "/children/{pk}/exit/",
    "/children/{pk}/readmit/",
    "/children/{pk}/merge/{other}/",
    "/children/{pk}/not-duplicate/{other}/",
]


@pytest.mark.parametrize("who", ["leader", "department", "admin"])
def test_roles_without_casework_are_refused_every_page(place, who):
    child = make_child(place.village, id_number=None, name="张晓明")
    other = make_child(place.village, id_number=None, name="张小明")
    client = _client(getattr(place, who))
    urls = [(u, "get") for u in GET_PAGES]
    urls += [(u.format(pk=child.pk), "get") for u in CHILD_GET_PAGES]
    urls += [(u.format(pk=child.pk, other=other.pk), "post") for u in CHILD_POST_PAGES]
    urls += [("/children/new/", "post"), (f"/children/{child.pk}/edit/", "post")]
    for url, method in urls:
        response = getattr(client, method)(url, {"version": "1"})
        assert response.status_code == 403, url
        assert FORBIDDEN in _text(response), url
        assert "张晓明" not in _text(response)
    assert Child.objects.filter(status="active").count() == 2
    assert (
        not AuditEvent.objects.filter(action__startswith="child.")
        .exclude(action="child.create")
        .exists()
    )


def test_another_village_answers_exactly_like_a_missing_record(place):
    child = make_child(place.village, id_number=None, name="张晓明")
    other = make_child(place.village, id_number=None, name="张小明")
    missing = Child.objects.order_by("-pk").first().pk + 100
    client = _client(place.other_director)
    for url in CHILD_GET_PAGES + CHILD_POST_PAGES:
        method = client.post if url in CHILD_POST_PAGES else client.get
        theirs = method(url.format(pk=child.pk, other=other.pk), {"version": "1"})
        nothing = method(url.format(pk=missing, other=other.pk), {"version": "1"})
        assert theirs.status_code == nothing.status_code == 404, url
        assert _without_tokens(theirs) == _without_tokens(nothing), url
        assert NOT_FOUND in _text(theirs)
        assert "张晓明" not in _text(theirs)
    # Pointing the second record of a pair at another village is refused as well.
    director = _client(place.director)
    stranger = make_child(place.other_village, id_number=None, name="张晓明")
    for url in CHILD_POST_PAGES[3:]:
        response = director.post(url.format(pk=child.pk, other=stranger.pk))
        assert response.status_code == 404
    child.refresh_from_db()
    assert (child.status, child.version) == ("active", 1)
    assert not DuplicateDecision.objects.exists()
    # Only the refusals are recorded: for the record that exists, never the missing one.
    assert not AuditEvent.objects.exclude(
        action__in=["child.create", "access.refused"]
    ).exists()
    refused = AuditEvent.objects.filter(action="access.refused")
    assert set(refused.values_list("object_type", "object_id")) == {
        ("child", str(child.pk)),
        ("child", str(stranger.pk)),
    }
    assert not refused.filter(object_id=str(missing)).exists()


def test_anonymous_visitors_are_sent_to_sign_in(place):
    child = make_child(place.village)
    for url in GET_PAGES + [u.format(pk=child.pk) for u in CHILD_GET_PAGES]:
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_reveal_endpoint_takes_posts_only(place):
    child = make_child(place.village)
    assert _client(place.director).get(f"/children/{child.pk}/ids/").status_code == 405
    assert not _audits("child.reveal_id")


# --- registering --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "badges", "reasons"),
    [
        (
            {},
            ["农村留守儿童"],
            [
                "父母双方均外出务工，未满16周岁：符合农村留守儿童认定条件（国发〔2016〕13号）",
                "农村留守儿童，监护能力一般：风险等级中，每30天至少走访一次",
            ],
        ),
        (
            DE_FACTO,
            ["事实无人抚养儿童", "困境儿童"],
            [
                "父亲服刑在押、母亲失联：符合事实无人抚养儿童认定条件（民发〔2019〕62号）",
                "事实无人抚养、母亲失联：属于监护困境（国发〔2016〕36号）",
                "父亲服刑在押（B类）、母亲失联（C类）：监护能力薄弱类型 ③-CB",
                "事实无人抚养儿童未签订委托监护责任确认书：风险等级高，每7天至少走访一次",
            ],
        ),
        (
            ORPHAN,
            ["孤儿", "困境儿童"],
            [
                "父亲死亡、母亲死亡：父母双方均死亡或查找不到，符合孤儿认定条件（国发〔2016〕36号）",
                "孤儿：属于监护困境（国发〔2016〕36号）",
                "社会散居孤儿未签订委托监护责任确认书：风险等级高，每7天至少走访一次",
            ],
        ),
    ],
    ids=["left-behind", "de-facto", "orphan"],
)
def test_registering_shows_the_classification_and_its_reasons(
    place, facts, badges, reasons
):
    client = _client(place.director)
    assert "登记儿童" in _text(client.get("/children/new/"))

    response = client.post("/children/new/", post_data(place.village, **facts))

    child = Child.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/children/{child.pk}/"
    page = client.get(response["Location"])
    text = _text(page)
    assert _messages(page) == ["已登记 张晓明。"]
    for badge in badges:
        assert f'<span class="badge text-bg-primary me-1">{badge}</span>' in text
    listed = re.findall(r"<li>([^<]+)</li>", text.split('data-testid="reasons"')[1])
    assert listed[: len(reasons)] == reasons
    assert child.changes.get().actor == place.director
    assert [e.action for e in AuditEvent.objects.order_by("pk")] == [
        "child.create",
        "child.view",
    ]


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_names_the_field_and_saves_nothing(place, case):
    bad, field, message = BAD_INPUTS[case]
    data = post_data(place.village, birth_date=BORN)
    data.update(bad(data))

    response = _client(place.director).post("/children/new/", data)

    assert response.status_code == 200
    text = _text(response)
    label = response.context["form"][field].label
    assert f"<li>{label}：{html.escape(message, quote=False)}</li>" in text
    assert (
        f'<div class="invalid-feedback d-block">{html.escape(message, quote=False)}</div>'
        in text
    )
    assert not Child.objects.exists()
    assert not ChildChange.objects.exists()
    assert not AuditEvent.objects.exists()


def test_an_id_clash_inside_the_jurisdiction_names_the_record(place):
    mine = make_child(place.village, name="李四")
    data = post_data(
        place.village, id_number=mine.id_number, birth_date=mine.birth_date
    )

    response = _client(place.director).post("/children/new/", data)

    assert response.status_code == 200
    assert (
        "<li>公民身份号码：该身份号码已登记为 李四（守望村），请勿重复登记：可打开该记录修改。</li>"
        in _text(response)
    )
    assert Child.objects.count() == 1


def test_an_id_clash_outside_the_jurisdiction_names_only_the_county(place):
    theirs = make_child(place.foreign_village, name="王五", school="外县小学")
    data = post_data(
        place.village, id_number=theirs.id_number, birth_date=theirs.birth_date
    )

    response = _client(place.director).post("/children/new/", data)

    text = _text(response)
    assert "<li>公民身份号码：该身份号码已在洞口县登记。</li>" in text
    for secret in ("王五", "外县村", "外县镇", "外县小学", f"#{theirs.pk}"):
        assert secret not in text
    assert Child.objects.count() == 1
    assert not ChildChange.objects.filter(child__village=place.village).exists()
    assert not AuditEvent.objects.filter(actor=place.director).exists()


# --- reading: masked numbers, reveal, audit -----------------------------------------------


def test_list_and_detail_show_numbers_masked_only(place):
    child = make_child(
        place.village,
        father_id_number=FATHER_ID,
        guardian_id_number=GUARDIAN_ID,
    )
    client = _client(place.director)
    listing = _text(client.get("/children/"))
    detail = _text(client.get(f"/children/{child.pk}/"))

    masked = mask_id_number(child.id_number)
    assert masked == f"{child.id_number[:6]}********{child.id_number[-4:]}"
    assert f"<code>{masked}</code>" in listing
    assert f"<code>{masked}</code>" in detail
    assert f"<code>430524********{FATHER_ID[-4:]}</code>" in detail
    assert f"<code>430524********{GUARDIAN_ID[-4:]}</code>" in detail
    for number in (child.id_number, FATHER_ID, GUARDIAN_ID):
        assert number not in listing
        assert number not in detail
    assert "显示完整号码" in detail


def test_reading_the_record_is_audited(place):
    child = make_child(place.village)
    _client(place.supervisor).get(f"/children/{child.pk}/")
    [event] = _audits("child.view")
    assert (event.actor, event.object_id) == (place.supervisor, str(child.pk))
    _client(place.supervisor).get("/children/")
    assert len(_audits("child.view")) == 1  # the list is not a full record


def test_revealing_full_numbers_is_audited_and_role_gated(place):
    child = make_child(place.village, father_id_number=FATHER_ID)

    response = _client(place.civil).post(f"/children/{child.pk}/ids/")

    assert response.status_code == 200
    text = _text(response)
    assert "<html" not in text
    assert f"<code>{child.id_number}</code>" in text
    assert f"<code>{FATHER_ID}</code>" in text
    assert "已显示完整号码（本次查看已记入审计日志）。" in text
    [event] = _audits("child.reveal_id")
    assert (event.actor, event.object_id) == (place.civil, str(child.pk))
    assert _client(place.leader).post(f"/children/{child.pk}/ids/").status_code == 403
    assert (
        _client(place.other_director).post(f"/children/{child.pk}/ids/").status_code
        == 404
    )
    assert len(_audits("child.reveal_id")) == 1


def test_the_edit_page_shows_full_numbers_and_is_audited_as_a_reveal(place):
    child = make_child(place.village)
    response = _client(place.director).get(f"/children/{child.pk}/edit/")
    assert f'value="{child.id_number}"' in _text(response)
    [event] = _audits("child.reveal_id")
    assert (event.actor, event.object_id) == (place.director, str(child.pk))


# --- editing and the history ---------------------------------------------------------------


def test_an_edit_is_kept_in_the_timeline_with_labels_and_masked_numbers(place):
    child = make_child(place.village)
    client = _client(place.director)
    form = client.get(f"/children/{child.pk}/edit/")
    assert 'name="version" value="1"' in _text(form)

    response = client.post(
        f"/children/{child.pk}/edit/",
        _edit_data(
            child,
            name="张晓鸣",
            father_id_number=FATHER_ID,
            mother_status="在家",
            mother_work_place="",
            boarding="true",
            responsible_director="",
        ),
    )

    assert response.status_code == 302
    page = client.get(response["Location"])
    assert _messages(page) == ["已保存 张晓鸣 的信息（第2版）。"]
    text = _text(page)
    timeline = text.split('data-testid="timeline"')[1]
    assert "<strong>修改</strong>" in timeline
    assert "zhuren · 第2版" in timeline
    for row in (
        "姓名：张晓明 → 张晓鸣",
        f"父亲公民身份号码：（空） → 430524********{FATHER_ID[-4:]}",
        "母亲状况：外出务工 → 在家",
        "是否寄宿：（空） → 是",
        "责任儿童主任：主任张 → （空）",
        "农村留守儿童：是 → 否",
        "风险等级：中 → （空）",
    ):
        assert f'<div class="text-muted">{row}</div>' in timeline, row
    assert FATHER_ID not in text
    assert "<strong>登记</strong>" in timeline
    child.refresh_from_db()
    assert (child.version, child.name, child.boarding) == (2, "张晓鸣", True)


def test_saving_without_changes_keeps_the_version(place):
    child = make_child(place.village, boarding=False)
    client = _client(place.director)
    response = client.post(f"/children/{child.pk}/edit/", _edit_data(child))
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.version == 1
    assert child.boarding is False
    assert child.changes.count() == 1


def test_a_bad_edit_names_the_field_and_changes_nothing(place):
    child = make_child(place.village)
    response = _client(place.director).post(
        f"/children/{child.pk}/edit/",
        _edit_data(child, name="张晓鸣", health="残疾", disability_grade="二级"),
    )
    assert response.status_code == 200
    text = _text(response)
    assert "<li>残疾类别：健康状况为残疾时，请选择残疾类别。</li>" in text
    assert "修改 张晓明 的信息" in text
    child.refresh_from_db()
    assert (child.name, child.version) == ("张晓明", 1)
    assert not _audits("child.update")


def _resubmitted(form) -> dict:
    """The POST data of a page's (unbound) form, as the browser would send it."""
    data = {}
    for field in form:
        value = field.value()
        widget = field.field.widget
        if isinstance(widget, CheckboxInput):
            if value:
                data[field.html_name] = "on"
        elif isinstance(widget, NullBooleanSelect):
            data[field.html_name] = widget.format_value(value)
        elif isinstance(value, list | tuple):
            data[field.html_name] = [str(v) for v in value]
        elif value is None:
            data[field.html_name] = ""
        elif isinstance(value, date):
            data[field.html_name] = value.isoformat()
        else:
            data[field.html_name] = str(value)
    return data


def test_a_stale_edit_shows_both_versions_and_loses_nothing(place):
    child = make_child(place.village, school="")
    mine = _client(place.director)
    mine.get(f"/children/{child.pk}/edit/")  # the director opens version 1 …
    services.child_update(  # … while the supervisor saves version 2
        actor=place.supervisor,
        child_id=child.pk,
        expected_version=1,
        data={"school": "向阳小学", "address": "新村3组"},
    )

    response = mine.post(
        f"/children/{child.pk}/edit/",
        _edit_data(child, school="守望小学", notes="奶奶腿脚不便"),
    )

    assert response.status_code == 409
    text = _text(response)
    assert (
        "保存失败：在您编辑期间，该记录已被他人修改（当前为第2版）。"
        "您填写的内容没有丢失，请对照后重新提交。"
    ) in text
    assert "您的修改（基于第1版）与当前第2版不同之处" in text
    assert (
        '<tr class="table-warning"><td>学校名称</td><td>守望小学</td><td>向阳小学</td>'
        "<td>您填写的（双方都改了，请核对）</td></tr>"
    ) in text
    assert (
        "<tr><td>备注</td><td>奶奶腿脚不便</td><td>（空）</td><td>您填写的</td></tr>"
    ) in text
    assert (
        "<tr><td>现居住地址</td><td>（空）</td><td>新村3组</td>"
        "<td>当前记录的（您没有改动此项）</td></tr>"
    ) in text
    assert f'<a href="/children/{child.pk}/">张晓明</a>' in text
    # The form holds the director's input, the supervisor's untouched change and
    # the current version; nothing was written.
    form = response.context["form"]
    assert form["school"].value() == "守望小学"
    assert form["notes"].value() == "奶奶腿脚不便"
    assert form["address"].value() == "新村3组"
    assert 'value="守望小学"' in text
    assert "奶奶腿脚不便</textarea>" in text
    assert 'name="version" value="2"' in text
    child.refresh_from_db()
    assert (child.school, child.notes, child.version) == ("向阳小学", "", 2)

    resubmitted = mine.post(f"/children/{child.pk}/edit/", _resubmitted(form))

    assert resubmitted.status_code == 302
    child.refresh_from_db()
    assert (child.school, child.notes, child.address, child.version) == (
        "守望小学",
        "奶奶腿脚不便",
        "新村3组",
        3,
    )
    assert set(child.changes.first().changes) == {"school", "notes"}
    assert [c.actor for c in child.changes.all()][:2] == [
        place.director,
        place.supervisor,
    ]


def test_a_conflict_on_fields_nobody_else_touched_keeps_them_as_typed(place):
    child = make_child(place.village, boarding=True)
    mine = _client(place.director)
    services.child_update(
        actor=place.supervisor,
        child_id=child.pk,
        expected_version=1,
        data={"schooling": "初中"},
    )
    response = mine.post(
        f"/children/{child.pk}/edit/",
        _edit_data(child, name="张晓鸣", boarding="false", version="1"),
    )
    assert response.status_code == 409
    form = response.context["form"]
    assert (form["name"].value(), form["boarding"].value()) == ("张晓鸣", False)
    assert form["schooling"].value() == "初中"
    assert (
        mine.post(f"/children/{child.pk}/edit/", _resubmitted(form)).status_code == 302
    )
    child.refresh_from_db()
    assert (child.name, child.boarding, child.schooling, child.version) == (
        "张晓鸣",
        False,
        "初中",
        3,
    )


def test_the_record_as_of_a_past_date(place):
    child = make_child(place.village, school="一小")
    tz = timezone.get_current_timezone()
    child.changes.update(at=datetime(2026, 1, 10, 9, 0, tzinfo=tz))
    services.child_update(
        actor=place.director,
        child_id=child.pk,
        expected_version=1,
        data={"school": "二小", "father_id_number": FATHER_ID},
    )
    child.changes.filter(version=2).update(at=datetime(2026, 3, 5, 20, 0, tzinfo=tz))
    client = _client(place.director)

    def as_of(day: str) -> str:
        response = client.get(f"/children/{child.pk}/as-of/", {"date": day})
        assert response.status_code == 200
        return _text(response)

    before = as_of("2026-01-09")
    assert "该日期时此儿童尚未登记。" in before
    january = as_of("2026-03-04")
    assert "张晓明 在 2026年3月4日 当日结束时的记录" in january
    assert '<tr><th class="w-25">学校名称</th><td>一小</td></tr>' in january
    assert '<tr><th class="w-25">父亲公民身份号码</th><td>—</td></tr>' in january
    assert '<tr><th class="w-25">状态</th><td>在册</td></tr>' in january
    assert (
        '<tr><th class="w-25">户籍地村（社区）</th><td>守望村（430524911001）</td></tr>'
        in january
    )
    march = as_of("2026-03-05")
    assert '<tr><th class="w-25">学校名称</th><td>二小</td></tr>' in march
    assert (
        f'<tr><th class="w-25">父亲公民身份号码</th><td>430524********{FATHER_ID[-4:]}</td></tr>'
        in march
    )
    assert FATHER_ID not in march
    assert child.id_number not in march
    assert len(_audits("child.view")) == 3

    bad = client.get(f"/children/{child.pk}/as-of/", {"date": "2026-02-30"})
    assert bad.status_code == 302
    assert _messages(client.get(bad["Location"])) == [
        "日期“2026-02-30”格式不对，应为 2026-01-31。"
    ]


# --- exit and re-admission ----------------------------------------------------------------


def test_exit_hides_the_child_from_the_list_and_readmission_brings_it_back(place):
    child = make_child(place.village)
    client = _client(place.director)
    today = timezone.localdate()

    response = client.post(
        f"/children/{child.pk}/exit/",
        {
            "version": "1",
            "reason": "父母返乡/监护恢复",
            "exit_date": today.isoformat(),
            "note": "父母均已返乡",
        },
    )

    assert response["Location"] == f"/children/{child.pk}/"
    page = client.get(response["Location"])
    assert _messages(page) == [
        "张晓明 已退出儿童信息库，记录和历史均保留，可随时重新纳入。"
    ]
    text = _text(page)
    assert "已退出：父母返乡/监护恢复" in text
    assert '<div class="text-muted">状态：在册 → 已退出</div>' in text
    assert '<div class="text-muted">父母均已返乡</div>' in text
    assert "重新纳入儿童信息库" in text
    assert "修改信息" not in text
    assert _listed(client.get("/children/")) == []
    assert _listed(client.get("/children/", {"status": "exited"})) == ["张晓明"]
    assert _listed(client.get("/children/", {"status": "all"})) == ["张晓明"]

    response = client.post(f"/children/{child.pk}/readmit/", {"version": "2"})

    page = client.get(response["Location"])
    assert _messages(page) == ["张晓明 已重新纳入儿童信息库。"]
    assert '<div class="text-muted">状态：已退出 → 在册</div>' in _text(page)
    assert _listed(client.get("/children/")) == ["张晓明"]
    child.refresh_from_db()
    assert (child.status, child.version) == ("active", 3)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": ""}, "退出未完成：请选择退出原因。"),
        ({"exit_date": "tomorrow"}, "退出未完成：退出日期不能晚于今天。"),
        ({"exit_date": "2026-02-30"}, "退出未完成：退出日期格式应为 2026-01-31。"),
        ({"version": ""}, "退出未完成：请求缺少版本号，请刷新页面后重试。"),
        (
            {"version": "7"},
            "保存失败：在您编辑期间，该记录已被他人修改（当前为第1版）。"
            "您填写的内容没有丢失，请对照后重新提交。",
        ),
    ],
)
def test_a_refused_exit_says_why_and_changes_nothing(place, data, message):
    child = make_child(place.village)
    if data.get("exit_date") == "tomorrow":
        data["exit_date"] = (timezone.localdate() + timedelta(days=1)).isoformat()
    client = _client(place.director)
    response = client.post(
        f"/children/{child.pk}/exit/",
        {
            "version": "1",
            "reason": "其他",
            "exit_date": timezone.localdate().isoformat(),
            **data,
        },
    )
    assert _messages(client.get(response["Location"])) == [message]
    child.refresh_from_db()
    assert (child.status, child.version) == ("active", 1)
    assert not _audits("child.exit")


def test_readmission_needs_the_version_and_an_exited_child(place):
    child = make_child(place.village)
    client = _client(place.director)
    response = client.post(f"/children/{child.pk}/readmit/", {})
    assert _messages(client.get(response["Location"])) == [
        "请求缺少版本号，请刷新页面后重试。"
    ]
    response = client.post(f"/children/{child.pk}/readmit/", {"version": "1"})
    assert _messages(client.get(response["Location"])) == [
        "只有已退出的儿童才能重新纳入。"
    ]
    assert not _audits("child.readmit")


# --- the exit-review worklist -------------------------------------------------------------


def test_a_child_who_turns_16_goes_on_the_exit_review_worklist(place):
    today = timezone.localdate()
    birthday = today + timedelta(days=10)
    turning = make_child(
        place.village, name="将满十六", birth_date=years_ago(16, days=-10)
    )
    make_child(place.village, name="年幼", birth_date=years_ago(6))
    client = _client(place.director)
    assert "没有需要复核的儿童。" in _text(client.get("/children/review/"))

    call_command("children_reclassify", "--date", birthday.isoformat())

    text = _text(client.get("/children/review/"))
    # Listed once, as aging out (with its exit form), not again as "no category".
    assert '年龄到期待复核 <span class="badge text-bg-warning">1</span>' in text
    assert f'<a class="fw-bold" href="/children/{turning.pk}/">将满十六</a>' in text
    assert text.count("将满十六") == 1
    assert "年幼" not in text
    # Other villages' children are not on this director's worklist; once exited,
    # the child leaves it.
    assert "将满十六" not in _text(
        _client(place.other_director).get("/children/review/")
    )
    services.child_exit(
        actor=place.director,
        child_id=turning.pk,
        expected_version=1,
        reason="年满16周岁",
        exit_date=today,
    )
    assert "没有需要复核的儿童。" in _text(client.get("/children/review/"))


# --- duplicates ---------------------------------------------------------------------------


@pytest.fixture
def twins(place):
    born = years_ago(8)
    keep = make_child(place.village, id_number=None, name="张晓明", birth_date=born)
    other = make_child(
        place.village, id_number=None, name="张小明", birth_date=born, school="守望小学"
    )
    return keep, other


def test_duplicate_candidates_are_shown_and_merging_keeps_both_histories(place, twins):
    keep, other = twins
    client = _client(place.director)
    text = _text(client.get(f"/children/{keep.pk}/"))
    assert "可能重复登记的记录" in text
    assert f'<a href="/children/{other.pk}/">张小明（#{other.pk}，守望村）</a>' in text

    response = client.post(
        f"/children/{keep.pk}/merge/{other.pk}/",
        {"keep_version": "1", "merge_version": "1"},
    )

    page = client.get(response["Location"])
    assert _messages(page) == [
        f"已把记录 #{other.pk} 合并到本记录，两条记录的历史都已保留。"
    ]
    text = _text(page)
    assert 'data-testid="duplicates"' not in text
    timeline = text.split('data-testid="timeline"')[1]
    assert f"合并了记录 #{other.pk}" in timeline
    assert f"来自记录 #{other.pk}" in timeline
    assert timeline.count("<strong>登记</strong>") == 2
    other.refresh_from_db()
    assert (other.status, other.merged_into_id) == ("merged", keep.pk)
    assert Child.objects.count() == 2
    merged_page = _text(client.get(f"/children/{other.pk}/"))
    assert (
        f'本记录已合并到 <a href="/children/{keep.pk}/">记录 #{keep.pk}</a>'
        in merged_page
    )
    assert "修改信息" not in merged_page
    assert '<div class="text-muted">状态：在册 → 已合并</div>' in merged_page
    assert _listed(client.get("/children/")) == ["张晓明"]


def test_a_name_cannot_break_out_of_the_merge_confirmation(place):
    born = years_ago(8)
    keep = make_child(place.village, id_number=None, name="张晓明", birth_date=born)
    make_child(place.village, id_number=None, name="张晓明');alert('", birth_date=born)
    text = _text(_client(place.director).get(f"/children/{keep.pk}/"))
    # The question is data (an escaped attribute read by web/page.js), never script.
    assert (
        'data-confirm="确认把 张晓明&#x27;);alert(&#x27; 的记录合并到本记录？' in text
    )
    assert "onsubmit=" not in text


def test_a_stale_merge_is_refused(place, twins):
    keep, other = twins
    client = _client(place.director)
    response = client.post(
        f"/children/{keep.pk}/merge/{other.pk}/",
        {"keep_version": "1", "merge_version": "9"},
    )
    assert _messages(client.get(response["Location"]))[0].startswith("保存失败：")
    response = client.post(f"/children/{keep.pk}/merge/{other.pk}/", {})
    assert _messages(client.get(response["Location"])) == [
        "请求缺少版本号，请刷新页面后重试。"
    ]
    other.refresh_from_db()
    assert other.status == "active"


def test_not_the_same_child_is_remembered(place, twins):
    keep, other = twins
    client = _client(place.director)

    response = client.post(f"/children/{keep.pk}/not-duplicate/{other.pk}/")

    page = client.get(response["Location"])
    assert _messages(page) == [f"已记录：张小明（#{other.pk}）与本记录不是同一名儿童。"]
    assert 'data-testid="duplicates"' not in _text(page)
    assert 'data-testid="duplicates"' not in _text(client.get(f"/children/{other.pk}/"))
    assert DuplicateDecision.objects.count() == 1


# --- the list -----------------------------------------------------------------------------


@pytest.mark.parametrize(("filters", "expected"), LEDGER_FILTERS)
def test_each_list_filter(place, filters, expected):
    make_ledger(place)
    params = {"status": "active", **filters}
    params["status"] = params["status"] or "all"  # the page's word for every status
    response = _client(place.civil).get("/children/", params)
    assert response.status_code == 200
    assert set(_listed(response)) == expected
    assert f"共 {len(expected)} 名儿童" in _text(response)


def test_the_area_filter_offers_the_areas_below_the_user(place):
    text = _text(_client(place.supervisor).get("/children/"))
    assert '<option value="430524911001">　守望村</option>' in text
    assert '<option value="430524911002">　向阳村</option>' in text
    assert "青石村" not in text
    assert '<option value="430524911000">' not in text  # their own area is 全部


def test_a_filter_value_outside_the_list_is_ignored(place):
    make_child(place.village)
    response = _client(place.director).get("/children/", {"category": "外星人"})
    assert response.status_code == 200
    assert _listed(response) == ["张晓明"]


def test_search_by_name_initials_and_full_id_number(place):
    zhang = make_child(place.village, name="张晓明")
    make_child(place.village, name="李小红")
    make_child(place.other_village, name="张晓东")
    client = _client(place.director)

    assert _listed(client.get("/children/", {"q": "晓明"})) == ["张晓明"]
    assert _listed(client.get("/children/", {"q": "zxm"})) == ["张晓明"]
    assert _listed(client.get("/children/", {"q": "zx"})) == ["张晓明"]
    assert _listed(client.get("/children/", {"q": zhang.id_number})) == ["张晓明"]
    assert _listed(client.get("/children/", {"q": zhang.id_number.lower()})) == [
        "张晓明"
    ]
    response = client.get("/children/", {"q": "wxy"})
    assert _listed(response) == []
    assert "没有符合条件的儿童。" in _text(response)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["李娜", "王芳", "张晓明"]),
        ("birth", ["王芳", "张晓明", "李娜"]),
        ("-birth", ["李娜", "张晓明", "王芳"]),
        ("village", ["李娜", "张晓明", "王芳"]),
        ("-updated", ["张晓明", "王芳", "李娜"]),
    ],
)
def test_the_list_sorts(place, sort, expected):
    make_child(place.village, name="李娜", birth_date=years_ago(3))
    make_child(place.other_village, name="王芳", birth_date=years_ago(12))
    zhang = make_child(place.village, name="张晓明", birth_date=years_ago(7))
    services.child_update(
        actor=place.civil,
        child_id=zhang.pk,
        expected_version=1,
        data={"school": "守望小学"},
    )
    response = _client(place.supervisor).get("/children/", {"sort": sort})
    assert _listed(response) == expected


def test_a_garbage_page_or_an_old_cursor_shows_the_first_page(place):
    """Numbered pages are in test_list_search; an address from before them (?after=)
    or a page that is not a number still opens the list."""
    make_child(place.village, name="张晓明")
    client = _client(place.director)
    for params in ({"after": "garbage"}, {"page": "%%%"}, {"page": "9" * 30}):
        response = client.get("/children/", {**params, "sort": "birth"})
        assert response.status_code == 200
        assert _listed(response) == ["张晓明"]
    response = client.get("/children/review/", {"page": "garbage"})
    assert response.status_code == 200


def test_the_htmx_partial_holds_only_the_rows(place):
    make_child(place.village, name="张晓明")
    make_child(place.village, name="李娜")
    client = _client(place.director)
    response = client.get(
        "/children/",
        {"q": "zxm"},
        headers={"HX-Request": "true", "HX-Target": "child-results"},
    )
    text = _text(response)
    assert response.status_code == 200
    assert "<html" not in text
    assert 'data-testid="child-filters"' not in text
    assert 'data-testid="child-table"' in text
    assert "共 1 名儿童" in text
    assert _listed(response) == ["张晓明"]
    full = _text(client.get("/children/", {"q": "zxm"}))
    assert "<html" in full
    assert 'data-testid="child-filters"' in full


def test_the_list_never_shows_another_jurisdiction(place):
    make_child(place.village, name="张晓明")
    make_child(place.other_village, name="王芳")
    make_child(place.foreign_village, name="外县儿童")
    text = _text(_client(place.director).get("/children/", {"status": "all"}))
    assert _listed_pks(_client(place.director).get("/children/")) == [
        Child.objects.get(name="张晓明").pk
    ]
    assert "王芳" not in text
    assert "外县儿童" not in text
    assert "共 1 名儿童" in text
