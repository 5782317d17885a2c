"""The department-exchange figures: households in renovation and poverty programmes
and children registered for hukou within a period (each household once), children
with health records and vaccinated at the end of a day (today and a past day, active
children only), alerts raised, handled on time and overdue; per village, cut to the
area; and their catalogue entries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shouwang.exchange import figures
from shouwang.exchange.models import Alert, DepartmentList, Measure
from shouwang.registry.models import Child
from shouwang.registry.tests.factories import make_child, make_place
from shouwang.reports import catalogue, compute
from shouwang.reports.periods import Period
from shouwang.reports.tests.history import days_ago, registered_days_ago

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
TODAY_IS_LIVE = True  # set afresh before each test (conftest._today_is_today)
HOME = "430524"


def ago(days):
    return TODAY - timedelta(days=days)


def _flow(start, end, prefix=HOME):
    return compute.flow_by_area(prefix, Period(start, end))


def _stock(day, *, live):
    return compute.stock_by_area(HOME, day, live=live)


def _total(by_area, key):
    return compute.total(by_area).get(key, 0)


@pytest.fixture
def place():
    return make_place()


@pytest.fixture
def listed(place):
    """A factory of department lists of the home county (the measures' FK)."""

    def make(kind, area=None):
        return DepartmentList.objects.create(
            kind=kind,
            area=area or place.county,
            source="测试",
            listed_on=TODAY,
            uploaded_by=place.civil,
            original_name=f"{kind}.xlsx",
            sha256=kind.ljust(64, "0"),
        )

    return make


def _measure(lst, village, on, *, child=None, household="", key=None):
    return Measure.objects.create(
        kind=lst.kind,
        department_list=lst,
        child=child,
        household=household,
        village=village,
        on=on,
        key=key or f"{child.pk if child else household}:{on}:{village.code}",
    )


def test_households_and_hukou_are_counted_once_per_village_within_the_period(
    place, listed
):
    housing, dibao, tekun, hukou = (
        listed(k) for k in ("housing", "subsistence", "extreme_poverty", "hukou")
    )
    child = make_child(place.village)
    # One household renovated twice in the period counts once; one before does not.
    _measure(housing, place.village, ago(10), household="H1", key="H1:a")
    _measure(housing, place.village, ago(5), household="H1", key="H1:b")
    _measure(housing, place.far_village, ago(5), household="H2")
    _measure(housing, place.village, ago(100), household="H3")
    # A household on two poverty lists counts once; the foreign county's is cut.
    _measure(dibao, place.village, ago(3), household="P1")
    _measure(tekun, place.village, ago(3), household="P1")
    _measure(dibao, place.other_village, ago(3), household="P2")
    _measure(dibao, place.foreign_village, ago(3), household="P9")
    _measure(hukou, place.village, ago(2), child=child)
    _measure(hukou, place.village, ago(200), child=make_child(place.village))

    by_area = _flow(ago(30), TODAY)
    assert by_area[place.village.code] == {
        figures.HOUSING: 1,
        figures.POVERTY: 1,
        figures.HUKOU: 1,
    }
    assert by_area[place.far_village.code] == {figures.HOUSING: 1}
    assert by_area[place.other_village.code] == {figures.POVERTY: 1}
    assert place.foreign_village.code not in by_area
    assert _total(by_area, figures.HOUSING) == 2
    # The whole country's period also sees the foreign household and the old ones.
    everywhere = _flow(ago(365), TODAY, prefix="")
    assert _total(everywhere, figures.POVERTY) == 3
    assert _total(everywhere, figures.HOUSING) == 3
    assert _total(everywhere, figures.HUKOU) == 2
    # A measure entered after the stored counts makes them stale.
    source = catalogue.SOURCES["exchange_measures"]
    period = Period(ago(30), TODAY)
    assert source.entered_since(prefix=HOME, period=period, since=days_ago(1))
    assert not source.entered_since(
        prefix=HOME, period=period, since=timezone.now() + timedelta(seconds=5)
    )


def test_health_records_and_vaccination_count_active_children_by_the_day(place, listed):
    health, vaccination = listed("health_record"), listed("vaccination")
    first = make_child(place.village, name="李一")
    second = make_child(place.village, name="李二")
    third = make_child(place.far_village, name="李三")
    gone = make_child(place.village, name="李四")
    for child in (first, second, third, gone):
        registered_days_ago(child, 60)
    # Two records of one child count once; a record dated after the past day is
    # not counted that day.
    _measure(health, place.village, ago(40), child=first, key="1a")
    _measure(health, place.village, ago(30), child=first, key="1b")
    _measure(health, place.village, ago(5), child=second)
    _measure(health, place.far_village, ago(40), child=third)
    _measure(vaccination, place.village, ago(40), child=first)
    _measure(health, place.village, ago(40), child=gone)
    Child.objects.filter(pk=gone.pk).update(status="exited")

    today = _stock(TODAY, live=True)
    assert today[place.village.code] == {
        **today[place.village.code],
        figures.HEALTH_RECORDS: 2,
        figures.VACCINATED: 1,
    }
    assert _total(today, figures.HEALTH_RECORDS) == 3
    past = _stock(ago(20), live=False)
    assert past[place.village.code][figures.HEALTH_RECORDS] == 1
    assert past[place.far_village.code][figures.HEALTH_RECORDS] == 1
    assert _total(past, figures.VACCINATED) == 1


def test_alerts_raised_handled_on_time_and_overdue(place, listed):
    prison = listed("prison")
    child = make_child(place.village)
    other = make_child(place.far_village)

    def alert(on_child, village, *, raised, due, handled=None, proposed="服刑在押"):
        row = Alert.objects.create(
            department_list=prison,
            row_number=2,
            child=on_child,
            village=village,
            person="father",
            field="father_status",
            proposed=f"{proposed}{raised}",
            says="父亲在服刑在押名单中",
            due_on=ago(due),
            state="accepted" if handled is not None else "open",
            handled_at=days_ago(handled) if handled is not None else None,
            handled_by=place.director if handled is not None else None,
        )
        Alert.objects.filter(pk=row.pk).update(created_at=days_ago(raised))

    alert(child, place.village, raised=20, due=10, handled=12)  # on time
    alert(child, place.village, raised=20, due=10, handled=5)  # late, overdue then
    alert(child, place.village, raised=8, due=1)  # open, overdue since yesterday
    alert(other, place.far_village, raised=3, due=0)  # open, due today: not overdue
    alert(other, place.far_village, raised=90, due=80, handled=85)  # before

    period = _flow(ago(30), TODAY)
    assert period[place.village.code] == {
        figures.ALERTS: 3,
        figures.ALERTS_HANDLED: 2,
        figures.ON_TIME: 1,
    }
    assert period[place.far_village.code] == {figures.ALERTS: 1}
    assert _total(_stock(TODAY, live=True), figures.OVERDUE) == 1
    # Seven days ago the late one was still open past its due date; the open one
    # was not yet due.
    week_ago = _stock(ago(7), live=False)
    assert week_ago[place.village.code][figures.OVERDUE] == 1
    assert _total(week_ago, figures.OVERDUE) == 1
    report = compute.figures_for(place.county, Period(ago(30), TODAY))
    assert report[figures.ON_TIME_RATE] == 50.0
    assert report[figures.OVERDUE] == 1


def test_the_catalogue_holds_the_figures_and_nothing_of_them_is_pending():
    catalogue.load_figure_modules()
    keys = {
        figures.HOUSING,
        figures.POVERTY,
        figures.HEALTH_RECORDS,
        figures.VACCINATED,
        figures.HUKOU,
        figures.ALERTS,
        figures.ON_TIME,
        figures.OVERDUE,
    }
    held = {f.key for f in catalogue.held()}
    assert keys <= held
    assert catalogue.FIGURES[figures.HEALTH_RECORDS].kind == catalogue.Kind.STOCK
    assert catalogue.FIGURES[figures.OVERDUE].kind == catalogue.Kind.STOCK
    assert catalogue.FIGURES[figures.HOUSING].label == "纳入危房改造的家庭"
    assert not [
        f.key for f in catalogue.FIGURES.values() if f.pending and "exchange" in f.key
    ]
