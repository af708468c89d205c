"""The triage inbox's actions on one item, alert or referral: assign, schedule a visit,
close, merge. Every action writes one timeline line and one access-log row per item."""


from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from households.messages import message
from households.models import (
    AccessLog,
)
from households.particles import particles_fix
from households.services import access_log_write, timeline_add
from outreach.services.alerts import alert_assign, alert_close, alert_merge, alert_timeline_add
from outreach.services.visits import visit_schedule
from referrals.models import CloseReason
from referrals.services import (
    referral_assign,
    referral_close,
    referral_household_register,
    referral_merge,
)


def _log(request, item, action=None):
    access_log_write(request=request, action=action or AccessLog.Action.UPDATE,
                     object_type=item.kind, object_id=item.obj.pk,
                     household_id=item.household_id)


@transaction.atomic
def inbox_item_assign(*, item, assignee, actor, request=None):

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

    if item.is_referral:
        referral = item.obj
        if not referral.household_id:
            # A visit needs a household: the referred address becomes one.
            referral_household_register(referral=referral, actor=actor)
        if not referral.assigned_to_id:
            referral_assign(referral=referral, assignee=actor, actor=actor)
        # Booking is not visiting: the referral shows 방문 once the visit is recorded.
        visit = visit_schedule(household=referral.household, staff=actor,
                               scheduled_for=scheduled_for, companion=companion)
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

    if item.is_referral:
        referral_close(referral=item.obj, reason=reason, note=note, actor=actor)
    else:
        alert_close(alert=item.obj, reason=reason, note=note, actor=actor)
    _log(request, item)
    return item


@transaction.atomic
def inbox_item_merge(*, item, target, actor, request=None):
    """Merge ``item`` into ``target`` (same dong); the target stays open in the queue."""

    if item.key == target.key or item.dong_id != target.dong_id:
        raise ValidationError(_("같은 동의 다른 항목으로만 병합할 수 있습니다."))
    if item.is_referral and target.is_referral:
        referral_merge(source=item.obj, target=target.obj, actor=actor)
    elif item.is_referral:

        referral_close(referral=item.obj, reason=CloseReason.DUPLICATE, actor=actor,
                       note=particles_fix(_("%(target)s(으)로 병합") % {"target": target.label}),
                       merged_into_alert_id=target.obj.pk)
        alert_timeline_add(target.obj, actor, message("merged", source=item.label,
                                                      target=target.label))
    else:
        alert_merge(alert=item.obj, target=target, actor=actor)
        if target.household_id:
            timeline_add(household_id=target.household_id, kind="alert", actor=actor,
                         obj=target.obj, summary=message("merged", source=item.label,
                                                         target=target.label))
    _log(request, item)
    _log(request, target)
    return target
