"""The roster import pages through HTTP: who may open them, the upload form's
messages, the preview, the commit, the progress fragment, the history, downloads."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shouwang.audit.models import AuditEvent
from shouwang.core.idnumber import mask_id_number
from shouwang.registry.models import Child
from shouwang.registry.tests.factories import make_child
from shouwang.roster.models import ImportJob, ImportStage, ImportStatus

from . import files
from .test_services import place, run_on_commit, two_children, upload, upload_dir

pytestmark = pytest.mark.django_db
__all__ = ["place", "run_on_commit", "upload_dir"]  # fixtures shared with services

FORBIDDEN = "您的角色没有此项操作的权限。"
NOT_FOUND = "您要找的页面或记录不存在，或不在您的管辖范围内。"
JOB_URLS = ["/roster/imports/{pk}/", "/roster/imports/{pk}/progress/"]
DOWNLOADS = ["/roster/imports/{pk}/file/", "/roster/imports/{pk}/report/"]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return response.content.decode()


def _without_tokens(response) -> str:
    """The page with its per-response CSRF tokens blanked, for comparing two pages."""
    return re.sub(r"[A-Za-z0-9]{64}", "", _text(response))


def _rows(body: str, testid: str) -> list[list[str]]:
    """The body rows of the table in the element marked data-testid=testid, as the
    text of their cells."""
    found = re.search(rf'data-testid="{testid}".*?<tbody>(.*?)</tbody>', body, re.S)
    assert found, testid
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S)
    ]


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _post_file(client, data: bytes, name: str = "花名册.xlsx"):
    return client.post(
        "/roster/imports/upload/", {"file": SimpleUploadedFile(name, data)}
    )


@pytest.fixture
def checked(place, run_on_commit) -> ImportJob:
    """The director's checked upload with one bad row (row 3)."""
    return upload(run_on_commit, place.director, two_children(place.village, 性别="?"))


# --- who may open the pages ----------------------------------------------------------


@pytest.mark.parametrize("who", ["leader", "department", "admin"])
def test_roles_that_do_not_edit_children_are_refused_every_page(place, checked, who):
    client = _client(getattr(place, who))
    urls = [("/roster/imports/", "get"), ("/roster/imports/upload/", "post")]
    urls += [(u.format(pk=checked.pk), "get") for u in JOB_URLS + DOWNLOADS]
    urls += [(f"/roster/imports/{checked.pk}/commit/", "post")]
    for url, method in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 403, url
        assert FORBIDDEN in _text(response), url
    checked.refresh_from_db()
    assert checked.status == ImportStatus.CHECKED


def test_anonymous_visitors_are_sent_to_login(checked):
    for url in [u.format(pk=checked.pk) for u in JOB_URLS + DOWNLOADS]:
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_an_import_outside_the_jurisdiction_looks_like_a_missing_one(place, checked):
    outsiders = [place.foreign_civil, place.foreign_director, place.other_director]
    for user in outsiders:
        client = _client(user)
        for pattern in JOB_URLS + DOWNLOADS:
            foreign = client.get(pattern.format(pk=checked.pk))
            missing = client.get(pattern.format(pk=checked.pk + 100))
            assert foreign.status_code == missing.status_code == 404
            assert NOT_FOUND in _text(foreign)
            assert _without_tokens(foreign) == _without_tokens(missing)
        posted = client.post(f"/roster/imports/{checked.pk}/commit/", {"partial": "on"})
        assert posted.status_code == 404
    checked.refresh_from_db()
    assert checked.status == ImportStatus.CHECKED
    assert not Child.objects.exists()


def test_the_history_lists_the_imports_of_the_jurisdiction_only(
    place, run_on_commit, checked
):
    county_job = upload(
        run_on_commit, place.civil, two_children(place.far_village), name="全县.xlsx"
    )
    other = upload(
        run_on_commit,
        place.other_director,
        two_children(place.other_village),
        name="向阳村.xlsx",
    )
    upload(
        run_on_commit,
        place.foreign_director,
        two_children(place.foreign_village),
        name="外县.xlsx",
    )

    def listed(user) -> list[str]:
        body = _text(_client(user).get("/roster/imports/"))
        return re.findall(r'<a href="/roster/imports/\d+/">([^<]+)</a>', body)

    assert listed(place.civil) == ["向阳村.xlsx", "全县.xlsx", "花名册.xlsx"]
    assert listed(place.supervisor) == ["向阳村.xlsx", "花名册.xlsx"]
    assert listed(place.director) == ["花名册.xlsx"]
    assert listed(place.foreign_civil) == ["外县.xlsx"]
    assert county_job.area_id == place.county.code
    assert other.area_id == place.other_village.code


