"""The daily reclassification task, run inline in tests as a worker runs it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus

from shouwang.registry.models import ChildChange
from shouwang.registry.tasks import reclassify_children

from .factories import AT_HOME, make_child, make_place, years_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    return make_place()


def test_the_task_records_a_change_only_for_children_whose_result_changed(place):
    birthday = timezone.localdate() + timedelta(days=3)
    turning = make_child(
        place.village, name="将满十六", birth_date=years_ago(16, days=-3)
    )
    steady = make_child(place.village, name="年幼", birth_date=years_ago(8))
    at_home = make_child(place.village, name="在家", **AT_HOME)

    result = reclassify_children.enqueue(birthday.isoformat())

    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 1
    [change] = ChildChange.objects.filter(action="reclassify")
    assert change.child_id == turning.pk
    assert change.changes["is_left_behind"] == [True, False]
    for child in (steady, at_home):
        assert not child.changes.filter(action="reclassify").exists()
    turning.refresh_from_db()
    assert (turning.is_left_behind, turning.version) == (False, 1)

    # The next day's run finds nothing new.
    later = (birthday + timedelta(days=1)).isoformat()
    assert reclassify_children.enqueue(later).return_value == 0
    assert ChildChange.objects.filter(action="reclassify").count() == 1


def test_without_a_date_the_task_classifies_for_today(place):
    child = make_child(
        place.village, name="昨天登记", as_of=timezone.localdate() - timedelta(days=1)
    )
    assert reclassify_children.enqueue().return_value == 0
    assert not child.changes.filter(action="reclassify").exists()

    turned = make_child(
        place.village,
        name="今天满十六",
        birth_date=years_ago(16),
        as_of=timezone.localdate() - timedelta(days=1),
    )
    assert turned.is_left_behind
    assert reclassify_children.enqueue().return_value == 1
    turned.refresh_from_db()
    assert (turned.is_left_behind, turned.classified_on) == (
        False,
        timezone.localdate(),
    )
