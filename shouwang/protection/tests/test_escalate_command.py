"""The escalation sweep as a command and as a task repeating every few minutes on the
database task backend."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shouwang.protection.models import Case
from shouwang.protection.tasks import (
    ESCALATION_MINUTES,
    schedule_escalations,
    sweep_escalations,
)

from .factories import file_report, make_county

pytestmark = pytest.mark.django_db


@pytest.fixture
def home():
    return make_county()


@pytest.fixture
def database_backend(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _queued():
    return DBTaskResult.objects.filter(task_path=sweep_escalations.module_path)


def _run(*args) -> str:
    printed = StringIO()
    call_command("protection_escalate", *args, stdout=printed)
    return printed.getvalue()


def test_the_command_escalates_each_overdue_case_once(home):
    late = file_report(home.director)
    file_report(home.director, child_name="按时")
    Case.objects.filter(pk=late.pk).update(
        police_due_at=timezone.now() - timedelta(minutes=1)
    )
    assert _run() == "已检查办理期限：新提请督办 1 项。\n"
    assert _run() == "已检查办理期限：新提请督办 0 项。\n"
    late.refresh_from_db()
    assert late.escalated_at is not None
    event = late.events.get(kind="escalated")
    assert event.note == "公安逾期未受理，已提请上级督办"
    assert event.actor_name == "系统"


def test_scheduling_needs_a_backend_that_runs_work_later():
    with pytest.raises(CommandError) as error:
        _run("--schedule")
    assert error.value.returncode == 2
    assert str(error.value) == "当前任务后端不支持定时执行：请使用数据库任务后端。"
    assert not _queued().exists()


def test_the_schedule_is_queued_once(database_backend):
    printed = _run("--schedule")
    assert printed.startswith("逾期督办检查已安排：下次 ")
    assert printed.endswith(f"之后每隔 {ESCALATION_MINUTES} 分钟一次。\n")
    _run("--schedule")
    queued = _queued().get()
    assert queued.args_kwargs["kwargs"] == {"repeat": True}
    wait = queued.run_after - timezone.now()
    assert timedelta(minutes=ESCALATION_MINUTES - 1) < wait
    assert wait <= timedelta(minutes=ESCALATION_MINUTES, seconds=1)


def test_a_repeating_run_queues_the_next_before_it_works(
    database_backend, monkeypatch, home
):
    import shouwang.protection.tasks as tasks

    def fail(**kwargs):
        raise RuntimeError("数据库暂时不可用")

    monkeypatch.setattr(tasks, "escalations_sweep", fail)
    with pytest.raises(RuntimeError):
        sweep_escalations.call(repeat=True)
    assert _queued().filter(status="READY").count() == 1
    later = schedule_escalations()
    assert _queued().count() == 1  # the waiting run is reused
    assert later == _queued().get().run_after