def test_the_history_shows_who_when_counts_status_and_the_error_report(place, checked):
    body = _text(_client(place.supervisor).get("/roster/imports/"))
    assert "主任张" in body
    assert f'href="/roster/imports/{checked.pk}/file/"' in body
    assert "共 2 行：新增 1 · 更新 0 · 无变化 0 · " in body
    assert '<span class="text-danger">错误 1</span>' in body
    assert "已检查，待导入" in body
    assert f'<a href="/roster/imports/{checked.pk}/report/">下载（1 处）</a>' in body


def test_the_navigation_offers_imports_to_those_who_edit_children(place):
    assert "花名册导入" in _text(_client(place.director).get("/"))
    assert "花名册导入" not in _text(_client(place.leader).get("/"))


# --- the upload form ---------------------------------------------------------------


def test_bad_uploads_get_a_message_on_the_form_and_no_job(place, settings):
    client = _client(place.director)

    def error_of(response) -> str:
        assert response.status_code == 400
        return response.context["form"].errors["file"][0]

    assert error_of(client.post("/roster/imports/upload/", {})) == (
        "请选择要上传的花名册文件。"
    )
    assert error_of(_post_file(client, b"")) == "文件是空的：请选择填好的花名册文件。"
    settings.ROSTER_MAX_UPLOAD_MB = 1
    big = _post_file(client, b"x" * (1024 * 1024 + 1))
    assert error_of(big) == (
        "文件有 1.0 MB，超过了 1 MB 的上限：请删除无关的工作表和格式后另存，"
        "或拆分成几个文件分别上传。"
    )
    assert "超过了 1 MB 的上限" in _text(big)
    assert not ImportJob.objects.exists()


def test_the_upload_page_does_not_answer_get(place):
    assert _client(place.director).get("/roster/imports/upload/").status_code == 405


def test_a_file_that_is_no_roster_shows_why_on_its_page(place, run_on_commit):
    client = _client(place.director)
    with run_on_commit():
        response = _post_file(client, files.docx_like(), name="通知.docx")
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/roster/imports/{job.pk}/"
    page = client.get(response["Location"])
    body = _text(page)
    assert "文件无法使用" in body
    assert job.message == (
        "无法识别的文件：请上传 .xlsx、.xls、.ods 或 .csv 格式的花名册（可先下载模板）。"
    )
    assert job.message in body
    assert "改正后重新上传" in body
    assert 'data-testid="commit-panel"' not in body


# --- the preview and the commit -------------------------------------------------------


def test_a_good_file_is_previewed_then_imported(place, run_on_commit):
    client = _client(place.director)
    with run_on_commit():
        response = _post_file(client, two_children(place.village))
    job = ImportJob.objects.get()
    page = client.get(response["Location"])
    body = _text(page)
    assert page.status_code == 200
    assert (
        "检查通过：将新增 <strong>2</strong> 名、更新 <strong>0</strong> 名儿童。"
        in body
    )
    assert '<button class="btn btn-primary" type="submit">导入</button>' in body
    assert "只导入无误的行</button>" not in body
    assert _rows(body, "import-new")[0][:3] == ["第2行", "李娜", "女"]
    assert _rows(body, "import-new")[0][4] == "守望村（430524911001）"
    assert 'hx-get="' not in body  # nothing to poll

    with run_on_commit():
        done = client.post(f"/roster/imports/{job.pk}/commit/")
    assert done.status_code == 302
    assert done["Location"] == f"/roster/imports/{job.pk}/"
    body = _text(client.get(done["Location"]))
    assert "已导入：新增 2 名，更新 0 名。" in body
    assert 'href="/children/?sort=-updated"' in body
    assert 'data-testid="commit-panel"' not in body
    assert set(Child.objects.values_list("name", flat=True)) == {"李娜", "王强"}


