"""The exchange pages through HTTP: a prison list uploaded by the county's justice
contact reaches the director's worklist, the director accepts it (or rejects it with a
reason), the deadline page, the home page's count, and every denied path."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shouwang.accounts.models import Role, Unit
from shouwang.exchange.models import Alert, AlertPolicy, DepartmentList
from shouwang.exchange.vocab import AlertState
from shouwang.registry.tests.factories import FATHER_ID, make_child, make_place
from tests.factories import make_user

from .test_alerts import make_alert, make_list

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
TODAY_IS_LIVE = True  # set afresh before each test (conftest._today_is_today)


@pytest.fixture
def place():
    return make_place()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return response.content.decode()


def _csv(name: str, *rows: str) -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = "\n".join(("姓名,公民身份号码,开始日期,结束日期,场所", *rows)) + "\n"
    return SimpleUploadedFile(name, body.encode("utf-8"), content_type="text/csv")


def test_a_prison_list_reaches_the_director_who_accepts_it(place):
    child = make_child(
        place.village,
        father_id_number=FATHER_ID,
        mother_status="失联",
        mother_work_place="",
    )
    justice = make_user(
        Role.DEPARTMENT, place.county, unit=Unit.JUSTICE, full_name="司法刘"
    )
    sender = _client(justice)
    page = sender.get(reverse("exchange:lists"))
    assert page.status_code == 200
    kinds = [value for value, _ in page.context["form"].fields["kind"].choices]
    assert kinds == ["", "prison", "rehab"]
    assert page.context["headers"][0] == (
        "服刑在押",
        "姓名、公民身份号码、开始日期、结束日期（可空）、场所（可空）",
    )

    # A bad row: every problem named by row and column, nothing received.
    bad = sender.post(
        reverse("exchange:lists"),
        {
            "kind": "prison",
            "file": _csv("名单.csv", "张建国,43052419880101005X,2026-03-01,,某监狱"),
        },
    )
    assert bad.status_code == 400
    assert "未接收任何数据" in _text(bad)
    assert bad.context["errors"][0]["row"] == 2
    assert bad.context["errors"][0]["column"] == "公民身份号码"
    assert not DepartmentList.objects.exists()

    done = sender.post(
        reverse("exchange:lists"),
        {
            "kind": "prison",
            "file": _csv("名单.csv", f"张建国,{FATHER_ID},2026-03-01,,某监狱"),
        },
    )
    assert done.status_code == 200, done.context["form"].errors
    sent = DepartmentList.objects.get()
    assert f"已接收服刑在押名单（第{sent.pk}号）" in _text(done)
    assert sent.alert_count == 1

    director = _client(place.director)
    worklist = director.get(reverse("exchange:alerts"))
    assert worklist.status_code == 200
    alert = Alert.objects.get()
    assert f'data-testid="alert-{alert.pk}"' in _text(worklist)
    assert "可能符合事实无人抚养儿童认定条件" in _text(worklist)
    home = director.get("/")
    task = next(t for t in home.context["tasks"] if t.key == "alerts")
    assert (task.count, task.url) == (1, reverse("exchange:alerts"))

    detail = director.get(reverse("exchange:alert", kwargs={"pk": alert.pk}))
    assert detail.status_code == 200 and detail.context["handle"]
    accepted = director.post(
        reverse("exchange:alert-accept", kwargs={"pk": alert.pk}),
        {"expected_version": alert.version},
        follow=True,
    )
    assert "已采纳：张晓明的记录已按名单修改，变更记录中注明了名单来源。" in _text(
        accepted
    )
    child.refresh_from_db()
    assert child.father_status == "服刑在押" and child.is_de_facto_unsupported
    # The second click on the same (now stale) page writes nothing.
    again = director.post(
        reverse("exchange:alert-accept", kwargs={"pk": alert.pk}),
        {"expected_version": alert.version},
    )
    assert again.status_code == 400
    assert "不能再次处理" in _text(again)
    assert child.version == 2

    # The member unit sees its list and counts, never the children's alerts.
    detail = sender.get(reverse("exchange:list-detail", kwargs={"pk": sent.pk}))
    assert detail.status_code == 200
    assert not detail.context["reads_children"]
    assert "张晓明" not in _text(detail)
    assert sender.get(reverse("exchange:alerts")).status_code == 403


def test_rejecting_without_a_reason_is_refused_on_the_field(place):
    child = make_child(place.village)
    alert = make_alert(child, make_list(place.county, place.civil))
    url = reverse("exchange:alert-reject", kwargs={"pk": alert.pk})
    response = _client(place.director).post(url, {"expected_version": 1, "reason": ""})
    assert response.status_code == 400
    assert (
        '<div class="invalid-feedback d-block" data-testid="error-reason">'
        "请填写不采纳的原因（例如：经入户核实，名单所列人员并非该儿童的父亲）。</div>"
    ) in _text(response)
    stale = _client(place.director).post(
        reverse("exchange:alert-accept", kwargs={"pk": alert.pk}),
        {"expected_version": 7},
    )
    assert stale.status_code == 400
    assert (
        "在您查看期间，该比对提示已有变化（当前为第1版）：请刷新页面，核对后再处理。"
        in _text(stale)
    )
    response = _client(place.director).post(
        url, {"expected_version": 1, "reason": "经核实号码登记错误"}, follow=True
    )
    assert "已记录不采纳：张晓明的记录未修改。" in _text(response)
    assert Alert.objects.get().state == AlertState.REJECTED


def test_the_overdue_alert_shows_on_the_supervisors_phone_list(place):
    sent = make_list(place.county, place.civil)
    late = make_alert(
        make_child(place.other_village, name="王小芳"),
        sent,
        due_on=TODAY - timedelta(days=2),
    )
    response = _client(place.supervisor).get(reverse("exchange:alerts"))
    assert response.status_code == 200
    row = _text(response).split(f'data-testid="alert-{late.pk}"')[1]
    assert '<span class="badge text-bg-danger" data-testid="state">逾期</span>' in row
    home = _client(place.supervisor).get("/")
    task = next(t for t in home.context["tasks"] if t.key == "alerts")
    assert (task.count, task.urgent, task.note) == (
        1,
        True,
        "其中 1 条已超过核实时限",
    )
    # The director of that village reads it too; filtered away by state it is gone.
    other = _client(place.other_director)
    assert (
        other.get(reverse("exchange:alert", kwargs={"pk": late.pk})).status_code == 200
    )
    filtered = other.get(reverse("exchange:alerts"), {"state": "rejected"})
    assert f'data-testid="alert-{late.pk}"' not in _text(filtered)


def test_denied_paths(place):
    child = make_child(place.village)
    sent = make_list(place.county, place.civil)
    alert = make_alert(child, sent)
    detail = reverse("exchange:alert", kwargs={"pk": alert.pk})
    accept = reverse("exchange:alert-accept", kwargs={"pk": alert.pk})
    # Another village's director and another county: not found.
    assert _client(place.other_director).get(detail).status_code == 404
    assert (
        _client(place.other_director).post(accept, {"expected_version": 1}).status_code
        == 404
    )
    assert _client(place.foreign_civil).get(detail).status_code == 404
    # Leaders and member units: forbidden.
    for user in (place.leader, place.department):
        client = _client(user)
        assert client.get(reverse("exchange:alerts")).status_code == 403
        assert client.post(accept, {"expected_version": 1}).status_code == 403
    # A list for another county is refused on the area field, nothing received.
    outside = _client(place.civil).post(
        reverse("exchange:lists"),
        {
            "kind": "prison",
            "area": place.foreign_county.code,
            "file": _csv("名单.csv", f"张建国,{FATHER_ID},2026-03-01,,某监狱"),
        },
    )
    assert outside.status_code == 400
    assert (
        '<div class="invalid-feedback d-block" data-testid="area-error">'
        "“洞口县”不在您的管辖范围内：只能报送本辖区的名单。</div>"
    ) in _text(outside)
    assert DepartmentList.objects.count() == 1
    # Directors send no lists; an education contact sees no justice list.
    assert _client(place.director).get(reverse("exchange:lists")).status_code == 403
    list_url = reverse("exchange:list-detail", kwargs={"pk": sent.pk})
    assert _client(place.department).get(list_url).status_code == 404
    assert _client(place.foreign_civil).get(list_url).status_code == 404
    assert _client(place.civil).get(list_url).status_code == 200
    # The deadline: civil-affairs staff only.
    policy = reverse("exchange:alert-policy")
    assert _client(place.director).get(policy).status_code == 403
    assert _client(place.director).post(policy, {"days": 3}).status_code == 403
    assert Alert.objects.get().state == AlertState.OPEN


def test_county_civil_affairs_set_the_deadline(place):
    client = _client(place.civil)
    url = reverse("exchange:alert-policy")
    assert client.get(url).status_code == 200
    bad = client.post(url, {"county": place.county.code, "days": "0"})
    assert bad.status_code == 400
    assert "核实时限应为1至180天的整数。" in _text(bad)
    done = client.post(url, {"county": place.county.code, "days": "7"}, follow=True)
    assert "已设置隆回县比对提示的核实时限为 7 天。" in _text(done)
    foreign = client.post(url, {"county": place.foreign_county.code, "days": "7"})
    assert foreign.status_code == 400
    assert "请从列表中选择您管辖的县（市、区）。" in _text(foreign)
    # Another county's setting is not shown: the form falls back to one's own.
    AlertPolicy.objects.create(county=place.foreign_county, days=99)
    page = client.get(url, {"county": place.foreign_county.code})
    assert page.context["form"].initial == {"county": place.county.code, "days": 7}
