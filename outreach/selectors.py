"""Every read of outreach work that views share, already scoped.

Records are reached through households.selectors.visible_households(user); volunteers
reach only their own pairings and the visits they join, with the minimum.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Case as SqlCase
from django.db.models import (
    CharField,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from households.models import Membership, Person, Role, TimelineEvent, mask_name
from households.selectors import scope_of, visible_households
from outreach.models import (
    Case,
    CheckIn,
    CrisisLevel,
    DiscoveryAlert,
    Pairing,
    RiskModel,
    SignalBatch,
    SignalChunk,
    Visit,
)
from referrals.models import Referral

# ---------------------------------------------------------------------------
# [4/5] Visits, cases, pairings and check-ins
# ---------------------------------------------------------------------------


def head_name_subquery(household_ref: str = "household_id"):
    return Subquery(
        Person.objects.filter(household=OuterRef(household_ref))
        .order_by("-is_head", "id")
        .values("name")[:1]
    )


def name_initial(name: str) -> str:
    """홍길동 → 홍○○: all a volunteer needs to recognise a neighbour."""
    name = (name or "").strip()
    return name[:1] + "○" * max(len(name) - 1, 0) if name else ""


def visits_for(user) -> QuerySet[Visit]:
    """Staff: visits of households in their dongs; volunteers: the visits they join."""
    base = Visit.objects.select_related("household__dong", "staff", "companion").annotate(
        head_name=head_name_subquery()
    )
    scope = scope_of(user)
    if scope.sees_records:
        return base.filter(household__in=visible_households(user))
    if scope.has(Role.VOLUNTEER):
        return base.filter(companion=user)
    return Visit.objects.none()


def visit_detail(user, visit_id) -> Visit:
    """The full visit record: staff of the household's dong only (404 otherwise)."""
    if not scope_of(user).sees_records:
        from django.http import Http404

        raise Http404
    return get_object_or_404(
        visits_for(user).select_related("alert", "previous_attempt").prefetch_related("needs"),
        pk=visit_id,
    )


def week_bounds(today=None):
    today = today or timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    tz = timezone.get_current_timezone()
    start = datetime.combine(monday, time.min, tz)
    return start, start + timedelta(days=7)


def my_visits_this_week(user, today=None) -> QuerySet[Visit]:
    """내 이번 주 방문: visits the user leads or joins, Monday to Sunday."""
    start, end = week_bounds(today)
    return visits_for(user).filter(
        Q(staff=user) | Q(companion=user), scheduled_for__gte=start, scheduled_for__lt=end
    ).order_by("scheduled_for", "id")


def unreachable_visits_for(user) -> QuerySet[Visit]:
    """연락 두절: the last failed attempt of households the worker could not reach."""
    return visits_for(user).filter(staff=user, unreachable=True).order_by("-visited_at")


def alert_for(user, alert_id) -> DiscoveryAlert:
    """One open alert of a household the user may see (404 otherwise)."""
    return get_object_or_404(
        DiscoveryAlert.objects.filter(household__in=visible_households(user),
                                      status=DiscoveryAlert.Status.OPEN),
        pk=alert_id,
    )


def open_alerts_of(household) -> QuerySet[DiscoveryAlert]:
    return household.discovery_alerts.filter(status=DiscoveryAlert.Status.OPEN)


def household_visits(household) -> QuerySet[Visit]:
    return (
        household.visits.select_related("staff", "companion")
        .prefetch_related("needs")
        .order_by("-scheduled_for", "-id")
    )


def household_cases(household) -> QuerySet[Case]:
    return household.cases.select_related("manager").order_by("-opened_at", "-id")


def household_pairings(household) -> QuerySet[Pairing]:
    return household.pairings.filter(ended_on__isnull=True).select_related("volunteer")


