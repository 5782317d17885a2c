"""The allowance standards as figures of the catalogue: the standard in force at each
area itself (not a sum of its villages), the one before the latest raise, the years
raised in a row, on the period's end — in reports, sub-area rows and a bulletin's
reference day, one query for an area and its units."""

from datetime import date, timedelta

import pytest

from shouwang.areas.models import Area
from shouwang.assistance.tests.factories import CITY, PROVINCE, set_standard
from shouwang.registry.tests.factories import make_place
from shouwang.reports import catalogue, compute
from shouwang.reports.bulletin.context import FigureValue
from shouwang.reports.periods import Period

pytestmark = pytest.mark.django_db
KEYS = (
    "assistance.standard_institutional",
    "assistance.standard_scattered",
    "assistance.standard_de_facto",
    "assistance.standard_scattered_before",
    "assistance.years_raised",
)
BEFORE = (
    "assistance.standard_institutional_before",
    "assistance.standard_de_facto_before",
)


@pytest.fixture
def place():
    place = make_place()
    set_standard(PROVINCE, "社会散居孤儿", "1000", date(2024, 1, 1))
    set_standard(place.county, "社会散居孤儿", "1100", date(2025, 1, 1))
    set_standard(place.county, "社会散居孤儿", "1200.50", date(2026, 1, 1))
    set_standard(CITY, "集中养育孤儿", "1500", date(2026, 1, 1))
    return place


def _values(area, end):
    values = compute.figures_for(area, Period(date(end.year, 1, 1), end))
    return tuple(values[key] for key in KEYS)


def test_the_figures_replace_the_pending_ones():
    for key in KEYS:
        figure = catalogue.FIGURES[key]
        assert figure.held and figure.derived and figure.group == "救助保障", key
    assert catalogue.summed_kind("assistance.standard_scattered") is None


def test_each_area_reads_its_own_standard_on_the_period_s_end(place):
    # The county raised its own in 2025 and 2026; the city's institutional standard
    # applies there; de facto unsupported children take the scattered-orphan standard.
    assert _values(place.county, date(2026, 6, 30)) == (1500, 1200.5, 1200.5, 1100, 2)
    assert _values(place.county, date(2025, 6, 30)) == (None, 1100, 1100, 1000, 1)
    # The township reads its county's; the city and the province the province's.
    assert _values(place.township, date(2026, 6, 30))[1] == 1200.5
    city = Area.objects.get(code=CITY)
    assert _values(city, date(2026, 6, 30)) == (1500, 1000, 1000, None, 0)
    # Each kind's standard before its latest raise: the county raised only the
    # scattered-orphan one (which de facto unsupported children follow).
    values = compute.figures_for(
        place.county, Period(date(2026, 1, 1), date(2026, 6, 30))
    )
    assert [values[key] for key in BEFORE] == [None, 1100]
    # Not raised this year yet: the run of years counts through the last one.
    set_standard(place.county, "社会散居孤儿", "1300", date(2027, 1, 1))
    assert _values(place.county, date(2026, 12, 31))[4] == 2


def test_the_units_of_a_report_each_read_their_own_in_one_query(
    place, django_assert_max_num_queries
):
    set_standard(place.foreign_county, "社会散居孤儿", "1050", date(2026, 3, 1))
    city = Area.objects.get(code=CITY)
    with django_assert_max_num_queries(1):
        own = compute.area_values(
            [city.code, place.county.code, place.foreign_county.code], date(2026, 6, 30)
        )
    assert [own[code]["assistance.standard_scattered"] for code in own] == [
        1000,
        1200.5,
        1050,
    ]
    rows = dict(compute.report(city, Period(date(2026, 1, 1), date(2026, 6, 30))).rows)
    assert rows[place.county]["assistance.standard_scattered"] == 1200.5
    # Never summed: the city's own standard, not the counties' added up.
    values = compute.figures_for(city, Period(date(2026, 1, 1), date(2026, 6, 30)))
    assert values["assistance.standard_scattered"] == 1000


def test_a_bulletin_prints_a_standard_and_its_change(place):
    figure = catalogue.FIGURES["assistance.standard_scattered"]
    value = FigureValue(figure, 1200.5, prev_value=1100, ref_value=None)
    assert str(value) == "1200.50"  # yuan and fen
    assert str(FigureValue(figure, 1200, prev_value=1100)) == "1200"
    assert str(value.change) == "100.5"


# The flows: payments, programme aid, foundlings --------------------------------------


def _batch(place, month):
    from shouwang.assistance import services_payments as payments
    from shouwang.assistance.tests.beneficiaries_factories import second_civil

    batch = payments.payment_batch_generate(
        actor=place.civil, county_code=place.county.code, month=month
    )
    return payments.payment_batch_approve(
        actor=second_civil(place), pk=batch.pk, expected_version=batch.version
    )


