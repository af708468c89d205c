"""The demo district's past, the neighbours' part: good-neighbour pairings and their
check-ins (a missed one raises an alert, as the 07:00 job does), and referrals from
volunteers, residents, staff, partners and the police."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from households.addresses import address_key, normalize_name
from households.demo import DONG_ROADS, GIVEN, SURNAMES
from outreach.demo_alerts import alert_life
from outreach.demo_clock import History, at, office_time, season
from outreach.models import CheckIn, CrisisLevel, Pairing, Visit
from referrals.models import RECEIPT_ALPHABET, CloseReason, Concern, Referral

# Referrals a month per household, before the winter factor.
REFERRAL_RATE = 0.0045
CHANNELS = [(Referral.Channel.VOLUNTEER, 34), (Referral.Channel.PUBLIC, 24),
            (Referral.Channel.STAFF, 22), (Referral.Channel.PARTNER, 12),
            (Referral.Channel.POLICE, 8)]
NOTES = ["우편물이 계속 쌓여 있음", "며칠째 불이 꺼져 있음", "식사를 거르는 것 같다고 이웃이 전함",
         "월세가 밀려 집주인이 걱정함", "거동이 불편해 보임", "관리비 독촉장이 문에 붙어 있음"]


def plan_pairings(h: History, households: list, services: dict) -> None:
    """결연 with lone elderly households, each with its volunteer's check-ins from the
    day it started to today (or its end)."""
    rng = h.rng
    # Households already paired (volunteer1's, from seed_outreach_work) keep theirs alone.
    paired = set(Pairing.objects.filter(ended_on__isnull=True)
                 .values_list("household_id", flat=True))
    pool = [hh for hh in households if hh.lives_alone and hh.elderly
            and hh.id not in paired and h.cast.volunteers.get(hh.dong_id)]
    span = (h.today - h.start).days
    for hh in rng.sample(pool, min(len(pool), max(18, len(households) // 60))):
        volunteer = rng.choice(h.cast.volunteers[hh.dong_id])
        cadence = rng.choices(list(Pairing.CADENCE_DAYS), weights=[5, 3, 2])[0]
        started = h.start + timedelta(days=rng.randint(0, max(1, span - 30)))
        ended = started + timedelta(days=rng.randint(120, 500)) if rng.random() < 0.15 else None
        if ended and ended >= h.today:
            ended = None
        pairing = Pairing(volunteer=volunteer, household_id=hh.id, cadence=cadence,
                          grace_days=settings.CHECK_IN_GRACE_DAYS, started_on=started,
                          ended_on=ended, created_by=h.cast.staff[hh.dong_id],
                          created_at=at(started, 11))
        every = Pairing.CADENCE_DAYS[cadence]
        last = at(started, 11)
        until = at(ended, 18) if ended else h.now
        while True:
            missed = rng.random() < 0.012
            gap = every + pairing.grace_days + rng.randint(1, 4) if missed else (
                every + rng.randint(-2, 1))
            when = office_time(rng, last, gap)
            if missed:
                # The 07:00 job saw the silence and opened an alert for the dong.
                raised = at((last + timedelta(days=every + pairing.grace_days)).date(), 7)
                if h.happened(raised) and raised < until:
                    alert_life(h, services, hh, opened=raised, origin="missed_check_in",
                               level=CrisisLevel.MEDIUM, help_rate=0.1)
                    pairing.missed_alerted_at = raised
            if when > until:
                break
            kind = rng.choices(list(CheckIn.Kind.values), weights=[60, 36, 4])[0]
            h.check_ins.append(CheckIn(
                pairing=pairing, at=when, kind=kind, by=volunteer,
                wellbeing=None if kind == CheckIn.Kind.NO_ANSWER else rng.choice([3, 4, 4, 5]),
                note=""))
            pairing.last_check_in_at = last = when
        h.pairings.append(pairing)


def _receipt(h: History, taken: set) -> str:
    while True:
        raw = "".join(h.rng.choice(RECEIPT_ALPHABET) for _ in range(8))
        code = f"{raw[:4]}-{raw[4:]}"
        if code not in taken:
            taken.add(code)
            return code


def plan_referrals(h: History, households: list, dongs: list, organizations: dict) -> None:
    """제보·의뢰 every month by channel; the older ones closed with a reason, the last
    weeks' still being checked or visited."""
    rng, month, taken = h.rng, h.start, set()
    by_dong: dict[int, list] = {}
    for hh in households:
        by_dong.setdefault(hh.dong_id, []).append(hh)
    number = 0
    while month <= h.today:
        for _n in range(round(len(households) * REFERRAL_RATE * season(month))):
            day = month + timedelta(days=rng.randint(0, 27))
            created = office_time(rng, at(day, 9), 0)
            if not h.happened(created):
                continue
            number += 1
            h.referrals.append(_referral(h, rng.choice(dongs), by_dong, organizations,
                                         created, number, taken))
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def _referral(h: History, dong, by_dong: dict, organizations: dict, created, number: int,
              taken: set) -> Referral:
    rng = h.rng
    channel = rng.choices([c for c, _w in CHANNELS], weights=[w for _c, w in CHANNELS])[0]
    known = by_dong.get(dong.pk) if rng.random() < 0.6 else None
    if known:
        hh = rng.choice(known)
        road, detail, name = hh.road_address, hh.address_detail, hh.head_name
    else:
        hh = None
        road = f"서울특별시 영등포구 {rng.choice(DONG_ROADS.get(dong.short_name, ['영등포로']))} " \
               f"{rng.randint(230, 400)}"
        detail = f"{rng.randint(1, 4)}층"
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN) \
            if rng.random() < 0.5 else ""
    urgency = rng.choices([1, 2, 3], weights=[12, 58, 30])[0]
    days = (settings.EMERGENCY_FIRST_CONTACT_DAYS if urgency == 1
            else settings.NORMAL_FIRST_CONTACT_DAYS)
    staff = h.cast.staff[dong.pk]
    volunteers = h.cast.volunteers.get(dong.pk) or []
    referral = Referral(
        dong=dong, household_id=hh.id if hh else None, channel=channel, urgency=urgency,
        categories=Referral.categories_value(
            rng.sample([c for c in Concern.values if c != "other"], rng.randint(1, 2))),
        road_address=road, address_detail=detail, address_key=address_key(road, detail),
        subject_name=name, subject_name_key=normalize_name(name) if name else "",
        subject_lives_alone=hh.lives_alone if hh else None, note=rng.choice(NOTES),
        idempotency_key=f"demo-history-{number:06d}", due_on=created.date()
        + timedelta(days=days), created_at=created, status_changed_at=created,
        updated_at=created, assigned_to=staff,
    )
    if channel == Referral.Channel.VOLUNTEER and volunteers:
        referral.referred_by = rng.choice(volunteers)
    elif channel == Referral.Channel.VOLUNTEER:
        referral.channel = Referral.Channel.PUBLIC
    if referral.channel == Referral.Channel.PUBLIC:
        referral.receipt_code = _receipt(h, taken)
    elif channel == Referral.Channel.STAFF:
        referral.referred_by = staff
        referral.staff_method = rng.choice(list(Referral.StaffMethod.values))
    elif channel == Referral.Channel.PARTNER:
        referral.referrer_organization = organizations.get(
            rng.choice(["ydp-welfare", "ydp-foodbank", "ydp-mental"]))
    elif channel == Referral.Channel.POLICE:
        referral.referrer_organization = organizations.get("ydp-police")
    _referral_progress(h, referral, urgency)
    return referral