def companions_for(user, household) -> QuerySet:
    """Volunteers who may join a visit: those of the dongs the worker covers."""
    scope = scope_of(user)
    dong_ids = scope.dong_ids | {household.dong_id}
    user_ids = Membership.objects.filter(role=Role.VOLUNTEER, dong_id__in=dong_ids).values(
        "user_id"
    )
    return get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("username")


def volunteers_of_dong(dong_id) -> QuerySet:
    user_ids = Membership.objects.filter(role=Role.VOLUNTEER, dong_id=dong_id).values("user_id")
    return get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("username")


def case_managers_for(user) -> QuerySet:
    """Who may manage a case: case managers and dong staff of the user's district."""
    scope = scope_of(user)
    user_ids = Membership.objects.filter(
        Q(role=Role.CASE_MANAGER, district_id__in=scope.district_ids)
        | Q(role=Role.DONG_STAFF, dong__district_id__in=scope.district_ids)
    ).values("user_id")
    return get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("username")


def cases_for(user) -> QuerySet[Case]:
    """Case managers see cases across the district's dongs; staff those of their dongs."""
    return (
        Case.objects.filter(household__in=visible_households(user))
        .select_related("household__dong", "manager")
        .annotate(head_name=head_name_subquery())
    )


def case_detail(user, case_id) -> Case:
    return get_object_or_404(
        cases_for(user).prefetch_related(
            "stage_changes__by",
            "conferences__organizations",
            Prefetch("goals__service_links"),
            "notes__author",
        ),
        pk=case_id,
    )


def pairings_for_volunteer(user) -> QuerySet[Pairing]:
    """A volunteer's active pairings, with only what the phone page shows."""
    return (
        Pairing.objects.filter(volunteer=user, ended_on__isnull=True)
        .select_related("household__dong")
        .annotate(head_name=head_name_subquery())
        .order_by("id")
    )


def pairing_for_volunteer(user, pairing_id) -> Pairing:
    return get_object_or_404(pairings_for_volunteer(user), pk=pairing_id)


def pairings_for(user) -> QuerySet[Pairing]:
    scope = scope_of(user)
    if scope.sees_records:
        return (
            Pairing.objects.filter(household__in=visible_households(user), ended_on__isnull=True)
            .select_related("household__dong", "volunteer")
            .annotate(head_name=head_name_subquery())
        )
    return pairings_for_volunteer(user)


def check_ins_for(user) -> QuerySet[CheckIn]:
    scope = scope_of(user)
    base = CheckIn.objects.select_related("pairing__household__dong", "by")
    if scope.sees_records:
        return base.filter(pairing__household__in=visible_households(user))
    if scope.has(Role.VOLUNTEER):
        return base.filter(pairing__volunteer=user)
    return CheckIn.objects.none()


def household_timeline(household) -> QuerySet[TimelineEvent]:
    """Every line of the household's story, newest first, in one query."""
    return household.timeline.select_related("actor").order_by("-at", "-id")


# ---------------------------------------------------------------------------
# end [4/5]
# ---------------------------------------------------------------------------


KIND_REFERRAL, KIND_ALERT = "referral", "alert"
KINDS = (KIND_REFERRAL, KIND_ALERT)
SOURCE_ALERT = "alert"
# Inbox statuses: the referral ladder; an alert is 접수 until someone takes it.
INBOX_STATUSES = [
    (Referral.Status.RECEIVED.value, Referral.Status.RECEIVED.label),
    (Referral.Status.CHECKING.value, Referral.Status.CHECKING.label),
    (Referral.Status.VISITING.value, Referral.Status.VISITING.label),
    (Referral.Status.LINKED.value, Referral.Status.LINKED.label),
]


@dataclass
class InboxFilters:
    dong_ids: list = field(default_factory=list)
    source: str = ""
    category: str = ""
    status: str = ""
    mine: bool = False


