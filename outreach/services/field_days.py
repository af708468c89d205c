"""Joint visit days: save a dong's setting, plan a day's stops (scheduled visits with a
volunteer companion, 2인 1조) and tell each companion."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from households.services import timeline_add
from outreach.models import FieldDay, FieldDaySetting, FieldDayStop, Visit
from outreach.selectors.field_days import (
    field_day_companions,
    field_day_setting,
    field_day_start,
)
from outreach.services.visits import visit_schedule


def field_day_setting_save(*, dong, weekday: int, part: str, mask_names_on_paper: bool,
                           actor) -> FieldDaySetting:
    setting, _created = FieldDaySetting.objects.update_or_create(
        dong=dong, defaults={"weekday": weekday, "part": part,
                             "mask_names_on_paper": mask_names_on_paper, "updated_by": actor})
    return setting


@transaction.atomic
def field_day_plan(*, dong, day, actor, stops: list[dict]) -> FieldDay:
    """Put households on the day's route. Each stop is {"household", "companion",
    "reasons"}; it becomes a scheduled visit through visit_schedule, or, for a "부재" retry
    already booked, that visit moves to the field day. A household already on the route is
    left as it is, so planning twice adds nothing twice."""
    setting = field_day_setting(dong)
    when = field_day_start(setting, day)
    companions = set(field_day_companions(dong).values_list("pk", flat=True))
    field_day, _created = FieldDay.objects.get_or_create(
        dong=dong, day=day, defaults={"planned_by": actor})
    taken = set(field_day.stops.values_list("visit__household_id", flat=True))
    position = field_day.stops.count()
    told = {}
    for stop in stops:
        household, companion = stop["household"], stop.get("companion")
        if household.dong_id != dong.pk or household.pk in taken:
            continue
        if companion is not None and companion.pk not in companions:
            raise ValidationError({"companion": _("이 동의 자원봉사자만 동행할 수 있습니다.")})
        retry = (Visit.objects.select_for_update(of=("self",))
                 .filter(household=household, outcome="", attempt_no__gt=1,
                         field_day_stop__isnull=True).order_by("scheduled_for").first())
        if retry is not None:
            visit = visit_move(visit=retry, scheduled_for=when, companion=companion,
                               actor=actor)
        else:
            visit = visit_schedule(household=household, staff=actor, scheduled_for=when,
                                   companion=companion,
                                   alert=household.discovery_alerts.filter(
                                       status="open").first())
        position += 1
        FieldDayStop.objects.create(field_day=field_day, visit=visit, position=position,
                                    reasons=",".join(stop.get("reasons") or []))
        taken.add(household.pk)
        if companion is not None:
            told.setdefault(companion.pk, [companion, 0])[1] += 1
    for companion, count in told.values():
        transaction.on_commit(
            lambda c=companion, n=count: companion_notify(companion=c, field_day=field_day,
                                                          count=n))
    return field_day


def visit_move(*, visit: Visit, scheduled_for, companion, actor) -> Visit:
    """Move a booked, unrecorded visit (a "부재" retry) onto the field day."""
    if visit.outcome:
        raise ValidationError(_("이미 결과가 기록된 방문입니다."))
    visit.scheduled_for, visit.companion = scheduled_for, companion or visit.companion
    visit.version += 1
    visit.save(update_fields=["scheduled_for", "companion", "version"])
    when = timezone.localtime(scheduled_for)
    timeline_add(household_id=visit.household_id, kind="visit", actor=actor, obj=visit,
                 summary=_("가정방문 %(n)s차를 합동 방문의 날 %(when)s로 옮김")
                 % {"n": visit.attempt_no, "when": f"{when:%Y-%m-%d %H:%M}"})
    return visit


def companion_notify(*, companion, field_day: FieldDay, count: int) -> int:
    """Tell the volunteer they go along (2인 1조): no names or addresses leave by email;
    the stops are on their own page."""
    if not companion.email:
        return 0
    subject = _("[Doorstep] %(day)s %(dong)s 합동 방문 동행") % {
        "day": f"{field_day.day:%Y-%m-%d}", "dong": field_day.dong}
    body = _("%(day)s %(dong)s 합동 방문의 날에 %(n)s곳 동행을 부탁드립니다.\n"
             "방문지는 Doorstep의 '오늘의 방문'에서 확인하세요.") % {
        "day": f"{field_day.day:%Y-%m-%d}", "dong": field_day.dong, "n": count}
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [companion.email],
                     fail_silently=True)
