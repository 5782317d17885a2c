"""The responsibility and confirmation pages through HTTP: who may open them, the
writes they make, the messages they show, and the child page's care panel."""

import html
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from shouwang.accounts.models import Role
from shouwang.registry.models import Child
from shouwang.registry.tests.factories import DE_FACTO, make_child, make_place
from shouwang.visits.models import Attachment, GuardianshipConfirmation, PatchLeader
from shouwang.visits.services import care
from tests.factories import make_user

pytestmark = pytest.mark.django_db

FORBIDDEN = "您的角色没有此项操作的权限。"
NOT_FOUND = "您要找的页面或记录不存在，或不在您的管辖范围内。"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PAGES = (
    "/visits/responsibility/",
    "/visits/mine/",
    "/visits/patch-leaders/",
    "/visits/confirmations/",
)


@pytest.fixture
def place():
    place = make_place()
    place.director_b = make_user(
        Role.DIRECTOR, place.village, username="zhuren_b", full_name="主任乙"
    )
    return place


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _today():
    return timezone.localdate()


# --- who may open what ------------------------------------------------------------


def test_anonymous_is_sent_to_login(place):
    child = make_child(place.village)
    client = Client()
    for url in (*PAGES, f"/visits/children/{child.pk}/confirmation/new/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("leader", "/visits/responsibility/"),
        ("department", "/visits/responsibility/"),
        ("director", "/visits/responsibility/"),
        ("leader", "/visits/mine/"),
        ("department", "/visits/mine/"),
        ("admin", "/visits/mine/"),
        ("leader", "/visits/patch-leaders/"),
        ("director", "/visits/patch-leaders/"),
        ("leader", "/visits/confirmations/"),
        ("department", "/visits/confirmations/"),
    ],
)
def test_roles_without_the_permission_are_refused(place, role, url):
    response = _client(getattr(place, role)).get(url)
    assert response.status_code == 403
    assert FORBIDDEN in _text(response)
    response = _client(getattr(place, role)).post(url, {})
    assert response.status_code == 403


def test_recording_a_confirmation_needs_the_permission(place):
    child = make_child(place.village)
    url = f"/visits/children/{child.pk}/confirmation/new/"
    for user in (place.leader, place.department):
        assert _client(user).get(url).status_code == 403
        assert _client(user).post(url, {}).status_code == 403


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("supervisor", "/visits/responsibility/?village=430524912001"),
        ("supervisor", "/visits/responsibility/?village=430525911001"),
        ("civil", "/visits/responsibility/?village=430525911001"),
        ("civil", "/visits/responsibility/?village=430524911000"),  # not a village
        ("supervisor", "/visits/patch-leaders/?township=430524912000"),
        ("civil", "/visits/patch-leaders/?township=430525911000"),
        ("supervisor", "/visits/confirmations/?area=430524912000"),
        ("director", "/visits/confirmations/?area=430524911002"),
        ("civil", "/visits/confirmations/?area=430525000000"),
        ("civil", "/visits/confirmations/?area=abc"),
    ],
)
def test_areas_outside_the_jurisdiction_are_not_found(place, role, url):
    response = _client(getattr(place, role)).get(url)
    assert response.status_code == 404
    assert NOT_FOUND in _text(response)


def test_a_foreign_childs_confirmation_form_is_not_found(place):
    foreign = make_child(place.foreign_village)
    far = make_child(place.far_village)
    for user, child in ((place.civil, foreign), (place.supervisor, far)):
        url = f"/visits/children/{child.pk}/confirmation/new/"
        assert _client(user).get(url).status_code == 404
        assert _client(user).post(url, {}).status_code == 404
    assert GuardianshipConfirmation.objects.count() == 0


# --- responsibility ---------------------------------------------------------------


