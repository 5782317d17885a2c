"""The demo allowance standards: the city's two kinds raised twice, what each county
reads in force, the bulletin's figures from them, and a second load adds nothing."""

from datetime import date

import pytest
from django.utils import timezone

from shouwang.areas.models import Area
from shouwang.assistance.models import AllowanceStandard
from shouwang.demo import assistance as demo
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
