"""roster.services: upload, check, commit of web imports, with the tasks run inline
as a worker runs them (on commit of the upload's transaction)."""

import hashlib
import io
import logging

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shouwang.accounts.models import Role
from shouwang.audit.models import AuditEvent
from shouwang.core.exceptions import DomainError
from shouwang.registry.models import Child, ChildChange
from shouwang.registry.tests.factories import make_child, make_place
from shouwang.roster import services
from shouwang.roster.models import ImportJob, ImportStage, ImportStatus
from tests.factories import make_user

from . import files

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    """Uploaded files go to a directory of the test's own."""
    settings.ROSTER_UPLOAD_DIR = tmp_path / "uploads"
    return settings.ROSTER_UPLOAD_DIR


@pytest.fixture
def place():
    return make_place()


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run what a service queues on commit (the tasks) when `with` ends, as the end
    of a request's transaction does outside tests."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def two_children(village, **second) -> bytes:
    """An .xlsx with two valid left-behind children (李娜, then 王强 changed by
    `second`) in the village."""
    return files.xlsx(
        [
            files.roster_row(village, 姓名="李娜", 性别="女"),
            files.roster_row(village, 姓名="王强", **second),
        ]
    )


def upload(run_on_commit, actor, data: bytes, name: str = "花名册.xlsx") -> ImportJob:
    with run_on_commit():
        job = services.import_upload(actor=actor, upload=SimpleUploadedFile(name, data))
    job.refresh_from_db()
    return job


def commit(run_on_commit, actor, job: ImportJob, partial: bool = False) -> ImportJob:
    with run_on_commit():
        services.import_commit_request(actor=actor, job=job, partial=partial)
    job.refresh_from_db()
    return job


# --- upload and check --------------------------------------------------------------


