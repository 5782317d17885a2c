"""The protection figures of the report catalogue: every figure counted from a small
set of cases and actions built through the services at chosen moments (the clock is
set for each step), the overdue items replayed for a past day, the quantiles of a
city equal to those of its raw case rows, and a county's bulletin printing them."""

import io
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from docx import Document
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from shouwang.accounts.models import Unit
from shouwang.protection import services
from shouwang.protection.models import Case
from shouwang.protection.selectors import supervision_count_for, supervision_for
from shouwang.protection.sources import hours_up, overdue_by_area
from shouwang.protection.vocab import Situation
from shouwang.reports import catalogue, compute
from shouwang.reports.bulletin.context import PENDING_TEXT
from shouwang.reports.periods import Period
from shouwang.reports.sources.ledger import end_of
from tests.factories import make_area

from .factories import file_report, make_county, make_foreign, report_values

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
TODAY_IS_LIVE = True  # set afresh before each test (conftest._today_is_today)


def FROM_TODAY(today):  # called by conftest._today_is_today
    """The period counted: 31 days, ended 15 days ago."""
    start, end = today - timedelta(days=45), today - timedelta(days=15)
    return {"START": start, "END": end, "PERIOD": Period(start, end)}


START, END, PERIOD = FROM_TODAY(TODAY).values()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(
        day, time(hour, minute), tzinfo=timezone.get_current_timezone()
    )


