"""Every write to the registry, one function per use case."""

import ipaddress
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.celery import enqueue_on_commit as enqueue
from households.boundaries import BoundaryFileError, boundaries_match
from households.dates import add_months
from households.hooks import dong_figures_changed_send
from households.models import (
    AccessLog,
    AccessReview,
    AccessReviewReminder,
    AnonymisationApproval,
    Dong,
    Household,
    Membership,
    Person,
    Role,
    TimelineEvent,
)
from households.rrn import rrn_protect, rrn_redact_path, rrn_redact_text


def client_ip(request) -> str | None:
    """The client's address as settings.TRUSTED_PROXY_COUNT says to trust it."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if hop.strip()]
    if len(hops) < proxies:
        # Fewer hops than our proxies: the request did not come through them all.
        return remote
    try:
        return str(ipaddress.ip_address(hops[-proxies]))
    except ValueError:
        return remote


def access_log_write(
    *,
    request=None,
    user=None,
    action: str,
    object_type: str,
    object_id="",
    household_id=None,
    person_id=None,
    reason: str = "",
) -> AccessLog:
    """One append-only row per view, create, update, delete, export, print or download."""
    user = user if user is not None else getattr(request, "user", None)
    authenticated = getattr(user, "is_authenticated", False)
    # A record opened outside the user's work carries the reason given for it.
    reason = reason or getattr(request, "break_glass_reason", "")
    return AccessLog.objects.create(
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "",
        ip=client_ip(request),
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        household_id=household_id,
        person_id=person_id,
        reason=rrn_redact_text(reason or "")[0][:300],
        # The query string is whatever was typed into a search box: a number included.
        path=(rrn_redact_path(request.get_full_path())[:300] if request is not None else ""),
    )


def access_log_shown(*, request, object_type: str, records,
                     action: str = AccessLog.Action.VIEW) -> int:
    """A list of people's records was shown: one append-only row per record shown (in one
    insert, so a page's query count does not grow with its rows). ``records`` are
    (object id, household id) pairs."""
    user = getattr(request, "user", None)
    authenticated = getattr(user, "is_authenticated", False)
    ip = client_ip(request)
    path = rrn_redact_path(request.get_full_path())[:300]
    rows = [
        AccessLog(user=user if authenticated else None,
                  username=user.get_username() if authenticated else "", ip=ip,
                  action=action, object_type=object_type[:40],
                  object_id=str(object_id or ""), household_id=household_id, path=path)
        for object_id, household_id in records
    ]
    AccessLog.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


@transaction.atomic
def household_create(*, dong, road_address: str, address_detail: str = "", **flags) -> Household:
    household = Household(dong=dong, road_address=road_address, address_detail=address_detail,
                          **flags)
    household.save()
    # The district map divides open alerts by the dong's households (a rollup).
    dong_figures_changed_send([dong.pk])
    return household


def person_create(
    *,
    household: Household,
    name: str,
    birth_date: date | None = None,
    sex: str = "",
    phone: str = "",
    is_head: bool = False,
    rrn: str | None = None,
) -> Person:
    """Add a member; a typed RRN is kept only as its keyed hash and masked form."""
    person = Person(
        household=household, name=name, birth_date=birth_date, sex=sex, phone=phone,
        is_head=is_head,
    )
    if rrn:
        person.rrn_hash, person.rrn_masked = rrn_protect(rrn)
    person.save()
    return person


def _summary_fields(summary) -> dict:
    """A message dict (households.messages) is stored as codes; plain text as it is."""
    if isinstance(summary, dict):
        return {"message": summary, "summary": ""}
    return {"message": {}, "summary": str(summary)[:300]}


def timeline_add(
    *, household_id: int, kind: str, summary, actor=None, at=None, obj=None
) -> TimelineEvent:
    """Write one line on the household's timeline (higher apps call this).

    ``summary`` is a message (``households.messages.message(code, **values)``), shown in
    the reader's language; plain text is kept for free notes."""
    from django.utils import timezone

    return TimelineEvent.objects.create(
        household_id=household_id,
        kind=kind,
        **_summary_fields(summary),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        at=at or timezone.now(),
        **_object_fields(obj),
    )


def _object_fields(obj) -> dict:
    """What a timeline line is about (a visit, a case, an assessment …), if anything."""
    if obj is None:
        return {"object_type": "", "object_id": ""}
    return {"object_type": obj._meta.model_name, "object_id": str(obj.pk)}


def timeline_add_many(lines: list[dict]) -> None:
    """Many timeline lines in one insert (bulk jobs such as risk-signal scoring).

    Each dict has household_id, kind, summary and optionally actor, at, obj (as
    timeline_add's).
    """
    from django.utils import timezone

    now = timezone.now()
    TimelineEvent.objects.bulk_create(
        [
            TimelineEvent(
                household_id=line["household_id"], kind=line["kind"],
                **_summary_fields(line["summary"]),
                actor=line.get("actor") if getattr(line.get("actor"), "is_authenticated",
                                                   False) else None,
                at=line.get("at") or now,
                **_object_fields(line.get("obj")),
            )
            for line in lines
        ],
        batch_size=2000,
    )


