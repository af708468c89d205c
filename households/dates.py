"""Calendar arithmetic every part of Doorstep shares: whole months, whole years, working days."""

import calendar
from datetime import date

import holidays


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), clamped to the month's last day:
    31 January + 1 month is 28 (or 29) February."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


# Korea's public holidays (설날, 추석, substitute holidays …) from the `holidays` package;
# the years it needs are worked out on first use.
_KOREAN_HOLIDAYS = holidays.country_holidays("KR")


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a Korean public holiday: the dong office is open."""
    return day.weekday() < 5 and day not in _KOREAN_HOLIDAYS
