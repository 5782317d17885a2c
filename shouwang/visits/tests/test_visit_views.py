"""The visit pages through HTTP: the form, a visit, a child's visits, the child page's
panel and the attachments they show; who may open each."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shouwang.audit.models import AuditEvent
from shouwang.registry import services as registry_services
from shouwang.registry.models import Child
from shouwang.registry.tests.factories import make_child, make_place
from shouwang.visits.models import Attachment, Visit
from shouwang.visits.services.visit import visit_record
from shouwang.visits.tests.factories import make_visit

from .test_visit_services import PDF, PNG, stored_files, today, visit_values

pytestmark = pytest.mark.django_db

FORBIDDEN = "您的角色没有此项操作的权限。"
NOT_FOUND = "您要找的页面或记录不存在，或不在您的管辖范围内。"
NETWORK_FAILED = "网络连接失败，填写的内容仍在本页，请稍后再提交。"


@pytest.fixture
def place():
    return make_place()


@pytest.fixture
def child(place):
    return make_child(place.village, name="张晓明")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return response.content.decode()


def _without_tokens(response) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "", _text(response))


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def form_data(**overrides) -> dict:
    """The form's POST data for visit_values(**overrides)."""
    data = {}
    for key, value in visit_values(**overrides).items():
        if value is None or value is False:
            continue
        data[key] = value.isoformat() if hasattr(value, "isoformat") else value
    if data.get("followup_needed") is True:
        data["followup_needed"] = "on"
    return data


def _pages(child, visit) -> list[str]:
    return [
        f"/visits/children/{child.pk}/new/",
        f"/visits/children/{child.pk}/",
        f"/visits/{visit.pk}/",
    ]


# Who may open the pages ------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(place, child):
    visit = make_visit(child, visit_date=today(), recorded_by=place.director)
    client = Client()
    for url in _pages(child, visit):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/accounts/login/"), url


@pytest.mark.parametrize("who", ["leader", "department", "admin"])
def test_roles_without_casework_are_refused(place, child, who):
    visit = make_visit(
        child, visit_date=today(), recorded_by=place.director, problems="秘密问题"
    )
    client = _client(getattr(place, who))
    for url in _pages(child, visit):
        for method in (client.get, client.post):
            response = method(url, form_data())
            assert response.status_code == 403, url
            assert FORBIDDEN in _text(response), url
            assert "张晓明" not in _text(response)
            assert "秘密问题" not in _text(response)
    assert Visit.objects.count() == 1


@pytest.mark.parametrize("who", ["other_director", "foreign_director", "foreign_civil"])
def test_a_child_or_visit_elsewhere_answers_like_a_missing_one(place, child, who):
    visit = make_visit(
        child, visit_date=today(), recorded_by=place.director, problems="秘密问题"
    )
    client = _client(getattr(place, who))
    missing_child = Child.objects.order_by("-pk").first().pk + 100
    missing_visit = visit.pk + 100
    for url, nothing in zip(
        _pages(child, visit),
        [
            f"/visits/children/{missing_child}/new/",
            f"/visits/children/{missing_child}/",
            f"/visits/{missing_visit}/",
        ],
        strict=True,
    ):
        for method in (client.get, client.post):
            theirs, none = method(url, form_data()), method(nothing, form_data())
            assert theirs.status_code == none.status_code == 404, url
            assert _without_tokens(theirs) == _without_tokens(none), url
            assert NOT_FOUND in _text(theirs)
            assert "张晓明" not in _text(theirs)
            assert "秘密问题" not in _text(theirs)
    assert Visit.objects.count() == 1


def test_an_exited_child_has_no_form_and_no_button(place, child):
    registry_services.child_exit(
        actor=place.civil,
        child_id=child.pk,
        expected_version=child.version,
        reason="父母返乡/监护恢复",
        exit_date=today(),
    )
    client = _client(place.director)
    response = client.get(f"/visits/children/{child.pk}/new/", follow=True)
    assert response.redirect_chain == [(f"/children/{child.pk}/", 302)]
    assert _messages(response) == [
        "该儿童已退出儿童信息库，不能记录走访：如需走访，请先重新纳入。"
    ]
    assert 'data-testid="record-visit"' not in _text(response)

    # A form opened before the exit keeps what was typed and says why.
    posted = client.post(f"/visits/children/{child.pk}/new/", form_data(met="祖母"))
    assert posted.status_code == 200
    assert "该儿童已退出儿童信息库，不能记录走访：如需走访，请先重新纳入。" in _text(
        posted
    )
    assert 'value="祖母"' in _text(posted)
    assert not Visit.objects.exists()


# The form ----------------------------------------------------------------------------