def access_review_mark(*, user, month, note: str):
    """The auditor marks a month's access log reviewed (insert-only; a second note is a
    second row)."""
    note = rrn_redact_text((note or "").strip())[0]
    if not note:
        raise ValidationError({"note": _("점검 의견을 적어 주세요.")})
    if month >= timezone.localdate().replace(day=1) + timedelta(days=31):
        raise ValidationError({"month": _("아직 오지 않은 달입니다.")})
    return AccessReview.objects.create(month=month, reviewed_by=user, note=note)


def access_review_remind(today: date | None = None) -> int:
    """Remind the auditors when last month is not yet reviewed: once per month (a unique
    reminder row), however often the daily task runs. Returns e-mails sent."""
    today = today or timezone.localdate()
    last_month = add_months(today.replace(day=1), -1)
    if AccessReview.objects.filter(month=last_month).exists():
        return 0
    _reminder, created = AccessReviewReminder.objects.get_or_create(month=last_month)
    if not created:
        return 0
    auditors = get_user_model().objects.filter(
        is_active=True, pk__in=Membership.objects.filter(role=Role.AUDITOR).values("user_id")
    ).exclude(email="")
    emails = sorted(auditors.values_list("email", flat=True))
    if emails:
        send_mail(
            subject=_("[Doorstep] %(month)s 접속기록 점검이 남아 있습니다")
            % {"month": f"{last_month:%Y-%m}"},
            message=_("%(month)s 접속기록을 아직 점검하지 않았습니다. Doorstep의 '월별 "
                      "접속기록 점검'에서 확인하고 점검 의견을 남겨 주세요.")
            % {"month": f"{last_month:%Y-%m}"},
            from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=emails,
        )
    return len(emails)


ANONYMISED = "(익명 처리)"


@transaction.atomic
def households_anonymisation_approve(*, user, households) -> int:
    """The auditor approves anonymising these (already listed as inactive); the task does
    it after commit. Returns how many were approved."""
    rows = [AnonymisationApproval(household=h, approved_by=user) for h in households]
    AnonymisationApproval.objects.bulk_create(rows, ignore_conflicts=True)
    _enqueue_anonymise()
    return len(rows)


def _enqueue_anonymise():
    enqueue("households.tasks.households_anonymise")


def households_anonymise() -> int:
    """Remove names, contacts and addresses of approved households (idempotent); the rows
    stay with their dong, flags and dates, so every dashboard figure stays the same.
    Their field history of names and addresses goes too."""
    done = 0
    for approval in AnonymisationApproval.objects.filter(done_at__isnull=True).order_by("id"):
        with transaction.atomic():
            household = Household.objects.select_for_update().get(pk=approval.household_id)
            now = timezone.now()
            Person.objects.filter(household=household).update(
                name=ANONYMISED, name_key="", phone="", rrn_hash=None, rrn_masked="")
            Household.objects.filter(pk=household.pk).update(
                road_address=ANONYMISED, address_detail="", address_key="", tong=None,
                ban=None, anonymised_at=now)
            Household.history.filter(id=household.pk).delete()
            Person.history.filter(household_id=household.pk).delete()
            AnonymisationApproval.objects.filter(pk=approval.pk).update(done_at=now)
        done += 1
    return done
def district_boundaries_load(*, district, features, attribution: str | None,
                             allow_unmatched: bool = False):
    """Store the dongs' outlines for the district map, all or nothing.

    ``features``: households.boundaries.features_read(file). A feature no dong of the
    district answers to refuses the whole file (listing them) unless ``allow_unmatched``;
    dongs the file leaves out keep no outline (the map draws the rest). ``attribution``
    None keeps the district's current one."""
    dongs = list(Dong.objects.filter(district=district).order_by("code"))
    match = boundaries_match(features, dongs)
    if match.unmatched and not allow_unmatched:
        raise BoundaryFileError(
            _("%(district)s의 행정동과 맞지 않는 이름이 %(n)d개 있어 아무것도 저장하지 "
              "않았습니다. %(district)s의 행정동: %(names)s")
            % {"district": district, "n": len(match.unmatched),
               "names": ", ".join(d.name for d in dongs)},
            match.unmatched,
        )
    with transaction.atomic():
        for dong, geometry in match.matched.items():
            Dong.objects.filter(pk=dong.pk).update(boundary=geometry)
        if attribution is not None:
            district.boundary_attribution = attribution.strip()[:300]
            district.save(update_fields=["boundary_attribution"])
    return match
