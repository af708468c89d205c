""""부재" books the next knock in office hours (VISIT_OFFICE_HOURS), on the same or the next
working day, never in the past, and two tries in a row never in the same slot."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured

from outreach.models import Visit
from outreach.services.visits import visit_record, visit_retry_at, visit_schedule

pytestmark = pytest.mark.django_db
SEOUL = ZoneInfo("Asia/Seoul")


def seoul(day, hour, minute=0):
    """A time in December 2026: the 1st is a Tuesday, the 4th a Friday, the 7th a Monday."""
    return datetime(2026, 12, day, hour, minute, tzinfo=SEOUL)


def _missed(household, staff, at, previous=None):
    """A try at ``at`` nobody answered, recorded on the spot; returns the next try booked."""
    with time_machine.travel(at, tick=False):
        visit = previous or visit_schedule(household=household, staff=staff, scheduled_for=at)
        visit_record(visit=visit, user=staff, outcome=Visit.Outcome.NOT_HOME, visited_at=at)
    return Visit.objects.filter(previous_attempt=visit).first()


def test_a_late_evening_miss_books_the_next_working_morning_not_the_same_clock_time(
        staff1, yeouido_household):
    second = _missed(yeouido_household, staff1, seoul(1, 22, 53))
    assert second.scheduled_for == seoul(2, 9, 0)


def test_a_morning_miss_tries_again_the_same_afternoon(staff1, yeouido_household):
    second = _missed(yeouido_household, staff1, seoul(1, 10, 0))
    assert second.scheduled_for == seoul(1, 13, 0)


def test_a_friday_afternoon_miss_tries_again_on_monday_morning(staff1, yeouido_household):
    second = _missed(yeouido_household, staff1, seoul(4, 15, 30))
    assert second.scheduled_for == seoul(7, 9, 0)


def test_the_second_and_third_tries_never_share_a_slot(staff1, yeouido_household):
    second = _missed(yeouido_household, staff1, seoul(1, 10, 0))
    third = _missed(yeouido_household, staff1, second.scheduled_for, previous=second)
    slots = [timezone_slot(v.scheduled_for) for v in (second, third)]
    assert slots[0] != slots[1]
    for visit in (second, third):
        local = visit.scheduled_for.astimezone(SEOUL)
        assert local.weekday() < 5 and 9 <= local.hour < 18


def timezone_slot(moment):
    return "pm" if moment.astimezone(SEOUL).hour >= 13 else "am"


def test_chuseok_is_not_a_working_day(staff1, yeouido_household):
    """추석 2026: Thursday 24 – Saturday 26 September; the office opens on Monday the 28th."""
    missed_at = datetime(2026, 9, 23, 15, 0, tzinfo=SEOUL)
    assert visit_retry_at(missed_at=missed_at, now=missed_at) == datetime(
        2026, 9, 28, 9, 0, tzinfo=SEOUL)


def test_a_miss_entered_days_later_is_never_booked_in_the_past(staff1, yeouido_household):
    """A paper visit of Tuesday morning typed in on Thursday at 11:00."""
    missed_at = seoul(1, 10, 0)
    visit = visit_schedule(household=yeouido_household, staff=staff1, scheduled_for=missed_at)
    with time_machine.travel(seoul(3, 11, 0), tick=False):
        visit_record(visit=visit, user=staff1, outcome=Visit.Outcome.NOT_HOME,
                     visited_at=missed_at)
    second = Visit.objects.get(previous_attempt=visit)
    assert second.scheduled_for == seoul(3, 13, 0)


def test_office_hours_come_from_the_settings(settings):
    settings.VISIT_OFFICE_HOURS = "10:00-16:00"
    assert visit_retry_at(missed_at=seoul(1, 10, 30), now=seoul(1, 10, 30)) == seoul(1, 13, 0)
    assert visit_retry_at(missed_at=seoul(1, 14, 0), now=seoul(1, 14, 0)) == seoul(2, 10, 0)


def test_office_hours_that_cannot_be_read_fail_loudly(settings):
    settings.VISIT_OFFICE_HOURS = "nine to six"
    with pytest.raises(ImproperlyConfigured):
        visit_retry_at(missed_at=seoul(1, 10, 0), now=seoul(1, 10, 0))


def test_service_link_reminders_count_the_same_working_days():
    """A request made the day before 추석 2026 waits out the holidays and the weekend."""
    from datetime import date

    from referrals.services import working_days_after

    assert working_days_after(date(2026, 9, 23), 1) == date(2026, 9, 28)
