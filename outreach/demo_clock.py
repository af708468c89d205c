"""The demo district's past: its calendar (office hours, winter peaks) and the rows planned.

The history is planned in Python first (deterministic: one seeded random generator) and
written set-based afterwards, so these helpers never touch the database.
"""

from __future__ import annotations

import random
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

# Winter is when 단전·단가스 and arrears pile up (and the national 겨울철 집중 발굴 runs).
SEASON = {12: 1.5, 1: 1.5, 2: 1.3, 11: 1.2, 3: 1.1}


def season(day: date) -> float:
    return SEASON.get(day.month, 1.0)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A moment on ``day`` in Asia/Seoul."""
    return datetime.combine(day, time(hour, minute), timezone.get_current_timezone())


def working_day(day: date) -> date:
    """The day itself, or the Monday after a weekend."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def office_time(rng: random.Random, when: datetime, days: float = 0) -> datetime:
    """``days`` after ``when``, on a working day between 09:30 and 17:30."""
    local = timezone.localtime(when + timedelta(days=days))
    day = working_day(local.date())
    return at(day, rng.randint(9, 16), rng.choice((0, 10, 20, 30, 40, 50)))


@dataclass
class Household:
    """What the history needs of one household (read once, no per-row query)."""

    id: int
    dong_id: int
    lives_alone: bool
    elderly: bool
    head_id: int | None
    head_name: str
    birth_date: date | None
    address_key: str
    road_address: str
    address_detail: str
    subject: str = ""


@dataclass
class Cast:
    """The people who did the work: per dong its staff and volunteers."""

    admin: object
    manager: object
    feed: object
    partner: object
    staff: dict  # dong id → user
    volunteers: dict  # dong id → [users]


@dataclass
class History:
    """Every row of the district's past, planned before anything is written."""

    rng: random.Random
    today: date
    now: datetime
    start: date  # first day of the first month of history
    cast: Cast
    batches: list = field(default_factory=list)
    batch_files: list = field(default_factory=list)  # (batch, csv bytes)
    signals: list = field(default_factory=list)
    assessments: list = field(default_factory=list)
    alerts: list = field(default_factory=list)
    visits: dict = field(default_factory=lambda: defaultdict(list))  # attempt → [Visit]
    needs: list = field(default_factory=list)
    links: list = field(default_factory=list)
    cases: list = field(default_factory=list)
    stage_changes: list = field(default_factory=list)
    conferences: list = field(default_factory=list)
    pairings: list = field(default_factory=list)
    check_ins: list = field(default_factory=list)
    referrals: list = field(default_factory=list)
    # household id → [(opened, closed or None)]: one open alert per household at a time.
    busy: dict = field(default_factory=lambda: defaultdict(list))

    def free(self, household_id: int, start: datetime, end: datetime | None) -> bool:
        for opened, closed in self.busy[household_id]:
            if (end is None or opened <= end) and (closed is None or start <= closed):
                return False
        return True

    def happened(self, when: datetime | None) -> bool:
        return when is not None and when <= self.now


@contextmanager
def dates_as_given(*models):
    """Let bulk_create write the dates the history gives instead of "now": the
    auto_now / auto_now_add fields of ``models`` are plain fields meanwhile."""
    flipped = []
    for model in models:
        for f in model._meta.concrete_fields:
            for flag in ("auto_now", "auto_now_add"):
                if getattr(f, flag, False):
                    setattr(f, flag, False)
                    flipped.append((f, flag))
    try:
        yield
    finally:
        for f, flag in flipped:
            setattr(f, flag, True)
