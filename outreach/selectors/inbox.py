"""The triage inbox: alerts and referrals of the user's dongs as one queue, ordered by
urgency, score and due date, filtered and paged in SQL."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Case as SqlCase
from django.db.models import (
    CharField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from households.messages import message_payload, message_text
from households.models import mask_name
from households.selectors import household_head, scope_of
from outreach.models import (
    CrisisLevel,
    DiscoveryAlert,
)
from referrals.models import Referral

KIND_REFERRAL, KIND_ALERT = "referral", "alert"
KINDS = (KIND_REFERRAL, KIND_ALERT)
SOURCE_ALERT = "alert"
Stage = DiscoveryAlert.Stage
CONTACTED = "contacted"
# Inbox statuses: one ladder for both kinds. A referral shows its own status; an alert its
# stage under the same word: 접수, 확인 중 (someone holds it), 연락함 (first contact made),
# 지원 연계 (a service link or a case). 방문 is a referral's own step.
INBOX_STATUSES = [
    (Referral.Status.RECEIVED.value, Referral.Status.RECEIVED.label),
    (Referral.Status.CHECKING.value, Referral.Status.CHECKING.label),
    (Referral.Status.VISITING.value, Referral.Status.VISITING.label),
    (CONTACTED, Stage.CONTACTED.label),
    (Referral.Status.LINKED.value, Referral.Status.LINKED.label),
]
INBOX_STATUS_LABELS = dict(INBOX_STATUSES)
ALERT_INBOX_STATUS = {
    Stage.RECEIVED: Referral.Status.RECEIVED.value,
    Stage.ASSIGNED: Referral.Status.CHECKING.value,
    Stage.CONTACTED: CONTACTED,
    Stage.SUPPORTING: Referral.Status.LINKED.value,
}
# What is due next, by the item's place in its life.
STEP_FIRST_CONTACT, STEP_DECIDE, STEP_SUPPORT = "first_contact", "decide", "support"
STEP_LABELS = {
    STEP_FIRST_CONTACT: gettext_lazy("첫 접촉"),
    STEP_DECIDE: gettext_lazy("지원 결정"),
    STEP_SUPPORT: gettext_lazy("지원 진행 중"),
}


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
    def next_step(self) -> str:
        """First contact until it is made; then the decision on support; then support."""
        if self.status == Referral.Status.LINKED:
            return STEP_SUPPORT
        if self.obj.first_contact_at is None and (self.is_referral
                                                  or self.obj.awaits_first_contact):
            return STEP_FIRST_CONTACT
        return STEP_DECIDE

    @property
    def next_step_label(self) -> str:
        return str(STEP_LABELS[self.next_step])

    @property
    def next_due_on(self):
        """When the next step is due (None while support is under way)."""
        step = self.next_step
        if step == STEP_FIRST_CONTACT:
            return self.obj.due_on
        if step == STEP_DECIDE:
            if not self.is_referral and self.obj.decide_by:
                return self.obj.decide_by
            contacted = self.obj.first_contact_at
            if contacted is None:
                return None
            return timezone.localtime(contacted).date() + timedelta(
                days=settings.ALERT_DECIDE_DAYS)
        return None

    @property
    def overdue(self) -> bool:
        """Overdue for first contact: never once the household has been contacted."""
        return self.next_step == STEP_FIRST_CONTACT and self.obj.due_on < self.today

    @property
    def decision_overdue(self) -> bool:
        due = self.next_due_on
        return self.next_step == STEP_DECIDE and due is not None and due < self.today

    @property
    def status(self) -> str:
        if self.is_referral:
            return self.obj.status
        return ALERT_INBOX_STATUS[self.obj.stage]

    @property
    def status_label(self) -> str:
        return str(INBOX_STATUS_LABELS[self.status])

    @property
    def source_label(self) -> str:
        if self.is_referral:
            label = self.obj.get_channel_display()
            if self.obj.staff_method:
                label += f" · {self.obj.get_staff_method_display()}"
            if self.obj.gatekeeper_place_id:
                label += f" · {self.obj.gatekeeper_label}"
            return label
        return _("위기정보 발굴")

    @property
    def what(self) -> list[str]:
        if self.is_referral:
            return self.obj.category_labels
        factors = self.obj.assessment.factors if self.obj.assessment else []
        return [message_text(f) for f in (factors or [])[:3]]

    @property
    def what_codes(self) -> list[dict]:
        """``what`` with its codes: concern categories, or the risk factors with their
        values ({"code": "power_cutoff", "values": {"months": 2}, "text": "단전 2개월"})."""
        if self.is_referral:
            return [{"code": code, "values": {}, "text": text}
                    for code, text in zip(self.obj.category_list, self.obj.category_labels,
                                          strict=False)]
        factors = self.obj.assessment.factors if self.obj.assessment else []
        return [message_payload(f) for f in (factors or [])[:3]]

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
            stages = [stage for stage, status in ALERT_INBOX_STATUS.items()
                      if status == filters.status]
            alerts = alerts.filter(stage__in=stages) if stages else None
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
                # The alert's own copy of its assessment's level and score (kept by every
                # rescore): a join to the assessments grew with every round scored.
                item_urgency=SqlCase(
                    *[When(level=level, then=Value(int(urgency)))
                      for level, urgency in LEVEL_URGENCY.items()],
                    default=Value(int(Referral.Urgency.ROUTINE)),
                    output_field=IntegerField(),
                ),
                item_score=Coalesce(F("score"), Value(-1), output_field=IntegerField()),
                # What is due next: first contact, or the decision once contacted.
                item_due=SqlCase(
                    When(stage=Stage.CONTACTED, decide_by__isnull=False, then=F("decide_by")),
                    default=F("due_on"),
                ),
                item_opened=F("opened_at"),
            ).values(*SORT_COLUMNS)
        )
    if not parts:
        return None
    rows = parts[0] if len(parts) == 1 else parts[0].union(parts[1], all=True)
    # Urgency first, then the risk score, then the next due date.
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
            "dong", "assigned_to", "gatekeeper_place"
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
    return queryset.select_related(
        "household", "household__dong", "assessment", "assigned_to"
    ).annotate(head_name=household_head())


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
        obj = open_referrals_for(user).select_related(
            "dong", "assigned_to", "gatekeeper_place").filter(
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
