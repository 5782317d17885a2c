"""The demo allowances and aid: the city's standards raised twice (what each county
reads in force, the bulletin's figures), a year of approved batches with every kind
of change, the worklists, the programmes paid, the foundlings by year; each loaded
once."""

from datetime import date

import pytest
from django.utils import timezone

from shouwang.accounts.models import User
from shouwang.areas.models import Area
from shouwang.assistance.models import (
    AidBeneficiary,
    AidForm,
    AidProgramme,
    AllowanceApplication,
    AllowanceStandard,
    ApplicationStatus,
    BatchStatus,
    BeneficiaryStatus,
    ChangeKind,
    Foundling,
    PaymentBatch,
    PaymentChange,
)
from shouwang.assistance.selectors_beneficiaries import stop_due, unpaid_eligible
from shouwang.demo import assistance as demo
from shouwang.demo import children as demo_children
from shouwang.demo import city
from shouwang.reports import compute
from shouwang.reports.periods import Period

pytestmark = pytest.mark.django_db


def test_the_city_s_standards_were_raised_twice():
    city.demo_city_load()
    assert demo.demo_standards_load() == 6
    today = timezone.localdate()
    county = Area.objects.get(code=city.COUNTY_CODES[0])
    values = compute.figures_for(county, Period(date(today.year, 1, 1), today))
    assert values["assistance.standard_scattered"] == 1250
    assert values["assistance.standard_institutional"] == 1800
    assert values["assistance.standard_de_facto"] == 1250  # the scattered one applies
    assert values["assistance.standard_scattered_before"] == 1180
    assert values["assistance.years_raised"] == 2
    assert demo.demo_standards_load() == 6  # loaded once
    assert AllowanceStandard.objects.count() == 6


@pytest.fixture
def loaded(db):
    city.demo_city_load()
    demo_children.demo_children_load(count=600)
    demo.demo_standards_load()
    return demo.demo_allowances_load()


def test_a_year_of_approved_batches_with_every_kind_of_change(loaded):
    today = timezone.localdate()
    batches = PaymentBatch.objects.filter(county_id=demo.COUNTY).order_by("month")
    assert [b.month for b in batches] == demo._months(today)
    assert loaded["批次"] == 12
    for batch in batches:
        assert batch.status == BatchStatus.APPROVED
        assert batch.generated_by.username == "demo_xianminzheng"
        assert batch.approved_by.username == "demo_xianshenpi"
        assert timezone.localdate(batch.approved_at).month == batch.month.month
    changes = PaymentChange.objects.filter(batch__county_id=demo.COUNTY)
    kinds = set(changes.values_list("kind", flat=True))
    assert {ChangeKind.ADDED, ChangeKind.REMOVED, ChangeKind.CARRIED} <= kinds
    if batches[0].month.month != 1:  # the raise of 1 January falls inside the year
        assert changes.filter(kind=ChangeKind.ADJUSTED).exists()
    removed = changes.filter(kind=ChangeKind.REMOVED).values_list("reason", flat=True)
    assert sorted(r.split("（")[0] for r in removed) == sorted(
        f"已停保：{reason}" for _, _, reason in demo.STOPPED
    )
    assert loaded["补发"] == sum(demo.FAILED.values())
    for app in AllowanceApplication.objects.exclude(approved_by=None):
        assert app.prepared_by.username in ("demo_xianminzheng", "demo_dudao")
        assert app.approved_by.username == "demo_xianshenpi"


def test_the_worklists_show_unpaid_children_and_one_to_stop(loaded):
    viewer = User.objects.get(username="demo_xianminzheng")
    today = timezone.localdate()
    unpaid = unpaid_eligible(viewer=viewer, month=today)
    assert loaded["应保未保"] == len(unpaid) > 0
    due = stop_due(viewer=viewer, month=today)
    assert len(due) == loaded["应停未停"] == 1
    assert "退出儿童信息库" in due[0].reason
    assert (
        loaded["保障中"]
        == AllowanceApplication.objects.filter(
            status=ApplicationStatus.APPROVED
        ).count()
    )
    before = AllowanceApplication.objects.count(), PaymentChange.objects.count()
    assert demo.demo_allowances_load() == loaded  # loaded once
    assert (AllowanceApplication.objects.count(), PaymentChange.objects.count()) == (
        before
    )


def test_the_programmes_are_paid_and_the_foundlings_counted_by_year(loaded):
    paid = demo.demo_programmes_load()
    dream = AidProgramme.objects.get(name=demo.DREAM)
    rows = AidBeneficiary.objects.filter(programme=dream).select_related("child")
    assert paid[demo.DREAM] == rows.count() > 0
    for row in rows:
        assert row.status == BeneficiaryStatus.DELIVERED
        assert row.child.is_orphan
        assert row.child.schooling in demo.DREAM_SCHOOLING
        assert row.amount == demo.DREAM_AMOUNTS[row.child.schooling]
        assert row.chosen_by_id != row.decided_by_id
    winter = AidProgramme.objects.get(name=demo.WINTER)
    assert winter.form == AidForm.IN_KIND and winter.item == "棉衣"
    assert paid[demo.WINTER] > 0
    year = timezone.localdate().year
    assert demo.demo_foundlings_load() == {year - 1: 2, year: 2}
    outcomes = set(Foundling.objects.values_list("outcome", flat=True))
    assert outcomes == {"被收养", "机构养育", "寻回父母", ""}
    waiting = Foundling.objects.get(outcome="")
    assert waiting.notice_ends_on >= timezone.localdate()
    assert demo.demo_programmes_load() == paid  # loaded once
    assert demo.demo_foundlings_load() == {year - 1: 2, year: 2}
    assert AidBeneficiary.objects.count() == sum(paid.values())
    assert Foundling.objects.count() == 4
