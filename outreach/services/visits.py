"""Home visits (가정방문): schedule one, record what happened."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from households.dates import is_working_day
from households.hooks import dong_figures_changed_send
from households.messages import message
from households.services import timeline_add
from outreach.models import (
    Visit,
    VisitNeed,
)
from outreach.services.alerts import alert_first_contact_record
from referrals.services.lifecycle import referrals_visit_recorded


def visit_time_problem(when: datetime) -> str:
    """Why a visit cannot be dated ``when`` ("" if it can): the one rule the pages, the
    API and the services share. A visit done on paper may be entered up to
    VISIT_PAST_LIMIT_DAYS later; older dates are typing mistakes."""
    if when < timezone.now() - timedelta(days=settings.VISIT_PAST_LIMIT_DAYS):
        return _("지난 날짜는 %(days)s일 전까지만 입력할 수 있습니다.") % {
            "days": settings.VISIT_PAST_LIMIT_DAYS}
    return ""


def _check_visit_time(when: datetime, *, field: str) -> None:
    problem = visit_time_problem(when)
    if problem:
        raise ValidationError({field: problem})


@transaction.atomic
def visit_schedule(*, household, staff, scheduled_for, companion=None, alert=None,
                   previous_attempt=None) -> Visit:
    _check_visit_time(scheduled_for, field="scheduled_for")
    if previous_attempt is not None and scheduled_for <= (
        previous_attempt.visited_at or previous_attempt.scheduled_for
    ):
        raise ValidationError(
            {"scheduled_for": _("다음 방문은 이전 방문보다 뒤여야 합니다.")}
        )
    visit = Visit.objects.create(
        household=household, staff=staff, companion=companion, scheduled_for=scheduled_for,
        alert=alert, previous_attempt=previous_attempt,
        attempt_no=(previous_attempt.attempt_no + 1) if previous_attempt else 1,
    )
    when = timezone.localtime(scheduled_for)
    timeline_add(
        household_id=household.pk, kind="visit", actor=staff, obj=visit,
        summary=message("visit_scheduled_retry", when=f"{when:%Y-%m-%d %H:%M}",
                        n=visit.attempt_no) if visit.attempt_no > 1
        else message("visit_scheduled", when=f"{when:%Y-%m-%d %H:%M}"),
    )
    return visit


def visit_office_slots() -> tuple[time, time, time]:
    """VISIT_OFFICE_HOURS ("09:00-18:00") as (opening, the afternoon slot's start, closing):
    the office day has a morning and an afternoon slot, split at the hour before its middle."""
    try:
        opening, closing = (time.fromisoformat(part.strip())
                            for part in settings.VISIT_OFFICE_HOURS.split("-"))
    except ValueError as error:
        raise ImproperlyConfigured(
            f"VISIT_OFFICE_HOURS must read like 09:00-18:00, not {settings.VISIT_OFFICE_HOURS!r}"
        ) from error
    if closing <= opening:
        raise ImproperlyConfigured("VISIT_OFFICE_HOURS: closing time must follow opening time")
    minutes = (closing.hour * 60 + closing.minute + opening.hour * 60 + opening.minute) // 2
    return opening, max(opening, time(minutes // 60)), closing


def _slot_of(moment: datetime, afternoon: time, opening: time, closing: time) -> str:
    at = moment.time()
    if not opening <= at < closing:
        return ""
    return "pm" if at >= afternoon else "am"


def visit_retry_at(*, missed_at: datetime, now: datetime | None = None) -> datetime:
    """When to knock again after a "부재" at ``missed_at``: the first office-hours slot
    (morning or afternoon of a working day: weekends and Korean public holidays skipped)
    that is not the missed one's slot and not in the past. So the same or the next working
    day, and two tries in a row never share a slot (out every morning, in after lunch)."""
    opening, afternoon, closing = visit_office_slots()
    tz = timezone.get_current_timezone()
    missed = timezone.localtime(missed_at)
    earliest = max(timezone.localtime(now or timezone.now()), missed)
    missed_slot = _slot_of(missed, afternoon, opening, closing)
    day: date = earliest.date()
    while True:
        if is_working_day(day):
            for slot, start in (("am", opening), ("pm", afternoon)):
                when = datetime.combine(day, start, tzinfo=tz)
                if when > earliest and slot != missed_slot:
                    return when
        day += timedelta(days=1)


UNREACHABLE_NEXT_STEP = "복지등기 우편 발송, 이웃·통반장 탐문, 관리사무소·임대인 확인"


@transaction.atomic
def visit_record(*, visit: Visit, user, outcome: str, visited_at: datetime | None = None,
                 observations: str = "", crisis_level: str = "", needs: dict | None = None,
                 next_attempt_at: datetime | None = None) -> Visit:
    """Record what happened. "부재" books the next attempt (visit_retry_at: office hours);
    after VISIT_MAX_ATTEMPTS failures the household is flagged 연락 두절."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.outcome:
        raise ValidationError(_("이미 결과가 기록된 방문입니다."))
    if outcome not in Visit.Outcome.values:
        raise ValidationError({"outcome": _("방문 결과를 골라 주세요.")})
    now = timezone.now()
    visited_at = visited_at or now
    if visited_at > now + timedelta(minutes=10):
        raise ValidationError({"visited_at": _("방문일시가 미래입니다.")})
    _check_visit_time(visited_at, field="visited_at")
    previous = visit.previous_attempt
    if previous is not None and previous.visited_at and visited_at <= previous.visited_at:
        raise ValidationError(
            {"visited_at": _("방문일시가 이전 방문(%(when)s)보다 앞섭니다.")
             % {"when": f"{timezone.localtime(previous.visited_at):%Y-%m-%d %H:%M}"}}
        )
    visit.outcome, visit.visited_at, visit.recorded_by = outcome, visited_at, user
    visit.version += 1
    visit.observations, visit.crisis_level = observations, crisis_level
    if needs and outcome == Visit.Outcome.MET:
        VisitNeed.objects.bulk_create([
            VisitNeed(visit=visit, domain=domain, level=value["level"],
                      note=value.get("note", ""))
            for domain, value in needs.items()
            if value.get("level") and (value["level"] != "none" or value.get("note"))
        ])
    summary = message("visit_recorded", n=visit.attempt_no, outcome=outcome)
    if outcome == Visit.Outcome.NOT_HOME:
        if visit.attempt_no >= settings.VISIT_MAX_ATTEMPTS:
            # 연락 두절: the household cannot be reached at the door; try another way.
            visit.unreachable = True
            visit.suggested_next_step = UNREACHABLE_NEXT_STEP
            summary = message("visit_unreachable", n=visit.attempt_no, outcome=outcome,
                              step="unreachable")
    visit.save()
    timeline_add(household_id=visit.household_id, kind="visit", actor=user, obj=visit,
                 summary=summary)
    if visit.alert_id and outcome == Visit.Outcome.MET:
        alert_first_contact_record(alert_id=visit.alert_id, contacted_at=visited_at, actor=user)
    # The household's referrals tell their senders: 방문 (and first contact when met).
    referrals_visit_recorded(household_id=visit.household_id, visited_at=visited_at,
                             met=outcome == Visit.Outcome.MET, actor=user)
    if outcome == Visit.Outcome.NOT_HOME and not visit.unreachable:
        next_at = next_attempt_at or visit_retry_at(missed_at=visited_at, now=now)
        visit_schedule(household=visit.household, staff=visit.staff, companion=visit.companion,
                       alert=visit.alert, scheduled_for=next_at, previous_attempt=visit)
    dong_figures_changed_send([visit.household.dong_id])
    return visit
