"""The demo district's past: three years up to today, so every dashboard, the monthly
report, the targets page and the risk model's feedback have something to show.

Planned in Python with one seeded random generator (demo_alerts, demo_help,
demo_neighbours), then written set-based: bulk_create in batches, dependency order, one
transaction. Scores and factors come from outreach.scoring as of each file's day, the
same arithmetic the live pipeline uses. A second run adds nothing.
"""

from __future__ import annotations

import math
import random
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation

from households.dates import add_months
from households.messages import message
from households.models import Dong, Household, Membership, Organization, Person, Role
from households.rrn import keyed_sha256
from households.services import timeline_add_many
from outreach.demo_alerts import file_digest, plan_batches
from outreach.demo_clock import Cast, History, dates_as_given
from outreach.demo_clock import Household as Home
from outreach.demo_help import catalogue
from outreach.demo_neighbours import plan_pairings, plan_referrals
from outreach.models import (
    Case,
    CaseConference,
    CaseStageChange,
    CheckIn,
    DiscoveryAlert,
    DiscoveryTarget,
    Pairing,
    RiskAssessment,
    RiskSignal,
    SignalBatch,
    Visit,
    VisitNeed,
)
from outreach.selectors.assessments import risk_model_current
from outreach.signal_stream import subject_of
from referrals.models import Referral, ServiceLink

HISTORY_MONTHS = 36
# With --households 200000 the past covers the first 20,000 households: every panel
# still shows three years, and seeding stays about as fast as at 20,000.
HISTORY_MAX_HOUSEHOLDS = 20_000
MARKER = "demo-history-"  # the history's signal files are named so: seeded once
BATCH = 2000
VOLUNTEER_GROUPS = ["복지통장", "명예사회복지공무원", "좋은이웃들"]


def history_seeded() -> bool:
    return SignalBatch.objects.filter(original_name__startswith=MARKER).exists()


def _user(username: str, *, first_name: str = ""):
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": first_name})
    if created:
        # Background actors of the past, not logins.
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def demo_cast(district, dongs: list[Dong]) -> Cast:
    """A dong worker and two volunteers for every dong (the demo logins where there are)."""
    User = get_user_model()
    staff, volunteers = {}, {}
    for m in Membership.objects.filter(role=Role.DONG_STAFF, dong__in=dongs).order_by("id"):
        staff.setdefault(m.dong_id, m.user)
    for n, dong in enumerate(dongs, start=1):
        if dong.pk not in staff:
            staff[dong.pk] = _user(f"ydp-staff-{n:02d}", first_name=f"{dong.short_name} 담당")
            Membership.objects.get_or_create(user=staff[dong.pk], role=Role.DONG_STAFF, dong=dong)
        volunteers[dong.pk] = []
        for letter, group in zip("ab", VOLUNTEER_GROUPS[n % 3:] + VOLUNTEER_GROUPS[:n % 3],
                                 strict=False):
            user = _user(f"ydp-vol-{n:02d}{letter}")
            Membership.objects.get_or_create(user=user, role=Role.VOLUNTEER, dong=dong,
                                             defaults={"group": group})
            volunteers[dong.pk].append(user)
    for m in Membership.objects.filter(role=Role.VOLUNTEER, user__username="volunteer1"):
        volunteers.setdefault(m.dong_id, []).append(m.user)
    return Cast(admin=User.objects.get(username="admin"),
                manager=User.objects.get(username="manager1"),
                feed=User.objects.filter(username="feed-ssis").first(),
                partner=User.objects.filter(username="partner1").first(),
                staff=staff, volunteers=volunteers)


def _households(district, cap: int) -> list[Home]:
    """The registered households the past happened to (the first ``cap`` by id)."""
    rows = list(Household.objects.filter(dong__district=district, registered_here=True)
                .order_by("id").values_list("id", "dong_id", "lives_alone", "elderly",
                                            "address_key", "road_address",
                                            "address_detail")[:cap])
    heads = {hid: (pid, name, name_key, birth) for pid, hid, name, name_key, birth in
             Person.objects.filter(household_id__in=[r[0] for r in rows], is_head=True)
             .values_list("id", "household_id", "name", "name_key", "birth_date")}
    secret, homes = settings.RRN_HASH_KEY.encode(), []
    for hid, dong_id, alone, elderly, key, road, detail in rows:
        pid, name, name_key, birth = heads.get(hid, (None, "", "", None))
        # The keyed subject of a name + birth date + address match, as an agency row's;
        # a head without a birth date gets one of the household's own.
        subject = (subject_of(secret, "", name_key, birth, key) if birth else
                   keyed_sha256(secret)(f"hh|{hid}".encode()))
        homes.append(Home(id=hid, dong_id=dong_id, lives_alone=alone, elderly=elderly,
                          head_id=pid, head_name=name, birth_date=birth, address_key=key,
                          road_address=road, address_detail=detail,
                          subject=subject))
    return homes


def demo_history_seed(*, district, seed: int,
                      households_cap: int = HISTORY_MAX_HOUSEHOLDS) -> dict:
    """Three years of the district's work up to today (Asia/Seoul); once only."""
    if history_seeded():
        return {}
    dongs = list(Dong.objects.filter(district=district).order_by("code"))
    households = _households(district, households_cap)
    if not households or not dongs:
        return {}
    organizations = {o.code: o for o in Organization.objects.filter(code__isnull=False)}
    today = timezone.localdate()
    services = catalogue()
    # One transaction: all of the past or none of it (and one commit, not one per row).
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        h = History(rng=random.Random(seed * 7919 + 36), today=today, now=timezone.now(),
                    start=add_months(today.replace(day=1), -(HISTORY_MONTHS - 1)),
                    cast=demo_cast(district, dongs))
        plan_batches(h, households, risk_model_current(), organizations["ssis"],
                     {d.pk: d.code for d in dongs}, services)
        plan_pairings(h, households, services)
        plan_referrals(h, households, dongs, organizations)
        _write(h)
        _timeline(h)
        targets = _targets(h, dongs)
    return {"signal_files": len(h.batches), "alerts": len(h.alerts),
            "visits": sum(len(v) for v in h.visits.values()), "service_links": len(h.links),
            "cases": len(h.cases), "check_ins": len(h.check_ins),
            "referrals": len(h.referrals), "targets": targets}