@contextmanager
def clock(moment: datetime) -> Iterator[None]:
    """The services (and the rows' timestamps) see `moment` as now."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def report(actor, moment, situation, **more) -> Case:
    with clock(moment):
        values = report_values(situation=situation, found_at=moment, **more)
        return services.report_file(actor=actor, values=values)


def decide(world, case, moment) -> None:
    with clock(moment):
        services.case_police_decide(
            actor=world.police, case_id=case.pk, decision="accepted"
        )


def feedback(world, case, moment) -> None:
    with clock(moment):
        services.case_feedback(actor=world.police, case_id=case.pk, note="已出警")


def assess(world, case, moment) -> None:
    with clock(moment):
        services.case_assess(
            actor=world.civil,
            case_id=case.pk,
            expected_version=Case.objects.get(pk=case.pk).version,
            risk="medium",
            needs=["guardianship"],
            safety_plan="祖母照料，主任每周探望。",
        )


def act(actor, case, moment, **values) -> None:
    values.setdefault("occurred_on", timezone.localtime(moment).date())
    with clock(moment):
        services.action_record(actor=actor, case_id=case.pk, values=values)


def refer(world, case, moment, unit, hours=72):
    with clock(moment):
        return services.referral_send(
            actor=world.civil,
            case_id=case.pk,
            unit=unit,
            service="legal",
            reason="依法处理",
            timeframe=hours,
        )


def accept(world, referral, moment) -> None:
    with clock(moment):
        services.referral_accept(
            actor=world.units[referral.unit], referral_id=referral.pk
        )


@pytest.fixture(autouse=True)
def _reports_in_tmp(settings, tmp_path):
    settings.REPORTS_DIR = tmp_path / "reports"


@pytest.fixture
def home():
    return make_county()


@pytest.fixture
def scene(home):
    """Eight reports in the period (one at the township), one before it; the
    police's answers after 1, 5, 7, 20 and 50 hours within it, two after it; actions
    of every unit; six items overdue at the period's end (see the comments)."""
    world, E = home, END
    D = START
    early = report(world.director, at(D - timedelta(days=1), 10), "living_alone")
    decide(world, early, at(D - timedelta(days=1), 12))
    feedback(world, early, at(D - timedelta(days=1), 13))
    assess(world, early, at(D - timedelta(days=1), 14))
    act(world.civil, early, at(D - timedelta(days=1), 15), kind="rescue", persons=5)

    c1 = report(world.director, at(D, 9), "living_alone")
    decide(world, c1, at(D, 9, 30))  # 0.5 h: 1 hour
    feedback(world, c1, at(D, 10))
    assess(world, c1, at(D, 11))
    c2 = report(world.director, at(D + timedelta(days=1), 8), "violence")
    decide(world, c2, at(D + timedelta(days=1), 13))  # 5 hours exactly
    feedback(world, c2, at(D + timedelta(days=1), 14))
    assess(world, c2, at(D + timedelta(days=2), 8))
    c3 = report(world.director, at(D + timedelta(days=2), 8), "abandoned")
    decide(world, c3, at(D + timedelta(days=2), 14, 1))  # 6 h 1 min: 7 hours
    feedback(world, c3, at(D + timedelta(days=2), 15))
    assess(world, c3, at(D + timedelta(days=3), 8))
    c4 = report(
        world.civil,
        at(D + timedelta(days=3), 8),
        "begging",
        area_id=world.township.code,
    )
    decide(world, c4, at(D + timedelta(days=4), 4))  # 20 hours
    feedback(world, c4, at(D + timedelta(days=4), 5))
    assess(world, c4, at(D + timedelta(days=4), 6))
    c5 = report(world.director, at(E - timedelta(days=5), 8), "guardian_failing")
    assess(world, c5, at(E - timedelta(days=4), 9))
    # 50 hours: overdue for the police from E-4 08:00 to E-3 10:00, not at the end;
    # no feedback, due E 10:00: overdue at the end (1).
    decide(world, c5, at(E - timedelta(days=3), 10))
    c6 = report(world.director, at(E, 20), "living_alone")  # police due E+1 20:00
    decide(world, c6, at(E + timedelta(days=1), 10))  # answered after the period
    # Police due E-1 08:00, answered only after the period: overdue at the end (2).
    c7 = report(world.director, at(E - timedelta(days=2), 8), "no_hukou")
    decide(world, c7, at(E + timedelta(days=2), 9))
    # Never answered: overdue at the end (3) by its stored deadline, E 08:00.
    c8 = report(world.director, at(E - timedelta(days=1), 8), "out_of_school")

    # Referrals: education not answered within 24 hours (overdue at the end, 4);
    # the women's federation rejects before its deadline.
    education = refer(world, c1, at(E - timedelta(days=3), 9), Unit.EDUCATION, 24)
    accept(world, education, at(E + timedelta(days=1), 9))
    federation = refer(
        world, c1, at(E - timedelta(days=3), 9), Unit.WOMENS_FEDERATION, 72
    )
    with clock(at(E - timedelta(days=1), 10)):
        services.referral_reject(
            actor=world.units[Unit.WOMENS_FEDERATION],
            referral_id=federation.pk,
            reason="不属于本单位职责",
        )
    # Closed, reopened six days before the end and not assessed again (5); closed,
    # reopened five days before and assessed again only after the period (6).
    for case, reopened in ((c2, 6), (c3, 5)):
        with clock(at(D + timedelta(days=6), 9)):
            services.case_close(
                actor=world.civil, case_id=case.pk, outcome="resolved", note="已处置"
            )
        with clock(at(E - timedelta(days=reopened), 9)):
            services.case_reopen(actor=world.civil, case_id=case.pk, reason="再次发现")
    assess(world, c3, at(E + timedelta(days=1), 9))

    # Actions, dated in the period unless said.
    act(world.civil, c1, at(D + timedelta(days=1), 9), kind="rescue", persons=3)
    act(world.civil, c4, at(D + timedelta(days=5), 9), kind="rescue", persons=2)
    act(
        world.civil,
        c5,
        at(E - timedelta(days=2), 9),
        kind="family_help",
        families=2,
        persons=3,
    )
    act(
        world.civil,
        c4,
        at(D + timedelta(days=5), 10),
        kind="placement",
        placement="protection_institution",
    )
    act(
        world.civil,
        c8,
        at(E, 10),
        kind="placement",
        placement="welfare_institution",
    )
    act(
        world.civil,
        c1,
        at(D + timedelta(days=2), 9),
        kind="placement",
        placement="foster",
    )
    act(world.police, c7, at(E - timedelta(days=1), 9), kind="hukou", persons=2)
    # Recorded after the period, dated within it: counted.
    act(
        world.police,
        c8,
        at(E + timedelta(days=2), 9),
        kind="hukou",
        persons=1,
        occurred_on=E,
    )
    # Dated after the period: not counted.
    act(world.civil, c6, at(E + timedelta(days=2), 9), kind="rescue", persons=4)
    court = refer(world, c4, at(D + timedelta(days=6), 9), Unit.COURT)
    accept(world, court, at(D + timedelta(days=6), 10))
    for charge in (
        "trafficking",
        "abuse",
        "indecency",
        "indecency",
        "abandonment",
        "other",
    ):
        act(
            world.units[Unit.COURT],
            c4,
            at(D + timedelta(days=7), 9),
            kind="court_judged",
            charge=charge,
            sentence="fixed_term",
        )
    act(
        world.units[Unit.COURT],
        c4,
        at(D + timedelta(days=7), 10),
        kind="court_accepted",
        charge="trafficking",
    )
    procuratorate = refer(world, c4, at(D + timedelta(days=6), 9), Unit.PROCURATORATE)
    accept(world, procuratorate, at(D + timedelta(days=6), 10))
    prosecutor = world.units[Unit.PROCURATORATE]
    act(prosecutor, c4, at(D + timedelta(days=8), 9), kind="arrest", cases=2, persons=3)
    act(prosecutor, c4, at(D + timedelta(days=9), 9), kind="arrest", cases=1, persons=1)
    act(
        prosecutor,
        c4,
        at(D + timedelta(days=10), 9),
        kind="prosecution",
        cases=1,
        persons=2,
    )
    return world


