"""The demo school registration list and dropout cases: 三比对 finds children missing
from the list and listed 辍学 without a case, the register holds cases in progress
and one returned, the figures count them, and a second load adds nothing."""

import pytest
from django.utils import timezone

from shouwang.demo import children as demo_children
from shouwang.demo import city
from shouwang.demo import schooling as demo
from shouwang.reports import compute
from shouwang.reports.periods import Period
from shouwang.schooling.comparison import compare
from shouwang.schooling.models import DropoutCase, EnrolmentList

pytestmark = pytest.mark.django_db


def test_the_demo_list_leaves_children_to_find_and_cases_to_follow():
    city.demo_city_load()
    demo_children.demo_children_load(count=300)
    summary = demo.demo_schooling_load()
    assert summary["劝返中"] == demo.CASES - 1 and summary["已返校"] == 1
    today = timezone.localdate()
    result = compare(prefix="430524", as_of=today)
    reasons = {s.reason for s in result.suspected}
    assert reasons == {"未在学籍名单", "学籍状态辍学"}
    assert result.school_age > summary["名单人数"] > 0
    assert not result.uncovered_villages
    period = Period(today.replace(day=1), today)
    flows = compute.total(compute.flow_by_area("430524", period))
    assert flows["schooling.returned"] == 1
    stock = compute.total(compute.stock_by_area("430524", today, live=True))
    assert stock["schooling.dropouts_open"] == demo.CASES - 1
    assert demo.demo_schooling_load() == summary  # loaded once
    assert EnrolmentList.objects.count() == 1
    assert DropoutCase.objects.count() == demo.CASES
