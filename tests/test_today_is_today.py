"""conftest._today_is_today: a module's TODAY (and what it derives from it) is today's
date when each of its tests runs, not the day the module was collected."""

from datetime import date, timedelta

from django.utils import timezone

TODAY = date(2000, 1, 1)  # as if collected long ago (a run across midnight)
TODAY_IS_LIVE = True


def FROM_TODAY(today):  # called by conftest._today_is_today
    return {"YESTERDAY": today - timedelta(days=1)}


YESTERDAY = date(1999, 12, 31)


def test_today_and_what_follows_from_it_are_set_afresh():
    assert timezone.localdate() == TODAY
    assert timezone.localdate() - timedelta(days=1) == YESTERDAY