def test_an_upload_is_stored_outside_the_web_root_and_checked(
    place, run_on_commit, upload_dir
):
    data = two_children(place.village)
    job = upload(run_on_commit, place.director, data, name="C:\\村里\\守望村.xlsx")

    assert job.original_name == "守望村.xlsx"
    assert (job.size, job.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert (job.user, job.area_id) == (place.director, place.village.code)
    stored = upload_dir / job.file.name
    assert stored.read_bytes() == data
    assert job.file.name.startswith("files/") and job.file.name.endswith(".xlsx")
    assert "守望村" not in job.file.name  # our own name, never the uploader's
    assert job.task_id
    with pytest.raises(ValueError, match="没有公开地址"):
        _ = job.file.url

    assert (job.status, job.stage) == (ImportStatus.CHECKED, ImportStage.DONE)
    assert job.counts == {
        "new": 2,
        "changed": 0,
        "unchanged": 0,
        "rejected": 0,
        "duplicates": 0,
        "total": 2,
    }
    assert (job.progress_done, job.progress_total, job.total_rows) == (2, 2, 2)
    assert (job.errors, job.error_count, job.error_report.name) == ([], 0, "")
    assert [row["name"] for row in job.samples["new"]] == ["李娜", "王强"]
    assert job.samples["new"][0]["row"] == 2
    assert job.samples["new"][0]["village_id"] == place.village.code
    assert job.started_at and job.checked_at and job.finished_at
    assert not Child.objects.exists()  # nothing reaches the ledger before commit

    [event] = AuditEvent.objects.filter(action="roster.upload")
    assert (event.actor, event.area_id, event.object_id) == (
        place.director,
        place.village.code,
        str(job.pk),
    )
    assert event.details["sha256"] == job.sha256


def test_the_check_keeps_every_error_with_its_row_and_writes_the_error_report(
    place, run_on_commit, upload_dir
):
    data = two_children(place.village, 性别="不详", 父亲状况="")
    job = upload(run_on_commit, place.director, data)

    assert job.status == ImportStatus.CHECKED
    assert job.counts["new"] == 1 and job.counts["rejected"] == 1
    assert job.error_count == 2
    assert {(e["row"], e["column"]) for e in job.errors} == {
        (3, "性别"),
        (3, "父亲状况"),
    }
    assert {e["message"] for e in job.errors if e["column"] == "父亲状况"} == {
        "父亲状况为必填项：请填写"
    }
    book = openpyxl.load_workbook(upload_dir / job.error_report.name)
    values = [cell for row in book.active.iter_rows(values_only=True) for cell in row]
    assert "王强" in values and "李娜" not in values


def test_a_file_that_is_no_spreadsheet_is_unusable_with_the_reader_s_reason(
    place, run_on_commit
):
    job = upload(run_on_commit, place.director, files.PNG, name="照片.png")
    assert job.status == ImportStatus.UNUSABLE
    assert job.message == (
        "无法识别的文件：请上传 .xlsx、.xls、.ods 或 .csv 格式的花名册（可先下载模板）。"
    )
    assert job.counts == {}
    assert "." not in job.file.name.rsplit("/", 1)[1]  # no suffix of a type not read

    header_only = upload(run_on_commit, place.director, files.xlsx([]))
    assert header_only.status == ImportStatus.UNUSABLE
    assert header_only.message == (
        "文件只有表头，没有儿童信息：请从第2行起每行填写一名儿童。"
    )


def test_the_page_keeps_the_first_errors_and_counts_them_all(
    place, run_on_commit, monkeypatch
):
    monkeypatch.setattr(services, "ERRORS_KEPT", 2)
    rows = [
        files.roster_row(place.village, 姓名=f"儿童{n}", 性别="?") for n in "一二三"
    ]
    job = upload(run_on_commit, place.director, files.xlsx(rows))
    assert job.error_count == 3
    assert [e["row"] for e in job.errors] == [2, 3]


def test_the_check_saves_its_progress_where_the_page_can_read_it(
    place, run_on_commit, monkeypatch
):
    seen = []
    real_check = services.roster_check

    def check_reporting(data, filename, *, actor, progress):
        progress(1, 3)
        seen.append(
            ImportJob.objects.values_list(
                "status", "stage", "progress_done", "progress_total"
            ).get()
        )
        return real_check(data, filename, actor=actor, progress=progress)

    monkeypatch.setattr(services, "roster_check", check_reporting)
    upload(run_on_commit, place.director, two_children(place.village))
    assert seen == [(ImportStatus.CHECKING, ImportStage.READING, 1, 3)]


def test_possible_duplicates_and_changes_are_kept_as_samples(place, run_on_commit):
    known = make_child(place.village, name="王强")
    unnumbered = make_child(place.village, name="张小明", id_number=None)
    data = files.xlsx(
        [
            files.roster_row(
                place.village,
                姓名="王强",
                出生日期=known.birth_date,
                公民身份号码=known.id_number,
                学校名称="守望小学",
            ),
            files.roster_row(
                place.village,
                姓名="张晓明",
                出生日期=unnumbered.birth_date,
                公民身份号码="",
                户口登记状况="未登记",
            ),
        ]
    )
    job = upload(run_on_commit, place.director, data)
    assert job.counts["changed"] == 1 and job.counts["duplicates"] == 1
    [changed] = job.samples["changed"]
    assert (changed["row"], changed["child_id"], changed["name"]) == (
        2,
        known.pk,
        "王强",
    )
    assert changed["changes"]["school"] == ["", "守望小学"]
    [duplicate] = job.samples["duplicates"]
    assert (duplicate["row"], duplicate["candidates"]) == (3, [unnumbered.pk])


def test_a_file_imported_before_is_noted(place, run_on_commit):
    data = two_children(place.village)
    first = upload(run_on_commit, place.director, data)
    commit(run_on_commit, place.director, first)
    again = upload(run_on_commit, place.director, data)
    assert again.counts["unchanged"] == 2
    assert len(again.notes) == 1
    assert again.notes[0].startswith("这个文件与 ")
    assert f"已导入的文件（导入记录 #{first.pk}）内容完全相同" in again.notes[0]


def test_only_people_who_edit_children_in_an_area_may_upload(place):
    data = SimpleUploadedFile("a.xlsx", two_children(place.village))
    with pytest.raises(DomainError, match="您没有导入花名册的权限。"):
        services.import_upload(actor=place.leader, upload=data)
    no_area = make_user(Role.DIRECTOR, None, username="wuquyu")
    with pytest.raises(DomainError, match="您的账号没有管辖区划"):
        services.import_upload(actor=no_area, upload=data)
    assert not ImportJob.objects.exists()


def test_an_uploader_deactivated_before_the_check_imports_nothing(
    place, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = services.import_upload(
            actor=place.director,
            upload=SimpleUploadedFile("a.xlsx", two_children(place.village)),
        )
    place.director.is_active = False
    place.director.save()
    for callback in queued:
        callback()
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.message == services.NO_LONGER_ALLOWED


def test_an_unexpected_error_fails_the_job_with_its_number(
    place, run_on_commit, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "roster_check", broken)
    with caplog.at_level(logging.ERROR, logger="shouwang.roster.services"):
        job = upload(run_on_commit, place.director, two_children(place.village))
    assert job.status == ImportStatus.FAILED
    assert job.message == (
        f"处理时出现意外错误，未导入任何数据。请把导入记录编号 #{job.pk} 告诉系统管理员。"
    )
    assert "disk on fire" in caplog.text


def test_a_missing_error_report_writer_leaves_the_errors_on_the_page(
    place, run_on_commit, monkeypatch, caplog
):
    from shouwang.roster import workbook

    def broken(out, plan):
        raise OSError("no space")

    monkeypatch.setattr(workbook, "write_error_report", broken)
    with caplog.at_level(logging.ERROR, logger="shouwang.roster.services"):
        job = upload(
            run_on_commit, place.director, two_children(place.village, 性别="?")
        )
    assert job.status == ImportStatus.CHECKED
    assert job.error_count == 1 and job.error_report.name == ""
    assert "the error report failed" in caplog.text


# --- commit ------------------------------------------------------------------------


def test_commit_writes_the_children_with_history_and_audit(place, run_on_commit):
    job = upload(run_on_commit, place.director, two_children(place.village))
    job = commit(run_on_commit, place.director, job)

    assert (job.status, job.stage) == (ImportStatus.COMMITTED, ImportStage.DONE)
    assert job.message == "已导入：新增 2 名，更新 0 名。"
    assert (job.committed_by, job.partial) == (place.director, False)
    assert (job.progress_done, job.progress_total) == (2, 2)
    assert set(Child.objects.values_list("name", flat=True)) == {"李娜", "王强"}
    assert set(ChildChange.objects.values_list("note", flat=True)) == {
        f"花名册导入 #{job.pk} 花名册.xlsx"
    }
    [event] = AuditEvent.objects.filter(action="roster.import")
    assert event.details["counts"]["new"] == 2
    assert event.actor == place.director


def test_rows_with_errors_stop_the_commit_unless_only_the_good_ones_are_asked_for(
    place, run_on_commit
):
    job = upload(run_on_commit, place.director, two_children(place.village, 性别="?"))
    with pytest.raises(DomainError) as refused:
        services.import_commit_request(actor=place.director, job=job, partial=False)
    assert refused.value.message == (
        "文件中有错误的行：请改正后重新上传，或选择“只导入无误的行”。"
    )
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED

    job = commit(run_on_commit, place.director, job, partial=True)
    assert job.status == ImportStatus.COMMITTED and job.partial
    assert list(Child.objects.values_list("name", flat=True)) == ["李娜"]
    assert job.error_report.name  # the rows left out, to correct and upload again


def test_only_the_uploader_commits_and_only_once(place, run_on_commit):
    job = upload(run_on_commit, place.director, two_children(place.village))
    with pytest.raises(DomainError, match="只有上传该文件的人可以导入它"):
        services.import_commit_request(actor=place.civil, job=job, partial=False)

    commit(run_on_commit, place.director, job)
    with pytest.raises(DomainError) as again:
        services.import_commit_request(actor=place.director, job=job, partial=False)
    assert again.value.message == "该文件当前的状态是“已导入”，不能再次导入。"
    assert Child.objects.count() == 2


def test_a_file_with_nothing_new_has_nothing_to_commit(place, run_on_commit):
    data = two_children(place.village)
    commit(run_on_commit, place.director, upload(run_on_commit, place.director, data))
    same = upload(run_on_commit, place.director, data)
    with pytest.raises(DomainError, match="没有需要导入的新增或更新的儿童"):
        services.import_commit_request(actor=place.director, job=same, partial=False)


def test_the_commit_checks_again_against_the_ledger_as_it_is_now(place, run_on_commit):
    data = two_children(place.village)
    job = upload(run_on_commit, place.director, data)
    # Meanwhile someone registers 王强 by hand.
    rows = _rows_of(data)
    make_child(
        place.village,
        name="王强",
        id_number=rows[1]["公民身份号码"],
        birth_date=rows[1]["出生日期"],
    )
    job = commit(run_on_commit, place.director, job)
    assert job.status == ImportStatus.COMMITTED
    assert job.message == "已导入：新增 1 名，更新 0 名。"
    assert job.notes == [
        "导入前重新核对的结果与预览不同（预览：新增 2 行、更新 0 行、有错误 0 行；"
        "导入时：新增 1 行、更新 0 行、有错误 0 行），可能是期间有人修改了儿童信息库。"
        "以导入时的结果为准。"
    ]


def test_rows_that_went_bad_since_the_check_stop_an_all_or_nothing_commit(
    place, run_on_commit
):
    data = two_children(place.village)
    job = upload(run_on_commit, place.director, data)
    rows = _rows_of(data)
    make_child(
        place.foreign_village,
        name="李娜",
        sex="女",
        id_number=rows[0]["公民身份号码"],
        birth_date=rows[0]["出生日期"],
    )
    job = commit(run_on_commit, place.director, job)
    assert job.status == ImportStatus.REJECTED
    assert job.message == (
        "导入前重新核对时发现 1 行有错误，按您的选择未导入任何数据：请改正后重新上传。"
    )
    assert job.errors[0]["row"] == 2
    assert job.errors[0]["message"] == "该身份号码已在洞口县登记"
    assert not Child.objects.filter(village=place.village).exists()


def test_a_refused_write_leaves_no_trace_but_the_job_s_message(
    place, run_on_commit, monkeypatch
):
    from shouwang.roster import importer

    job = upload(run_on_commit, place.director, two_children(place.village))

    def refuse(*args, **kwargs):
        raise importer.NothingToCommit(
            "检查之后，文件中有身份号码已被他人登记：未导入任何数据。"
        )

    monkeypatch.setattr(services, "roster_commit", refuse)
    job = commit(run_on_commit, place.director, job)
    assert job.status == ImportStatus.REJECTED
    assert job.message == "检查之后，文件中有身份号码已被他人登记：未导入任何数据。"
    assert not Child.objects.exists()


def test_a_crash_while_writing_rolls_everything_back(place, run_on_commit, monkeypatch):
    from shouwang.roster import importer

    job = upload(run_on_commit, place.director, two_children(place.village))
    real_add = importer.registry.children_bulk_add
    calls = []

    def add_then_crash(*args, **kwargs):
        real_add(*args, **kwargs)  # the children and their history are written
        calls.append(1)
        raise RuntimeError("worker killed")

    monkeypatch.setattr(importer.registry, "children_bulk_add", add_then_crash)
    job = commit(run_on_commit, place.director, job)
    assert calls and job.status == ImportStatus.FAILED
    assert not Child.objects.exists() and not ChildChange.objects.exists()
    assert not AuditEvent.objects.filter(action="roster.import").exists()


def _rows_of(data: bytes) -> list[dict]:
    """The rows of an .xlsx as header → value (dates as dates)."""
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    lines = list(sheet.iter_rows(values_only=True))
    rows = [dict(zip(lines[0], line, strict=False)) for line in lines[1:]]
    for row in rows:
        row["出生日期"] = row["出生日期"].date()
    return rows