def test_errors_are_listed_with_their_row_and_only_the_good_rows_may_be_imported(
    place, run_on_commit, checked
):
    client = _client(place.director)
    body = _text(client.get(f"/roster/imports/{checked.pk}/"))
    assert "有 <strong>1</strong> 行有错误，不能整份导入。" in body
    assert "只导入无误的行</button>" in body
    assert '<button class="btn btn-primary" type="submit">导入</button>' not in body
    assert _rows(body, "import-errors") == [
        ["第3行", "性别", "?", "“?”不是可选的值：应为 男、女"]
    ]
    assert f'href="/roster/imports/{checked.pk}/report/"' in body

    # Without the "only the good rows" choice nothing is imported.
    refused = client.post(f"/roster/imports/{checked.pk}/commit/", follow=True)
    assert _messages(refused) == [
        "文件中有错误的行：请改正后重新上传，或选择“只导入无误的行”。"
    ]
    assert not Child.objects.exists()

    with run_on_commit():
        client.post(f"/roster/imports/{checked.pk}/commit/", {"partial": "on"})
    checked.refresh_from_db()
    assert checked.status == ImportStatus.COMMITTED and checked.partial
    assert list(Child.objects.values_list("name", flat=True)) == ["李娜"]
    listed = _text(client.get("/roster/imports/"))
    assert "（只导入了无误的行）" in listed


def test_someone_else_in_the_jurisdiction_sees_the_preview_but_may_not_commit(
    place, checked
):
    client = _client(place.civil)
    body = _text(client.get(f"/roster/imports/{checked.pk}/"))
    assert "检查已完成，等待上传人 主任张 确认导入。" in body
    assert "只导入无误的行</button>" not in body
    response = client.post(
        f"/roster/imports/{checked.pk}/commit/", {"partial": "on"}, follow=True
    )
    assert _messages(response) == [
        "只有上传该文件的人可以导入它：如需导入，请您自己上传该文件。"
    ]
    assert not Child.objects.exists()


def test_changes_show_before_and_after_and_duplicates_link_the_records(
    place, run_on_commit
):
    known = make_child(place.village, name="王强")
    twin = make_child(place.village, name="张小明", id_number=None)
    data = files.xlsx(
        [
            files.roster_row(
                place.village,
                姓名="王强",
                出生日期=known.birth_date,
                公民身份号码=known.id_number,
                学校名称="守望小学",
                父亲状况="在家",
                父亲务工地="",
            ),
            files.roster_row(
                place.village,
                姓名="张晓明",
                出生日期=twin.birth_date,
                公民身份号码="",
                户口登记状况="未登记",
            ),
        ]
    )
    job = upload(run_on_commit, place.director, data)
    body = _text(_client(place.director).get(f"/roster/imports/{job.pk}/"))
    assert f'第2行 · <a href="/children/{known.pk}/">王强</a>' in body
    assert "学校名称：（空） → 守望小学" in body
    assert "父亲状况：外出务工 → 在家" in body
    assert "父亲务工地：广东省深圳市 → （空）" in body
    assert f'<a href="/children/{twin.pk}/">张小明（#{twin.pk}，守望村）</a>' in body
    assert "可能重复登记（不会导入）" in body
    assert "可能重复登记的 1 行不会导入：请先核实。" in body


def test_id_numbers_in_the_errors_are_masked(place, run_on_commit):
    number = "430524201503080011"  # wrong check digit
    job = upload(
        run_on_commit,
        place.director,
        files.xlsx([files.roster_row(place.village, 公民身份号码=number)]),
    )
    [error] = job.errors
    assert error["value"] == number
    body = _text(_client(place.director).get(f"/roster/imports/{job.pk}/"))
    assert number not in body
    assert _rows(body, "import-errors")[0][2] == mask_id_number(number)


def test_many_errors_are_paged(place, run_on_commit, monkeypatch):
    from shouwang.roster import views

    monkeypatch.setattr(views, "ERRORS_PER_PAGE", 2)
    rows = [
        files.roster_row(place.village, 姓名=f"儿童{n}", 性别="?") for n in "一二三"
    ]
    job = upload(run_on_commit, place.director, files.xlsx(rows))
    client = _client(place.director)
    first = _text(client.get(f"/roster/imports/{job.pk}/"))
    second = _text(client.get(f"/roster/imports/{job.pk}/?page=2"))
    assert [row[0] for row in _rows(first, "import-errors")] == ["第2行", "第3行"]
    assert [row[0] for row in _rows(second, "import-errors")] == ["第4行"]
    assert "第 2 / 2 页" in second


# --- progress --------------------------------------------------------------------------