def _referral_progress(h: History, referral: Referral, urgency: int) -> None:
    rng = h.rng
    steps = [(Referral.Status.CHECKING, 0.1, 1)]
    contact = rng.uniform(0.3, 2.5) if urgency == 1 else rng.uniform(1, 12)
    steps += [(Referral.Status.VISITING, contact, 0), (Referral.Status.LINKED, 3, 10),
              (Referral.Status.CLOSED, 5, 25)]
    when = referral.created_at
    helped = rng.random() < 0.55
    for status, low, high in steps:
        if status == Referral.Status.LINKED and not helped:
            continue
        when = office_time(rng, when, low + rng.random() * high)
        if not h.happened(when):
            return
        referral.status, referral.status_changed_at, referral.updated_at = status, when, when
        if status == Referral.Status.VISITING:
            referral.first_contact_at = when
            if referral.household_id:
                staff = h.cast.staff[referral.dong_id]
                h.visits[1].append(Visit(
                    household_id=referral.household_id, staff=staff, scheduled_for=when,
                    outcome=Visit.Outcome.MET, visited_at=when, recorded_by=staff,
                    created_at=referral.created_at))
        if status == Referral.Status.CLOSED:
            referral.closed_at = when
            referral.close_reason = rng.choice(
                [CloseReason.SUPPORTED, CloseReason.CASE_OPENED] if helped
                else [CloseReason.NO_NEED, CloseReason.NO_NEED, CloseReason.NOT_ELIGIBLE,
                      CloseReason.DUPLICATE, CloseReason.OTHER_AGENCY])