def test_a_supervisor_picks_a_village_and_reassigns_two_children(place):
    a = make_child(
        place.village, name="留守甲", responsible_director_id=place.director.pk
    )
    b = make_child(place.village, name="留守乙")
    c = make_child(place.village, name="留守丙")
    client = _client(place.supervisor)

    page = client.get("/visits/responsibility/")
    assert page.status_code == 200
    assert "守望村" in _text(page) and "青石村" not in _text(page)

    page = client.get(f"/visits/responsibility/?village={place.village.code}")
    text = _text(page)
    assert "在册儿童 3 名，其中未指定责任儿童主任 2 名" in text
    assert "全选" in text
    assert "主任乙" in text

    response = client.post(
        "/visits/responsibility/",
        {
            "village": place.village.code,
            "action": "assign",
            "children": [a.pk, b.pk],
            "director": place.director_b.pk,
            "cadre_name": "王干部",
            "cadre_phone": "13912345678",
            "note": "主任张调离",
        },
        follow=True,
    )

    assert _messages(response) == ["已调整 2 名儿童的责任人。"]
    assert response.redirect_chain[-1][0] == (
        f"/visits/responsibility/?village={place.village.code}"
    )
    for child in (a, b):
        child.refresh_from_db()
        assert child.responsible_director == place.director_b
        assert child.liaison_cadre_name == "王干部"
    c.refresh_from_db()
    assert c.responsible_director is None and c.version == 1


def test_a_refused_reassignment_shows_why_and_keeps_the_choices(place):
    a = make_child(place.village, name="留守甲")
    client = _client(place.supervisor)

    response = client.post(
        "/visits/responsibility/",
        {
            "village": place.village.code,
            "action": "assign",
            "children": [a.pk],
            "cadre_name": "王干部",
            "cadre_phone": "12345",
        },
    )

    assert response.status_code == 200
    text = _text(response)
    assert (
        "包联干部电话：包联干部电话号码应为11位手机号（1开头）或带区号的固定电话（如 0739-1234567）。"
        in text
    )
    assert f'value="{a.pk}" id="child-{a.pk}" aria-label="选择 留守甲" checked' in text
    assert 'value="12345"' in text
    a.refresh_from_db()
    assert a.version == 1

    response = client.post(
        "/visits/responsibility/",
        {"village": place.village.code, "action": "assign"},
    )
    text = _text(response)
    assert "儿童：请选择要调整责任人的儿童。" in text

    response = client.post(
        "/visits/responsibility/",
        {"village": place.village.code, "action": "assign", "children": [a.pk]},
    )
    assert "责任儿童主任：请选择责任儿童主任或填写包联干部。" in _text(response)

    # A director of another village is not on this village's list.
    response = client.post(
        "/visits/responsibility/",
        {
            "village": place.village.code,
            "action": "assign",
            "children": [a.pk],
            "director": place.other_director.pk,
        },
    )
    assert "所选儿童主任不是本村在岗的儿童主任：请从列表中选择。" in _text(response)
    a.refresh_from_db()
    assert a.version == 1


