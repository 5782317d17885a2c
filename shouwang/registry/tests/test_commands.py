"""manage.py children_reclassify: for a date, now or through the task queue."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from shouwang.registry.models import ChildChange

from .factories import make_child, make_place, years_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def turning_16():
    """A left-behind child whose 16th birthday is in five days."""
    place = make_place()
    return make_child(place.village, name="将满十六", birth_date=years_ago(16, days=-5))


def test_the_command_reclassifies_for_the_date_given(turning_16, capsys):
    birthday = timezone.localdate() + timedelta(days=5)

    call_command(
        "children_reclassify", "--date", (birthday - timedelta(days=1)).isoformat()
    )
    assert capsys.readouterr().out == (
        f"认定日期 {birthday - timedelta(days=1)}：0 名儿童的认定结果有变化。\n"
    )
    call_command("children_reclassify", "--date", birthday.isoformat())

    assert (
        capsys.readouterr().out == f"认定日期 {birthday}：1 名儿童的认定结果有变化。\n"
    )
    [change] = ChildChange.objects.filter(action="reclassify")
    assert change.child_id == turning_16.pk
    assert change.note == f"按 {birthday:%Y-%m-%d} 重新认定"
    turning_16.refresh_from_db()
    assert turning_16.categories == []


def test_without_a_date_the_command_uses_today(turning_16, capsys):
    call_command("children_reclassify")
    assert capsys.readouterr().out == (
        f"认定日期 {timezone.localdate()}：0 名儿童的认定结果有变化。\n"
    )
    assert not ChildChange.objects.filter(action="reclassify").exists()


def test_the_command_can_hand_the_work_to_the_queue(turning_16, capsys):
    birthday = timezone.localdate() + timedelta(days=5)
    call_command("children_reclassify", "--date", birthday.isoformat(), "--enqueue")
    out = capsys.readouterr().out
    assert out.startswith("已排入后台队列（任务 ")
    assert out.endswith(f"），认定日期 {birthday}。\n")
    # The inline backend of the tests has already run it.
    assert ChildChange.objects.filter(action="reclassify").count() == 1


@pytest.mark.parametrize("value", ["2026-13-01", "tomorrow", "2026/11/30"])
def test_a_bad_date_is_refused_with_the_format(value):
    with pytest.raises(CommandError) as error:
        call_command("children_reclassify", "--date", value)
    assert str(error.value) == f"日期“{value}”格式不对，应为 YYYY-MM-DD。"
    assert error.value.returncode == 2
