"""Dashboard rollups: per (dong, month) figures, rebuilt set-based.

``dashboard_rollup_refresh`` recomputes the rollup tables of some dongs (or all) from
alerts, assessments, visits, households, referrals and service links: a handful of
GROUP BY queries, then delete + insert in
one transaction, so a reader sees the old rows or the new ones, never half. It runs
nightly (CELERY_BEAT_SCHEDULE) and, through ``outreach.dashboards.receivers``, after
commit of the writes that send the ``dong_figures_changed`` hook. PostgreSQL
materialized views would do the
same but SQLite (the embedded mode) has none; plain tables work on both.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, DateField, F, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from households.dates import add_months
from households.models import Household
from households.selectors import household_head
from outreach.dashboards.base import EMERGENCY_LEVELS, NEEDED_HELP_REASONS, discovered_alerts
from outreach.dashboards.forms import MAX_MONTHS
from outreach.dashboards.panels.feedback import age_band_spans
from outreach.models import (
    DiscoveryAlert,
    DongAgeToDate,
    DongDayUncontacted,
    DongHouseholds,
    DongMonthAge,
    DongMonthCompanion,
    DongMonthConcern,
    DongMonthFactor,
    DongMonthLink,
    DongMonthReach,
    DongMonthReferral,
    DongMonthStat,
    DongOpenAlerts,
    DongScoreToDate,
    Visit,
)
from outreach.models.rollups import contact_seconds_pack
from referrals.models import Referral, ServiceLink

STAT_FIELDS = (
    "alerts_opened",
    "alerts_closed",
    "contacted",
    "em_contacted",
    "em_ok",
    "em_uncontacted",
    "normal_contacted",
    "normal_ok",
    "normal_uncontacted",
    "visits_done",
    "visits_met",
    "visits_paired",
)


def _month(field_name: str):
    return TruncMonth(field_name, output_field=DateField())


def within_q(days: int) -> Q:
    return Q(first_contact_at__lte=F("opened_at") + timedelta(days=days))


def _stats(alerts, visits) -> list[DongMonthStat]:
    emergency = Q(assessment__level__in=EMERGENCY_LEVELS)
    e_days = settings.EMERGENCY_FIRST_CONTACT_DAYS
    n_days = settings.NORMAL_FIRST_CONTACT_DAYS
    contacted = Q(first_contact_at__isnull=False)
    rows: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(STAT_FIELDS, 0))
    for r in (
        alerts.annotate(m=_month("opened_at"))
        .values("household__dong_id", "m")
        .order_by()
        .annotate(
            alerts_opened=Count("id"),
            contacted=Count("id", filter=contacted),
            em_contacted=Count("id", filter=emergency & contacted),
            em_ok=Count("id", filter=emergency & within_q(e_days)),
            em_uncontacted=Count("id", filter=emergency & ~contacted),
            normal_contacted=Count("id", filter=~emergency & contacted),
            normal_ok=Count("id", filter=~emergency & within_q(n_days)),
            normal_uncontacted=Count("id", filter=~emergency & ~contacted),
        )
    ):
        key = (r.pop("household__dong_id"), r.pop("m"))
        rows[key].update(r)
    for r in (
        alerts.filter(status=DiscoveryAlert.Status.CLOSED, closed_at__isnull=False)
        .annotate(m=_month("closed_at"))
        .values("household__dong_id", "m")
        .order_by()
        .annotate(n=Count("id"))
    ):
        rows[(r["household__dong_id"], r["m"])]["alerts_closed"] = r["n"]
    for r in (
        visits.filter(visited_at__isnull=False)
        .exclude(outcome="")
        .annotate(m=_month("visited_at"))
        .values("household__dong_id", "m")
        .order_by()
        .annotate(
            done=Count("id"),
            met=Count("id", filter=Q(outcome=Visit.Outcome.MET)),
            paired=Count("id", filter=Q(companion__isnull=False)),
        )
    ):
        row = rows[(r["household__dong_id"], r["m"])]
        row.update(visits_done=r["done"], visits_met=r["met"], visits_paired=r["paired"])
    seconds: dict[tuple, list] = defaultdict(list)
    for dong_id, month, opened, contacted_at in (
        alerts.filter(first_contact_at__isnull=False)
        .annotate(m=_month("opened_at"))
        .values_list("household__dong_id", "m", "opened_at", "first_contact_at")
        .order_by()
        .iterator(chunk_size=5000)
    ):
        seconds[(dong_id, month)].append((contacted_at - opened).total_seconds())
    return [
        DongMonthStat(
            dong_id=dong_id,
            month=month,
            contact_seconds=contact_seconds_pack(sorted(seconds.get((dong_id, month), ()))),
            **figures,
        )
        for (dong_id, month), figures in rows.items()
    ]


def _reach(kind: str, events) -> list[DongMonthReach]:
    """``events``: distinct (dong_id, household_id, month) rows."""
    counts: Counter = Counter()
    previous: dict[int, object] = {}
    for dong_id, household_id, month in sorted(events, key=lambda e: (e[1], e[2])):
        counts[(dong_id, month, previous.get(household_id))] += 1
        previous[household_id] = month
    return [
        DongMonthReach(dong_id=dong_id, kind=kind, month=month, since=since, n=n)
        for (dong_id, month, since), n in counts.items()
    ]


def _reaches(alerts, visits) -> list[DongMonthReach]:
    fields = ("household__dong_id", "household_id", "m")
    found = (
        discovered_alerts(alerts)
        .annotate(m=_month("opened_at"))
        .values_list(*fields)
        .order_by()
        .distinct()
    )
    visited = (
        visits.filter(visited_at__isnull=False)
        .annotate(m=_month("visited_at"))
        .values_list(*fields)
        .order_by()
        .distinct()
    )
    return (
        _reach("found", found)
        + _reach("visited", visited)
        + _reach("unreachable", visited.filter(unreachable=True))
    )


def _model_alerts(alerts):
    return alerts.filter(
        status=DiscoveryAlert.Status.CLOSED,
        closed_at__isnull=False,
        origin="risk_model",
        assessment__isnull=False,
    )


def _to_date(model, counts: dict, fields: tuple[str, ...]) -> list:
    """Running-total rows of ``model`` from ``counts`` {(dong_id, *key): {month: [closed,
    hits]}}: a row per key for every month from its first to the dong's last, which is
    the current month (or a later one holding data), the same for every key of the dong
    (a reader finds the dong's last month once and reads every key there)."""
    now = timezone.localdate().replace(day=1)
    through: dict[int, object] = {}
    for (dong_id, *_key), months in counts.items():
        through[dong_id] = max(through.get(dong_id, now), max(months))
    rows = []
    for (dong_id, *key), months in counts.items():
        closed = hits = 0
        month = min(months)
        while month <= through[dong_id]:
            n, h = months.get(month, (0, 0))
            closed, hits = closed + n, hits + h
            rows.append(model(dong_id=dong_id, month=month, closed=closed, hits=hits,
                              **dict(zip(fields, key, strict=True))))
            month = add_months(month, 1)
    # Stored in the order they are read (a dong's keys of one month together).
    rows.sort(key=lambda r: (r.dong_id, r.month))
    return rows


def _scores(alerts) -> list[DongScoreToDate]:
    rows = (
        _model_alerts(alerts)
        .annotate(m=_month("closed_at"))
        .values("household__dong_id", "m", "assessment__model_version", "assessment__score")
        .order_by()
        .annotate(
            closed=Count("id"), hits=Count("id", filter=Q(close_reason__in=NEEDED_HELP_REASONS))
        )
    )
    counts: dict[tuple, dict] = defaultdict(dict)
    for r in rows:
        key = (r["household__dong_id"], r["assessment__model_version"], r["assessment__score"])
        counts[key][r["m"]] = (r["closed"], r["hits"])
    return _to_date(DongScoreToDate, counts, ("version", "score"))


def _factors(alerts) -> list[DongMonthFactor]:
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    rows = (
        _model_alerts(alerts)
        .annotate(m=_month("closed_at"))
        .values_list("household__dong_id", "m", "assessment__factors", "close_reason")
        .order_by()
    )
    # The factor lists are JSON; grouped here (a refresh, not a page view).
    for dong_id, month, factors, reason in rows.iterator(chunk_size=5000):
        if not isinstance(factors, list):
            continue
        for factor in factors:
            # Grouped by the factor's code (the signal kind), not its amounts or words.
            key = factor.get("code", "") if isinstance(factor, dict) else str(factor)
            c = counts[(dong_id, month, key[:200])]
            c[0] += 1
            c[1] += reason in NEEDED_HELP_REASONS
    return [
        DongMonthFactor(dong_id=dong_id, month=month, factor=factor, closed=n, hits=h)
        for (dong_id, month, factor), (n, h) in counts.items()
    ]


def _ages(alerts) -> tuple[list[DongMonthAge], list[DongAgeToDate]]:
    """The age panel's rows: by closing month for the alerts whose head changes band
    within the reach of a period holding that month (DongMonthAge), running totals for
    the rest (DongAgeToDate)."""
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    steady: dict[tuple, dict] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    spans: dict = {}
    rows = (
        _model_alerts(alerts)
        .annotate(m=_month("closed_at"), birth=household_head("birth_date"))
        .values_list("household__dong_id", "m", "assessment__score", "birth", "close_reason")
        .order_by()
    )
    for dong_id, month, score, birth, reason in rows.iterator(chunk_size=5000):
        last_end = add_months(month, MAX_MONTHS - 1)
        if birth not in spans:
            spans[birth] = age_band_spans(birth)
        hit = reason in NEEDED_HELP_REASONS
        for band, valid_from, valid_to in spans[birth]:
            # A period holding the closing month ends in it or later: the spans that
            # end before are never read, and an earlier start is no start.
            # It also ends within MAX_MONTHS of it (the period picker's limit).
            if valid_to is not None and valid_to < month:
                continue
            if valid_from is not None and valid_from > last_end:
                continue
            if valid_from is not None and valid_from <= month:
                valid_from = None
            if valid_to is not None and valid_to >= last_end:
                valid_to = None
            if valid_from is None and valid_to is None:
                c = steady[(dong_id, score, band)][month]
            else:
                c = counts[(dong_id, month, score, band, valid_from, valid_to)]
            c[0] += 1
            c[1] += hit
    spanned = [
        DongMonthAge(
            dong_id=dong_id,
            month=month,
            score=score,
            band=band,
            valid_from=valid_from,
            valid_to=valid_to,
            closed=n,
            hits=h,
        )
        for (dong_id, month, score, band, valid_from, valid_to), (n, h) in counts.items()
    ]
    return spanned, _to_date(DongAgeToDate, steady, ("score", "band"))


def _companions(visits) -> list[DongMonthCompanion]:
    rows = (
        visits.filter(companion__isnull=False, visited_at__isnull=False)
        .exclude(outcome="")
        .annotate(m=_month("visited_at"))
        .values("household__dong_id", "m", "companion_id")
        .order_by()
        .annotate(n=Count("id"))
    )
    return [
        DongMonthCompanion(
            dong_id=r["household__dong_id"],
            month=r["m"],
            companion_id=r["companion_id"],
            visits=r["n"],
        )
        for r in rows
    ]


def _households(households) -> list[DongHouseholds]:
    return [DongHouseholds(dong_id=dong_id, n=n) for dong_id, n in
            households.values("dong_id").order_by().annotate(n=Count("id"))
            .values_list("dong_id", "n")]


def _open_alerts(alerts) -> list[DongOpenAlerts]:
    rows = (alerts.filter(status=DiscoveryAlert.Status.OPEN)
            .values("household__dong_id", "due_on").order_by()
            .annotate(n=Count("id"), awaiting=Count("id", filter=Q(first_contact_at__isnull=True))))
    return [DongOpenAlerts(dong_id=r["household__dong_id"], due_on=r["due_on"], n=r["n"],
                           awaiting=r["awaiting"]) for r in rows]


def _uncontacted(alerts) -> list[DongDayUncontacted]:
    emergency = Q(assessment__level__in=EMERGENCY_LEVELS)
    rows = (alerts.filter(first_contact_at__isnull=True)
            .annotate(day=TruncDate("opened_at"))
            .values("household__dong_id", "day").order_by()
            .annotate(em=Count("id", filter=emergency), normal=Count("id", filter=~emergency)))
    return [DongDayUncontacted(dong_id=r["household__dong_id"], opened_on=r["day"],
                               emergency=r["em"], normal=r["normal"]) for r in rows]


def _referrals(referrals) -> list[DongMonthReferral]:
    rows = (referrals.annotate(m=_month("created_at"))
            .values("dong_id", "m", "channel", "referred_by_id").order_by()
            .annotate(n=Count("id")))
    return [DongMonthReferral(dong_id=r["dong_id"], month=r["m"], channel=r["channel"],
                              referred_by_id=r["referred_by_id"], n=r["n"]) for r in rows]


def _concerns(referrals) -> list[DongMonthConcern]:
    counts: Counter = Counter()
    # Stored ",meals,rent,": grouped by the whole value first, split here.
    for r in (referrals.annotate(m=_month("created_at"))
              .values("dong_id", "m", "categories").order_by().annotate(n=Count("id"))):
        for concern in {c for c in r["categories"].split(",") if c}:
            counts[(r["dong_id"], r["m"], concern[:20])] += r["n"]
    return [DongMonthConcern(dong_id=dong_id, month=month, concern=concern, n=n)
            for (dong_id, month, concern), n in counts.items()]


def _links(links) -> list[DongMonthLink]:
    rows = (links.annotate(m=_month("requested_at"))
            .values("household__dong_id", "m", "service_id", "provider_id", "status",
                    "decline_code").order_by()
            .annotate(n=Count("id"), value=Sum("actual_value")))
    return [DongMonthLink(dong_id=r["household__dong_id"], month=r["m"],
                          service_id=r["service_id"], provider_id=r["provider_id"],
                          status=r["status"], decline_code=r["decline_code"], n=r["n"],
                          value=r["value"] or 0) for r in rows]


def dashboard_rollup_refresh(dong_ids=None) -> int:
    """Rebuild the dashboard rollups of ``dong_ids`` (every dong when None), all months.

    Returns how many rollup rows were written.
    """
    alerts = DiscoveryAlert.objects.all()
    visits = Visit.objects.all()
    households = Household.objects.all()
    referrals = Referral.objects.all()
    links = ServiceLink.objects.all()
    if dong_ids is not None:
        dong_ids = sorted({int(i) for i in dong_ids})
        if not dong_ids:
            return 0
        alerts = alerts.filter(household__dong_id__in=dong_ids)
        visits = visits.filter(household__dong_id__in=dong_ids)
        households = households.filter(dong_id__in=dong_ids)
        referrals = referrals.filter(dong_id__in=dong_ids)
        links = links.filter(household__dong_id__in=dong_ids)
    spanned_ages, steady_ages = _ages(alerts)
    rows = {
        DongMonthStat: _stats(alerts, visits),
        DongMonthReach: _reaches(alerts, visits),
        DongScoreToDate: _scores(alerts),
        DongMonthFactor: _factors(alerts),
        DongMonthAge: spanned_ages,
        DongAgeToDate: steady_ages,
        DongMonthCompanion: _companions(visits),
        DongHouseholds: _households(households),
        DongOpenAlerts: _open_alerts(alerts),
        DongDayUncontacted: _uncontacted(alerts),
        DongMonthReferral: _referrals(referrals),
        DongMonthConcern: _concerns(referrals),
        DongMonthLink: _links(links),
    }
    with transaction.atomic():
        for model in rows:
            existing = model.objects.all()
            if dong_ids is not None:
                existing = existing.filter(dong_id__in=dong_ids)
            existing.delete()
            model.objects.bulk_create(rows[model], batch_size=2000)
    return sum(len(r) for r in rows.values())


# A dong whose refresh is queued and not yet started: more writes need no more tasks.
QUEUED_KEY = "dashboard-rollup-queued:{}"
QUEUED_SECONDS = 600  # a lost task stops holding the next ones back after this


def dashboard_rollup_started(dong_ids) -> None:
    """The refresh task begins: writes from now on queue another."""
    cache.delete_many([QUEUED_KEY.format(int(i)) for i in dong_ids or ()])