def test_a_foreign_village_posted_is_not_found(place):
    # Two directors there: nobody is made responsible when the child is registered.
    make_user(Role.DIRECTOR, place.foreign_village, full_name="外县主任二")
    foreign = make_child(place.foreign_village)
    response = _client(place.civil).post(
        "/visits/responsibility/",
        {
            "village": place.foreign_village.code,
            "action": "assign",
            "children": [foreign.pk],
            "director": place.foreign_director.pk,
        },
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.responsible_director is None


def test_the_unassigned_children_of_a_village_go_to_one_director(place):
    a = make_child(
        place.village, name="留守甲", responsible_director_id=place.director.pk
    )
    b = make_child(place.village, name="留守乙")
    c = make_child(place.village, name="留守丙")
    client = _client(place.civil)
    url = "/visits/responsibility/"

    response = client.post(
        url,
        {
            "village": place.village.code,
            "action": "unassigned",
            "director": place.director_b.pk,
        },
        follow=True,
    )

    assert _messages(response) == ["已把本村 2 名未指定责任人的儿童指定给主任乙。"]
    assert {
        ch.name: ch.responsible_director_id
        for ch in Child.objects.filter(pk__in=[a.pk, b.pk, c.pk])
    } == {
        "留守甲": place.director.pk,
        "留守乙": place.director_b.pk,
        "留守丙": place.director_b.pk,
    }
    response = client.post(
        url,
        {
            "village": place.village.code,
            "action": "unassigned",
            "director": place.director_b.pk,
        },
        follow=True,
    )
    assert _messages(response) == ["本村没有未指定责任人的在册儿童。"]


def test_my_children_lists_only_mine_with_counts(place):
    mine = make_child(
        place.village, name="我的", responsible_director_id=place.director.pk
    )
    make_child(
        place.village, name="别人的", responsible_director_id=place.director_b.pk
    )
    make_child(place.village, name="没人的")

    response = _client(place.director).get("/visits/mine/")

    text = _text(response)
    assert re.findall(r'<a href="/children/\d+/">([^<]+)</a>', text) == ["我的"]
    assert "农村留守儿童 <strong>1</strong>" in text
    assert "未签" in text
    mine.refresh_from_db()
    assert f"{mine.next_visit_due:%Y-%m-%d}" in text

    empty = _text(_client(place.director_b).get("/visits/mine/"))
    assert "别人的" in empty
    assert "目前没有指定由您负责的在册儿童。" in _text(
        _client(place.supervisor).get("/visits/mine/")
    )


# --- 包片 leaders ----------------------------------------------------------------


def test_a_supervisor_sets_and_changes_a_leader_of_a_village(place):
    client = _client(place.supervisor)
    page = _text(client.get("/visits/patch-leaders/"))
    assert "守望村" in page and "向阳村" in page and "未指定" in page

    response = client.post(
        "/visits/patch-leaders/",
        {
            "action": "set",
            "township": place.township.code,
            "area": place.village.code,
            "name": "李镇长",
            "title": "副镇长",
            "phone": "13700001111",
            "started_on": (_today() - timedelta(days=30)).isoformat(),
        },
        follow=True,
    )
    assert _messages(response) == ["已指定李镇长为守望村的包片领导。"]
    response = client.post(
        "/visits/patch-leaders/",
        {
            "action": "set",
            "area": place.village.code,
            "name": "赵委员",
            "started_on": _today().isoformat(),
        },
        follow=True,
    )
    assert _messages(response) == ["已指定赵委员为守望村的包片领导。"]
    text = _text(response)
    assert (
        f"守望村：李镇长（副镇长） · {_today() - timedelta(days=30):%Y-%m-%d} 至 {_today():%Y-%m-%d}"
        in text
    )
    assert "守望村：赵委员 · " in text and "至 今" in text

    response = client.post(
        "/visits/patch-leaders/",
        {"action": "end", "area": place.village.code, "ended_on": _today().isoformat()},
        follow=True,
    )
    assert _messages(response) == ["守望村的包片领导赵委员已卸任。"]
    assert PatchLeader.objects.filter(ended_on__isnull=True).count() == 0


def test_a_refused_leader_shows_why(place):
    client = _client(place.supervisor)
    response = client.post(
        "/visits/patch-leaders/",
        {
            "action": "set",
            "area": place.village.code,
            "name": "李镇长",
            "started_on": (_today() + timedelta(days=1)).isoformat(),
        },
    )
    assert "起始日期：起始日期不能晚于今天。" in _text(response)
    response = client.post(
        "/visits/patch-leaders/",
        {"action": "set", "township": place.township.code, "started_on": "x"},
    )
    text = _text(response)
    assert "包片区域：请选择包片区域。" in text
    assert "包片领导姓名：请填写包片领导姓名。" in text
    assert "起始日期：起始日期应为有效日期，如 2015-03-08。" in text
    response = client.post(
        "/visits/patch-leaders/",
        {"action": "end", "area": place.village.code, "ended_on": _today().isoformat()},
        follow=True,
    )
    assert _messages(response) == ["守望村目前没有包片领导。"]
    assert PatchLeader.objects.count() == 0


def test_a_supervisor_setting_a_leader_in_another_township_is_not_found(place):
    client = _client(place.supervisor)
    for area in (place.far_village, place.other_township, place.foreign_village):
        for action in ("set", "end"):
            response = client.post(
                "/visits/patch-leaders/",
                {
                    "action": action,
                    "area": area.code,
                    "name": "周镇长",
                    "started_on": _today().isoformat(),
                    "ended_on": _today().isoformat(),
                },
            )
            assert response.status_code == 404
    assert PatchLeader.objects.count() == 0


def test_civil_affairs_choose_a_township(place):
    client = _client(place.civil)
    text = _text(client.get("/visits/patch-leaders/"))
    assert "请选择乡镇（街道）" in text and "青石镇" in text
    text = _text(
        client.get(f"/visits/patch-leaders/?township={place.other_township.code}")
    )
    assert "青石村" in text and "守望村" not in text


# --- confirmations ----------------------------------------------------------------


def _confirmation_post(**overrides) -> dict:
    return {
        "signed_on": (_today() - timedelta(days=2)).isoformat(),
        "valid_until": (_today() + timedelta(days=363)).isoformat(),
        "entrusting_parties": "父亲张德明、母亲失联",
        "entrusted_guardian": "张德明",
        "committee_signatory": "村委刘会计",
        "note": "",
        "attachments": [SimpleUploadedFile("扫描件.pdf", PDF)],
    } | overrides


def test_a_director_records_a_confirmation_with_its_scan(place):
    child = make_child(place.village, name="事实", **DE_FACTO)
    client = _client(place.director)
    url = f"/visits/children/{child.pk}/confirmation/new/"

    page = _text(client.get(url))
    assert "记录 事实 的确认书" in page
    assert 'value="张德明"' in page  # the guardian on record, as a start

    response = client.post(url, _confirmation_post(), follow=True)

    assert response.redirect_chain[-1][0] == f"/children/{child.pk}/"
    assert _messages(response) == [
        f"已记录 事实 的委托监护责任确认书（签订日期 {_today() - timedelta(days=2):%Y-%m-%d}）。"
    ]
    confirmation = GuardianshipConfirmation.objects.get()
    scan = Attachment.objects.get()
    assert scan.confirmation == confirmation
    child.refresh_from_db()
    assert (child.confirmation_signed, child.risk_level) == (True, "中")
    panel = _text(response)
    assert f'href="/visits/attachments/{scan.pk}/"' in panel
    assert "扫描件：扫描件.pdf" in panel

    # The scan opens for the village, and for nobody outside it.
    assert client.get(f"/visits/attachments/{scan.pk}/").status_code == 200
    assert (
        _client(place.foreign_director)
        .get(f"/visits/attachments/{scan.pk}/")
        .status_code
        == 404
    )

    page = _text(client.get(url))
    assert "续签 事实 的确认书" in page
    response = client.post(
        url,
        _confirmation_post(signed_on=_today().isoformat(), attachments=[]),
        follow=True,
    )
    assert _messages(response) == [
        f"已续签 事实 的委托监护责任确认书（签订日期 {_today():%Y-%m-%d}）。"
    ]
    assert GuardianshipConfirmation.objects.filter(status="current").count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"signed_on": ""}, "签订日期：请填写签订日期。"),
        (
            {"signed_on": "2026-13-40"},
            "签订日期：签订日期应为有效日期，如 2015-03-08。",
        ),
        ({"signed_on": "future"}, "签订日期：签订日期不能晚于今天。"),
        ({"valid_until": "before"}, "有效期至：有效期至应晚于签订日期。"),
        ({"entrusting_parties": ""}, "委托方（父母）：请填写委托方（父母）。"),
        ({"committee_signatory": ""}, "村（居）委会经办人：请填写村（居）委会经办人。"),
        (
            {"attachments": [SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf")]},
            "确认书扫描件：附件“scan.pdf”不是 JPG、PNG 图片或 PDF 文件（按文件内容判断）：请上传照片或扫描件。",
        ),
        (
            {"attachments": [SimpleUploadedFile("empty.pdf", b"")]},
            "确认书扫描件：附件“empty.pdf”是空文件，请重新选择。",
        ),
    ],
)
def test_a_refused_confirmation_keeps_what_was_typed(place, overrides, message):
    child = make_child(place.village)
    if overrides.get("signed_on") == "future":
        overrides["signed_on"] = (_today() + timedelta(days=1)).isoformat()
    if overrides.get("valid_until") == "before":
        overrides["valid_until"] = (_today() - timedelta(days=5)).isoformat()
    url = f"/visits/children/{child.pk}/confirmation/new/"

    response = _client(place.director).post(url, _confirmation_post(**overrides))

    assert response.status_code == 200
    text = _text(response)
    assert message in text
    assert 'value="村委刘会计"' in text or overrides.get("committee_signatory") == ""
    assert GuardianshipConfirmation.objects.count() == 0
    assert Attachment.objects.count() == 0
    child.refresh_from_db()
    assert child.version == 1


