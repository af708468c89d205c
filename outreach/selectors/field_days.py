"""Reads of joint visit days, scoped: the dong's setting, the next dates, the households a
day should see (proposals), its stops, and a worker's or companion's list for the day."""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import groupby

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from households.models import Dong, Household, Membership, Role
from households.selectors import household_head, scope_of, visible_households
from outreach.models import (
    Case,
    DiscoveryAlert,
    FieldDay,
    FieldDaySetting,
    FieldDayStop,
    Pairing,
    StopReason,
    Visit,
)
from outreach.selectors.pairings import volunteers_of_dong
from referrals.models import Referral


def field_day_dong(user, dong_id) -> Dong:
    """A dong whose field days the user plans: staff of that dong, or the district's admins
    and case managers. Any other dong is a 404, as a forged id should be."""
    scope = scope_of(user)
    if not scope.sees_records or int(dong_id) not in scope.dong_ids:
        raise Http404
    return Dong.objects.get(pk=dong_id)


def field_day_dongs(user) -> QuerySet[Dong]:
    """The dongs whose field days the user plans: staff their own, admins the district's."""
    scope = scope_of(user)
    if not scope.sees_records:
        return Dong.objects.none()
    return Dong.objects.filter(pk__in=scope.dong_ids).select_related(
        "field_day_setting").order_by("code")


def field_day_setting_editable(user, dong) -> bool:
    """The setting belongs to the dong: its own staff (or a district admin) change it."""
    scope = scope_of(user)
    if scope.has(Role.DISTRICT_ADMIN) and dong.district_id in scope.district_ids:
        return True
    return Membership.objects.filter(user=user, role=Role.DONG_STAFF, dong=dong).exists()


def field_day_setting(dong) -> FieldDaySetting:
    """The dong's setting, or the default (Wednesday afternoon, names masked on paper)."""
    try:
        return dong.field_day_setting
    except FieldDaySetting.DoesNotExist:
        return FieldDaySetting(dong=dong)


def field_day_next_dates(setting: FieldDaySetting, today: date | None = None, n: int = 4):
    """The next ``n`` field days from today (today included when it is the day)."""
    today = today or timezone.localdate()
    first = today + timedelta(days=(setting.weekday - today.weekday()) % 7)
    return [first + timedelta(weeks=k) for k in range(n)]


def field_day_start(setting: FieldDaySetting, day: date) -> datetime:
    hour = FieldDaySetting.START_HOUR[setting.part]
    return datetime.combine(day, time(hour, 0), timezone.get_current_timezone())


def _day_end(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, timezone.get_current_timezone())


_NUMBER = re.compile(r"(\d+)")


def address_order(household) -> tuple:
    """Walking order: by 통, then the address with its numbers read as numbers
    (신길로 5 before 신길로 41)."""
    def natural(text):
        return [int(part) if part.isdigit() else part for part in _NUMBER.split(text or "")]

    return (household.tong is None, household.tong or 0,
            natural(household.road_address), natural(household.address_detail))


@dataclass
class Proposal:
    household: Household
    reasons: list = field(default_factory=list)

    @property
    def reason_labels(self) -> list[str]:
        labels = dict(StopReason.choices)
        return [str(labels[r]) for r in self.reasons]