def test_the_approved_batches_of_the_period_are_paid_and_counted():
    from shouwang.assistance.models import PaymentLine
    from shouwang.assistance.tests import beneficiaries_factories as bf
    from shouwang.registry.tests.factories import years_ago

    place = make_place()
    bf.standards("1200.50")
    first = bf.this_month()
    months = [bf.previous_month(bf.previous_month(first)), bf.previous_month(first)]
    young = bf.orphan(place, "王小孤")
    adult = bf.orphan(
        place, "李大孤", birth_date=years_ago(19), schooling="高中", school="一中"
    )
    for child in (young, adult):
        bf.beneficiary(place, child, start=months[0])
    batches = [_batch(place, month) for month in months]
    # The bank returned one payment of the second month: carried, not paid then.
    failed = PaymentLine.objects.filter(batch=batches[1], child=young).get()
    PaymentLine.objects.filter(pk=failed.pk).update(result="失败")

    period = Period(months[0], first - timedelta(days=1))
    values = compute.figures_for(place.county, period)
    assert values["assistance.paid_total"] == 1200.5 * 3  # 3 of the 4 lines
    assert values["assistance.orphans_covered"] == 2
    assert values["assistance.orphans_18_in_school"] == 1
    assert values["assistance.de_facto_covered"] == 0
    one_month = compute.figures_for(place.county, Period(months[0], months[0]))
    assert one_month["assistance.paid_total"] == 2401  # whole yuan: an int
    by_village = dict(compute.report(place.county, period).rows)
    assert by_village[place.township]["assistance.paid_total"] == 3601.5
    assert (
        compute.figures_for(place.foreign_county, period)["assistance.paid_total"] == 0
    )


def test_programme_aid_and_foundlings_in_the_period(place):
    from shouwang.assistance.models import AidBeneficiary, AidProgramme, Foundling

    today = date(2026, 6, 30)
    programme = AidProgramme.objects.create(
        name="福彩圆梦·孤儿助学",
        area=place.county,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        form="现金",
        amount="3000.00",
        budget="30000.00",
        created_by=place.civil,
    )
    from shouwang.registry.tests.factories import make_child

    for i, (status, on) in enumerate(
        [("已发放", date(2026, 5, 1)), ("已发放", date(2026, 6, 2)), ("已审批", None)]
    ):
        AidBeneficiary.objects.create(
            programme=programme,
            child=make_child(place.village, name=f"助学{i}"),
            village=place.village,
            amount="3000.00",
            status=status,
            delivered_on=on,
            chosen_by=place.civil,
        )
    for found_on in (date(2026, 3, 1), date(2025, 4, 1)):
        Foundling.objects.create(
            county=place.county,
            found_on=found_on,
            found_place="县医院门口",
            certificate_number=f"隆公捡{found_on:%Y%m%d}",
            sex="女",
            estimated_birth_date=found_on,
            health="健康",
            created_by=place.civil,
        )
    half = compute.figures_for(place.county, Period(date(2026, 1, 1), today))
    assert half["assistance.programme_students"] == 2
    assert half["assistance.programme_amount"] == 6000
    assert half["foundlings.registered"] == 1
    last_year = compute.figures_for(
        place.county, Period(date(2025, 1, 1), date(2025, 6, 30))
    )
    assert last_year["foundlings.registered"] == 1
    assert last_year["assistance.programme_students"] == 0


def test_unpaid_counts_the_eligible_without_an_approved_application_then():
    from django.utils import timezone

    from shouwang.assistance.models import AllowanceApplication
    from shouwang.assistance.tests import beneficiaries_factories as bf
    from shouwang.reports.tests.history import days_ago, registered_days_ago

    place = make_place()
    bf.standards()
    today = timezone.localdate()
    paid, waiting = bf.orphan(place, "王小孤"), bf.orphan(place, "李小孤")
    for child in (paid, waiting):
        registered_days_ago(child, 60)
    app = bf.beneficiary(place, paid, start=bf.next_month(bf.this_month()))
    AllowanceApplication.objects.filter(pk=app.pk).update(approved_at=days_ago(10))

    def unpaid(days, live=False):
        values = compute.total(
            compute.stock_by_area("430524", today - timedelta(days=days), live=live)
        )
        return values.get("assistance.unpaid", 0)

    assert unpaid(90) == 0  # nobody registered yet
    assert unpaid(20) == 2  # approved 10 days ago: not yet
    assert unpaid(5) == 1
    assert unpaid(0, live=True) == 1
    # Stopped from this month: due again.
    AllowanceApplication.objects.filter(pk=app.pk).update(
        status="已停保", stop_month=bf.this_month()
    )
    assert unpaid(0, live=True) == 2
    # Five days ago: due again too when that day was in this month, else still paid.
    in_this_month = today - timedelta(days=5) >= bf.this_month()
    assert unpaid(5) == (2 if in_this_month else 1)
