"""Every write of referrals and service links, one function per use case."""

import logging
import smtplib
import uuid
from collections.abc import Callable
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from households.addresses import address_key, normalize_name
from households.dates import is_working_day
from households.hooks import dong_figures_changed_send, household_supported_send
from households.messages import message
from households.models import AccessLog, Organization
from households.particles import particles_fix
from households.rrn import redact
from households.services import access_log_write, household_create, timeline_add
from referrals import selectors
from referrals.models import CloseReason, Referral, Service, ServiceLink, receipt_code_new
from referrals.services.capacity import capacity_warning, decline_said
from referrals.services.catalogue import (  # noqa: F401  (kept importable from here)
    CATALOGUE,
    CATALOGUE_ORGANIZATIONS,
    service_catalogue_seed,
)
from referrals.services.consents import consent_basis, consent_override_logged
from referrals.services.lifecycle import referral_move, referrals_household_supported

# --- service catalogue and closed-loop service links

logger = logging.getLogger(__name__)


def _typed(text, limit: int | None = None) -> str:
    """What a person typed, stripped and with any RRN masked, whichever caller it came from
    (forms and serializers mask it first and tell the writer)."""
    return redact((text or "").strip())[:limit]


S = ServiceLink.Status
# The code of a ValidationError for a move the record's current state does not allow: the
# API answers it 409, not 400.
STATE_CONFLICT = "state"

# Which answer may follow which: 요청 → 수락 / 거절 → 제공 중 → 완료; 취소 before completion.
LINK_TRANSITIONS = {
    S.REQUESTED: {S.ACCEPTED, S.DECLINED, S.CANCELLED},
    S.ACCEPTED: {S.IN_SERVICE, S.COMPLETED, S.CANCELLED},
    S.IN_SERVICE: {S.COMPLETED, S.CANCELLED},
    S.DECLINED: set(),
    S.COMPLETED: set(),
    S.CANCELLED: set(),
}


def _link_summary(link: ServiceLink, step: str, **values) -> dict:
    return message("service_link", step=step, service=link.service.name,
                   provider=link.provider.name, **values)


def _link_figures_changed(link: ServiceLink) -> None:
    """The dashboards count links (and the households they discovered) per dong: their
    rollups are rebuilt after this commit, not at the nightly refresh."""
    dong_figures_changed_send([link.household.dong_id])


def _link_move(link: ServiceLink, to: str, *, user) -> None:
    if to not in LINK_TRANSITIONS[link.status]:
        raise ValidationError(
            particles_fix(_("'%(now)s' 상태의 연계는 '%(to)s'(으)로 바꿀 수 없습니다.")
                          % {"now": link.get_status_display(), "to": S(to).label}),
            code=STATE_CONFLICT,
        )
    link.status = to


@transaction.atomic
def service_link_request(
    *, household, service: Service, provider: Organization, requested_by, note: str = "",
    override_reason: str = "",
    capacity_confirmed: bool = False,
) -> ServiceLink:
    """The worker asks a provider for one service for the household: on the person's
    recorded consent, or on an override with a reason (referrals.services.consents); a full
    service only once confirmed."""
    if not service.active:
        raise ValidationError(_("사용하지 않는 서비스입니다."))
    if not service.providers.filter(pk=provider.pk).exists():
        raise ValidationError(
            particles_fix(_("%(org)s은(는) '%(service)s'을(를) 제공하지 않습니다.")
                          % {"org": provider.name, "service": service.name})
        )
    warning = capacity_warning(selectors.service_capacity_of(service, provider))
    if warning and not capacity_confirmed:
        raise ValidationError(warning, code="capacity_full")
    consent, override = consent_basis(household=household, user=requested_by,
                                      override_reason=override_reason)
    link = ServiceLink.objects.create(
        household=household, service=service, provider=provider, requested_by=requested_by,
        request_note=_typed(note), consent=consent, consent_override_reason=override,
        consent_override_by=requested_by if override else None,
    )
    timeline_add(household_id=household.pk, kind="service_link", actor=requested_by, obj=link,
                 summary=_link_summary(link, "requested"))
    if override:
        consent_override_logged(link=link, user=requested_by)
    household_supported_send(household_id=household.pk, actor=requested_by)
    dong_figures_changed_send([household.dong_id])
    referrals_household_supported(household_id=household.pk, actor=requested_by,
                                  what=message("service_link_requested"))
    return link