EXPECTED = {
    "protection.reports": 8,
    "protection.reports_living_alone": 2,
    "protection.reports_violence": 1,
    "protection.reports_abandoned": 1,
    "protection.reports_begging": 1,
    "protection.reports_guardian_failing": 1,
    "protection.reports_no_hukou": 1,
    "protection.reports_out_of_school": 1,
    "protection.reports_genital_injury": 0,
    "protection.reports_girl_under_14": 0,
    "protection.reports_girl_14_plus": 0,
    "protection.reports_abnormal_harm": 0,
    "protection.reports_missing": 0,
    "protection.reports_other_serious": 0,
    "protection.police_decided": 5,
    "protection.police_hours_median": 7,  # 1, 5, 7, 20, 50: the 3rd
    "protection.police_hours_p90": 50,  # the ⌈4.5⌉ = 5th
    "protection.overdue_items": 6,
    "protection.rescues": 5,
    "protection.families_helped": 2,
    "protection.children_helped": 3,
    "protection.placed_in_institution": 2,
    "police.hukou_registered": 3,
    "court.judged_cases": 6,
    "court.trafficking_cases": 1,
    "court.abuse_cases": 3,
    "court.indecency_cases": 2,
    "court.abandonment_cases": 1,
    "court.other_cases": 1,
    "procuratorate.arrest_cases": 3,
    "procuratorate.arrest_persons": 4,
    "procuratorate.prosecution_cases": 1,
    "procuratorate.prosecution_persons": 2,
}


def test_every_figure_is_counted_from_the_cases_and_actions(scene):
    values = compute.figures_for(scene.county, PERIOD)
    assert {key: values[key] for key in EXPECTED} == EXPECTED
    assert not any(catalogue.is_histogram_key(key) for key in values)
    # One figure per situation, and the total, each in the catalogue.
    for situation in Situation:
        assert f"protection.reports_{situation}" in catalogue.FIGURES
    held = {f.key for f in catalogue.held()}
    assert set(EXPECTED) <= held
    assert not any(
        f.key.startswith(("protection.", "court.", "procuratorate.", "police."))
        for f in catalogue.FIGURES.values()
        if not f.held
    )


def test_the_sub_areas_add_up_and_the_quantiles_are_their_own(scene):
    report_ = compute.report(scene.county, PERIOD)
    [(township, row)] = report_.rows
    assert township == scene.township
    # Every case lies under the one township: it holds them all.
    for key in EXPECTED:
        assert row[key] == report_.values[key], key
    village = compute.report(scene.township, PERIOD)
    [(_, village_row)] = village.rows
    # The township's own case (the begging child, answered after 20 hours) is
    # counted at the township, not in its village.
    assert village_row["protection.reports"] == 7
    assert village_row["protection.police_decided"] == 4
    assert village_row["protection.police_hours_median"] == 5  # 1, 5, 7, 50
    assert village_row["protection.police_hours_p90"] == 50


def test_a_period_without_answers_has_no_quantile(scene):
    quiet = Period(START - timedelta(days=30), START - timedelta(days=5))
    values = compute.figures_for(scene.county, quiet)
    assert values["protection.police_decided"] == 0
    assert values["protection.police_hours_median"] is None
    assert values["protection.police_hours_p90"] is None


def test_overdue_items_are_replayed_for_past_days(scene):
    prefix = "430524"

    def overdue(moment):
        return compute.total(overdue_by_area(prefix, moment)).get(
            "protection.overdue_items", 0
        )

    assert overdue(end_of(END)) == 6
    # Four days earlier only the police's late answer of the guardian case was due.
    assert overdue(end_of(END - timedelta(days=4))) == 1
    # Stored for the day, read back by the stock machinery.
    assert compute.stock_values(scene.county, END)["protection.overdue_items"] == 6
    # Now: the same items as the supervision list.
    now = timezone.now()
    assert overdue(now) == len(supervision_for(scene.civil, now=now)) == 8
    assert supervision_count_for(scene.civil, now=now) == 8


