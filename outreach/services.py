"""Every write of outreach work, one function per use case."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from households.models import AccessLog
from households.services import access_log_write, timeline_add
from outreach.models import DiscoveryAlert, Visit


@transaction.atomic
def visit_schedule(*, household, staff, scheduled_for, companion=None, alert=None) -> Visit:
    visit = Visit.objects.create(
        household=household, staff=staff, companion=companion, scheduled_for=scheduled_for,
        alert=alert,
    )
    when = timezone.localtime(scheduled_for)
    timeline_add(
        household_id=household.pk, kind="visit", actor=staff, obj=visit,
        summary=_("가정방문 예정 %(when)s") % {"when": f"{when:%Y-%m-%d %H:%M}"},
    )
    return visit


# --- the triage inbox ------------------------------------------------------------------
# Alerts are changed here; referrals through referrals.services. Every inbox action writes
# one line on the household's timeline and one access-log row per item.

def _alert_timeline(alert, actor, summary: str) -> None:
    timeline_add(household_id=alert.household_id, kind="alert", actor=actor, obj=alert,
                 summary=summary)


@transaction.atomic
def alert_assign(*, alert, assignee, actor):
    alert.assigned_to = assignee
    alert.save(update_fields=["assigned_to", "updated_at"])
    _alert_timeline(alert, actor, _("발굴 A-%(id)s 담당자 지정: %(who)s") % {
        "id": alert.pk, "who": assignee.get_username()})
    return alert


@transaction.atomic
def alert_close(*, alert, reason: str, note: str = "", actor, status=None):
    from referrals.models import CloseReason

    if reason not in CloseReason.values:
        raise ValidationError(_("종결 사유를 목록에서 골라 주세요."))
    if reason == CloseReason.OTHER and not (note or "").strip():
        raise ValidationError(_("'기타' 사유는 메모에 내용을 적어 주세요."))
    alert.status = status or DiscoveryAlert.Status.CLOSED
    alert.closed_at = timezone.now()
    alert.close_reason = reason
    alert.close_note = (note or "").strip()
    alert.save()
    _alert_timeline(alert, actor, _("발굴 A-%(id)s 종결: %(reason)s") % {
        "id": alert.pk, "reason": CloseReason(reason).label})
    return alert


@transaction.atomic
def alert_merge(*, alert, target, actor):
    """Merge an alert into another inbox item (alert or referral); both histories stay."""
    from referrals.models import CloseReason
    from referrals.services import referral_take_over

    alert_close(alert=alert, reason=CloseReason.DUPLICATE, actor=actor,
                status=DiscoveryAlert.Status.MERGED,
                note=_("%(target)s로 병합") % {"target": target.label})
    if target.is_referral:
        from outreach.selectors import alert_urgency

        referral_take_over(referral=target.obj, household_id=alert.household_id,
                           urgency=alert_urgency(alert), due_on=alert.due_on)
    elif alert.due_on < target.obj.due_on:
        target.obj.due_on = alert.due_on
        target.obj.save(update_fields=["due_on", "updated_at"])
    return alert


def _log(request, item, action=None):
    access_log_write(request=request, action=action or AccessLog.Action.UPDATE,
                     object_type=item.kind, object_id=item.obj.pk,
                     household_id=item.household_id)


@transaction.atomic
def inbox_item_assign(*, item, assignee, actor, request=None):
    from referrals.services import referral_assign

    if item.is_referral:
        referral_assign(referral=item.obj, assignee=assignee, actor=actor)
    else:
        alert_assign(alert=item.obj, assignee=assignee, actor=actor)
    _log(request, item)
    return item


@transaction.atomic
def inbox_items_assign(*, items, assignee, actor, request=None) -> int:
    """Bulk assign: the same as assigning each one (timeline and access log per item)."""
    for item in items:
        inbox_item_assign(item=item, assignee=assignee, actor=actor, request=request)
    return len(items)


@transaction.atomic
def inbox_item_schedule_visit(*, item, scheduled_for, actor, companion=None, request=None):
    from referrals.models import Referral
    from referrals.services import (
        referral_assign,
        referral_household_register,
        referral_status_set,
    )

    if item.is_referral:
        referral = item.obj
        if not referral.household_id:
            # A visit needs a household: the referred address becomes one.
            referral_household_register(referral=referral, actor=actor)
        if not referral.assigned_to_id:
            referral_assign(referral=referral, assignee=actor, actor=actor)
        visit = visit_schedule(household=referral.household, staff=actor,
                               scheduled_for=scheduled_for, companion=companion)
        referral_status_set(referral=referral, status=Referral.Status.VISITING, actor=actor)
    else:
        alert = item.obj
        if not alert.assigned_to_id:
            alert_assign(alert=alert, assignee=actor, actor=actor)
        visit = visit_schedule(household=alert.household, staff=actor,
                               scheduled_for=scheduled_for, companion=companion, alert=alert)
    _log(request, item)
    return visit


@transaction.atomic
def inbox_item_close(*, item, reason: str, note: str = "", actor, request=None):
    from referrals.services import referral_close

    if item.is_referral:
        referral_close(referral=item.obj, reason=reason, note=note, actor=actor)
    else:
        alert_close(alert=item.obj, reason=reason, note=note, actor=actor)
    _log(request, item)
    return item


@transaction.atomic
def inbox_item_merge(*, item, target, actor, request=None):
    """Merge ``item`` into ``target`` (same dong); the target stays open in the queue."""
    from referrals.services import referral_close, referral_merge

    if item.key == target.key or item.dong_id != target.dong_id:
        raise ValidationError(_("같은 동의 다른 항목으로만 병합할 수 있습니다."))
    if item.is_referral and target.is_referral:
        referral_merge(source=item.obj, target=target.obj, actor=actor)
    elif item.is_referral:
        from referrals.models import CloseReason

        referral_close(referral=item.obj, reason=CloseReason.DUPLICATE, actor=actor,
                       note=_("%(target)s로 병합") % {"target": target.label},
                       merged_into_alert_id=target.obj.pk)
        _alert_timeline(target.obj, actor, _("%(source)s를 %(target)s에 병합") % {
            "source": item.label, "target": target.label})
    else:
        alert_merge(alert=item.obj, target=target, actor=actor)
        if target.household_id:
            timeline_add(household_id=target.household_id, kind="alert", actor=actor,
                         obj=target.obj, summary=_("%(source)s를 %(target)s에 병합") % {
                             "source": item.label, "target": target.label})
    _log(request, item)
    _log(request, target)
    return target
