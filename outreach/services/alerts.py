"""Writes of discovery alerts (발굴 대상): open, assign, close, merge."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from households.hooks import dong_figures_changed_send
from households.services import timeline_add
from outreach.models import (
    DiscoveryAlert,
)
from outreach.selectors.inbox import alert_urgency
from referrals.models import CloseReason
from referrals.services import referral_take_over


def alert_open(*, household, origin: str, actor=None, due_days: int | None = None,
                 summary: str = "") -> DiscoveryAlert:
    """Open a DiscoveryAlert for the household, or return the one already open
    (never two open alerts for a household)."""
    due_days = settings.NORMAL_FIRST_CONTACT_DAYS if due_days is None else due_days
    existing = DiscoveryAlert.objects.filter(
        household=household, status=DiscoveryAlert.Status.OPEN
    ).first()
    if existing is not None:
        if summary:
            timeline_add(household_id=household.pk, kind="alert", actor=actor, obj=existing,
                         summary=summary)
        return existing
    try:
        with transaction.atomic():
            alert = DiscoveryAlert.objects.create(
                household=household, origin=origin,
                due_on=timezone.localdate() + timedelta(days=due_days),
            )
    except IntegrityError:
        # Another worker opened one a moment ago: that one is the alert.
        return DiscoveryAlert.objects.get(household=household, status=DiscoveryAlert.Status.OPEN)
    timeline_add(household_id=household.pk, kind="alert", actor=actor, obj=alert,
                 summary=summary or _("발굴 대상 등록 (%(origin)s)") % {"origin": origin})
    dong_figures_changed_send([household.dong_id])
    return alert


def alert_timeline_add(alert, actor, summary: str) -> None:
    timeline_add(household_id=alert.household_id, kind="alert", actor=actor, obj=alert,
                 summary=summary)


@transaction.atomic
def alert_assign(*, alert, assignee, actor):
    alert.assigned_to = assignee
    alert.save(update_fields=["assigned_to", "updated_at"])
    alert_timeline_add(alert, actor, _("발굴 A-%(id)s 담당자 지정: %(who)s") % {
        "id": alert.pk, "who": assignee.get_username()})
    return alert


@transaction.atomic
def alert_close(*, alert, reason: str, note: str = "", actor, status=None):

    if reason not in CloseReason.values:
        raise ValidationError(_("종결 사유를 목록에서 골라 주세요."))
    if reason == CloseReason.OTHER and not (note or "").strip():
        raise ValidationError(_("'기타' 사유는 메모에 내용을 적어 주세요."))
    alert.status = status or DiscoveryAlert.Status.CLOSED
    alert.closed_at = timezone.now()
    alert.close_reason = reason
    alert.close_note = (note or "").strip()
    alert.save()
    alert_timeline_add(alert, actor, _("발굴 A-%(id)s 종결: %(reason)s") % {
        "id": alert.pk, "reason": CloseReason(reason).label})
    dong_figures_changed_send([alert.household.dong_id])
    return alert


@transaction.atomic
def alert_merge(*, alert, target, actor):
    """Merge an alert into another inbox item (alert or referral); both histories stay."""

    alert_close(alert=alert, reason=CloseReason.DUPLICATE, actor=actor,
                status=DiscoveryAlert.Status.MERGED,
                note=_("%(target)s로 병합") % {"target": target.label})
    if target.is_referral:

        referral_take_over(referral=target.obj, household_id=alert.household_id,
                           urgency=alert_urgency(alert), due_on=alert.due_on)
    elif alert.due_on < target.obj.due_on:
        target.obj.due_on = alert.due_on
        target.obj.save(update_fields=["due_on", "updated_at"])
    return alert
