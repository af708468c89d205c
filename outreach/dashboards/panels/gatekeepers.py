"""Panels of gatekeeper places: public reports sent from their memo pads and posters, and
the households found through them, by gatekeeper kind and by place."""

from __future__ import annotations

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from outreach.dashboards.base import (
    Chart,
    Column,
    DashboardScope,
    Period,
    Table,
    within_period,
)
from outreach.models import Case as CaseRecord
from referrals.models import GatekeeperPlace, Referral, ServiceLink

# --- panels: gatekeepers --------------------------------------------------------------------


def gatekeeper_reports(scope: DashboardScope) -> QuerySet[Referral]:
    """Reports of the scope's dongs (the neighbour's dong) that came from a gatekeeper."""
    return Referral.objects.filter(scope.in_dongs("dong_id"), gatekeeper_place__isnull=False)


def discovered_referrals(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    """As for alerts: a report discovered its household when help followed it, a service
    link requested or an integrated case opened for the household after it came in."""
    links = ServiceLink.objects.filter(household_id=OuterRef("household_id"),
                                       requested_at__gte=OuterRef("created_at"))
    cases = CaseRecord.objects.filter(household_id=OuterRef("household_id"),
                                      opened_at__gte=OuterRef("created_at"))
    return referrals.filter(household__isnull=False).filter(Exists(links) | Exists(cases))


def _per(queryset, key: str, **aggregates) -> dict:
    return {r[key]: r for r in queryset.values(key).order_by().annotate(**aggregates)}


def _note() -> str:
    return _("게이트키퍼 장소의 메모지·포스터 QR로 들어온 주민 제보(제보 대상의 행정동 기준). "
             "발굴: 제보 뒤 그 가구에 서비스 연계나 통합사례가 시작된 가구 수.")


def panel_gatekeepers_by_kind(scope: DashboardScope, period: Period) -> Table:
    reports = gatekeeper_reports(scope).filter(within_period(period, "created_at"))
    sent = _per(reports, "gatekeeper_place__kind", n=Count("id"))
    found = _per(discovered_referrals(reports), "gatekeeper_place__kind",
                 n=Count("household_id", distinct=True))
    rows = [[str(label), sent.get(kind, {}).get("n", 0), found.get(kind, {}).get("n", 0)]
            for kind, label in GatekeeperPlace.Kind.choices]
    return Table(
        name="gatekeepers_by_kind",
        title=_("게이트키퍼 유형별 제보와 발굴"),
        columns=[Column("kind", _("유형"), "text"), Column("reports", _("제보")),
                 Column("discovered", _("발굴(가구)"))],
        rows=rows,
        # A household found through two kinds counts once in the total.
        total=[_("합계"), reports.count(),
               discovered_referrals(reports).aggregate(
                   n=Count("household_id", distinct=True))["n"]],
        chart=Chart("bar", "kind", ("reports", "discovered")),
        note=_note(),
    )


def panel_gatekeeper_places(scope: DashboardScope, period: Period) -> Table:
    """Every place of the scope's dongs (and any other place that sent reports about them),
    with the period's reports and discoveries and the date of its last report."""
    all_time = gatekeeper_reports(scope)
    reports = all_time.filter(within_period(period, "created_at"))
    sent = _per(reports, "gatekeeper_place_id", n=Count("id"))
    found = _per(discovered_referrals(reports), "gatekeeper_place_id",
                 n=Count("household_id", distinct=True))
    last = _per(all_time, "gatekeeper_place_id", at=Max("created_at"))
    places = GatekeeperPlace.objects.select_related("dong").order_by("dong__code", "kind",
                                                                      "name", "id")
    if not scope.everywhere:
        # (Q() | Q(…) would keep only the second half: the empty Q means "everywhere".)
        places = places.filter(Q(dong_id__in=scope.dong_ids) | Q(pk__in=list(last)))
    rows = []
    for place in places:
        at = last.get(place.pk, {}).get("at")
        rows.append([
            str(place.dong), place.get_kind_display(), place.name,
            _("회수") if place.revoked else _("사용 중"),
            sent.get(place.pk, {}).get("n", 0), found.get(place.pk, {}).get("n", 0),
            f"{timezone.localtime(at):%Y-%m-%d}" if at else "—",
        ])
    return Table(
        name="gatekeeper_places",
        title=_("게이트키퍼 장소별 제보와 최근 제보일"),
        columns=[Column("dong", _("행정동"), "text"), Column("kind", _("유형"), "text"),
                 Column("place", _("장소"), "text"), Column("state", _("코드"), "text"),
                 Column("reports", _("제보")), Column("discovered", _("발굴(가구)")),
                 Column("last_report", _("최근 제보일"), "text")],
        rows=rows,
        note=_note(),
    )