def test_an_exited_child_cannot_get_a_confirmation(place):
    child = make_child(place.village)
    from shouwang.registry import services as registry

    registry.child_exit(
        actor=place.civil,
        child_id=child.pk,
        expected_version=1,
        reason="迁出本辖区",
        exit_date=_today(),
    )
    url = f"/visits/children/{child.pk}/confirmation/new/"
    response = _client(place.director).post(url, _confirmation_post())
    assert "该儿童已不在册，不能记录确认书。" in _text(response)
    assert GuardianshipConfirmation.objects.count() == 0


# --- coverage ---------------------------------------------------------------------


def test_coverage_drills_down_and_lists_who_is_missing(place):
    signed = make_child(place.village, name="已签")
    make_child(place.village, name="未签")
    make_child(place.far_village, name="青石未签")
    care.confirmation_record(
        actor=place.director,
        child_id=signed.pk,
        signed_on=_today(),
        entrusting_parties="父母",
        entrusted_guardian="王桂兰",
        committee_signatory="村委",
    )
    client = _client(place.civil)

    text = _text(client.get("/visits/confirmations/"))
    rows = re.findall(
        r'<a href="\?area=(\d+)">([^<]+)</a></td>\s*<td class="text-end">(\d+)</td>\s*'
        r'<td class="text-end">(\d+)</td>\s*<td class="text-end">(\d+)</td>\s*'
        r'<td class="text-end">([^<]+)</td>',
        text,
    )
    assert rows == [
        (place.township.code, "守望镇", "2", "1", "1", "50%"),
        (place.other_township.code, "青石镇", "1", "0", "1", "0%"),
    ]
    assert "（共 2 名）" in text
    missing = text.split('data-testid="missing-table"')[1].split("</table>")[0]
    assert re.findall(r'<a href="/children/\d+/">([^<]+)</a>', missing) == [
        "未签",
        "青石未签",
    ]
    assert missing.count('/confirmation/new/">记录确认书</a>') == 2

    text = _text(client.get(f"/visits/confirmations/?area={place.township.code}"))
    assert ">守望村</a>" in text and ">向阳村</a>" in text
    assert "青石未签" not in text
    # 向阳村: nobody needs one.
    assert re.search(r"向阳村</a></td>\s*(<td[^>]*>0</td>\s*){3}<td[^>]*>—</td>", text)

    text = _text(_client(place.director).get("/visits/confirmations/"))
    table = text.split('data-testid="coverage-table"')[1].split("</table>")[0]
    assert "<td>守望村</td>" in table  # a village: no further drill-down
    assert '<a href="?area=' not in table
    assert "记录确认书" in text


