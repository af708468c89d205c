"""Writes of discovery alerts (발굴 대상): open, then one guarded function per move of its
life — assign, contact, support, close, merge."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from households.hooks import dong_figures_changed_send
from households.messages import message
from households.particles import particles_fix
from households.services import timeline_add
from outreach.models import (
    DiscoveryAlert,
)
from outreach.selectors.inbox import alert_urgency
from referrals.models import CloseReason
from referrals.services import referral_take_over

Stage, Status = DiscoveryAlert.Stage, DiscoveryAlert.Status

# An alert's life (PRODUCT.md flow 8): which state may follow which. States are the open
# stages plus 'closed' and 'merged'; nothing moves back, nothing leaves closed or merged.
ALERT_TRANSITIONS = {
    Stage.RECEIVED: {Stage.ASSIGNED, Stage.CONTACTED, Stage.SUPPORTING, Status.CLOSED,
                     Status.MERGED},
    Stage.ASSIGNED: {Stage.CONTACTED, Stage.SUPPORTING, Status.CLOSED, Status.MERGED},
    Stage.CONTACTED: {Stage.SUPPORTING, Status.CLOSED, Status.MERGED},
    Stage.SUPPORTING: {Status.CLOSED, Status.MERGED},
    Status.CLOSED: set(),
    Status.MERGED: set(),
}


def _state_label(state: str) -> str:
    return str(Stage(state).label if state in Stage.values else Status(state).label)


def _move(alert: DiscoveryAlert, to: str) -> None:
    """Put the alert in state ``to``, or refuse a move its life does not allow."""
    if to not in ALERT_TRANSITIONS[alert.state]:
        raise ValidationError(
            particles_fix(_("'%(now)s' 상태의 발굴 대상은 '%(to)s'(으)로 바꿀 수 없습니다.")
                          % {"now": _state_label(alert.state), "to": _state_label(to)})
        )
    if to in Stage.values:
        alert.stage = to
    else:
        alert.status = to


def alert_open(*, household, origin: str, actor=None, due_days: int | None = None,
                 summary: dict | None = None) -> DiscoveryAlert:
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
                 summary=summary or message("alert_opened", origin=origin))
    dong_figures_changed_send([household.dong_id])
    return alert


def alert_timeline_add(alert, actor, summary: dict) -> None:
    timeline_add(household_id=alert.household_id, kind="alert", actor=actor, obj=alert,
                 summary=summary)


def _locked(alert: DiscoveryAlert) -> DiscoveryAlert:
    return DiscoveryAlert.objects.select_for_update().get(pk=alert.pk)


@transaction.atomic
def alert_assign(*, alert, assignee, actor):
    """접수 → 확인 중. Handing a held alert to someone else keeps its stage."""
    if alert.status != Status.OPEN:
        raise ValidationError(_("종결되거나 병합된 발굴 대상에는 담당자를 정할 수 없습니다."))
    if alert.stage == Stage.RECEIVED:
        _move(alert, Stage.ASSIGNED)
    alert.assigned_to = assignee
    alert.save(update_fields=["assigned_to", "stage", "updated_at"])
    alert_timeline_add(alert, actor, message("alert_assigned", id=alert.pk,
                                             who=assignee.get_username()))
    return alert


@transaction.atomic
def alert_contact(*, alert, contacted_at=None, actor=None):
    """연락함: first contact is stamped, the first-contact clock stops and the decision
    clock (ALERT_DECIDE_DAYS) starts."""
    alert = _locked(alert)
    _move(alert, Stage.CONTACTED)
    alert.first_contact_at = alert.first_contact_at or contacted_at or timezone.now()
    alert.decide_by = (timezone.localtime(alert.first_contact_at).date()
                       + timedelta(days=settings.ALERT_DECIDE_DAYS))
    alert.save(update_fields=["stage", "first_contact_at", "decide_by", "updated_at"])
    alert_timeline_add(alert, actor, message("alert_contacted", id=alert.pk,
                                             due=f"{alert.decide_by:%Y-%m-%d}"))
    dong_figures_changed_send([alert.dong_id])
    return alert


@transaction.atomic
def alert_first_contact_record(*, alert_id: int, contacted_at, actor=None):
    """A visit met the household. An alert still waiting for first contact moves to
    연락함; one already further on only gets the first contact stamped (once)."""
    alert = DiscoveryAlert.objects.select_for_update().filter(pk=alert_id).first()
    if alert is None:
        return None
    if alert.awaits_first_contact:
        return alert_contact(alert=alert, contacted_at=contacted_at, actor=actor)
    if alert.first_contact_at is None:
        alert.first_contact_at = contacted_at
        alert.save(update_fields=["first_contact_at", "updated_at"])
        dong_figures_changed_send([alert.dong_id])
    return alert


@transaction.atomic
def alert_support(*, alert, actor=None, what: dict | None = None):
    """지원 연계: the household got a service link or a case."""
    alert = _locked(alert)
    _move(alert, Stage.SUPPORTING)
    alert.save(update_fields=["stage", "updated_at"])
    alert_timeline_add(alert, actor, message("alert_supported_by", id=alert.pk, what=what)
                       if what else message("alert_supported", id=alert.pk))
    return alert


def alert_household_supported(*, household_id: int, actor=None,
                              what: dict | None = None) -> int:
    """Move the household's open alert (if any, and not yet there) to 지원 연계."""
    moved = 0
    for alert in DiscoveryAlert.objects.filter(household_id=household_id,
                                               status=Status.OPEN).exclude(
                                                   stage=Stage.SUPPORTING):
        alert_support(alert=alert, actor=actor, what=what)
        moved += 1
    return moved


def household_supported_receiver(sender, *, household_id, actor=None, **kwargs) -> None:
    """households.hooks.household_supported: a service link was requested (referrals)."""
    alert_household_supported(household_id=household_id, actor=actor,
                              what=message("service_link_requested"))


@transaction.atomic
def alert_close(*, alert, reason: str, note: str = "", actor, status=None):
    """종결 with a reason (or 병합됨, through alert_merge)."""
    if reason not in CloseReason.values:
        raise ValidationError(_("종결 사유를 목록에서 골라 주세요."))
    if reason == CloseReason.OTHER and not (note or "").strip():
        raise ValidationError(_("'기타' 사유는 메모에 내용을 적어 주세요."))
    _move(alert, status or Status.CLOSED)
    alert.closed_at = timezone.now()
    alert.close_reason = reason
    alert.close_note = (note or "").strip()
    alert.save()
    alert_timeline_add(alert, actor, message("alert_closed", id=alert.pk, reason=reason))
    dong_figures_changed_send([alert.household.dong_id])
    return alert


@transaction.atomic
def alert_merge(*, alert, target, actor):
    """Merge an alert into another inbox item (alert or referral); both histories stay."""

    alert_close(alert=alert, reason=CloseReason.DUPLICATE, actor=actor,
                status=Status.MERGED,
                note=particles_fix(_("%(target)s(으)로 병합") % {"target": target.label}))
    if target.is_referral:

        referral_take_over(referral=target.obj, household_id=alert.household_id,
                           urgency=alert_urgency(alert), due_on=alert.due_on)
    elif alert.due_on < target.obj.due_on:
        target.obj.due_on = alert.due_on
        target.obj.save(update_fields=["due_on", "updated_at"])
        # Open alerts are counted by their due date (the overdue figures).
        dong_figures_changed_send([target.obj.household.dong_id])
    return alert