def field_day_proposals(user, *, dong, day: date) -> list[Proposal]:
    """Who the day should see, from the user's scoped households of that dong only:
    volunteer referrals not yet visited, open alerts whose first-contact date is near,
    "부재" retries due, cases due for monitoring and pairings with a missed check-in.
    Households already on the day's route are left out. Ordered by 통 and address."""
    households = visible_households(user).filter(dong=dong)
    end = _day_end(day)
    reasons = defaultdict(list)

    visited_since = Visit.objects.filter(
        household=OuterRef("household"), visited_at__gte=OuterRef("created_at")).exclude(
        outcome="")
    for hid in (Referral.objects.filter(household__in=households,
                                        channel=Referral.Channel.VOLUNTEER)
                .exclude(status=Referral.Status.CLOSED)
                .filter(~Exists(visited_since)).values_list("household_id", flat=True)):
        reasons[hid].append(StopReason.REFERRAL)

    # 긴급지원 first contact within 3 days: alerts due by the field day or soon after.
    window = day + timedelta(days=settings.FIELD_DAY_ALERT_WINDOW_DAYS)
    for hid in DiscoveryAlert.objects.filter(
            household__in=households, status=DiscoveryAlert.Status.OPEN,
            first_contact_at__isnull=True, due_on__lte=window).values_list(
            "household_id", flat=True):
        reasons[hid].append(StopReason.ALERT_DUE)

    for hid in Visit.objects.filter(household__in=households, outcome="", attempt_no__gt=1,
                                    scheduled_for__lt=end).values_list("household_id",
                                                                       flat=True):
        reasons[hid].append(StopReason.RETRY)

    for hid in Case.objects.filter(household__in=households, stage=Case.Stage.MONITORING).filter(
            Q(stage_due_on__isnull=True) | Q(stage_due_on__lte=window)).values_list(
            "household_id", flat=True):
        reasons[hid].append(StopReason.MONITORING)

    for pairing in Pairing.objects.filter(household__in=households, ended_on__isnull=True):
        if pairing.due_at() + timedelta(days=pairing.grace_days) < end:
            reasons[pairing.household_id].append(StopReason.MISSED_CHECK_IN)

    planned = FieldDayStop.objects.filter(field_day__dong=dong, field_day__day=day).values_list(
        "visit__household_id", flat=True)
    for hid in planned:
        reasons.pop(hid, None)
    found = households.filter(pk__in=list(reasons)).annotate(
        head_name=household_head(household_ref="pk"))
    proposals = [Proposal(h, sorted(set(reasons[h.pk]), key=list(StopReason.values).index))
                 for h in found]
    proposals.sort(key=lambda p: address_order(p.household))
    return proposals


def by_tong(items, household=lambda item: item.household):
    """[(tong, [items…]), …] in the order given (already by 통 and address)."""
    return [(tong, list(group)) for tong, group in
            groupby(items, key=lambda item: household(item).tong)]


def field_day_companions(dong) -> QuerySet:
    """Volunteers who may go along on this dong's field day (2인 1조): the dong's own."""
    return volunteers_of_dong(dong.pk)


def field_day_of(dong, day: date) -> FieldDay | None:
    return FieldDay.objects.filter(dong=dong, day=day).first()


def field_day_stops(user, *, dong, day: date) -> list[FieldDayStop]:
    """The day's route, scoped through the visits' households, by 통 and address."""
    stops = list(
        FieldDayStop.objects.filter(field_day__dong=dong, field_day__day=day,
                                    visit__household__in=visible_households(user))
        .select_related("visit__household__dong", "visit__staff", "visit__companion")
        .annotate(head_name=household_head(household_ref="visit__household_id"))
    )
    stops.sort(key=lambda s: (s.position, address_order(s.visit.household)))
    return stops


def day_list_for(user, day: date | None = None) -> list[FieldDayStop]:
    """The day's visit list on a phone: stops the user leads or joins on the given day
    (today by default). Staff see their dongs' stops; a volunteer only the stops they join."""
    day = day or timezone.localdate()
    start = datetime.combine(day, time.min, timezone.get_current_timezone())
    scope = scope_of(user)
    base = FieldDayStop.objects.filter(
        visit__scheduled_for__gte=start, visit__scheduled_for__lt=_day_end(day))
    if scope.sees_records:
        base = base.filter(visit__household__in=visible_households(user)).filter(
            Q(visit__staff=user) | Q(visit__companion=user))
    elif scope.has(Role.VOLUNTEER):
        base = base.filter(visit__companion=user)
    else:
        return []
    stops = list(
        base.select_related("field_day", "visit__household__dong", "visit__staff",
                            "visit__companion")
        .annotate(head_name=household_head(household_ref="visit__household_id"))
    )
    stops.sort(key=lambda s: (s.position, address_order(s.visit.household)))
    return stops


def companion_field_days(user) -> QuerySet[FieldDayStop]:
    """A volunteer's own page: the coming field-day stops they were paired on."""
    start = datetime.combine(timezone.localdate(), time.min, timezone.get_current_timezone())
    return (FieldDayStop.objects.filter(visit__companion=user, visit__scheduled_for__gte=start)
            .select_related("field_day__dong", "visit__staff")
            .order_by("visit__scheduled_for", "position"))