def test_an_area_where_nobody_needs_one_shows_a_dash(place):
    client = _client(place.supervisor)
    text = _text(client.get(f"/visits/confirmations/?area={place.other_village.code}"))
    assert "需签订的儿童均已签订。" in text
    assert re.search(r"合计</td>\s*(<td[^>]*>0</td>\s*){3}<td[^>]*>—</td>", text)


# --- the child page's care panel ----------------------------------------------------


def test_the_child_page_shows_the_care_panel(place):
    child = make_child(place.village, name="留守甲")
    from shouwang.registry import services as registry

    registry.children_responsibility_set(
        actor=place.supervisor,
        child_ids=[child.pk],
        director_id=place.director.pk,
        cadre_name="王干部",
        cadre_phone="13912345678",
        note="分片包联",
    )
    care.patch_leader_set(
        actor=place.supervisor,
        area_code=place.village.code,
        name="李镇长",
        title="副镇长",
        phone="13700001111",
        started_on=_today(),
    )
    first = care.confirmation_record(
        actor=place.director,
        child_id=child.pk,
        signed_on=_today() - timedelta(days=400),
        valid_until=_today() - timedelta(days=35),
        entrusting_parties="父亲张建国、母亲李丽",
        entrusted_guardian="王桂兰",
        committee_signatory="村委刘会计",
        uploads=[SimpleUploadedFile("旧确认书.pdf", PDF)],
    )
    care.confirmation_record(
        actor=place.director,
        child_id=child.pk,
        signed_on=_today() - timedelta(days=1),
        valid_until=_today() + timedelta(days=364),
        entrusting_parties="父亲张建国、母亲李丽",
        entrusted_guardian="王桂兰",
        committee_signatory="村委刘会计",
        uploads=[SimpleUploadedFile("新确认书.pdf", PDF)],
    )

    text = _text(_client(place.supervisor).get(f"/children/{child.pk}/"))

    panel = text.split('data-testid="care-panel"')[1].split("</section>")[0]
    assert "主任张" in panel
    assert "王干部（13912345678）" in panel
    assert "李镇长（副镇长） 13700001111" in panel
    assert f"确认书：已签订</strong> {_today() - timedelta(days=1):%Y-%m-%d}" in panel
    assert (
        "委托方：父亲张建国、母亲李丽 · 受委托监护人：王桂兰 · 村（居）委会经办人：村委刘会计"
        in panel
    )
    assert "扫描件：新确认书.pdf" in panel
    assert f"{first.signed_on:%Y-%m-%d} 签订" in panel and "旧确认书.pdf" in panel
    assert ">续签</a>" in panel and ">调整责任人</a>" in panel
    assert "责任人变更记录" in panel
    assert "责任儿童主任：（无） → 主任张" in panel
    assert "包联干部：（无） → 王干部" in panel
    assert (
        "调整责任人：责任儿童主任 （无） → 主任张；包联干部 （无） → 王干部（13912345678）（分片包联）"
        in panel
    )

    # A director records but does not reassign.
    panel = _text(_client(place.director).get(f"/children/{child.pk}/"))
    panel = panel.split('data-testid="care-panel"')[1].split("</section>")[0]
    assert ">续签</a>" in panel and "调整责任人</a>" not in panel


def test_the_panel_says_when_a_confirmation_is_missing_or_not_needed(place):
    child = make_child(place.village, name="事实", **DE_FACTO)
    panel = _text(_client(place.director).get(f"/children/{child.pk}/"))
    assert "确认书：未签订</strong>（该儿童需签订委托监护责任确认书）" in panel
    assert ">记录确认书</a>" in panel
    assert "未指定" in panel
    at_home = make_child(
        place.village,
        name="在家",
        father_status="在家",
        mother_status="在家",
        father_work_place="",
        mother_work_place="",
        guardian_name="",
        guardian_relation="",
    )
    panel = _text(_client(place.director).get(f"/children/{at_home.pk}/"))
    assert "确认书：无需签订" in panel