def _locked(link: ServiceLink) -> ServiceLink:
    return ServiceLink.objects.select_for_update().select_related("service", "provider").get(
        pk=link.pk
    )


@transaction.atomic
def service_link_accept(*, link: ServiceLink, user) -> ServiceLink:
    link = _locked(link)
    _link_move(link, S.ACCEPTED, user=user)
    link.answered_at, link.answered_by = timezone.now(), user
    link.save()
    timeline_add(household_id=link.household_id, kind="service_link", actor=user, obj=link,
                 summary=_link_summary(link, "accepted"))
    _link_figures_changed(link)
    return link


@transaction.atomic
def service_link_decline(*, link: ServiceLink, user, reason: str = "",
                         reason_code: str = "other") -> ServiceLink:
    """Decline with a reason code (여력 없음 is counted); '기타' needs the reason written."""
    reason = _typed(reason, 300)
    decline_said(reason=reason, reason_code=reason_code)  # refuses an unknown or bare '기타'
    link = _locked(link)
    _link_move(link, S.DECLINED, user=user)
    link.answered_at, link.answered_by = timezone.now(), user
    link.decline_code, link.decline_reason = reason_code, reason
    link.save()
    timeline_add(household_id=link.household_id, kind="service_link", actor=user, obj=link,
                 summary=_link_summary(link, "declined", reason=reason,
                                       reason_code=reason_code))
    _link_figures_changed(link)
    return link


@transaction.atomic
def service_link_start(*, link: ServiceLink, user) -> ServiceLink:
    link = _locked(link)
    _link_move(link, S.IN_SERVICE, user=user)
    link.started_at = timezone.now()
    link.save()
    timeline_add(household_id=link.household_id, kind="service_link", actor=user, obj=link,
                 summary=_link_summary(link, "started"))
    _link_figures_changed(link)
    return link


@transaction.atomic
def service_link_complete(*, link: ServiceLink, user, actual_value: int) -> ServiceLink:
    if actual_value is None or int(actual_value) < 0:
        raise ValidationError(_("환가액(원)을 0 이상의 숫자로 적어 주세요."))
    link = _locked(link)
    _link_move(link, S.COMPLETED, user=user)
    link.completed_at, link.actual_value = timezone.now(), int(actual_value)
    if link.started_at is None:
        link.started_at = link.completed_at
    link.save()
    timeline_add(
        household_id=link.household_id, kind="service_link", actor=user, obj=link,
        summary=_link_summary(link, "completed", value=link.actual_value),
    )
    _link_figures_changed(link)
    return link


@transaction.atomic
def service_link_cancel(*, link: ServiceLink, user, reason: str = "") -> ServiceLink:
    link = _locked(link)
    _link_move(link, S.CANCELLED, user=user)
    link.cancelled_at, link.cancel_reason = timezone.now(), _typed(reason, 300)
    link.save()
    timeline_add(household_id=link.household_id, kind="service_link", actor=user, obj=link,
                 summary=_link_summary(link, "cancelled"))
    _link_figures_changed(link)
    return link