@dataclass
class InboxItem:
    kind: str
    obj: object
    today: date

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.obj.pk}"

    @property
    def dom_id(self) -> str:
        return f"item-{self.kind}-{self.obj.pk}"

    @property
    def label(self) -> str:
        return f"R-{self.obj.pk}" if self.is_referral else f"A-{self.obj.pk}"

    @property
    def is_referral(self) -> bool:
        return self.kind == KIND_REFERRAL

    @property
    def dong(self):
        return self.obj.dong if self.is_referral else self.obj.household.dong

    @property
    def dong_id(self) -> int:
        return self.obj.dong_id

    @property
    def household_id(self):
        return self.obj.household_id

    @property
    def urgency(self) -> int:
        if self.is_referral:
            return self.obj.urgency
        return alert_urgency(self.obj)

    @property
    def urgency_label(self) -> str:
        return str(Referral.Urgency(self.urgency).label)

    @property
    def is_emergency(self) -> bool:
        return self.urgency == Referral.Urgency.EMERGENCY

    @property
    def score(self):
        if self.is_referral or self.obj.assessment is None:
            return None
        return self.obj.assessment.score

    @property
    def level_label(self) -> str:
        if self.is_referral or self.obj.assessment is None:
            return ""
        return self.obj.assessment.get_level_display()

    @property
    def due_on(self):
        return self.obj.due_on

    @property
    def overdue(self) -> bool:
        return self.obj.due_on < self.today

    @property
    def status(self) -> str:
        if self.is_referral:
            return self.obj.status
        return (Referral.Status.CHECKING if self.obj.assigned_to_id
                else Referral.Status.RECEIVED).value

    @property
    def status_label(self) -> str:
        return str(Referral.Status(self.status).label)

    @property
    def source_label(self) -> str:
        if self.is_referral:
            label = self.obj.get_channel_display()
            if self.obj.staff_method:
                label += f" · {self.obj.get_staff_method_display()}"
            return label
        return _("위기정보 발굴")

    @property
    def what(self) -> list[str]:
        if self.is_referral:
            return self.obj.category_labels
        factors = self.obj.assessment.factors if self.obj.assessment else []
        return [str(f) for f in (factors or [])[:3]]

    @property
    def address(self) -> str:
        source = self.obj if self.is_referral else self.obj.household
        return f"{source.road_address} {source.address_detail}".strip()

    @property
    def address_key(self) -> str:
        return self.obj.address_key if self.is_referral else self.obj.household.address_key

    @property
    def masked_name(self) -> str:
        name = self.obj.subject_name if self.is_referral else getattr(self.obj, "head_name", "")
        return mask_name(name or "")

    @property
    def assigned_to(self):
        return self.obj.assigned_to

    @property
    def likely_duplicate(self) -> bool:
        return self.is_referral and self.obj.likely_duplicate

    @property
    def opened_at(self):
        return self.obj.created_at if self.is_referral else self.obj.opened_at


@dataclass
class InboxPage:
    items: list
    count: int
    number: int
    num_pages: int

    def has_other_pages(self):
        return self.num_pages > 1

    def has_previous(self):
        return self.number > 1

    def has_next(self):
        return self.number < self.num_pages

    def previous_page_number(self):
        return self.number - 1

    def next_page_number(self):
        return self.number + 1

    @property
    def paginator(self):
        return self


LEVEL_URGENCY = {
    CrisisLevel.CRITICAL: Referral.Urgency.EMERGENCY,
    CrisisLevel.HIGH: Referral.Urgency.SOON,
}


def alert_urgency(alert) -> int:
    level = alert.assessment.level if alert.assessment_id and alert.assessment else ""
    return int(LEVEL_URGENCY.get(level, Referral.Urgency.ROUTINE))


def inbox_dong_ids(user) -> frozenset:
    scope = scope_of(user)
    return scope.dong_ids if scope.sees_records else frozenset()


def open_alerts_for(user) -> QuerySet[DiscoveryAlert]:
    return DiscoveryAlert.objects.filter(
        status=DiscoveryAlert.Status.OPEN, dong_id__in=inbox_dong_ids(user)
    )


