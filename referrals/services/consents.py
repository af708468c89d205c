"""Consent to share a household's details with partners (정보 제공 동의): record, withdraw,
and the check every service link passes before it is sent."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from households.hooks import dong_figures_changed_send
from households.messages import message
from households.models import AccessLog
from households.rrn import redact
from households.services import access_log_write, timeline_add
from referrals import selectors
from referrals.models import ServiceLink, SharingConsent

OVERRIDE_PERMISSION = "referrals.override_consent"


def _typed(text, limit=300) -> str:
    return redact((text or "").strip())[:limit]


@transaction.atomic
def consent_record(*, household, person, method: str, given_on: date, recorded_by,
                   note: str = "") -> SharingConsent:
    """The worker records that the person agreed (verbally, in writing, or a guardian)."""
    if method not in SharingConsent.Method.values:
        raise ValidationError({"method": _("동의 방법을 골라 주세요.")})
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("동의일은 오늘 이후일 수 없습니다.")})
    if person is not None and person.household_id != household.pk:
        raise ValidationError({"person": _("이 가구의 가구원이 아닙니다.")})
    if method == SharingConsent.Method.GUARDIAN and not (note or "").strip():
        raise ValidationError({"note": _("보호자 동의는 보호자가 누구인지 적어 주세요.")})
    if selectors.consent_active(household) is not None:
        raise ValidationError(_("이미 유효한 동의가 있습니다. 바꾸려면 먼저 철회를 기록해 주세요."))
    consent = SharingConsent.objects.create(
        household=household, person=person, method=method, given_on=given_on,
        recorded_by=recorded_by, note=_typed(note))
    timeline_add(household_id=household.pk, kind="consent", actor=recorded_by, obj=consent,
                 summary=message("consent_recorded", method=consent.method,
                                 date=f"{given_on:%Y-%m-%d}"))
    return consent


@transaction.atomic
def consent_withdraw(*, household, user, withdrawn_on: date, note: str) -> SharingConsent:
    """철회: no new link is sent on it; requests not yet accepted are cancelled; providers of
    accepted links keep the request but no longer see the household's name, address, phone."""
    consent = selectors.consent_active(household)
    if consent is None:
        raise ValidationError(_("철회할 동의가 없습니다."))
    note = _typed(note)
    if not note:
        raise ValidationError({"note": _("철회 내용을 적어 주세요.")})
    if withdrawn_on > timezone.localdate():
        raise ValidationError({"withdrawn_on": _("철회일은 오늘 이후일 수 없습니다.")})
    now = timezone.now()
    consent = SharingConsent.objects.select_for_update().get(pk=consent.pk)
    consent.withdrawn_on, consent.withdrawn_at = withdrawn_on, now
    consent.withdrawn_by, consent.withdrawal_note = user, note
    consent.save()
    S = ServiceLink.Status
    for link in (ServiceLink.objects.select_for_update()
                 .filter(household=household, status__in=[S.REQUESTED, S.ACCEPTED,
                                                          S.IN_SERVICE])):
        if link.status == S.REQUESTED:
            link.status, link.cancelled_at = S.CANCELLED, now
            # The catalogue sentence, read in each reader's language (households.history).
            link.cancel_reason = gettext_noop("정보 제공 동의 철회")
        link.consent_withdrawn_at = now
        link.save()
    # Cancelled requests leave the dashboards' service-link figures.
    dong_figures_changed_send([household.dong_id])
    timeline_add(household_id=household.pk, kind="consent", actor=user, obj=consent,
                 summary=message("consent_withdrawn", note=note))
    return consent


def consent_basis(*, household, user, override_reason: str = ""):
    """What a new link is sent on: (consent, "") or (None, override reason). Refused without
    consent unless the user holds the override permission and gives a reason."""
    consent = selectors.consent_active(household)
    if consent is not None:
        return consent, ""
    reason = _typed(override_reason)
    if not user.has_perm(OVERRIDE_PERMISSION):
        raise ValidationError(_("본인의 정보 제공 동의가 기록되지 않아 연계할 수 없습니다. "
                                "먼저 동의를 기록해 주세요."))
    if not reason:
        raise ValidationError({"override_reason": _(
            "동의 없이 연계하려면 사유를 적어 주세요. (예: 긴급지원, 기다릴 수 없음)")})
    return None, reason


def consent_override_logged(*, link: ServiceLink, user) -> None:
    """An override is visible on the household (timeline) and to the auditor (access log)."""
    timeline_add(household_id=link.household_id, kind="consent", actor=user, obj=link,
                 summary=message("consent_override", service=link.service.name,
                                 reason=link.consent_override_reason))
    access_log_write(user=user, action=AccessLog.Action.CREATE, object_type="consent_override",
                     object_id=link.pk, household_id=link.household_id,
                     reason=link.consent_override_reason)