def _write(h: History) -> None:
    """Parents before children; bulk_create sets each parent's id for the next."""
    models = (SignalBatch, RiskSignal, RiskAssessment, DiscoveryAlert, Visit, ServiceLink,
              Case, CaseStageChange, CaseConference, Pairing, Referral)
    with dates_as_given(*models):
        for batch, data in h.batch_files:
            batch.sha256, batch.size_bytes = file_digest(data), len(data)
            batch.file.save(batch.original_name, ContentFile(data), save=False)
        SignalBatch.objects.bulk_create(h.batches)
        RiskSignal.objects.bulk_create(h.signals, batch_size=BATCH)
        RiskAssessment.objects.bulk_create(h.assessments, batch_size=BATCH)
        # Follow-up alerts come after the case alerts that lead to them: ids keep order.
        DiscoveryAlert.objects.bulk_create(sorted(h.alerts, key=lambda a: a.opened_at),
                                           batch_size=BATCH)
        for attempt in sorted(h.visits):
            Visit.objects.bulk_create(h.visits[attempt], batch_size=BATCH)
        VisitNeed.objects.bulk_create(h.needs, batch_size=BATCH)
        ServiceLink.objects.bulk_create(sorted(h.links, key=lambda x: x.requested_at),
                                        batch_size=BATCH)
        Case.objects.bulk_create(sorted(h.cases, key=lambda c: c.opened_at), batch_size=BATCH)
        CaseStageChange.objects.bulk_create(h.stage_changes, batch_size=BATCH)
        CaseConference.objects.bulk_create(h.conferences, batch_size=BATCH)
        Pairing.objects.bulk_create(h.pairings, batch_size=BATCH)
        CheckIn.objects.bulk_create(h.check_ins, batch_size=BATCH)
        Referral.objects.bulk_create(sorted(h.referrals, key=lambda r: r.created_at),
                                     batch_size=BATCH)


def _timeline(h: History) -> None:
    """The households' timelines tell the same past (the services' own wording)."""
    lines = []

    def line(household_id, kind, at, summary, actor=None):
        lines.append(dict(household_id=household_id, kind=kind, at=at, summary=summary,
                          actor=actor))

    for a in h.alerts:
        line(a.household_id, "alert", a.opened_at, message("alert_opened", origin=a.origin))
        if a.closed_at:
            line(a.household_id, "alert", a.closed_at,
                 message("alert_closed", id=a.pk, reason=a.close_reason), a.assigned_to)
    for visits in h.visits.values():
        for v in visits:
            if v.outcome:
                line(v.household_id, "visit", v.visited_at,
                     message("visit_recorded", n=v.attempt_no, outcome=v.outcome), v.staff)
    for link in h.links:
        line(link.household_id, "service_link", link.requested_at,
             message("service_link", step="requested", service=link.service.name,
                     provider=link.provider.name), link.requested_by)
    for change in h.stage_changes:
        line(change.case.household_id, "case", change.at,
             message("case_stage", stage=change.stage), change.by)
    for pairing in h.pairings:
        line(pairing.household_id, "check_in", pairing.created_at,
             message("pairing_started", cadence=pairing.cadence), pairing.created_by)
    for r in h.referrals:
        if r.household_id:
            line(r.household_id, "referral", r.created_at,
                 message("referral_received", ref=str(r), channel=r.channel,
                         urgency=r.urgency, what=list(r.category_list)), r.referred_by)
    timeline_add_many(lines)


def _discovered(h: History) -> list[tuple[int, int, object]]:
    """(dong id, household id, day the alert opened) of every alert followed by a service
    link or a case for its household: discovered, as the dashboards count it."""
    links = ServiceLink.objects.filter(household_id=OuterRef("household_id"),
                                       requested_at__gte=OuterRef("opened_at"))
    cases = Case.objects.filter(household_id=OuterRef("household_id"),
                                opened_at__gte=OuterRef("opened_at"))
    return [(dong_id, household_id, timezone.localtime(opened).date())
            for dong_id, household_id, opened in
            DiscoveryAlert.objects.filter(Q(Exists(links)) | Q(Exists(cases)))
            .values_list("dong_id", "household_id", "opened_at").iterator(chunk_size=BATCH)]


def _targets(h: History, dongs: list[Dong]) -> int:
    """영등포구's rule: each dong's target is last year's actual plus 10% (rounded up).
    For the first year, whose last year the history covers only in part, the first
    twelve months of the history stand in for last year."""
    found = _discovered(h)
    rows = []
    for year in range(h.start.year + 1, h.today.year + 1):
        first, last = date(year - 1, 1, 1), date(year, 1, 1)
        if first < h.start:
            first, last = h.start, add_months(h.start, 12)
        for dong in dongs:
            actual = len({hid for dong_id, hid, day in found
                          if dong_id == dong.pk and first <= day < last})
            rows.append(DiscoveryTarget(dong=dong, year=year, set_by=h.cast.admin,
                                        target=max(1, math.ceil(actual * 11 / 10))))
    DiscoveryTarget.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