def test_a_queued_job_polls_its_progress_until_done(place, run_on_commit):
    job = upload(run_on_commit, place.director, two_children(place.village))
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.UPLOADED, stage=ImportStage.QUEUED
    )
    client = _client(place.director)
    page = _text(client.get(f"/roster/imports/{job.pk}/"))
    poll = f'hx-get="/roster/imports/{job.pk}/progress/" hx-trigger="every 1s"'
    assert poll in page
    assert "排队等待后台处理……" in page

    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.CHECKING,
        stage=ImportStage.READING,
        progress_done=2000,
        progress_total=8001,
    )
    fragment = client.get(f"/roster/imports/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    body = _text(fragment)
    assert "HX-Refresh" not in fragment
    assert poll in body
    assert "正在检查：第 2000 / 8001 行……" in body
    assert 'aria-valuenow="25"' in body

    ImportJob.objects.filter(pk=job.pk).update(progress_done=8001)
    body = _text(client.get(f"/roster/imports/{job.pk}/progress/"))
    assert "正在检查：已读完 8001 行，正在与儿童信息库比对……" in body

    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.COMMITTING,
        stage=ImportStage.WRITING,
        progress_done=0,
        progress_total=4000,
    )
    body = _text(client.get(f"/roster/imports/{job.pk}/progress/"))
    assert "正在写入儿童信息库：4000 名儿童（全部写入后一次生效）……" in body
    ImportJob.objects.filter(pk=job.pk).update(progress_done=2000)
    body = _text(client.get(f"/roster/imports/{job.pk}/progress/"))
    assert "正在写入儿童信息库：第 2000 / 4000 名（全部写入后一次生效）……" in body
    assert 'aria-valuenow="50"' in body

    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.COMMITTED, stage=ImportStage.DONE
    )
    done = client.get(f"/roster/imports/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"
    assert "hx-get" not in _text(done)
    assert "处理完成：已导入。" in _text(done)


# --- downloads -------------------------------------------------------------------------


def test_the_uploaded_file_and_the_error_report_download_as_audited_reads(
    place, checked, upload_dir
):
    client = _client(place.supervisor)
    response = client.get(f"/roster/imports/{checked.pk}/file/")
    assert response.status_code == 200
    assert (
        b"".join(response.streaming_content)
        == (upload_dir / checked.file.name).read_bytes()
    )
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E8%8A%B1%E5%90%8D%E5%86%8C.xlsx"
    )

    report = client.get(f"/roster/imports/{checked.pk}/report/")
    assert report.status_code == 200
    assert b"".join(report.streaming_content).startswith(b"PK")
    assert (
        "filename*=utf-8''%E9%94%99%E8%AF%AF%E6%8A%A5%E5%91%8A-"
        in (report["Content-Disposition"])
    )
    events = AuditEvent.objects.filter(action="roster.download").order_by("id")
    assert [(e.actor, e.details["kind"]) for e in events] == [
        (place.supervisor, "file"),
        (place.supervisor, "report"),
    ]


def test_a_missing_file_or_report_is_a_404_and_no_audit(
    place, run_on_commit, upload_dir
):
    job = upload(run_on_commit, place.director, two_children(place.village))
    client = _client(place.director)
    assert client.get(f"/roster/imports/{job.pk}/report/").status_code == 404
    (upload_dir / job.file.name).unlink()
    gone = client.get(f"/roster/imports/{job.pk}/file/")
    assert gone.status_code == 404
    assert not AuditEvent.objects.filter(action="roster.download").exists()


def test_a_job_without_an_error_report_still_lists_its_errors(place, checked):
    ImportJob.objects.filter(pk=checked.pk).update(error_report="")
    body = _text(_client(place.director).get(f"/roster/imports/{checked.pk}/"))
    assert "第3行" in body
    assert 'data-testid="report-link"' not in body


def test_the_admin_shows_imports_read_only_without_their_children(place, checked):
    client = _client(place.admin)
    listing = client.get("/admin/roster/importjob/")
    assert listing.status_code == 200
    assert "花名册.xlsx" in _text(listing)
    page = client.get(f"/admin/roster/importjob/{checked.pk}/change/")
    assert page.status_code == 200
    body = _text(page)
    assert "已检查，待导入" in body
    assert "“?”不是可选的值" not in body and "李娜" not in body
    assert (
        client.post(f"/admin/roster/importjob/{checked.pk}/delete/").status_code == 403
    )
