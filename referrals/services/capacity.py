"""Providers' capacity: whether a service takes more requests, and the warning before
sending to one that does not."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from households.models import Organization
from referrals.models import DeclineReason, Service, ServiceCapacity


def capacity_warning(capacity: ServiceCapacity | None) -> str:
    """What the worker is told before sending to a full or paused service ('' if open)."""
    if capacity is None or capacity.takes_requests:
        return ""
    return _("%(org)s의 '%(service)s'은(는) 지금 %(state)s입니다. 그래도 보내려면 "
             "'정원이 찬 줄 알고 보냅니다'를 고르고 다시 보내 주세요.") % {
        "org": capacity.provider.name, "service": capacity.service.name,
        "state": capacity.summary}


@transaction.atomic
def service_capacity_set(*, service: Service, provider: Organization, status: str,
                         open_slots=None, waiting_list=None, user) -> ServiceCapacity:
    """The provider says whether it can take more requests for the service."""
    if status not in ServiceCapacity.Status.values:
        raise ValidationError(_("여력을 목록에서 골라 주세요."))
    if any(n is not None and int(n) < 0 for n in (open_slots, waiting_list)):
        raise ValidationError(_("남은 자리와 대기 인원은 0 이상의 숫자로 적어 주세요."))
    capacity, _created = ServiceCapacity.objects.update_or_create(
        service=service, provider=provider,
        defaults={"status": status, "open_slots": open_slots, "waiting_list": waiting_list,
                  "updated_by": user},
    )
    return capacity


def decline_said(*, reason: str, reason_code: str) -> str:
    """The decline as the timeline says it ('여력 없음 — 대기 12명'); '기타' needs words."""
    if reason_code not in DeclineReason.values:
        raise ValidationError(_("거절 사유를 목록에서 골라 주세요."))
    if not reason and reason_code == DeclineReason.OTHER:
        raise ValidationError(_("거절 사유를 적어 주세요."))
    return str(DeclineReason(reason_code).label) + (f" — {reason}" if reason else "")