def test_the_form_starts_from_today_a_home_visit_and_the_users_name(place, child):
    response = _client(place.director).get(f"/visits/children/{child.pk}/new/")
    assert response.status_code == 200
    form = response.context["form"]
    assert form["visit_date"].value() == today()
    assert form["mode"].value() == "入户"
    assert form["visitors"].value() == "主任张"
    text = _text(response)
    assert f'value="{today().isoformat()}"' in text
    assert f'max="{today().isoformat()}"' in text
    assert (
        'value="入户" class="btn-check" autocomplete="off" id="id_mode_0" checked'
        in (text)
    )
    assert 'enctype="multipart/form-data"' in text
    assert "js/visit_form.js" in text
    assert NETWORK_FAILED not in text  # the script holds it, not the page


def test_recording_a_visit_goes_to_the_child_page_with_the_next_due_date(
    place, child, settings
):
    client = _client(place.director)
    data = form_data(living="有问题", living_note="屋顶漏雨")
    data["attachments"] = [
        SimpleUploadedFile("屋顶.png", PNG, content_type="image/png"),
        SimpleUploadedFile("确认.pdf", PDF, content_type="application/pdf"),
    ]
    response = client.post(f"/visits/children/{child.pk}/new/", data, follow=True)
    due = today() + timedelta(days=child.visit_interval_days)
    assert response.redirect_chain == [(f"/children/{child.pk}/", 302)]
    assert _messages(response) == [f"已记录走访。下次走访日期：{due.isoformat()}"]
    visit = Visit.objects.get()
    assert visit.living == "有问题"
    assert visit.attachments.count() == 2
    assert len(stored_files(settings)) == 2
    text = _text(response)
    assert f'<dd class="col-7" data-testid="next-due">{due.isoformat()}' in text
    assert f"还有{child.visit_interval_days}天" in text
    assert "生活有问题" in text