def open_referrals_for(user) -> QuerySet[Referral]:
    # "not closed" (rather than a list of open statuses) matches the partial index.
    return Referral.objects.filter(dong_id__in=inbox_dong_ids(user)).exclude(
        status=Referral.Status.CLOSED
    )


def _filtered(user, filters: InboxFilters):
    """(referrals, alerts) querysets with the filters applied; None drops a kind."""
    referrals, alerts = open_referrals_for(user), open_alerts_for(user)
    if filters.dong_ids:
        referrals = referrals.filter(dong_id__in=filters.dong_ids)
        alerts = alerts.filter(dong_id__in=filters.dong_ids)
    if filters.source == SOURCE_ALERT:
        referrals = None
    elif filters.source:
        referrals, alerts = referrals.filter(channel=filters.source), None
    if filters.category:
        alerts = None
        if referrals is not None:
            referrals = referrals.filter(categories__contains=f",{filters.category},")
    if filters.status:
        if referrals is not None:
            referrals = referrals.filter(status=filters.status)
        if alerts is not None:
            if filters.status == Referral.Status.RECEIVED:
                alerts = alerts.filter(assigned_to__isnull=True)
            elif filters.status == Referral.Status.CHECKING:
                alerts = alerts.filter(assigned_to__isnull=False)
            else:
                alerts = None
    if filters.mine:
        if referrals is not None:
            referrals = referrals.filter(assigned_to=user)
        if alerts is not None:
            alerts = alerts.filter(assigned_to=user)
    return referrals, alerts


SORT_COLUMNS = ("item_kind", "item_id", "item_urgency", "item_score", "item_due", "item_opened")


def _sort_rows(referrals, alerts):
    """Narrow rows (kind, id, sort keys) of both kinds, in one UNION ALL."""
    parts = []
    if referrals is not None:
        parts.append(
            referrals.order_by().annotate(
                item_kind=Value(KIND_REFERRAL, output_field=CharField()),
                item_id=F("id"),
                item_urgency=F("urgency"),
                item_score=Value(-1, output_field=IntegerField()),
                item_due=F("due_on"),
                item_opened=F("created_at"),
            ).values(*SORT_COLUMNS)
        )
    if alerts is not None:
        parts.append(
            alerts.order_by().annotate(
                item_kind=Value(KIND_ALERT, output_field=CharField()),
                item_id=F("id"),
                item_urgency=SqlCase(
                    *[When(assessment__level=level, then=Value(int(urgency)))
                      for level, urgency in LEVEL_URGENCY.items()],
                    default=Value(int(Referral.Urgency.ROUTINE)),
                    output_field=IntegerField(),
                ),
                item_score=Coalesce(F("assessment__score"), Value(-1),
                                    output_field=IntegerField()),
                item_due=F("due_on"),
                item_opened=F("opened_at"),
            ).values(*SORT_COLUMNS)
        )
    if not parts:
        return None
    rows = parts[0] if len(parts) == 1 else parts[0].union(parts[1], all=True)
    # Urgency first, then the risk score, then the first-contact due date.
    return rows.order_by("item_urgency", "-item_score", "item_due", "item_opened", "item_id")


def _count(referrals, alerts) -> int:
    return sum(qs.count() for qs in (referrals, alerts) if qs is not None)


def _materialise(rows, today) -> list[InboxItem]:
    """Fetch the rows' objects with their relations: one query per kind."""
    referral_ids = [r["item_id"] for r in rows if r["item_kind"] == KIND_REFERRAL]
    alert_ids = [r["item_id"] for r in rows if r["item_kind"] == KIND_ALERT]
    objects = {}
    if referral_ids:
        for referral in Referral.objects.filter(id__in=referral_ids).select_related(
            "dong", "assigned_to"
        ):
            objects[(KIND_REFERRAL, referral.pk)] = referral
    if alert_ids:
        for alert in alerts_with_heads(DiscoveryAlert.objects.filter(id__in=alert_ids)):
            objects[(KIND_ALERT, alert.pk)] = alert
    return [
        InboxItem(r["item_kind"], objects[(r["item_kind"], r["item_id"])], today)
        for r in rows
        if (r["item_kind"], r["item_id"]) in objects
    ]