def working_days_after(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (weekends and public holidays skipped)."""
    current, left = start, days
    while left > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            left -= 1
    return current


def _remind_provider(link: ServiceLink, requested_on: date, days: int) -> None:
    try:
        send_mail(
            subject=_("[Doorstep] 서비스 연계 요청에 답해 주세요: %(service)s")
            % {"service": link.service.name},
            message=_(
                "%(org)s 담당자님, %(date)s에 요청된 '%(service)s' 연계가 "
                "%(days)s 근무일 동안 답을 받지 못했습니다. "
                "Doorstep에서 수락 또는 거절해 주세요. (연계 번호 %(id)s)"
            ) % {"org": link.provider.name, "date": f"{requested_on:%Y-%m-%d}",
                 "service": link.service.name, "days": days, "id": link.pk},
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[link.provider.email],
        )
    except (OSError, smtplib.SMTPException):
        # A bad address must not hold back the others; the worker is flagged anyway.
        logger.warning("service link %s: reminder e-mail to the provider failed", link.pk)


def service_links_remind_unanswered(today: date | None = None) -> int:
    """Remind providers of requests unanswered for SERVICE_LINK_ANSWER_WORKING_DAYS working
    days and flag them to the worker; each link is reminded once. Returns how many."""
    today = today or timezone.localdate()
    days = settings.SERVICE_LINK_ANSWER_WORKING_DAYS
    # Requests older than this (in calendar days) may be due; check working days exactly.
    candidates = (
        ServiceLink.objects.filter(
            status=S.REQUESTED, overdue_reminded_at__isnull=True,
            requested_at__lt=timezone.now() - timedelta(days=days),
        )
        .select_related("service", "provider", "requested_by")
        .order_by("id")
    )
    reminded = 0
    for link in candidates:
        requested_on = timezone.localdate(link.requested_at)
        if working_days_after(requested_on, days) > today:
            continue
        with transaction.atomic():
            # Claim the link first so a second run (or a second worker) does not remind twice.
            claimed = ServiceLink.objects.filter(
                pk=link.pk, status=S.REQUESTED, overdue_reminded_at__isnull=True
            ).update(overdue_reminded_at=timezone.now())
            if not claimed:
                continue
            if link.provider.email:
                _remind_provider(link, requested_on, days)
            timeline_add(
                household_id=link.household_id, kind="service_link", obj=link,
                summary=_link_summary(link, "reminded", days=days),
            )
        reminded += 1
    return reminded






# Higher apps (outreach) register "is there an open alert like this?" checks here, so a
# referral can be flagged as a likely duplicate of an alert without referrals importing
# outreach. Each takes (dong_id, household_id, address_key, since) and returns an id or None.
DUPLICATE_ALERT_CHECKS: list[Callable] = []


def register_duplicate_alert_check(check: Callable) -> None:
    if check not in DUPLICATE_ALERT_CHECKS:
        DUPLICATE_ALERT_CHECKS.append(check)


def partner_channel(organization) -> str:
    """Police and schools are channels of their own; other organisations are partners."""
    from households.models import Organization

    kind = organization.kind if organization else ""
    return {
        Organization.Kind.POLICE: Referral.Channel.POLICE,
        Organization.Kind.SCHOOL: Referral.Channel.SCHOOL,
    }.get(kind, Referral.Channel.PARTNER)


def due_date_for(urgency: int, start=None):
    """긴급: first contact within 3 days (송산3동 rule); others within 14 (settings)."""
    start = start or timezone.localdate()
    days = (
        settings.EMERGENCY_FIRST_CONTACT_DAYS
        if urgency == Referral.Urgency.EMERGENCY
        else settings.NORMAL_FIRST_CONTACT_DAYS
    )
    return start + timedelta(days=days)


def idempotency_key_new() -> str:
    return uuid.uuid4().hex


def _alert_duplicate(dong_id, household_id, key):
    since = timezone.now() - timedelta(days=selectors.DUPLICATE_WINDOW_DAYS)
    for check in DUPLICATE_ALERT_CHECKS:
        alert_id = check(dong_id=dong_id, household_id=household_id, address_key=key,
                         since=since)
        if alert_id:
            return alert_id
    return None


def referral_submit(
    *,
    channel: str,
    dong,
    road_address: str,
    urgency: int = Referral.Urgency.SOON,
    categories=(),
    address_detail: str = "",
    tong=None,
    ban=None,
    subject_name: str = "",
    subject_age_band=None,
    subject_sex: str = "",
    subject_lives_alone=None,
    consent: str = Referral.Consent.UNKNOWN,
    note: str = "",
    referrer_name: str = "",
    referrer_contact: str = "",
    referred_by=None,
    organization=None,
    staff_method: str = "",
    household=None,
    idempotency_key: str = "",
    request=None,
    gatekeeper_place=None,
    pairing_id: int | None = None,
) -> tuple[Referral, bool]:
    """Take in a referral exactly once per idempotency key; returns (referral, created).

    The address is matched to the dong's households (address key, then name), and an open
    referral or alert at the same household or address within 30 days flags it as a likely
    duplicate for staff to merge. An emergency tells the dong's staff by email.
    """
    referred_by = referred_by if getattr(referred_by, "is_authenticated", False) else None
    key = (idempotency_key or "").strip()[:64] or idempotency_key_new()
    existing = Referral.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return _replay(existing, referred_by), False

    road_address, address_detail = _typed(road_address, 200), _typed(address_detail, 100)
    subject_name = _typed(subject_name, 50)
    addr_key = address_key(road_address, address_detail)
    name_key = normalize_name(subject_name)
    if household is None:
        matches = selectors.households_at_address(dong_id=dong.pk, address_key=addr_key,
                                                  name_key=name_key)
        household = matches[0] if matches else None
    duplicate = selectors.open_referral_like(
        dong_id=dong.pk, household_id=household.pk if household else None, address_key=addr_key
    )
    duplicate_alert_id = _alert_duplicate(dong.pk, household.pk if household else None, addr_key)

    referral = Referral(
        dong=dong, household=household, channel=channel, staff_method=staff_method or "",
        urgency=urgency, categories=Referral.categories_value(list(categories)),
        road_address=road_address, address_detail=address_detail,
        tong=tong, ban=ban, address_key=addr_key,
        subject_name=subject_name, subject_name_key=name_key,
        subject_age_band=subject_age_band, subject_sex=subject_sex or "",
        subject_lives_alone=subject_lives_alone, consent=consent or Referral.Consent.UNKNOWN,
        note=_typed(note), referrer_name=_typed(referrer_name, 50),
        referrer_contact=_typed(referrer_contact, 50), referred_by=referred_by,
        referrer_organization=organization, idempotency_key=key,
        receipt_code=receipt_code_new() if channel == Referral.Channel.PUBLIC else None,
        likely_duplicate=bool(duplicate or duplicate_alert_id), duplicate_of=duplicate,
        duplicate_alert_id=duplicate_alert_id, due_on=due_date_for(urgency),
        # Only a public report can come from a memo pad, and only while its code is in use.
        gatekeeper_place=gatekeeper_place if (
            channel == Referral.Channel.PUBLIC and gatekeeper_place is not None
            and not gatekeeper_place.revoked) else None,
        pairing_id=pairing_id,
    )
    try:
        with transaction.atomic():
            referral.save()
            _after_submit(referral, request)
            dong_figures_changed_send([dong.pk])
    except IntegrityError:
        # Two requests with the same key raced; the first one won.
        existing = Referral.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise
        return _replay(existing, referred_by), False
    return referral, True


def _replay(existing: Referral, referred_by) -> Referral:
    if existing.referred_by_id != (referred_by.pk if referred_by else None):
        raise ValidationError(_("이미 사용된 접수 키입니다. 새로 작성해 주세요."),
                              code="idempotency_key")
    return existing


def _after_submit(referral: Referral, request) -> None:
    if referral.household_id:
        timeline_add(
            household_id=referral.household_id, kind="referral", actor=referral.referred_by,
            obj=referral,
            summary=message("referral_received", ref=str(referral), channel=referral.channel,
                            urgency=referral.urgency, what=list(referral.category_list)),
        )
    access_log_write(
        request=request, user=referral.referred_by, action=AccessLog.Action.CREATE,
        object_type="referral", object_id=referral.pk, household_id=referral.household_id,
    )
    if referral.urgency == Referral.Urgency.EMERGENCY:
        link = reverse("referral_detail", args=[referral.pk])
        if request is not None:
            link = request.build_absolute_uri(link)
        transaction.on_commit(lambda: emergency_notify(referral, link))


def emergency_notify(referral: Referral, link: str) -> int:
    """Email the dong's staff; no names or case details leave the system by email."""
    recipients = selectors.dong_staff_emails(referral.dong_id)
    if not recipients:
        return 0
    subject = _("[Doorstep] 긴급 의뢰 %(ref)s (%(dong)s)") % {
        "ref": str(referral), "dong": referral.dong,
    }
    body = _(
        "%(dong)s에 긴급 의뢰가 접수되었습니다.\n걱정되는 점: %(what)s\n첫 접촉 기한: %(due)s\n\n"
        "확인: %(link)s"
    ) % {
        "dong": referral.dong, "what": ", ".join(referral.category_labels) or "—",
        "due": f"{referral.due_on:%Y-%m-%d}", "link": link,
    }
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True)