def test_a_met_deadline_is_recomputed_with_the_county_time_limits_now(scene):
    """The report answered after the period (E-2 08:00 → E+2) was overdue at the end
    under 24 hours; with 72 hours in force it no longer counts. The one still
    waiting keeps its stored deadline."""
    services.deadlines_set(
        actor=scene.civil,
        county_id=scene.county.code,
        values={"police_accept_hours": 72, "feedback_days": 3, "assessment_days": 3},
    )
    items = compute.total(overdue_by_area("430524", end_of(END)))
    assert items["protection.overdue_items"] == 5


def test_records_entered_since_a_stored_count_are_recounted(home):
    """Stored counts of a period (PeriodFigures) are recounted once a report, a
    police answer or an action dated in the period is entered after them."""
    source = catalogue.SOURCES["protection"]
    running = Period(TODAY - timedelta(days=10), TODAY)

    def entered(period, since, prefix="430524"):
        return source.entered_since(prefix=prefix, period=period, since=since)

    before = timezone.now()
    assert not entered(running, before)
    # Found long ago (an action dated in a past period may follow it), reported now.
    found = timezone.make_aware(datetime.combine(PERIOD.start, time(9)))
    case = file_report(home.director, found_at=found)
    assert entered(running, before)
    assert not entered(running, before, prefix="430525")
    assert not entered(PERIOD, before)  # filed now: not dated in a past period
    later = timezone.now()
    services.case_police_decide(actor=home.police, case_id=case.pk, decision="filed")
    assert entered(running, later) and not entered(PERIOD, later)
    later = timezone.now()
    services.action_record(
        actor=home.police,
        case_id=case.pk,
        values={"kind": "hukou", "persons": 1, "occurred_on": END},
    )
    assert entered(PERIOD, later)


def _shown(text: str, key: str) -> str:
    """A figure's number and unit as the dashboard shows them."""
    item = re.search(
        rf'data-figure="{re.escape(key)}".*?data-testid="figure-value">(.*?)</li>',
        text,
        re.S,
    )
    assert item, key
    return re.sub(r"<[^>]+>", "", item.group(1)).strip()


def test_the_dashboard_shows_them_with_their_units(scene):
    client = Client()
    client.force_login(scene.civil)

    def page(start: date, end: date) -> str:
        response = client.get(
            "/reports/",
            {"area": scene.county.code, "from": start, "to": end},
        )
        assert response.status_code == 200
        return response.content.decode()

    text = page(START, END)
    assert _shown(text, "protection.police_hours_median") == "7小时"
    assert _shown(text, "protection.police_hours_p90") == "50小时"
    assert _shown(text, "protection.overdue_items") == "6项"
    assert _shown(text, "court.abuse_cases") == "3件"
    assert "police_hours@" not in text
    quiet = page(START - timedelta(days=30), START - timedelta(days=5))
    assert _shown(quiet, "protection.police_hours_median") == "—"


# Quantiles -------------------------------------------------------------------------------


def nearest_rank(values: list[int], percent: int) -> int | None:
    """The oracle: the ⌈n × p⌉-th of the sorted values."""
    if not values:
        return None
    return sorted(values)[math.ceil(len(values) * percent / 100) - 1]


@given(parts=st.lists(st.lists(st.integers(0, 400), max_size=20), max_size=5))
def test_the_quantile_of_summed_histograms_is_that_of_all_values(parts):
    total: dict[str, int] = {}
    for values in parts:
        histogram: dict[str, int] = {}
        for value in values:
            key = catalogue.histogram_key("h", value)
            histogram[key] = histogram.get(key, 0) + 1
        catalogue.add_into(total, histogram)
    everything = [v for values in parts for v in values]
    for percent in (50, 90, 100):
        assert catalogue.quantile(catalogue.histogram(total, "h"), percent) == (
            nearest_rank(everything, percent)
        )


@pytest.fixture
def city():
    """Two counties of 邵阳市, each with a township and a village."""
    home, foreign = make_county(), make_foreign()
    return make_area("430500000000", "邵阳市"), home, foreign


ROW = st.tuples(
    st.integers(0, 3),  # where: home village, home township, foreign village, county
    st.integers(-3 * 24 * 60, 34 * 24 * 60),  # reported, minutes after the start
    st.integers(0, 12 * 24 * 3600),  # answered, seconds after the report
)


@hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rows=st.lists(ROW, max_size=25))
def test_a_citys_median_and_p90_are_those_of_its_raw_cases(city, rows):
    """The city's and each county's quantiles, read from summed hour counts, equal
    those computed from the raw case rows (whole hours, rounded up)."""
    area, home, foreign = city
    Case.objects.all().delete()
    places = [home.village, home.township, foreign.village, foreign.county]
    start = at(START, 0)
    Case.objects.bulk_create(
        Case(
            number=f"T-{i}",
            county_id=places[where].code[:6] + "000000",
            area=places[where],
            sensitivity="normal",
            situation="living_alone",
            found_at=start,
            found_place="村口",
            observed="独自在家",
            reported_at=start + timedelta(minutes=minutes),
            police_decision="accepted",
            police_decided_at=start
            + timedelta(minutes=minutes)
            + timedelta(seconds=seconds),
        )
        for i, (where, minutes, seconds) in enumerate(rows)
    )
    report_ = compute.report(area, PERIOD)

    def raw(prefix: str) -> list[int]:
        return [
            hours_up(case.police_decided_at - case.reported_at)
            for case in Case.objects.all()
            if case.area_id.startswith(prefix)
            and start <= case.police_decided_at < end_of(END)
        ]

    for values, prefix in [
        (report_.values, "4305"),
        *((row, unit.code[:6]) for unit, row in report_.rows),
    ]:
        hours = raw(prefix)
        assert values["protection.police_decided"] == len(hours)
        assert values["protection.police_hours_median"] == nearest_rank(hours, 50)
        assert values["protection.police_hours_p90"] == nearest_rank(hours, 90)


def test_hours_are_rounded_up():
    assert hours_up(timedelta(0)) == 0
    assert hours_up(timedelta(seconds=1)) == 1
    assert hours_up(timedelta(hours=5)) == 5
    assert hours_up(timedelta(hours=5, microseconds=1)) == 6


# The bulletin ----------------------------------------------------------------------------


def _number(text: str, pattern: str) -> int:
    match = re.search(pattern, text)
    assert match, f"not found: {pattern}"
    return int(match.group(1))


def test_the_countys_bulletin_prints_the_protection_figures(scene, tmp_path):
    out = tmp_path / "通报.docx"
    call_command(
        "bulletin",
        "--area",
        scene.county.code,
        "--from",
        START.isoformat(),
        "--to",
        END.isoformat(),
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    document = Document(str(out))
    text = "\n".join(p.text for p in document.paragraphs)
    expected = {
        r"共收到强制报告(\d+)件": 8,
        r"独居、无人监护(\d+)件": 2,
        r"疑似受到家庭暴力、欺凌、虐待、殴打或被麻醉(\d+)件": 1,
        r"被组织乞讨(\d+)件": 1,
        r"监护人无监护能力或不履行监护职责(\d+)件": 1,
        r"无户籍(\d+)件": 1,
        r"失学辍学(\d+)件": 1,
        r"被拐卖、收买(\d+)件": 0,
        r"公安机关受理报告(\d+)件": 5,
        r"用时中位数为(\d+)小时": 7,
        r"90%的报告在(\d+)小时内受理": 50,
        r"逾期未办事项(\d+)项": 6,
        r"救助流浪乞讨未成年人(\d+)人次": 5,
        r"帮扶严重监护缺失家庭(\d+)户": 2,
        r"户、儿童(\d+)人": 3,
        r"安置到福利机构的儿童(\d+)人": 2,
        r"为无户籍儿童登记户口(\d+)人": 3,
        r"法院审结侵害儿童犯罪案件(\d+)件": 6,
        r"其中拐卖儿童犯罪案件(\d+)件": 1,
        r"虐待、猥亵儿童犯罪案件(\d+)件": 3,
        r"其中猥亵儿童犯罪案件(\d+)件": 2,
        r"遗弃犯罪案件(\d+)件": 1,
        r"其他侵害儿童犯罪案件(\d+)件": 1,
        r"批准逮捕侵害儿童案件(\d+)件": 3,
        r"批准逮捕侵害儿童案件\d+件(\d+)人": 4,
        r"提起公诉(\d+)件": 1,
        r"提起公诉\d+件(\d+)人": 2,
    }
    for pattern, count in expected.items():
        assert _number(text, pattern) == count, pattern
    progress = text[text.index("五是") : text.index("控辍保学方面")]
    protection = progress[: progress.index("纳入农村危房改造")]
    assert PENDING_TEXT not in protection
    justice = progress[progress.index("七是") :]
    assert PENDING_TEXT not in justice
    # The list of figures without data names none of them any more.
    appendix = text[text.index("附：以下数字系统暂无数据") :]
    for key in EXPECTED:
        assert catalogue.FIGURES[key].label + "（" not in appendix, key
    table = document.tables[0]
    rows = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in table.rows}
    assert rows[scene.township.name][-1] == "8"
    assert rows["合计"][-1] == "8"
