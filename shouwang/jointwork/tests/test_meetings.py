"""Member units, meetings, tasks and supervision notices through HTTP: the city office
records a meeting with three decisions, the units see their tasks, one reports done
and the office closes it, one goes overdue and gets a 督办通知; the bad inputs, the
denied paths, and the figures."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document

from shouwang.accounts.models import Role, Unit
from shouwang.audit.models import AuditAction, AuditEvent
from shouwang.jointwork import figures_meetings  # noqa: F401  declares the figures
from shouwang.jointwork.models import Meeting, MemberUnit, Task, TaskReport
from shouwang.jointwork.tests.leak_meet import FOREIGN_KWARGS, seed
from shouwang.jointwork.vocab import TaskState
from shouwang.reports import compute
from shouwang.reports.periods import Period
from tests.factories import FOREIGN_COUNTY, HOME_COUNTY, make_area, make_user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
TODAY_IS_LIVE = True
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def FROM_TODAY(today):
    return {"HELD": today - timedelta(days=60)}


HELD = TODAY - timedelta(days=60)


@pytest.fixture
def city():
    make_area("430000000000", "湖南省")
    area = make_area("430500000000", "邵阳市")
    make_area(HOME_COUNTY, "隆回县")
    make_area(FOREIGN_COUNTY, "洞口县")
    return area


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _meeting_post(**extra) -> dict:
    data = {
        "title": "2026年第一次联席会议",
        "held_on": HELD.isoformat(),
        "attendees": [Unit.EDUCATION, Unit.POLICE, Unit.HEALTH],
        "notes": "",
        "slots": "5",
        "d1_text": "开展控辍保学专项行动",
        "d1_t1_unit": Unit.EDUCATION,
        "d1_t1_title": "摸排辍学儿童",
        "d1_t1_deadline": (TODAY + timedelta(days=10)).isoformat(),
        "d2_text": "加强留守儿童安全保护",
        "d2_t1_unit": Unit.POLICE,
        "d2_t1_title": "开展校园周边治安整治",
        "d2_t1_deadline": (HELD + timedelta(days=20)).isoformat(),
        "d3_text": "落实健康关爱",
        "d3_t1_unit": Unit.EDUCATION,
        "d3_t1_title": "开展心理健康课",
        "d3_t1_deadline": (TODAY + timedelta(days=30)).isoformat(),
        "d3_t2_unit": Unit.HEALTH,
        "d3_t2_title": "建立健康档案",
        "d3_t2_deadline": (TODAY + timedelta(days=30)).isoformat(),
    }
    data.update(extra)
    return data


def _texts(response) -> str:
    return response.content.decode()


def test_the_whole_path_from_meeting_to_notice(city):
    office = make_user(Role.CIVIL_AFFAIRS, city, full_name="市民政")
    education = make_user(Role.DEPARTMENT, city, unit=Unit.EDUCATION)
    county_education = make_user(
        Role.DEPARTMENT, make_area(HOME_COUNTY), unit=Unit.EDUCATION
    )
    police = make_user(Role.DEPARTMENT, city, unit=Unit.POLICE)
    as_office = _client(office)

    assert as_office.get(reverse("jointwork:meeting-new")).status_code == 200
    minutes = SimpleUploadedFile("纪要.pdf", PDF, content_type="application/pdf")
    response = as_office.post(
        reverse("jointwork:meeting-new"), _meeting_post(minutes=minutes)
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jointwork:meeting", args=[meeting.pk])
    assert meeting.area_id == city.code and meeting.minutes_original == "纪要.pdf"
    assert [d.text for d in meeting.decisions.all()] == [
        "开展控辍保学专项行动",
        "加强留守儿童安全保护",
        "落实健康关爱",
    ]
    assert Task.objects.filter(area=city).count() == 4
    assert AuditEvent.objects.filter(action=AuditAction.MEETING_SAVE).count() == 1
    page = _texts(as_office.get(reverse("jointwork:meeting", args=[meeting.pk])))
    assert "教育、公安、卫健" in page and "开展校园周边治安整治" in page
    minutes_page = as_office.get(
        reverse("jointwork:meeting-minutes", args=[meeting.pk])
    )
    assert minutes_page.status_code == 200
    assert b"".join(minutes_page.streaming_content) == PDF

    # Units see their own unit's tasks, of their area and the areas above.
    first, police_task, third, _ = Task.objects.order_by("decision__number", "id")
    for user, titles in (
        (education, {"摸排辍学儿童", "开展心理健康课"}),
        (county_education, {"摸排辍学儿童", "开展心理健康课"}),
        (police, {"开展校园周边治安整治"}),
    ):
        inbox = _texts(_client(user).get(reverse("jointwork:tasks")))
        shown = {t.title for t in Task.objects.all() if t.title in inbox}
        assert shown == titles, user.username

    # Education reports done with a scan; the office closes; a later report refused.
    as_education = _client(education)
    report_url = reverse("jointwork:task-report", args=[first.pk])
    scan = SimpleUploadedFile("台账.pdf", PDF, content_type="application/pdf")
    response = as_education.post(
        report_url,
        {"text": "已摸排完毕", "done": "on", "attachments": [scan]},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.state == TaskState.REPORTED and first.percent == 100
    report = first.reports.get()
    attachment = as_office.get(
        reverse("jointwork:task-attachment", args=[first.pk, 0]),
        {"report": report.pk},
    )
    assert b"".join(attachment.streaming_content) == PDF
    response = as_office.post(
        reverse("jointwork:task-close", args=[first.pk]),
        {"expected_version": first.version},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.state == TaskState.CLOSED and first.closed_on == TODAY
    assert first.closed_by == office
    response = as_education.post(report_url, {"text": "补充", "percent": "100"})
    assert response.status_code == 400
    assert "该任务已办结，不能再报告办理情况。" in _texts(response)
    assert first.reports.count() == 1

    # The office returns a reported task with a reason the unit reads.
    as_education.post(
        reverse("jointwork:task-report", args=[third.pk]),
        {"text": "已开课", "done": "on"},
    )
    third.refresh_from_db()
    as_office.post(
        reverse("jointwork:task-return", args=[third.pk]),
        {"expected_version": third.version, "reason": "请附课程表"},
    )
    third.refresh_from_db()
    assert third.state == TaskState.OPEN
    page = _texts(as_education.get(reverse("jointwork:task", args=[third.pk])))
    assert "【退回】请附课程表" in page

    # The police task is overdue: marked in the inbox, supervised, downloaded.
    as_police = _client(police)
    inbox = _texts(as_police.get(reverse("jointwork:tasks"), {"filter": "overdue"}))
    assert "开展校园周边治安整治" in inbox and "有 1 项任务已逾期未办结。" in inbox
    response = as_office.post(
        reverse("jointwork:task-notice", args=[police_task.pk]),
        {"new_deadline": (TODAY + timedelta(days=7)).isoformat(), "text": "限期整改"},
    )
    assert response.status_code == 302
    notice = police_task.notices.get()
    assert notice.number == f"邵督〔{TODAY.year}〕1号"
    inbox = _texts(as_police.get(reverse("jointwork:tasks")))
    assert notice.number in inbox
    download = as_police.get(reverse("jointwork:notice-download", args=[notice.pk]))
    assert download.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(download.content)).paragraphs)
    assert "邵阳市公安" in text and "开展校园周边治安整治" in text
    assert notice.number in text and "2026年第一次联席会议" in text
    assert f"已逾期{(TODAY - police_task.deadline).days}天" in text
    assert AuditEvent.objects.filter(
        action=AuditAction.ATTACHMENT_DOWNLOAD, object_type="supervisionnotice"
    ).exists()
    assert AuditEvent.objects.filter(action=AuditAction.SUPERVISION_NOTICE).exists()
    # A second notice that year takes the next number.
    as_office.post(
        reverse("jointwork:task-notice", args=[police_task.pk]),
        {"new_deadline": (TODAY + timedelta(days=9)).isoformat()},
    )
    assert police_task.notices.first().number == f"邵督〔{TODAY.year}〕2号"


def test_bad_meeting_and_task_inputs_save_nothing(city):
    office = make_user(Role.CIVIL_AFFAIRS, city)
    as_office = _client(office)
    early = HELD - timedelta(days=1)
    response = as_office.post(
        reverse("jointwork:meeting-new"),
        _meeting_post(d2_t1_deadline=early.isoformat(), d4_text="只有事项没有任务"),
    )
    assert response.status_code == 400
    page = _texts(response)
    assert (
        f"办理期限（{early:%Y-%m-%d}）不能早于会议召开日期（{HELD:%Y-%m-%d}）。"
    ) in page
    assert "每项议定事项至少分配一项任务" in page
    assert "开展控辍保学专项行动" in page  # what was typed is kept
    assert not Meeting.objects.exists() and not Task.objects.exists()

    response = as_office.post(
        reverse("jointwork:meeting-new"),
        _meeting_post(held_on=(TODAY + timedelta(days=1)).isoformat()),
    )
    assert "召开日期不能晚于今天：会议开过后再登记。" in _texts(response)
    bad = SimpleUploadedFile("纪要.docx", b"PK\x03\x04word", content_type="x")
    response = as_office.post(
        reverse("jointwork:meeting-new"), _meeting_post(minutes=bad)
    )
    assert "会议纪要“纪要.docx”不是 JPG、PNG 图片或 PDF 文件" in _texts(response)
    assert not Meeting.objects.exists()

    as_office.post(reverse("jointwork:meeting-new"), _meeting_post())
    first = Task.objects.get(title="摸排辍学儿童")
    # Not overdue: no notice; not reported: no closing; returning needs a reason.
    response = as_office.post(
        reverse("jointwork:task-notice", args=[first.pk]),
        {"new_deadline": (TODAY + timedelta(days=7)).isoformat()},
    )
    assert "该任务未逾期，不能发出督办通知。" in _texts(response)
    response = as_office.post(
        reverse("jointwork:task-close", args=[first.pk]),
        {"expected_version": first.version},
    )
    assert "承办单位尚未报办结，不能确认办结。" in _texts(response)
    overdue = Task.objects.get(title="开展校园周边治安整治")
    response = as_office.post(
        reverse("jointwork:task-notice", args=[overdue.pk]),
        {"new_deadline": TODAY.isoformat()},
    )
    assert "新的办理期限须晚于今天。" in _texts(response)
    education = make_user(Role.DEPARTMENT, city, unit=Unit.EDUCATION)
    response = _client(education).post(
        reverse("jointwork:task-report", args=[first.pk]),
        {"text": "进行中", "percent": "100"},
    )
    assert "进度100%请勾选“已办结，报办公室确认”。" in _texts(response)
    response = _client(education).post(
        reverse("jointwork:task-report", args=[first.pk]),
        {"text": "进行中", "percent": "40", "expected_version": first.version - 1},
    )
    assert "该记录已被他人修改：请刷新页面后重新填写。" in _texts(response)
    assert not TaskReport.objects.exists()
    assert not overdue.notices.exists()


def test_member_units_are_set_by_the_office_and_read_by_the_unit(city):
    office = make_user(Role.CIVIL_AFFAIRS, city)
    contact = make_user(
        Role.DEPARTMENT, city, unit=Unit.EDUCATION, full_name="教育联络员"
    )
    stranger = make_user(Role.DEPARTMENT, city, unit=Unit.POLICE)
    as_office = _client(office)
    page = _texts(as_office.get(reverse("jointwork:units")))
    assert "乡村振兴" in page and "设置" in page
    url = reverse("jointwork:unit-edit", args=[city.code, Unit.EDUCATION])
    response = as_office.post(
        url,
        {"duties": "负责控辍保学", "contacts": [stranger.pk], "expected_version": 0},
    )
    assert response.status_code == 400
    assert "联络人须是本级该单位的在用账号，请从列表中选择。" in _texts(response)
    response = as_office.post(
        url,
        {
            "duties": "负责控辍保学",
            "contacts": [contact.pk],
            "is_office": "on",
            "expected_version": 0,
        },
    )
    assert response.status_code == 302
    row = MemberUnit.objects.get(area=city, unit=Unit.EDUCATION)
    assert row.version == 1 and row.is_office
    assert list(row.contacts.all()) == [contact]
    # Two people edit from the same version: the second is told to reload.
    response = as_office.post(url, {"duties": "改", "expected_version": 0})
    assert "该记录已被他人修改：请刷新页面后重新填写。" in _texts(response)
    # The office mark moves: one per area.
    civil_url = reverse("jointwork:unit-edit", args=[city.code, "civil_affairs"])
    as_office.post(civil_url, {"is_office": "on", "expected_version": 0})
    row.refresh_from_db()
    assert not row.is_office
    assert MemberUnit.objects.get(unit="civil_affairs").is_office
    assert AuditEvent.objects.filter(action=AuditAction.JOINT_UNIT_UPDATE).count() == 2
    # The unit reads its own entry only, and may not edit.
    mine = _texts(_client(contact).get(reverse("jointwork:units")))
    assert "负责控辍保学" in mine and "乡村振兴" not in mine and "设置" not in mine
    assert _client(contact).get(url).status_code == 403


def test_denied_paths(city, world):
    if "foreign_task" not in world.records:  # until the lead merges leak_meet
        seed(world)
    home_office = world.home.users[Role.CIVIL_AFFAIRS]
    foreign_task = world.records["foreign_task"]
    # Another county's office: not found, and nothing of it listed.
    as_home = _client(home_office)
    for name, kwargs in FOREIGN_KWARGS.items():
        url = reverse(name, kwargs=kwargs(world))
        assert as_home.get(url).status_code in (404, 405), name
        assert as_home.post(url, {}).status_code in (403, 404), name
    assert "foreign督办任务标记" not in _texts(as_home.get(reverse("jointwork:tasks")))
    assert "foreign联席会议标记" not in _texts(
        as_home.get(reverse("jointwork:meetings"))
    )
    # A leader reads aggregates only.
    leader = _client(world.home.users[Role.LEADER])
    for name in ("jointwork:units", "jointwork:meetings", "jointwork:tasks"):
        assert leader.get(reverse(name)).status_code == 403, name
    home_task = world.records["home_task"]
    assert leader.get(reverse("jointwork:task", args=[home_task.pk])).status_code == 403
    # Another unit of the same county: not found; the right unit may not close.
    health = _client(make_user(Role.DEPARTMENT, world.home.county, unit=Unit.HEALTH))
    assert health.get(reverse("jointwork:task", args=[home_task.pk])).status_code == 404
    assert (
        health.post(
            reverse("jointwork:task-report", args=[home_task.pk]), {"text": "x"}
        ).status_code
        == 404
    )
    education = _client(world.home.users[Role.DEPARTMENT])
    assert (
        education.get(reverse("jointwork:task", args=[home_task.pk])).status_code == 200
    )
    assert (
        education.post(
            reverse("jointwork:task-close", args=[home_task.pk]), {}
        ).status_code
        == 403
    )
    assert education.get(reverse("jointwork:meetings")).status_code == 403
    # The city office reads the county's task but only the county's office handles it.
    city_office = _client(make_user(Role.CIVIL_AFFAIRS, city))
    assert (
        city_office.get(reverse("jointwork:task", args=[home_task.pk])).status_code
        == 200
    )
    response = city_office.post(
        reverse("jointwork:task-notice", args=[home_task.pk]),
        {"new_deadline": (TODAY + timedelta(days=3)).isoformat()},
    )
    assert "只有本级联席会议办公室（民政干部）可以办理。" in _texts(response)
    assert foreign_task.notices.count() == 1


def test_figures_count_per_area_and_add_up(city):
    county = make_area(HOME_COUNTY)
    county_office = make_user(Role.CIVIL_AFFAIRS, county)
    city_office = make_user(Role.CIVIL_AFFAIRS, city)
    year = TODAY.year - 1
    held = date(year, 3, 10)

    def meeting(office, area, tasks, voided=False):
        m = Meeting.objects.create(
            area=area,
            title="会",
            held_on=held,
            created_by=office,
            voided_at=timezone.now() if voided else None,
        )
        d = m.decisions.create(number=1, text="事项")
        for deadline, closed_on in tasks:
            Task.objects.create(
                decision=d,
                area=area,
                unit=Unit.EDUCATION,
                title="任务",
                deadline=deadline,
                closed_on=closed_on,
                state=TaskState.CLOSED if closed_on else TaskState.OPEN,
            )

    meeting(
        county_office,
        county,
        [
            (date(year, 4, 30), date(year, 4, 20)),  # on time
            (date(year, 4, 30), date(year, 5, 10)),  # late
            (date(year, 5, 31), None),  # overdue at the end of June
        ],
    )
    meeting(city_office, city, [(date(year, 12, 31), None)])
    meeting(city_office, city, [(date(year, 4, 1), None)], voided=True)
    half = Period(date(year, 1, 1), date(year, 6, 30))
    values = compute.figures_for(county, half)
    assert (
        values["jointwork.meetings"],
        values["jointwork.tasks_assigned"],
        values["jointwork.tasks_on_time"],
        values["jointwork.tasks_overdue"],
    ) == (1, 3, 1, 1)
    values = compute.figures_for(city, half)
    assert values["jointwork.meetings"] == 2 and values["jointwork.tasks_assigned"] == 4
    assert values["jointwork.tasks_overdue"] == 1
    # The late task was open and past its deadline at the end of April's next day.
    may = Period(date(year, 5, 1), date(year, 5, 5))
    assert compute.figures_for(county, may)["jointwork.tasks_overdue"] == 1


def test_a_task_given_to_civil_affairs_is_reported_by_civil_affairs_below(city):
    office = make_user(Role.CIVIL_AFFAIRS, city, username="shi")
    county_civil = make_user(
        Role.CIVIL_AFFAIRS, make_area(HOME_COUNTY), username="xian"
    )
    response = _client(office).post(
        reverse("jointwork:meeting-new"),
        _meeting_post(d1_t1_unit="civil_affairs", d1_t1_title="完善儿童主任名册"),
    )
    assert response.status_code == 302, _texts(response)
    task = Task.objects.get(unit="civil_affairs")
    inbox = _client(county_civil).get(reverse("jointwork:tasks"))
    assert "完善儿童主任名册" in _texts(inbox)
    reported = _client(county_civil).post(
        reverse("jointwork:task-report", kwargs={"pk": task.pk}),
        {"text": "已完成名册更新", "percent": "100", "done": "on"},
    )
    assert reported.status_code == 302, _texts(reported)
    task.refresh_from_db()
    assert task.state == TaskState.REPORTED


def test_home_pages_name_the_tasks_waiting_and_overdue(city):
    office = make_user(Role.CIVIL_AFFAIRS, city, username="shi")
    police = make_user(Role.DEPARTMENT, city, username="gongan", unit=Unit.POLICE)
    response = _client(office).post(reverse("jointwork:meeting-new"), _meeting_post())
    assert response.status_code == 302, _texts(response)
    # The police task's deadline (20 days after the meeting) has passed.
    unit_home = _client(police).get("/")
    line = unit_home.context["tasks"][-1]
    assert (line.key, line.label, line.count, line.urgent) == (
        "joint_tasks",
        "联席会议督办任务",
        1,
        True,
    )
    assert line.note == "其中 1 项已超过办理期限"
    office_home = _client(office).get("/")
    found = {t.key: t for t in office_home.context["tasks"]}
    assert (found["joint_tasks"].count, found["joint_tasks"].url) == (
        1,
        "/jointwork/tasks/?filter=overdue",
    )


def test_an_attachment_asked_with_a_strange_report_number_is_not_found(city):
    office = make_user(Role.CIVIL_AFFAIRS, city, username="shi")
    response = _client(office).post(reverse("jointwork:meeting-new"), _meeting_post())
    assert response.status_code == 302, _texts(response)
    task = Task.objects.first()
    url = reverse("jointwork:task-attachment", kwargs={"pk": task.pk, "index": 0})
    for report in ("²", "9" * 30, "-1", ""):
        assert _client(office).get(url, {"report": report}).status_code == 404