def _status_set(referral: Referral, status: str) -> None:
    referral_move(referral, status)


def _timeline(referral: Referral, actor, summary: dict) -> None:
    if referral.household_id:
        timeline_add(household_id=referral.household_id, kind="referral", actor=actor,
                     obj=referral, summary=summary)


@transaction.atomic
def referral_assign(*, referral: Referral, assignee, actor) -> Referral:
    referral.assigned_to = assignee
    if referral.status == Referral.Status.RECEIVED:
        _status_set(referral, Referral.Status.CHECKING)
    referral.save()
    _timeline(referral, actor, message("referral_assigned", ref=str(referral),
                                       who=assignee.get_username()))
    return referral


@transaction.atomic
def referral_status_set(*, referral: Referral, status: str, actor) -> Referral:
    if status == Referral.Status.CLOSED:
        raise ValidationError(_("종결은 사유와 함께 처리해 주세요."))
    _status_set(referral, status)
    if status in (Referral.Status.VISITING, Referral.Status.LINKED) and not \
            referral.first_contact_at:
        referral.first_contact_at = timezone.now()
    referral.save()
    _timeline(referral, actor, message("referral_status", ref=str(referral),
                                       status=referral.status))
    return referral


@transaction.atomic
def referral_household_register(*, referral: Referral, actor) -> Referral:
    """Register the referred address as a household (e.g. before the first visit)."""
    if referral.household_id:
        return referral
    household = household_create(
        dong=referral.dong, road_address=referral.road_address,
        address_detail=referral.address_detail,
        lives_alone=bool(referral.subject_lives_alone),
        elderly=referral.subject_age_band is not None and referral.subject_age_band >= 60,
    )
    household.tong, household.ban = referral.tong, referral.ban
    household.save()
    referral.household = household
    referral.save(update_fields=["household", "updated_at"])
    _timeline(referral, actor, message("referral_household", ref=str(referral)))
    return referral