def alerts_with_heads(queryset) -> QuerySet[DiscoveryAlert]:
    head = Person.objects.filter(household=OuterRef("household_id")).order_by("-is_head", "id")
    return queryset.select_related(
        "household", "household__dong", "assessment", "assigned_to"
    ).annotate(head_name=Subquery(head.values("name")[:1]))


def inbox_items_for(user, filters: InboxFilters | None = None, *, page: int = 1,
                    per_page: int = 50) -> InboxPage:
    """One page of the user's triage queue, most urgent first."""
    filters = filters or InboxFilters()
    today = timezone.localdate()
    referrals, alerts = _filtered(user, filters)
    rows = _sort_rows(referrals, alerts)
    if rows is None:
        return InboxPage([], 0, 1, 1)
    count = _count(referrals, alerts)
    num_pages = max(1, -(-count // per_page))
    number = min(max(1, page), num_pages)
    start = (number - 1) * per_page
    items = _materialise(list(rows[start:start + per_page]), today)
    return InboxPage(items, count, number, num_pages)


def inbox_rows_all(user, filters: InboxFilters, limit: int = 10000) -> list[InboxItem]:
    """Every item of the filtered queue (exports), in queue order."""
    referrals, alerts = _filtered(user, filters)
    rows = _sort_rows(referrals, alerts)
    if rows is None:
        return []
    return _materialise(list(rows[:limit]), timezone.localdate())


def inbox_item(user, kind: str, item_id: int) -> InboxItem:
    """One open item of the user's queue, or Http404 (another dong, closed, unknown kind)."""
    if kind == KIND_REFERRAL:
        obj = open_referrals_for(user).select_related("dong", "assigned_to").filter(
            pk=item_id).first()
    elif kind == KIND_ALERT:
        obj = alerts_with_heads(open_alerts_for(user)).filter(pk=item_id).first()
    else:
        obj = None
    if obj is None:
        raise Http404(_("처리함에 없는 항목입니다."))
    return InboxItem(kind, obj, timezone.localdate())


def inbox_item_by_label(user, label: str) -> InboxItem:
    """'R-12' or 'A-5' (as shown in the inbox) → the open item, or Http404."""
    label = (label or "").strip().upper()
    prefix, _sep, number = label.partition("-")
    kind = {"R": KIND_REFERRAL, "A": KIND_ALERT}.get(prefix)
    if not kind or not number.isdigit():
        raise Http404(_("'R-12'나 'A-5'처럼 적어 주세요."))
    return inbox_item(user, kind, int(number))


def merge_candidates(user, item: InboxItem, limit: int = 20) -> list[InboxItem]:
    """Open items of the same dong at the same household or address (likely duplicates)."""
    same_referral = Q(address_key=item.address_key) if item.address_key else Q(pk__in=[])
    same_alert = (Q(household__address_key=item.address_key) if item.address_key
                  else Q(pk__in=[]))
    if item.household_id:
        same_referral |= Q(household_id=item.household_id)
        same_alert |= Q(household_id=item.household_id)
    if item.is_referral and item.obj.duplicate_of_id:
        same_referral |= Q(pk=item.obj.duplicate_of_id)
    if item.is_referral and item.obj.duplicate_alert_id:
        same_alert |= Q(pk=item.obj.duplicate_alert_id)
    referrals = open_referrals_for(user).filter(dong_id=item.dong_id).filter(same_referral)
    alerts = open_alerts_for(user).filter(dong_id=item.dong_id).filter(same_alert)
    if item.is_referral:
        referrals = referrals.exclude(pk=item.obj.pk)
    else:
        alerts = alerts.exclude(pk=item.obj.pk)
    rows = _sort_rows(referrals, alerts)
    return _materialise(list(rows[:limit]), timezone.localdate())


def open_alert_like(*, dong_id, household_id, address_key, since):
    """Registered with referrals.services: an open alert at this household or address."""
    same = Q(household__address_key=address_key) if address_key else Q(pk__in=[])
    if household_id:
        same |= Q(household_id=household_id)
    return (
        DiscoveryAlert.objects.filter(status=DiscoveryAlert.Status.OPEN,
                                      dong_id=dong_id, opened_at__gte=since)
        .filter(same)
        .values_list("id", flat=True)
        .first()
    )


# --- risk signals (위기정보): batches, chunks, the risk model ---------------------
PARSE_COUNTERS = ("rows", "accepted", "rejected", "duplicates", "matched_people",
                  "unregistered_candidates", "unmatched")
SCORE_COUNTERS = ("households_scored", "alerts_opened", "alerts_updated")


def chunk_totals(batch_id: int, phase: str, names) -> dict:
    """Counts of the finished chunks of one phase, summed (live while a batch runs)."""
    totals = dict.fromkeys(names, 0)
    for stats in SignalChunk.objects.filter(
        batch_id=batch_id, phase=phase, status=SignalChunk.Status.DONE
    ).values_list("stats", flat=True):
        for name in names:
            totals[name] += int(stats.get(name, 0))
    return totals


def can_manage_signals(user) -> bool:
    return scope_of(user).has(Role.DISTRICT_ADMIN)


def signal_batches_for(user) -> QuerySet[SignalBatch]:
    """District admins see every batch; an agency feed only its own organisation's."""
    scope = scope_of(user)
    if scope.has(Role.DISTRICT_ADMIN):
        return SignalBatch.objects.select_related("source")
    if scope.has(Role.AGENCY_FEED):
        return SignalBatch.objects.select_related("source").filter(
            source_id__in=scope.organization_ids)
    return SignalBatch.objects.none()


def signal_batch_progress(batch: SignalBatch) -> dict:
    """Chunks done of total and the running counts, for the progress bar."""
    parse_done = batch.chunks.filter(phase=SignalChunk.Phase.PARSE,
                                     status=SignalChunk.Status.DONE).count()
    score_done = batch.chunks.filter(phase=SignalChunk.Phase.SCORE,
                                     status=SignalChunk.Status.DONE).count()
    total = batch.chunks_total + batch.score_chunks_total
    done = parse_done + score_done
    percent = 100 if batch.status == SignalBatch.Status.DONE else (
        int(done * 100 / total) if total else 0)
    return {
        "percent": min(percent, 100), "parse_done": parse_done, "score_done": score_done,
        **chunk_totals(batch.pk, SignalChunk.Phase.PARSE, PARSE_COUNTERS),
        **chunk_totals(batch.pk, SignalChunk.Phase.SCORE, SCORE_COUNTERS),
    }


def alert_list_for(user) -> QuerySet[DiscoveryAlert]:
    """발굴 대상 of the user's dongs, most urgent first, with the head's name for masking."""
    head_name = Person.objects.filter(household=OuterRef("household_id")).order_by(
        "-is_head", "id")
    return (
        DiscoveryAlert.objects.filter(
            status=DiscoveryAlert.Status.OPEN,
            household__in=visible_households(user),
        )
        .select_related("household", "household__dong", "assessment")
        .annotate(head_name=Subquery(head_name.values("name")[:1]))
        .order_by("due_on", "-score", "id")
    )


def risk_model_versions(limit: int = 10) -> QuerySet[RiskModel]:
    return RiskModel.objects.select_related("created_by").order_by("-version")[:limit]
