"""Panel of providers' capacity: service links declined for lack of capacity (여력 없음),
per provider and service, beside what the provider says of its capacity now."""

from __future__ import annotations

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from outreach.dashboards.base import (
    Column,
    DashboardScope,
    Period,
    Table,
    rate,
    rollup_rows,
)
from outreach.models import DongMonthLink
from referrals.models import DeclineReason, ServiceCapacity

# --- panels: capacity -----------------------------------------------------------------------


def panel_declines_no_capacity(scope: DashboardScope, period: Period) -> Table:
    # The service-link rollup: a row counts ``n`` links of one status and decline code.
    per = list(
        rollup_rows(DongMonthLink, scope, period)
        .values("provider_id", "provider__name", "service_id", "service__name")
        .order_by()
        .annotate(links=Sum("n"), declined=Sum("n", filter=Q(status="declined"), default=0),
                  no_capacity=Sum("n", filter=Q(status="declined",
                                                decline_code=DeclineReason.NO_CAPACITY),
                                  default=0))
    )
    now = {(c.service_id, c.provider_id): c for c in ServiceCapacity.objects.filter(
        service_id__in={r["service_id"] for r in per},
        provider_id__in={r["provider_id"] for r in per})}
    rows = []
    for r in sorted(per, key=lambda r: (-r["no_capacity"], r["provider__name"],
                                        r["service__name"])):
        capacity = now.get((r["service_id"], r["provider_id"]))
        rows.append([r["provider__name"], r["service__name"], r["links"], r["declined"],
                     r["no_capacity"], rate(r["no_capacity"], r["links"]),
                     capacity.summary if capacity else str(ServiceCapacity.Status.OPEN.label)])
    return Table(
        name="declines_no_capacity",
        title=_("여력 없음으로 거절된 연계 (제공기관·서비스별)"),
        columns=[
            Column("provider", _("제공기관"), "text"),
            Column("service", _("서비스"), "text"),
            Column("links", _("연계 요청")),
            Column("declined", _("거절")),
            Column("no_capacity", _("여력 없음")),
            Column("no_capacity_rate", _("여력 없음 비율"), "pct"),
            Column("capacity_now", _("지금 여력"), "text"),
        ],
        rows=rows,
        total=[_("합계"), "", sum(r["links"] for r in per), sum(r["declined"] for r in per),
               sum(r["no_capacity"] for r in per),
               rate(sum(r["no_capacity"] for r in per), sum(r["links"] for r in per)), ""],
        note=_("여력 없음 비율 = 여력 없음 거절 ÷ 연계 요청. 지금 여력은 제공기관이 알린 "
               "현재 상태입니다."),
    )