@transaction.atomic
def referral_close(*, referral: Referral, reason: str, note: str = "", actor,
                   merged_into=None, merged_into_alert_id=None) -> Referral:
    if reason not in CloseReason.values:
        raise ValidationError(_("종결 사유를 목록에서 골라 주세요."))
    if reason == CloseReason.OTHER and not (note or "").strip():
        raise ValidationError(_("'기타' 사유는 메모에 내용을 적어 주세요."))
    _status_set(referral, Referral.Status.CLOSED)
    referral.closed_at = timezone.now()
    referral.close_reason = reason
    referral.close_note = _typed(note)
    referral.merged_into = merged_into
    referral.merged_into_alert_id = merged_into_alert_id
    referral.save()
    _timeline(referral, actor, message("referral_closed", ref=str(referral),
                                       reason=referral.close_reason))
    return referral


@transaction.atomic
def referral_merge(*, source: Referral, target: Referral, actor) -> Referral:
    """Merge a duplicate into the one staff keep; both keep their own history."""
    if source.pk == target.pk or source.dong_id != target.dong_id:
        raise ValidationError(_("같은 동의 다른 항목으로만 병합할 수 있습니다."))
    if not target.is_open:
        raise ValidationError(_("종결된 항목으로는 병합할 수 없습니다."))
    referral_close(referral=source, reason=CloseReason.DUPLICATE, actor=actor,
                   note=particles_fix(_("%(target)s(으)로 병합") % {"target": str(target)}),
                   merged_into=target)
    if target.household_id is None and source.household_id:
        target.household_id = source.household_id
    target.urgency = min(target.urgency, source.urgency)
    target.due_on = min(target.due_on, source.due_on)
    merged = set(target.category_list) | set(source.category_list)
    target.categories = Referral.categories_value(sorted(merged))
    target.save()
    dong_figures_changed_send([target.dong_id])
    _timeline(target, actor, message("merged", source=str(source), target=str(target)))
    return target


def referral_take_over(*, referral: Referral, household_id=None, urgency=None,
                       due_on=None) -> Referral:
    """Let an alert absorb a referral's household/urgency when an alert is merged into it."""
    changed = []
    if household_id and not referral.household_id:
        referral.household_id = household_id
        changed.append("household")
    if urgency is not None and urgency < referral.urgency:
        referral.urgency = urgency
        changed.append("urgency")
    if due_on is not None and due_on < referral.due_on:
        referral.due_on = due_on
        changed.append("due_on")
    if changed:
        referral.save(update_fields=[*changed, "updated_at"])
    return referral
