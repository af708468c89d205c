"""Panels of the work done: visits, volunteers, referrals by channel and category,
service links and their value, providers, cases by stage, unreachable households."""

from __future__ import annotations

from collections import defaultdict

from django.apps import apps
from django.db.models import (
    Count,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from households.models import Membership, Role
from outreach.dashboards.base import (
    Chart,
    Column,
    DashboardScope,
    Period,
    Table,
    month_label,
    rate,
    reach_within,
    rollup_rows,
    within_period,
)
from outreach.models import (
    CheckIn,
    DongMonthCompanion,
    DongMonthConcern,
    DongMonthLink,
    DongMonthReach,
    DongMonthReferral,
    DongMonthStat,
)
from referrals.models import Concern

# --- panels: visits and volunteers ----------------------------------------------------------


def panel_visits_monthly(scope: DashboardScope, period: Period) -> Table:
    per = {
        r["month"]: r
        for r in rollup_rows(DongMonthStat, scope, period)
        .values("month")
        .order_by()
        .annotate(done=Sum("visits_done"), met=Sum("visits_met"), paired=Sum("visits_paired"))
    }
    rows = []
    for m in period.months:
        r = per.get(m, {"done": 0, "met": 0, "paired": 0})
        rows.append([month_label(m), r["done"], r["met"], rate(r["met"], r["done"]), r["paired"]])
    done, met = sum(r[1] for r in rows), sum(r[2] for r in rows)
    return Table(
        name="visits_monthly",
        title=_("월별 가정방문"),
        columns=[
            Column("month", _("월"), "text"),
            Column("done", _("방문")),
            Column("met", _("만남")),
            Column("met_rate", _("만남 비율"), "pct"),
            Column("paired", _("2인 1조")),
        ],
        rows=rows,
        total=[_("합계"), done, met, rate(met, done), sum(r[4] for r in rows)],
        chart=Chart("line", "month", ("done", "met", "paired")),
    )


def _volunteer_group():
    return Subquery(
        Membership.objects.filter(user_id=OuterRef("companion_id"), role=Role.VOLUNTEER)
        .order_by("id")
        .values("group")[:1]
    )


def volunteer_extra_activity(scope: DashboardScope, period: Period) -> dict[str, dict]:
    """Referrals (by who sent them) and check-ins (by who logged them), per volunteer
    group: each volunteer's group today, as the visits beside them are counted."""
    extra: dict[str, dict] = defaultdict(lambda: {"referrals": 0, "check_ins": 0})
    group_of = Subquery(
        Membership.objects.filter(user_id=OuterRef("by_user"), role=Role.VOLUNTEER)
        .order_by("id")
        .values("group")[:1]
    )
    referrals = (
        rollup_rows(DongMonthReferral, scope, period).filter(referred_by__isnull=False)
        .annotate(by_user=F("referred_by_id"))
    )
    check_ins = (
        CheckIn.objects.filter(scope.in_dongs("pairing__household__dong_id"))
        .filter(within_period(period, "at"))
        .annotate(by_user=F("by_id"))
    )
    # Referrals from the rollup (a row counts n of them), check-ins one row each.
    for key, rows, n in (("referrals", referrals, Sum("n")), ("check_ins", check_ins,
                                                              Count("id"))):
        # Only volunteers have a group row: staff and partners who refer are not counted.
        counted = (rows.annotate(g=group_of).filter(g__isnull=False).values("g").order_by()
                   .annotate(n=n))
        for r in counted:
            extra[r["g"] or _("소속 없음")][key] += r["n"]
    return dict(extra)


def panel_volunteer_activity(scope: DashboardScope, period: Period) -> Table:
    # One rollup row per volunteer, dong and month: distinct volunteers stay exact
    # across dongs, and the group is each volunteer's group today.
    visits = (
        rollup_rows(DongMonthCompanion, scope, period)
        .annotate(g=_volunteer_group())
        .values("g")
        .order_by()
        .annotate(visits=Sum("visits"), volunteers=Count("companion_id", distinct=True))
    )
    per = {(r["g"] or _("소속 없음")): r for r in visits}
    extra = volunteer_extra_activity(scope, period)
    groups = sorted(set(per) | set(extra))
    rows = [
        [
            g,
            per.get(g, {}).get("volunteers", 0),
            per.get(g, {}).get("visits", 0),
            extra.get(g, {}).get("referrals", 0),
            extra.get(g, {}).get("check_ins", 0),
        ]
        for g in groups
    ]
    return Table(
        name="volunteer_activity",
        title=_("자원봉사자 소속별 활동"),
        columns=[
            Column("group", _("소속"), "text"),
            Column("volunteers", _("동행 봉사자")),
            Column("visits", _("동행 방문")),
            Column("referrals", _("제보")),
            Column("check_ins", _("안부 확인")),
        ],
        rows=rows,
        total=[_("합계")] + [sum(r[i] for r in rows) for i in range(1, 5)],
        chart=Chart("bar", "group", ("visits", "referrals", "check_ins")),
    )


# --- referrals, service links, cases ----------------------------------------------------


def panel_referrals_by_channel(scope: DashboardScope, period: Period) -> Table:
    Referral = apps.get_model("referrals", "Referral")
    choices = dict(Referral._meta.get_field("channel").choices or [])
    per = dict(
        rollup_rows(DongMonthReferral, scope, period)
        .values("channel")
        .order_by()
        .annotate(n=Sum("n"))
        .values_list("channel", "n")
    )
    keys = list(choices) + sorted(k for k in per if k not in choices)
    rows = [[str(choices.get(k, k)), per.get(k, 0)] for k in keys]
    return Table(
        name="referrals_by_channel",
        title=_("경로별 제보·의뢰"),
        columns=[Column("channel", _("경로"), "text"), Column("referrals", _("건수"))],
        rows=rows,
        total=[_("합계"), sum(per.values())],
        chart=Chart("bar", "channel", ("referrals",)),
    )


def panel_referrals_by_category(scope: DashboardScope, period: Period) -> Table:
    """Concern categories are stored comma-separated on the referral (",meals,rent,"); the
    rollup has a row per category named, so a referral counts once in each."""
    named = dict(
        rollup_rows(DongMonthConcern, scope, period).filter(concern__in=Concern.values)
        .values("concern").order_by().annotate(n=Sum("n")).values_list("concern", "n")
    )
    per = {code: named.get(code, 0) for code in Concern.values}
    labels = dict(Concern.choices)
    rows = [[str(labels[k]), n] for k, n in sorted(per.items(), key=lambda kv: -kv[1]) if n]
    return Table(
        name="referrals_by_category",
        title=_("걱정 유형별 제보·의뢰"),
        columns=[Column("category", _("유형"), "text"), Column("referrals", _("건수"))],
        rows=rows,
        chart=Chart("bar", "category", ("referrals",)),
        note=_("한 제보에 유형이 여럿이면 각 유형에 한 번씩 셉니다."),
    )


def _links(scope: DashboardScope, period: Period):
    """The period's service links, from their rollup (a row counts ``n`` links)."""
    return rollup_rows(DongMonthLink, scope, period)


_ACCEPTED = ("accepted", "in_service", "completed")
_ANSWERED = ("accepted", "in_service", "completed", "declined")


def _link_counts():
    return dict(
        links=Sum("n"),
        answered=Sum("n", filter=Q(status__in=_ANSWERED), default=0),
        accepted=Sum("n", filter=Q(status__in=_ACCEPTED), default=0),
        completed=Sum("n", filter=Q(status="completed"), default=0),
        value=Sum("value", filter=Q(status="completed")),
    )


def panel_service_links(scope: DashboardScope, period: Period) -> Table:
    """Service links by public/private and by service, with their total 환가액."""
    per = list(
        _links(scope, period)
        .values("service__sector", "service__name")
        .order_by()
        .annotate(**_link_counts())
    )
    sector = {"public": _("공공"), "private": _("민간")}
    rows = [
        [
            str(sector.get(r["service__sector"], r["service__sector"])),
            r["service__name"],
            r["links"],
            r["completed"],
            r["value"] or 0,
        ]
        for r in sorted(per, key=lambda r: (r["service__sector"], r["service__name"]))
    ]
    subtotal = defaultdict(lambda: [0, 0, 0])
    for r in per:
        s = subtotal[r["service__sector"]]
        s[0] += r["links"]
        s[1] += r["completed"]
        s[2] += r["value"] or 0
    for key in ("public", "private"):
        s = subtotal.get(key, [0, 0, 0])
        rows.append([str(sector[key]), _("소계"), s[0], s[1], s[2]])
    return Table(
        name="service_links",
        title=_("서비스 연계와 환가액"),
        columns=[
            Column("sector", _("구분"), "text"),
            Column("service", _("서비스"), "text"),
            Column("links", _("연계")),
            Column("completed", _("완료")),
            Column("value", _("환가액"), "krw"),
        ],
        rows=rows,
        total=[
            _("합계"),
            "",
            sum(r["links"] for r in per),
            sum(r["completed"] for r in per),
            sum(r["value"] or 0 for r in per),
        ],
    )


def panel_provider_rates(scope: DashboardScope, period: Period) -> Table:
    per = list(_links(scope, period).values("provider__name").order_by().annotate(**_link_counts()))
    rows = [
        [
            r["provider__name"],
            r["links"],
            rate(r["accepted"], r["answered"]),
            rate(r["completed"], r["accepted"]),
            r["value"] or 0,
        ]
        for r in sorted(per, key=lambda r: r["provider__name"])
    ]
    return Table(
        name="provider_rates",
        title=_("제공기관별 수락률·완료율"),
        columns=[
            Column("provider", _("제공기관"), "text"),
            Column("links", _("연계 요청")),
            Column("accept_rate", _("수락률"), "pct"),
            Column("complete_rate", _("완료율"), "pct"),
            Column("value", _("환가액"), "krw"),
        ],
        rows=rows,
        chart=Chart("bar", "provider", ("accept_rate", "complete_rate")),
        note=_("수락률 = 수락 ÷ 응답한 요청, 완료율 = 완료 ÷ 수락."),
    )


def panel_cases_by_stage(scope: DashboardScope, period: Period) -> Table:
    """Open cases by stage now, with those past their stage's due date."""
    Case_ = apps.get_model("outreach", "Case")
    today = timezone.localdate()
    stages = [(k, v) for k, v in Case_._meta.get_field("stage").choices if k != "closed"]
    per = {
        r["stage"]: r
        for r in Case_.objects.filter(scope.in_dongs("household__dong_id"))
        .exclude(stage="closed")
        .values("stage")
        .order_by()
        .annotate(n=Count("id"), overdue=Count("id", filter=Q(stage_due_on__lt=today)))
    }
    rows = [
        [str(label), per.get(k, {}).get("n", 0), per.get(k, {}).get("overdue", 0)]
        for k, label in stages
    ]
    return Table(
        name="cases_by_stage",
        title=_("단계별 진행 중 통합사례 (현재)"),
        columns=[
            Column("stage", _("단계"), "text"),
            Column("cases", _("사례")),
            Column("overdue", _("단계 기한 경과")),
        ],
        rows=rows,
        total=[_("합계"), sum(r[1] for r in rows), sum(r[2] for r in rows)],
        chart=Chart("bar", "stage", ("cases", "overdue")),
    )


def panel_unreachable(scope: DashboardScope, period: Period) -> Table:
    """연락 두절: households visited in the period that ended unreachable."""
    in_period = reach_within(period.start, period.end)
    visits = (
        DongMonthReach.objects.filter(
            scope.in_dongs("dong_id"), kind__in=("visited", "unreachable")
        )
        .filter(in_period)
        .values("dong_id")
        .order_by()
        .annotate(
            households=Sum("n", filter=Q(kind="visited")),
            unreachable=Sum("n", filter=Q(kind="unreachable")),
        )
    )
    per = {
        r["dong_id"]: {"households": r["households"] or 0, "unreachable": r["unreachable"] or 0}
        for r in visits
    }
    rows = []
    for d in scope.dongs:
        r = per.get(d.pk, {"households": 0, "unreachable": 0})
        rows.append(
            [str(d), r["households"], r["unreachable"], rate(r["unreachable"], r["households"])]
        )
    households, unreachable = sum(r[1] for r in rows), sum(r[2] for r in rows)
    return Table(
        name="unreachable",
        title=_("연락 두절 비율"),
        columns=[
            Column("dong", _("행정동"), "text"),
            Column("households", _("방문 가구")),
            Column("unreachable", _("연락 두절")),
            Column("share", _("비율"), "pct"),
        ],
        rows=rows,
        total=[_("합계"), households, unreachable, rate(unreachable, households)],
        chart=Chart("bar", "dong", ("share",)),
    )
