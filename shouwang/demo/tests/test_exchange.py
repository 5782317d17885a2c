"""The demo department lists: one of each kind (but the school list, the schooling
demo's), sent by the units' demo accounts and matched as an upload is; open alerts,
some overdue, one in demo_zhuren's village; two handled (one on time); measures the
figures count; and a second load adds nothing."""

import pytest
from django.utils import timezone

from shouwang.accounts.models import User
from shouwang.demo import children as demo_children
from shouwang.demo import city
from shouwang.demo import exchange as demo
from shouwang.exchange import figures
from shouwang.exchange.models import Alert, DepartmentList, Measure
from shouwang.exchange.vocab import ListKind
from shouwang.reports import compute
from shouwang.reports.periods import Period

pytestmark = pytest.mark.django_db


def test_the_demo_lists_raise_alerts_and_count_measures():
    city.demo_city_load()
    demo_children.demo_children_load(count=300)
    summary = demo.demo_exchange_load()
    kinds = set(DepartmentList.objects.values_list("kind", flat=True))
    assert kinds == set(ListKind.values) - {ListKind.ENROLMENT}
    senders = dict(DepartmentList.objects.values_list("kind", "uploaded_by__username"))
    assert senders[ListKind.PRISON] == "demo_sifa"
    assert senders[ListKind.SUBSISTENCE] == "demo_xianminzheng"
    assert summary["名单"] == 14
    assert summary["待核实"] >= 8 and 0 < summary["逾期"] < summary["待核实"]
    assert summary["已处理"] == 2
    assert summary["措施"] == Measure.objects.count() > 50
    home = User.objects.get(username="demo_zhuren").area_id
    assert Alert.objects.filter(village_id=home, state="open").exists()
    # Some rows name no one in the ledger: not every row matched.
    for sent in DepartmentList.objects.all():
        assert sent.matched < sent.row_count, sent.kind
    today = timezone.localdate()
    period = Period(today.replace(month=1, day=1), today)
    values = compute.figures_for(compute.Area.objects.get(code=demo.COUNTY), period)
    assert values[figures.HEALTH_RECORDS] > 0 and values[figures.VACCINATED] > 0
    assert values[figures.HOUSING] == 5 and values[figures.POVERTY] >= 7
    assert values[figures.ALERTS_HANDLED] == 2 and values[figures.ON_TIME] == 1
    assert values[figures.OVERDUE] == summary["逾期"]
    assert demo.demo_exchange_load() == summary  # loaded once
    assert DepartmentList.objects.count() == 14
