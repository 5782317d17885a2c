"""The bulletin pages through HTTP: who may list, read, download, generate and manage
templates (and who gets 403 or 404), the messages for bad input, nothing stored on
a refusal, the audit rows, the progress fragment, templates in use."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from docx import Document

from shouwang.accounts.models import Role
from shouwang.audit.models import AuditAction, AuditEvent
from shouwang.registry.tests.factories import make_child, make_place
from shouwang.reports.bulletin import generate as generation
from shouwang.reports.models import Bulletin, BulletinStatus, BulletinTemplate
from shouwang.reports.periods import quarter_start
from shouwang.reports.services import bulletins as services
from tests.factories import make_area, make_user

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(autouse=True)
def _reports_in_tmp(settings, tmp_path):
    settings.REPORTS_DIR = tmp_path / "reports"
    return settings.REPORTS_DIR


@pytest.fixture
def place():
    place = make_place()
    make_child(place.village, name="留守")
    return place


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def docx(*paragraphs: str) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def form(area: str, **changes) -> dict:
    today = timezone.localdate()
    data = {
        "area": area,
        "start": quarter_start(today).isoformat(),
        "end": today.isoformat(),
        "reference": "",
        "template": "auto",
    }
    data.update(changes)
    return data


def generate(client, data, capture) -> Bulletin:
    with capture(execute=True):
        response = client.post("/reports/bulletins/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Bulletin.objects.latest("id")


def upload(client, data: bytes, area: str, name="我县模板.docx", title=""):
    return client.post(
        "/reports/bulletins/templates/upload/",
        {
            "area": area,
            "name": title,
            "file": SimpleUploadedFile(name, data, content_type=DOCX),
        },
    )


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# Access ---------------------------------------------------------------------------------


def test_a_leader_reads_and_downloads_but_does_not_generate(
    place, django_capture_on_commit_callbacks
):
    bulletin = generate(
        client_for(place.civil),
        form(place.county.code),
        django_capture_on_commit_callbacks,
    )
    leader = client_for(place.leader)
    listing = leader.get("/reports/bulletins/")
    assert listing.status_code == 200
    assert f'href="/reports/bulletins/{bulletin.pk}/"' in listing.content.decode()
    assert 'data-testid="bulletin-form"' not in listing.content.decode()
    assert leader.get(f"/reports/bulletins/{bulletin.pk}/").status_code == 200
    download = leader.get(f"/reports/bulletins/{bulletin.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == DOCX
    assert AuditEvent.objects.filter(
        action=AuditAction.BULLETIN_DOWNLOAD, actor=place.leader
    ).exists()
    assert (
        leader.post("/reports/bulletins/new/", form(place.county.code)).status_code
        == 403
    )
    for url in (
        "/reports/bulletins/templates/",
        "/reports/bulletins/templates/default/",
    ):
        assert leader.get(url).status_code == 403
    # The figures' definitions are for every reader of figures.
    assert leader.get("/reports/bulletins/placeholders/").status_code == 200
    assert Bulletin.objects.count() == 1


@pytest.mark.parametrize("role", ["director", "supervisor", "department"])
def test_other_roles_are_refused_every_bulletin_page(place, role):
    user = getattr(place, role)
    client = client_for(user)
    bulletin = Bulletin.objects.create(
        area=place.county,
        start=date(2026, 1, 1),
        end=date(2026, 3, 31),
        reference_date=date(2025, 12, 31),
        template_name="系统默认模板",
        requested_by=place.civil,
    )
    for url in (
        "/reports/bulletins/",
        f"/reports/bulletins/{bulletin.pk}/",
        f"/reports/bulletins/{bulletin.pk}/download/",
        f"/reports/bulletins/{bulletin.pk}/progress/",
        "/reports/bulletins/templates/",
    ):
        assert client.get(url).status_code == 403, url
    assert (
        client.post("/reports/bulletins/new/", form(place.county.code)).status_code
        == 403
    )


def test_anonymous_users_are_sent_to_log_in(place):
    response = Client().get("/reports/bulletins/")
    assert response.status_code == 302
    assert "/login" in response["Location"] or "/accounts/" in response["Location"]


def test_another_countys_bulletin_answers_like_a_missing_one(place):
    foreign = Bulletin.objects.create(
        area=place.foreign_county,
        start=date(2026, 1, 1),
        end=date(2026, 3, 31),
        reference_date=date(2025, 12, 31),
        template_name="外县模板",
        status=BulletinStatus.DONE,
    )
    client = client_for(place.civil)
    for suffix in ("", "download/", "progress/"):
        response = client.get(f"/reports/bulletins/{foreign.pk}/{suffix}")
        assert response.status_code == 404
    assert "外县模板" not in client.get("/reports/bulletins/").content.decode()
    assert client.get("/reports/bulletins/999999/").status_code == 404


# Generating: bad input ---------------------------------------------------------------------


def _refused(client, data) -> str:
    response = client.post("/reports/bulletins/new/", data)
    assert response.status_code == 400
    assert Bulletin.objects.count() == 0
    assert not AuditEvent.objects.filter(action=AuditAction.BULLETIN_GENERATE).exists()
    return response.content.decode()


def test_bad_dates_are_refused_with_a_message_naming_the_field(place):
    client = client_for(place.civil)
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    html = _refused(client, form(place.county.code, end=tomorrow.isoformat()))
    assert (
        f"截止日期 {tomorrow:%Y-%m-%d} 在今天（{today:%Y-%m-%d}）之后：统计只能截至今天或以前。"
        in html
    )
    html = _refused(
        client, form(place.county.code, start="2026-03-31", end="2026-01-01")
    )
    assert "起始日期 2026-03-31 晚于截止日期 2026-01-01：请调换或改正。" in html
    html = _refused(client, form(place.county.code, start="2026-13-01"))
    assert (
        "起始日期“2026-13-01”不是有效的日期：请按 年-月-日 填写，如 2026-09-30。"
        in html
    )
    html = _refused(client, form(place.county.code, reference=tomorrow.isoformat()))
    assert (
        f"对比基准日 {tomorrow:%Y-%m-%d} 在今天（{today:%Y-%m-%d}）之后：请选择今天或以前的日期。"
        in html
    )
    assert 'data-testid="error-reference"' in html


@pytest.mark.parametrize("code", ["430525000000", "999999999999", "abc"])
def test_an_unknown_area_and_one_outside_the_jurisdiction_answer_alike(place, code):
    response = client_for(place.civil).post("/reports/bulletins/new/", form(code))
    assert response.status_code == 404
    assert Bulletin.objects.count() == 0


def test_a_bad_template_in_use_is_refused_before_anything_is_stored(place):
    # A template that passed its check when uploaded but no longer does (the
    # catalogue changed): refused when asked for, not later in the task.
    BulletinTemplate.objects.create(
        area=place.county,
        name="旧模板",
        file=ContentFile(docx("{{ children.retired_figure }}"), name="old.docx"),
        original_name="old.docx",
        sha256="0" * 64,
        uploaded_by=place.civil,
    )
    html = _refused(client_for(place.civil), form(place.county.code))
    assert "模板“旧模板”中有系统不认识的占位符：“children.retired_figure”" in html


# Generating: the page ------------------------------------------------------------------


def test_the_progress_fragment_asks_htmx_to_reload_once_done(
    place, django_capture_on_commit_callbacks
):
    client = client_for(place.civil)
    bulletin = generate(
        client, form(place.county.code), django_capture_on_commit_callbacks
    )
    response = client.get(
        f"/reports/bulletins/{bulletin.pk}/progress/", HTTP_HX_REQUEST="true"
    )
    assert response["HX-Refresh"] == "true"
    queued = Bulletin.objects.create(
        area=place.county,
        start=date(2026, 1, 1),
        end=date(2026, 3, 31),
        reference_date=date(2025, 12, 31),
        template_name="系统默认模板",
        requested_by=place.civil,
        stage="排队等待生成",
    )
    page = client.get(f"/reports/bulletins/{queued.pk}/").content.decode()
    assert f'hx-get="/reports/bulletins/{queued.pk}/progress/"' in page
    fragment = client.get(
        f"/reports/bulletins/{queued.pk}/progress/", HTTP_HX_REQUEST="true"
    )
    assert "HX-Refresh" not in fragment
    assert "排队等待生成……" in fragment.content.decode()


def test_a_bulletin_whose_requester_lost_the_right_fails_with_the_reason(place):
    bulletin = Bulletin.objects.create(
        area=place.county,
        start=date(2026, 1, 1),
        end=date(2026, 3, 31),
        reference_date=date(2025, 12, 31),
        template_name="系统默认模板",
        requested_by=place.civil,
    )
    place.civil.is_active = False
    place.civil.save()
    assert services.bulletin_generate(bulletin_id=bulletin.pk).status == "failed"
    assert services.bulletin_generate(bulletin_id=bulletin.pk) is None  # run twice
    page = client_for(place.leader).get(f"/reports/bulletins/{bulletin.pk}/")
    assert services.NO_LONGER_ALLOWED in page.content.decode()
    assert not bulletin.file


# Templates ---------------------------------------------------------------------------------


def test_an_uploaded_template_is_checked_stored_audited_and_used(
    place, django_capture_on_commit_callbacks
):
    client = client_for(place.civil)
    response = upload(
        client,
        docx("{{ area.name }}共有留守儿童{{ children.left_behind }}人。"),
        place.county.code,
        title="我县季度通报",
    )
    assert response.status_code == 302
    template = BulletinTemplate.objects.get()
    assert (template.name, template.area_id, template.is_active) == (
        "我县季度通报",
        place.county.code,
        True,
    )
    assert AuditEvent.objects.filter(
        action=AuditAction.BULLETIN_TEMPLATE_UPLOAD, object_id=str(template.pk)
    ).exists()
    page = client.get("/reports/bulletins/templates/").content.decode()
    assert "当前使用的模板：“我县季度通报”" in page
    assert (
        client.get(f"/reports/bulletins/templates/{template.pk}/file/").status_code
        == 200
    )

    bulletin = generate(
        client, form(place.county.code), django_capture_on_commit_callbacks
    )
    assert (bulletin.template, bulletin.template_name) == (template, "我县季度通报")
    preview = client.get(f"/reports/bulletins/{bulletin.pk}/").content.decode()
    assert "<p>隆回县共有留守儿童1人。</p>" in preview
    by_default = generate(
        client,
        form(place.county.code, template="default"),
        django_capture_on_commit_callbacks,
    )
    assert (by_default.template, by_default.template_name) == (None, "系统默认模板")

    assert (
        client.post(f"/reports/bulletins/templates/{template.pk}/retire/").status_code
        == 302
    )
    template.refresh_from_db()
    assert not template.is_active
    assert AuditEvent.objects.filter(
        action=AuditAction.BULLETIN_TEMPLATE_RETIRE
    ).exists()
    assert generation.template_in_use(place.county) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"PK\x03\x04 this is no word file",
            "文件“我县模板.docx”不是 Word 文档（.docx）",
        ),
        (
            docx("留守{{ children.left_behnd }}人"),
            "模板“我县模板.docx”中有系统不认识的占位符：“children.left_behnd”",
        ),
        (
            docx("留守{{ children.left_behind 人"),
            "模板“我县模板.docx”的占位符写法有误，位置在“留守{{ children.left_behind 人”附近",
        ),
    ],
)
def test_a_bad_template_is_refused_and_nothing_is_stored(
    place, _reports_in_tmp, data, message
):
    response = upload(client_for(place.civil), data, place.county.code)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert BulletinTemplate.objects.count() == 0
    assert stored_files(_reports_in_tmp) == []
    assert not AuditEvent.objects.filter(
        action=AuditAction.BULLETIN_TEMPLATE_UPLOAD
    ).exists()


def test_templates_are_kept_per_county_or_above(place):
    client = client_for(place.civil)
    response = upload(client, docx("{{ area.name }}"), place.township.code)
    assert response.status_code == 400
    assert services.TEMPLATE_LEVEL in response.content.decode()
    assert upload(client, docx("x"), place.foreign_county.code).status_code == 404
    assert BulletinTemplate.objects.count() == 0


def test_the_nearest_areas_newest_active_template_is_used(place):
    city_user = make_user(Role.CIVIL_AFFAIRS, make_area("430500000000"))

    def stored(area, name):
        return BulletinTemplate.objects.create(
            area=area,
            name=name,
            file=ContentFile(docx("x"), name="t.docx"),
            original_name="t.docx",
            sha256="0" * 64,
            uploaded_by=city_user,
        )

    city = stored(make_area("430500000000"), "市模板")
    assert generation.template_in_use(place.county) == city
    older = stored(place.county, "县旧模板")
    newer = stored(place.county, "县新模板")
    assert generation.template_in_use(place.county) == newer
    services.template_retire(actor=place.civil, template=newer)
    assert generation.template_in_use(place.county) == older
    # A county officer cannot retire the city's template: not theirs.
    response = client_for(place.civil).post(
        f"/reports/bulletins/templates/{city.pk}/retire/"
    )
    assert response.status_code == 404


def test_the_placeholder_page_lists_every_figure_and_the_default_template(place):
    client = client_for(place.civil)
    page = client.get("/reports/bulletins/placeholders/").content.decode()
    assert "<code>{{ children.left_behind }}</code>" in page
    assert "<code>{{ weakness[&#x27;1A&#x27;] }}</code>" in page
    assert "<code>{{ children.left_behind.vs_prev }}</code>" in page
    assert "暂无：尚无功能记录" in page  # 走访记录簿: no capability records it
    assert "{%tr for row in subareas %}" in page
    assert 'data-testid="default-template"' in page
    response = client.get("/reports/bulletins/templates/default/")
    assert response.status_code == 200
    assert response.content == generation.default_template_bytes()
    # A leader reads the definitions; templates and bulletins are not offered.
    leader_page = client_for(place.leader).get("/reports/bulletins/placeholders/")
    assert 'data-testid="default-template"' not in leader_page.content.decode()
    assert "/reports/bulletins/templates/" not in leader_page.content.decode()
    assert "attachment" in response["Content-Disposition"]
