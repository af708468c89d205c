"""Finding and following through: risk scores, discovery alerts, visits.

[2/5] adds SignalBatch, RiskSignal and RiskModel; [4/5] grows Visit (VisitNeed) and adds
Case (CaseStageChange, CaseConference, CaseGoal, CaseNote), Pairing and CheckIn.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from households.models import Household, Organization
from referrals.models import NeedDomain, ServiceLink


class CrisisLevel(models.TextChoices):
    LOW = "low", _("관심")
    MEDIUM = "medium", _("주의")
    HIGH = "high", _("위기")
    CRITICAL = "critical", _("긴급")


class RiskAssessment(models.Model):
    """위기도: a household's score 0–100 under one version of the risk model."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="risk_assessments"
    )
    model_version = models.PositiveIntegerField(_("모델 버전"), default=1)
    score = models.PositiveSmallIntegerField(_("위기도 점수"))
    level = models.CharField(_("위기 수준"), max_length=10, choices=CrisisLevel.choices)
    # The top factors as plain Korean sentences: ["단전 2개월", "1인 가구"].
    factors = models.JSONField(_("주요 요인"), default=list)
    assessed_at = models.DateTimeField(_("평가일시"), auto_now_add=True)

    class Meta:
        verbose_name = _("위기도 평가")
        verbose_name_plural = _("위기도 평가")
        indexes = [models.Index(fields=["household", "-assessed_at"], name="assessment_hh_at"),
                   # The dashboard's top-10% cut-off reads the alerts of one score.
                   models.Index(fields=["score"], name="assessment_score")]
        constraints = [
            models.CheckConstraint(condition=Q(score__lte=100), name="assessment_score_0_100"),
        ]

    def __str__(self):
        return f"{self.household_id}: {self.score} ({self.level})"


