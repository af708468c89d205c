"""Good-neighbour pairings (결연) and check-ins (안부 확인), and the alerts that missed
check-ins raise."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from households.messages import message
from households.models import (
    Membership,
    Role,
)
from households.services import timeline_add
from outreach.models import (
    CheckIn,
    Pairing,
)
from outreach.services.alerts import alert_open
from referrals.models import Concern, Referral
from referrals.services import referral_submit


def concern_raise(*, pairing: Pairing, raised_by, category: str = Concern.OTHER,
                  note: str = ""):
    """"걱정돼요" on a check-in: the neighbour's worry becomes a volunteer referral in the
    dong's inbox (due within days), tied to the paired household and the pairing, under
    what the volunteer said worries them."""
    household = pairing.household
    referral, _created = referral_submit(
        channel=Referral.Channel.VOLUNTEER, dong=household.dong, household=household,
        road_address=household.road_address, address_detail=household.address_detail,
        urgency=Referral.Urgency.SOON, categories=[category or Concern.OTHER],
        note=_("안부 확인 중 걱정: %(note)s") % {"note": note} if note else _("안부 확인 중 걱정"),
        referred_by=raised_by, pairing_id=pairing.pk,
    )
    return referral



# --- 결연과 안부 확인 -----------------------------------------------------------


@transaction.atomic
def pairing_create(*, volunteer, household, cadence: str, created_by,
                   grace_days: int | None = None, started_on: date | None = None) -> Pairing:
    if not Membership.objects.filter(user=volunteer, role=Role.VOLUNTEER,
                                     dong_id=household.dong_id).exists():
        raise ValidationError(_("이 가구가 있는 동의 자원봉사자만 결연할 수 있습니다."))
    if Pairing.objects.filter(volunteer=volunteer, household=household,
                              ended_on__isnull=True).exists():
        raise ValidationError(_("이미 결연된 자원봉사자입니다."))
    pairing = Pairing.objects.create(
        volunteer=volunteer, household=household, cadence=cadence, created_by=created_by,
        grace_days=settings.CHECK_IN_GRACE_DAYS if grace_days is None else grace_days,
        started_on=started_on or timezone.localdate(),
    )
    timeline_add(household_id=household.pk, kind="check_in", actor=created_by, obj=pairing,
                 summary=message("pairing_started", cadence=pairing.cadence))
    return pairing


@transaction.atomic
def pairing_end(*, pairing: Pairing, user) -> Pairing:
    pairing.ended_on = timezone.localdate()
    pairing.save(update_fields=["ended_on"])
    timeline_add(household_id=pairing.household_id, kind="check_in", actor=user, obj=pairing,
                 summary=message("pairing_ended"))
    return pairing


@transaction.atomic
def check_in_log(*, pairing: Pairing, by, kind: str, wellbeing: int | None = None,
                 concern: bool = False, concern_category: str = "", note: str = "",
                 at: datetime | None = None, idempotency_key: str | None = None) -> CheckIn:
    """The volunteer's check-in. "응답 없음" is logged but does not reset the clock:
    only reaching the person does. "걱정돼요" (or naming a worry) raises a concern to the
    dong under that worry (기타 when none is named). A check-in sent again with the same
    idempotency key (the phone's offline queue) is logged once."""
    if idempotency_key:
        existing = CheckIn.objects.filter(idempotency_key=idempotency_key, by=by).first()
        if existing is not None:
            return existing
    if pairing.volunteer_id != by.pk or pairing.ended_on is not None:
        raise PermissionDenied(_("결연된 가구만 안부 확인을 기록할 수 있습니다."))
    if kind not in CheckIn.Kind.values:
        raise ValidationError({"kind": _("만남, 전화, 응답 없음 중에서 골라 주세요.")})
    if kind != CheckIn.Kind.NO_ANSWER and wellbeing is None:
        raise ValidationError({"wellbeing": _("안녕 정도를 1–5 중에서 골라 주세요.")})
    if wellbeing is not None and not 1 <= wellbeing <= 5:
        raise ValidationError({"wellbeing": _("안녕 정도는 1–5 사이입니다.")})
    if concern_category and concern_category not in Concern.values:
        raise ValidationError({"concern_category": _("걱정되는 점을 목록에서 골라 주세요.")})
    concern = concern or bool(concern_category)
    concern_category = (concern_category or Concern.OTHER) if concern else ""
    at = at or timezone.now()
    check_in = CheckIn.objects.create(
        pairing=pairing, by=by, kind=kind, concern=concern, note=note, at=at,
        concern_category=concern_category,
        wellbeing=None if kind == CheckIn.Kind.NO_ANSWER else wellbeing,
        idempotency_key=idempotency_key or None,
    )
    if kind != CheckIn.Kind.NO_ANSWER:
        Pairing.objects.filter(pk=pairing.pk).update(last_check_in_at=at)
        pairing.last_check_in_at = at
    timeline_add(
        household_id=pairing.household_id, kind="check_in", actor=by, obj=check_in,
        summary=message("check_in_logged_wellbeing", kind=kind, wellbeing=check_in.wellbeing)
        if check_in.wellbeing else message("check_in_logged", kind=kind),
    )
    if concern:
        concern_raise(pairing=pairing, raised_by=by, category=concern_category, note=note)
    return check_in


def check_ins_missed_raise(now: datetime | None = None) -> int:
    """Alert the dong when a paired household went unchecked for its cadence plus grace;
    once per silence (a new check-in re-arms it)."""
    now = now or timezone.now()
    raised = 0
    pairings = Pairing.objects.filter(ended_on__isnull=True).select_related("household")
    for pairing in pairings.iterator(chunk_size=1000):
        overdue_at = pairing.due_at() + timedelta(days=pairing.grace_days)
        if overdue_at > now:
            continue
        if pairing.missed_alerted_at and (
            pairing.last_check_in_at is None or pairing.missed_alerted_at > pairing.last_check_in_at
        ):
            continue
        with transaction.atomic():
            claimed = Pairing.objects.filter(
                pk=pairing.pk, missed_alerted_at=pairing.missed_alerted_at
            ).update(missed_alerted_at=now)
            if not claimed:
                continue
            last = pairing.last_check_in_at
            alert_open(
                household=pairing.household, origin="missed_check_in",
                due_days=settings.EMERGENCY_FIRST_CONTACT_DAYS,
                summary=message("check_in_missed", last=f"{timezone.localtime(last):%Y-%m-%d}")
                if last else message("check_in_missed_never"),
            )
        raised += 1
    return raised
