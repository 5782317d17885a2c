"""The nightly reclassification queued on the database task backend."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from shouwang.registry.tasks import (
    reclassify_children,
    schedule_nightly_reclassification,
)

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def database_backend(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _queued():
    return DBTaskResult.objects.filter(task_path=reclassify_children.module_path)


def test_the_next_run_is_at_one_in_the_morning_and_queued_once(database_backend):
    evening = datetime(2026, 11, 29, 22, 30, tzinfo=SHANGHAI)
    run_at = schedule_nightly_reclassification(now=evening)
    assert run_at == datetime(2026, 11, 30, 1, 0, tzinfo=SHANGHAI)
    assert schedule_nightly_reclassification(now=evening) == run_at
    assert _queued().count() == 1
    assert _queued().get().args_kwargs["kwargs"] == {"nightly": True}


def test_before_one_the_run_is_the_same_night(database_backend):
    night = datetime(2026, 11, 30, 0, 20, tzinfo=SHANGHAI)
    assert schedule_nightly_reclassification(now=night) == datetime(
        2026, 11, 30, 1, 0, tzinfo=SHANGHAI
    )


def test_an_immediate_run_waiting_in_the_queue_is_not_mistaken_for_the_nightly_one(
    database_backend,
):
    reclassify_children.enqueue("2026-11-29")
    schedule_nightly_reclassification(now=datetime(2026, 11, 29, 9, 0, tzinfo=SHANGHAI))
    assert _queued().count() == 2


def test_the_command_schedules_and_refuses_without_a_deferring_backend(
    settings, capsys
):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as error:
        call_command("children_reclassify", "--schedule")
    assert error.value.returncode == 2
    assert "当前任务后端不支持定时执行" in str(error.value)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    call_command("children_reclassify", "--schedule")
    assert "每日重新认定已安排：下次" in capsys.readouterr().out
    assert _queued().count() == 1


def test_a_nightly_run_queues_the_next_night_before_it_works(
    database_backend, monkeypatch
):
    import shouwang.registry.tasks as tasks

    def fail(**kwargs):
        raise RuntimeError("数据库暂时不可用")

    monkeypatch.setattr(tasks, "children_reclassify", fail)
    with pytest.raises(RuntimeError):
        reclassify_children.call(nightly=True)
    assert _queued().filter(status="READY").count() == 1
