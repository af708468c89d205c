"""Every write of referrals, one function per use case."""

import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from households.addresses import address_key, normalize_name
from households.models import AccessLog
from households.services import access_log_write, household_create, timeline_add
from referrals import selectors
from referrals.models import CloseReason, Referral, receipt_code_new

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
        road_address=road_address.strip(), address_detail=(address_detail or "").strip(),
        tong=tong, ban=ban, address_key=addr_key,
        subject_name=(subject_name or "").strip(), subject_name_key=name_key,
        subject_age_band=subject_age_band, subject_sex=subject_sex or "",
        subject_lives_alone=subject_lives_alone, consent=consent or Referral.Consent.UNKNOWN,
        note=(note or "").strip(), referrer_name=(referrer_name or "").strip(),
        referrer_contact=(referrer_contact or "").strip(), referred_by=referred_by,
        referrer_organization=organization, idempotency_key=key,
        receipt_code=receipt_code_new() if channel == Referral.Channel.PUBLIC else None,
        likely_duplicate=bool(duplicate or duplicate_alert_id), duplicate_of=duplicate,
        duplicate_alert_id=duplicate_alert_id, due_on=due_date_for(urgency),
    )
    try:
        with transaction.atomic():
            referral.save()
            _after_submit(referral, request)
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
            summary=_("의뢰 %(ref)s 접수 (%(channel)s, %(urgency)s): %(what)s") % {
                "ref": str(referral), "channel": referral.get_channel_display(),
                "urgency": referral.get_urgency_display(),
                "what": ", ".join(referral.category_labels) or _("분류 없음"),
            },
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
    if referral.status != status:
        referral.status = status
        referral.status_changed_at = timezone.now()


def _timeline(referral: Referral, actor, summary: str) -> None:
    if referral.household_id:
        timeline_add(household_id=referral.household_id, kind="referral", actor=actor,
                     obj=referral, summary=summary)


@transaction.atomic
def referral_assign(*, referral: Referral, assignee, actor) -> Referral:
    referral.assigned_to = assignee
    if referral.status == Referral.Status.RECEIVED:
        _status_set(referral, Referral.Status.CHECKING)
    referral.save()
    _timeline(referral, actor, _("의뢰 %(ref)s 담당자 지정: %(who)s") % {
        "ref": str(referral), "who": assignee.get_username()})
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
    _timeline(referral, actor, _("의뢰 %(ref)s 상태: %(status)s") % {
        "ref": str(referral), "status": referral.get_status_display()})
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
    _timeline(referral, actor, _("의뢰 %(ref)s로 가구 등록") % {"ref": str(referral)})
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
    referral.close_note = (note or "").strip()
    referral.merged_into = merged_into
    referral.merged_into_alert_id = merged_into_alert_id
    referral.save()
    _timeline(referral, actor, _("의뢰 %(ref)s 종결: %(reason)s") % {
        "ref": str(referral), "reason": referral.get_close_reason_display()})
    return referral


@transaction.atomic
def referral_merge(*, source: Referral, target: Referral, actor) -> Referral:
    """Merge a duplicate into the one staff keep; both keep their own history."""
    if source.pk == target.pk or source.dong_id != target.dong_id:
        raise ValidationError(_("같은 동의 다른 항목으로만 병합할 수 있습니다."))
    if not target.is_open:
        raise ValidationError(_("종결된 항목으로는 병합할 수 없습니다."))
    referral_close(referral=source, reason=CloseReason.DUPLICATE, actor=actor,
                   note=_("%(target)s로 병합") % {"target": str(target)}, merged_into=target)
    if target.household_id is None and source.household_id:
        target.household_id = source.household_id
    target.urgency = min(target.urgency, source.urgency)
    target.due_on = min(target.due_on, source.due_on)
    merged = set(target.category_list) | set(source.category_list)
    target.categories = Referral.categories_value(sorted(merged))
    target.save()
    _timeline(target, actor, _("%(source)s를 %(target)s에 병합") % {
        "source": str(source), "target": str(target)})
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