def test_a_script_submission_answers_with_where_to_go(place, child):
    response = _client(place.director).post(
        f"/visits/children/{child.pk}/new/", form_data(), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/children/{child.pk}/"
    assert Visit.objects.count() == 1


def test_a_refused_form_keeps_every_value_and_lists_each_problem(
    place, child, settings
):
    tomorrow = today() + timedelta(days=1)
    data = form_data(
        visit_date=tomorrow,
        mode="电话",
        visitors="主任张、网格员刘",
        met="",
        guardianship="需关注",
        guardianship_note="",
        study="有问题",
        study_note="经常缺课",
        problems="祖母年迈",
        measures="联系学校",
        followup_needed=True,
        followup_due=tomorrow + timedelta(days=7),
    )
    data["attachments"] = [SimpleUploadedFile("照片.png", PNG, "image/png")]
    response = _client(place.director).post(f"/visits/children/{child.pk}/new/", data)
    assert response.status_code == 200
    text = _text(response)
    problems = [
        f"走访日期：走访日期不能晚于今天（{today().isoformat()}）：请填写实际走访的日期。",
        "见到的人：请填写见到的人。",
        "监护情况说明：监护情况为“需关注”：请在“监护情况说明”中写明具体情况。",
    ]
    listed = re.search(r'data-testid="form-errors">(.*?)</div>', text, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", listed) == problems
    assert "请修改以下3处后再提交（已填写的内容都还在）" in text
    assert "所选附件没有保存：请重新选择附件后再提交。" in text
    for typed in (
        f'value="{tomorrow.isoformat()}"',
        'value="主任张、网格员刘"',
        "经常缺课</textarea>",
        "祖母年迈</textarea>",
        "联系学校</textarea>",
        f'value="{(tomorrow + timedelta(days=7)).isoformat()}"',
        'name="followup_needed" class="form-check-input" aria-describedby='
        '"id_followup_needed_help" id="id_followup_needed" checked',
    ):
        assert typed in text, typed
    form = response.context["form"]
    assert form["mode"].value() == "电话"
    assert form["guardianship"].value() == "需关注"
    assert form["study"].value() == "有问题"
    assert not Visit.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []


def test_a_script_submission_gets_the_form_back_with_422(place, child):
    response = _client(place.director).post(
        f"/visits/children/{child.pk}/new/",
        form_data(safety=""),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    text = _text(response)
    assert text.startswith("<form")
    assert "安全情况：请选择安全情况：正常、需关注或有问题。" in text
    assert "<nav" not in text


def test_a_date_that_is_not_a_date_is_named(place, child):
    data = form_data()
    data["visit_date"] = "2026-02-30"
    response = _client(place.director).post(f"/visits/children/{child.pk}/new/", data)
    assert "走访日期：走访日期应为有效日期，如 2015-03-08。" in _text(response)
    assert not Visit.objects.exists()


def test_a_file_that_is_not_a_picture_is_refused_and_nothing_saved(
    place, child, settings
):
    data = form_data()
    data["attachments"] = [
        SimpleUploadedFile("照片.png", b"<html>not a picture", "image/png")
    ]
    response = _client(place.director).post(f"/visits/children/{child.pk}/new/", data)
    assert (
        "照片或扫描件：附件“照片.png”不是 JPG、PNG 图片或 PDF 文件（按文件内容判断）："
        "请上传照片或扫描件。"
    ) in _text(response)
    assert not Visit.objects.exists()
    assert stored_files(settings) == []


# A visit, a child's visits, the panel ------------------------------------------------


def _recorded(place, child, **overrides) -> Visit:
    return visit_record(
        actor=place.director,
        child_id=child.pk,
        data=visit_values(**overrides),
        uploads=[
            SimpleUploadedFile("屋顶.png", PNG, "image/png"),
            SimpleUploadedFile("确认书.pdf", PDF, "application/pdf"),
        ],
    )


def test_a_visit_shows_its_findings_and_files(place, child):
    visit = _recorded(
        place, child, safety="有问题", safety_note="门前河沟无护栏", measures="已报村委"
    )
    response = _client(place.supervisor).get(f"/visits/{visit.pk}/")
    assert response.status_code == 200
    text = _text(response)
    assert "门前河沟无护栏" in text
    assert "已报村委" in text
    png, pdf = visit.attachments.all()
    assert f'<img src="/visits/attachments/{png.pk}/"' in text
    assert f'<a href="/visits/attachments/{pdf.pk}/"' in text
    assert "确认书.pdf" in text


def test_files_are_served_with_access_only_and_audited(place, child):
    visit = _recorded(place, child)
    png, _ = visit.attachments.all()
    url = f"/visits/attachments/{png.pk}/"
    response = _client(place.director).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    event = AuditEvent.objects.get(action="attachment.download")
    assert event.actor == place.director
    assert event.details["child"] == child.pk

    for who in ("other_director", "foreign_director", "foreign_civil"):
        refused = _client(getattr(place, who)).get(url)
        assert refused.status_code == 404, who
    for who in ("leader", "department"):
        assert _client(getattr(place, who)).get(url).status_code == 403, who
    assert Client().get(url).status_code == 302
    assert AuditEvent.objects.filter(action="attachment.download").count() == 1


def test_a_childs_visits_newest_first_a_page_at_a_time(place, child):
    for days in range(25):
        make_visit(
            child,
            visit_date=today() - timedelta(days=days),
            recorded_by=place.director,
        )
    client = _client(place.director)
    first = client.get(f"/visits/children/{child.pk}/")
    dates = re.findall(r'href="/visits/\d+/">(\d{4}-\d\d-\d\d) ', _text(first))
    assert dates[0] == today().isoformat()
    assert dates == sorted(dates, reverse=True)
    assert len(dates) == 20
    assert "共 25 次" in _text(first)
    second = client.get(f"/visits/children/{child.pk}/?page=2")
    assert len(re.findall(r'href="/visits/\d+/">', _text(second))) == 5


def test_the_child_page_panel_shows_the_schedule_and_recent_visits(place, child):
    client = _client(place.director)
    page = client.get(f"/children/{child.pk}/")
    text = _text(page)
    assert 'data-testid="visits-panel"' in text
    assert "尚无走访记录" in text
    assert "今天到期" in text  # never visited: due from registration on
    assert f'href="/visits/children/{child.pk}/new/" data-testid="record-visit"' in text

    for days in (40, 20, 10, 5):
        make_visit(
            child,
            visit_date=today() - timedelta(days=days),
            recorded_by=place.director,
            **({"study": "有问题", "study_note": "缺课"} if days == 10 else {}),
        )
    text = _text(client.get(f"/children/{child.pk}/"))
    recent = re.search(r'data-testid="recent-visits">(.*?)</ul>', text, re.S).group(1)
    shown = re.findall(r">(\d{4}-\d\d-\d\d) 入户</a>", recent)
    assert shown == [(today() - timedelta(days=d)).isoformat() for d in (5, 10, 20)]
    assert "学习有问题" in recent
    assert "全部走访记录（4）" in text
    left = child.visit_interval_days - 5
    assert f"还有{left}天" in text


def test_an_overdue_child_shows_how_many_days(place, child):
    make_visit(
        child,
        visit_date=today() - timedelta(days=child.visit_interval_days + 3),
        recorded_by=place.director,
    )
    text = _text(_client(place.supervisor).get(f"/children/{child.pk}/"))
    assert (
        '<span class="badge text-bg-danger" data-testid="due-badge">逾期3天</span>'
        in (text)
    )


def test_the_record_button_is_only_for_active_children(place, child):
    registry_services.child_exit(
        actor=place.civil,
        child_id=child.pk,
        expected_version=child.version,
        reason="父母返乡/监护恢复",
        exit_date=today(),
    )
    text = _text(_client(place.director).get(f"/children/{child.pk}/"))
    assert 'data-testid="visits-panel"' in text
    assert 'data-testid="record-visit"' not in text
    assert 'data-testid="due-badge"' not in text