class DiscoveryAlert(models.Model):
    """발굴 대상: one open alert per household while the crisis is being looked at."""

    class Status(models.TextChoices):
        OPEN = "open", _("진행 중")
        CLOSED = "closed", _("종결")
        MERGED = "merged", _("병합됨")

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="discovery_alerts"
    )
    status = models.CharField(
        _("상태"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    assessment = models.ForeignKey(
        RiskAssessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts"
    )
    # What raised it: the risk model, a missed check-in, a follow-up coming due …
    origin = models.CharField(_("발생 경로"), max_length=20, default="risk_model")
    due_on = models.DateField(_("첫 접촉 기한"))
    opened_at = models.DateTimeField(_("발생일시"), auto_now_add=True)
    updated_at = models.DateTimeField(_("수정일시"), auto_now=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="assigned_alerts",
    )
    first_contact_at = models.DateTimeField(_("첫 접촉 일시"), null=True, blank=True)
    closed_at = models.DateTimeField(_("종결일시"), null=True, blank=True)
    close_reason = models.CharField(_("종결 사유"), max_length=30, blank=True)
    close_note = models.TextField(_("종결 메모"), blank=True)

    class Meta:
        verbose_name = _("발굴 대상")
        verbose_name_plural = _("발굴 대상")
        indexes = [
            models.Index(fields=["status", "due_on"], name="alert_status_due"),
            # The dashboard's live corrections: alerts of the last few days, and the
            # overdue backlog (open, never contacted) counted without the closed ones.
            models.Index(fields=["opened_at"], name="alert_opened_at"),
            models.Index(fields=["due_on"], name="alert_uncontacted_due",
                         condition=Q(status="open", first_contact_at__isnull=True)),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(status="open"),
                name="one_open_alert_per_household",
            ),
        ]

    def __str__(self):
        return f"alert {self.pk} household {self.household_id} ({self.status})"


class NeedLevel(models.TextChoices):
    NONE = "none", _("없음")
    LOW = "low", _("낮음")
    MEDIUM = "medium", _("보통")
    HIGH = "high", _("높음")


class Visit(models.Model):
    """가정방문: a staff member, optionally with a volunteer companion (2인 1조)."""

    class Outcome(models.TextChoices):
        MET = "met", _("만남")
        NOT_HOME = "not_home", _("부재")
        REFUSED = "refused", _("거부")
        MOVED = "moved", _("이사")
        HOSPITALISED = "hospitalised", _("입원")
        DECEASED = "deceased", _("사망")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="visits")
    alert = models.ForeignKey(
        DiscoveryAlert, on_delete=models.SET_NULL, null=True, blank=True, related_name="visits"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits"
    )
    companion = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="companion_visits",
    )
    scheduled_for = models.DateTimeField(_("방문 예정일시"))
    outcome = models.CharField(_("결과"), max_length=15, choices=Outcome.choices, blank=True)
    visited_at = models.DateTimeField(_("방문일시"), null=True, blank=True)
    observations = models.TextField(_("관찰 내용"), blank=True)
    crisis_level = models.CharField(
        _("위기 수준"), max_length=10, choices=CrisisLevel.choices, blank=True
    )
    # 1 for the first try; a "부재" schedules attempt n+1 (VISIT_RETRY_DAYS later).
    attempt_no = models.PositiveSmallIntegerField(_("방문 차수"), default=1)
    previous_attempt = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="next_attempt"
    )
    # 연락 두절: VISIT_MAX_ATTEMPTS failed tries in a row; the worker takes another way.
    unreachable = models.BooleanField(_("연락 두절"), default=False)
    suggested_next_step = models.CharField(_("권고 조치"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("가정방문")
        verbose_name_plural = _("가정방문")
        ordering = ["scheduled_for"]
        indexes = [
            models.Index(fields=["staff", "scheduled_for"], name="visit_staff_when"),
            models.Index(fields=["companion", "scheduled_for"], name="visit_companion_when"),
            models.Index(fields=["household", "scheduled_for"], name="visit_household_when"),
        ]

    def __str__(self):
        return f"visit {self.pk} household {self.household_id}"

    @property
    def is_recorded(self) -> bool:
        return bool(self.outcome)


class VisitNeed(models.Model):
    """욕구 사정: one domain's level and note, recorded on a visit."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="needs")
    domain = models.CharField(_("영역"), max_length=20, choices=NeedDomain.choices)
    level = models.CharField(_("수준"), max_length=10, choices=NeedLevel.choices)
    note = models.CharField(_("메모"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("욕구 사정")
        verbose_name_plural = _("욕구 사정")
        constraints = [
            models.UniqueConstraint(fields=["visit", "domain"], name="visit_need_once"),
        ]

    def __str__(self):
        return f"{self.get_domain_display()}: {self.get_level_display()}"


class Case(models.Model):
    """통합사례관리: a complex household worked through fixed stages."""

    class Stage(models.TextChoices):
        INTAKE = "intake", _("접수")
        ASSESSMENT = "assessment", _("욕구 사정")
        PLAN = "plan", _("계획")
        SERVICE = "service", _("서비스 제공")
        MONITORING = "monitoring", _("점검")
        CLOSED = "closed", _("종결")
        FOLLOW_UP = "follow_up", _("사후관리")

    class ClosureReason(models.TextChoices):
        GOALS_MET = "goals_met", _("목표 달성")
        REFUSED = "refused", _("서비스 거부")
        MOVED = "moved", _("전출")
        DECEASED = "deceased", _("사망")
        TRANSFERRED = "transferred", _("타 기관 이관")
        OTHER = "other", _("기타")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="cases")
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="managed_cases"
    )
    stage = models.CharField(
        _("단계"), max_length=12, choices=Stage.choices, default=Stage.INTAKE
    )
    stage_due_on = models.DateField(_("단계 기한"), null=True, blank=True)
    opened_at = models.DateTimeField(_("접수일시"), auto_now_add=True)
    # 통합사례관리 지침: the plan is set within 30 days of intake.
    plan_due_on = models.DateField(_("계획 수립 기한"))
    summary = models.TextField(_("주요 문제"), blank=True)
    closed_at = models.DateTimeField(_("종결일시"), null=True, blank=True)
    closure_reason = models.CharField(
        _("종결 사유"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    closure_note = models.TextField(_("종결 메모"), blank=True)
    follow_up_on = models.DateField(_("사후관리 예정일"), null=True, blank=True)
    follow_up_alert = models.ForeignKey(
        DiscoveryAlert, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("통합사례")
        verbose_name_plural = _("통합사례")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["stage", "stage_due_on"], name="case_stage_due"),
            models.Index(fields=["follow_up_on"], name="case_follow_up_on"),
        ]

    def __str__(self):
        return f"case {self.pk} household {self.household_id} ({self.stage})"

    @property
    def next_stage(self):
        order = list(self.Stage.values)
        position = order.index(self.stage)
        return order[position + 1] if position + 1 < len(order) else None


class CaseStageChange(models.Model):
    """When a case entered each stage, by whom, and the due date it got."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stage_changes")
    stage = models.CharField(_("단계"), max_length=12, choices=Case.Stage.choices)
    at = models.DateTimeField(_("일시"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    due_on = models.DateField(_("기한"), null=True, blank=True)
    note = models.CharField(_("메모"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"case {self.case_id} → {self.stage}"


class CaseConference(models.Model):
    """사례회의."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="conferences")
    held_on = models.DateField(_("회의일"))
    organizations = models.ManyToManyField(
        Organization, related_name="case_conferences", blank=True,
        verbose_name=_("참석 기관"),
    )
    decisions = models.TextField(_("결정 사항"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("사례회의")
        verbose_name_plural = _("사례회의")
        ordering = ["held_on", "id"]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d}"


class CaseGoal(models.Model):
    """One goal of the case plan, met through service links."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="goals")
    description = models.CharField(_("목표"), max_length=300)
    domain = models.CharField(_("영역"), max_length=20, choices=NeedDomain.choices, blank=True)
    service_links = models.ManyToManyField(
        ServiceLink, related_name="case_goals", blank=True, verbose_name=_("연계 서비스")
    )
    achieved = models.BooleanField(_("달성"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("사례 목표")
        verbose_name_plural = _("사례 목표")
        ordering = ["id"]

    def __str__(self):
        return self.description


class CaseNote(models.Model):
    """점검 (monitoring) notes."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    at = models.DateTimeField(_("일시"), auto_now_add=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("점검 내용"))

    class Meta:
        verbose_name = _("점검 기록")
        verbose_name_plural = _("점검 기록")
        ordering = ["at", "id"]

    def __str__(self):
        return self.text[:40]


class Pairing(models.Model):
    """결연: a good-neighbour volunteer who keeps checking in on an isolated household."""

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", _("매주")
        FORTNIGHTLY = "fortnightly", _("격주")
        MONTHLY = "monthly", _("매월")

    CADENCE_DAYS = {"weekly": 7, "fortnightly": 14, "monthly": 30}

    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pairings"
    )
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="pairings")
    cadence = models.CharField(
        _("안부 확인 주기"), max_length=12, choices=Cadence.choices, default=Cadence.WEEKLY
    )
    # Days of slack after the cadence before a missed check-in raises an alert.
    grace_days = models.PositiveSmallIntegerField(_("유예 일수"), default=2)
    started_on = models.DateField(_("결연일"))
    ended_on = models.DateField(_("종료일"), null=True, blank=True)
    last_check_in_at = models.DateTimeField(_("최근 안부 확인"), null=True, blank=True)
    # The missed-check-in alert is raised once per silence, not every day.
    missed_alerted_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("결연")
        verbose_name_plural = _("결연")
        ordering = ["id"]
        indexes = [models.Index(fields=["volunteer", "ended_on"], name="pairing_volunteer")]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "household"], condition=Q(ended_on__isnull=True),
                name="one_active_pairing_per_volunteer_household",
            ),
        ]

    def __str__(self):
        return f"pairing {self.pk} household {self.household_id}"

    @property
    def cadence_days(self) -> int:
        return self.CADENCE_DAYS[self.cadence]

    def due_at(self):
        """When the next check-in is due (the grace comes on top)."""
        from datetime import datetime, time, timedelta

        from django.utils import timezone

        base = self.last_check_in_at or datetime.combine(
            self.started_on, time.min, timezone.get_current_timezone()
        )
        return base + timedelta(days=self.cadence_days)


class CheckIn(models.Model):
    """안부 확인, logged by the paired volunteer from a phone."""

    class Kind(models.TextChoices):
        MET = "met", _("만남")
        PHONE = "phone", _("전화")
        NO_ANSWER = "no_answer", _("응답 없음")

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="check_ins")
    at = models.DateTimeField(_("일시"))
    kind = models.CharField(_("방법"), max_length=10, choices=Kind.choices)
    wellbeing = models.PositiveSmallIntegerField(_("안녕 정도(1–5)"), null=True, blank=True)
    concern = models.BooleanField(_("걱정돼요"), default=False)
    note = models.CharField(_("메모"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="check_ins"
    )

    class Meta:
        verbose_name = _("안부 확인")
        verbose_name_plural = _("안부 확인")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["pairing", "-at"], name="checkin_pairing_at")]
        constraints = [
            models.CheckConstraint(
                name="checkin_wellbeing_1_5",
                condition=Q(wellbeing__isnull=True) | Q(wellbeing__gte=1, wellbeing__lte=5),
            ),
        ]

    def __str__(self):
        return f"check-in {self.pk} ({self.kind})"


class DiscoveryTarget(models.Model):
    """발굴 목표: households a dong should find in a year (영등포구 raises it 10% a year).

    Without a row for the year the dashboard uses last year's actual × 1.1, rounded up.
    """

    dong = models.ForeignKey(
        "households.Dong", on_delete=models.CASCADE, related_name="discovery_targets"
    )
    year = models.PositiveSmallIntegerField(_("연도"))
    target = models.PositiveIntegerField(_("발굴 목표(가구)"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    set_at = models.DateTimeField(_("설정일시"), auto_now=True)

    class Meta:
        verbose_name = _("발굴 목표")
        verbose_name_plural = _("발굴 목표")
        ordering = ["year", "dong__code"]
        constraints = [
            models.UniqueConstraint(fields=["dong", "year"], name="one_target_per_dong_year"),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="target_year_sane"
            ),
        ]

    def __str__(self):
        return f"{self.dong} {self.year}: {self.target}"


# --- dashboard rollups ([5/5]) -------------------------------------------------------
# Per (dong, month) figures the dashboards read instead of scanning alerts and visits.
# Rebuilt by outreach.rollups.dashboard_rollup_refresh (nightly, and per dong after the
# writes that change them); a month is a calendar month in Asia/Seoul.


class DongMonthStat(models.Model):
    """Counts that add up over months and dongs. Alert figures by the month the alert
    opened (first-contact figures too), ``alerts_closed`` by the month it closed,
    visit figures by the month of the visit."""

    dong = models.ForeignKey("households.Dong", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    alerts_opened = models.PositiveIntegerField(default=0)
    alerts_closed = models.PositiveIntegerField(default=0)
    contacted = models.PositiveIntegerField(default=0)
    # Emergency (위기·긴급) and normal alerts: contacted, contacted within the limit,
    # not contacted (yet). Whether a not-contacted one is already late depends on
    # today, so the dashboard takes off the few opened within the last days live.
    em_contacted = models.PositiveIntegerField(default=0)
    em_ok = models.PositiveIntegerField(default=0)
    em_uncontacted = models.PositiveIntegerField(default=0)
    normal_contacted = models.PositiveIntegerField(default=0)
    normal_ok = models.PositiveIntegerField(default=0)
    normal_uncontacted = models.PositiveIntegerField(default=0)
    visits_done = models.PositiveIntegerField(default=0)
    visits_met = models.PositiveIntegerField(default=0)
    visits_paired = models.PositiveIntegerField(default=0)
    # Seconds from alert to first contact of the alerts contacted, sorted: the
    # median is exact (one number per contacted alert, no join to read them).
    contact_seconds = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dong", "month"],
                                               name="one_stat_per_dong_month")]

    def __str__(self):
        return f"{self.dong_id} {self.month:%Y-%m}"


class DongMonthReach(models.Model):
    """Distinct households over any run of months, without the households.

    ``n`` households of the dong had a ``kind`` event in ``month`` whose previous such
    month was ``since`` (null: none before). The households in months [s, e] are then
    the sum of ``n`` over month in [s, e] with since null or before s — each counted
    once, at its first month in the run. Kinds: found (an alert opened that month led
    to discovery), visited (a visit took place), unreachable (a visit ended 연락 두절).
    """

    dong = models.ForeignKey("households.Dong", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12)
    month = models.DateField()
    since = models.DateField(null=True, blank=True)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["kind", "month"], name="reach_kind_month")]

    def __str__(self):
        return f"{self.dong_id} {self.kind} {self.month:%Y-%m}: {self.n}"


class DongMonthScore(models.Model):
    """Closed risk-model alerts by the month they closed, model version and score
    (an integer 0–100): how many, and how many were closed as needing help."""

    dong = models.ForeignKey("households.Dong", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    version = models.PositiveIntegerField()
    score = models.PositiveSmallIntegerField()
    closed = models.PositiveIntegerField(default=0)
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["month"], name="score_month")]

    def __str__(self):
        return f"{self.dong_id} {self.month:%Y-%m} v{self.version} {self.score}: {self.closed}"


class DongMonthFactor(models.Model):
    """Closed risk-model alerts per factor named on their assessment (one alert counts
    once for each factor), by the month they closed."""

    dong = models.ForeignKey("households.Dong", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    factor = models.CharField(max_length=200)
    closed = models.PositiveIntegerField(default=0)
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["month"], name="factor_month")]

    def __str__(self):
        return f"{self.dong_id} {self.month:%Y-%m} {self.factor}: {self.closed}"


class DongMonthAge(models.Model):
    """Closed risk-model alerts by the month they closed, score and the age band of the
    household's head (outreach.dashboards.AGE_BANDS; -1 unknown) on the last day of a
    period ending in a month from ``valid_from`` to ``valid_to`` (first days of months;
    null: open-ended). A head's band changes only on a few birthdays, so each alert
    has a handful of rows at most, and a period picks the row valid at its end."""

    dong = models.ForeignKey("households.Dong", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    score = models.PositiveSmallIntegerField()
    band = models.SmallIntegerField()
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    closed = models.PositiveIntegerField(default=0)
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["month"], name="age_month")]

    def __str__(self):
        return f"{self.dong_id} {self.month:%Y-%m} band {self.band} {self.score}: {self.closed}"


class DongMonthCompanion(models.Model):
    """Visits done with a volunteer along, per volunteer, dong and month of the visit
    (a row per volunteer: a district has hundreds, whatever the number of visits)."""

    dong = models.ForeignKey("households.Dong", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    companion = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="+")
    visits = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["month"], name="companion_month")]

    def __str__(self):
        return f"{self.dong_id} {self.month:%Y-%m} {self.companion_id}: {self.visits}"
