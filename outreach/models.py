"""Finding and following through: risk scores, discovery alerts, visits.

[2/5] adds SignalBatch, RiskSignal and RiskModel; [4/5] grows Visit (VisitNeed) and adds
Case (CaseStageChange, CaseConference, CaseGoal, CaseNote), Pairing and CheckIn.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from households.models import Dong, Household, Organization, Person
from outreach.signal_kinds import KIND_CHOICES
from referrals.models import NeedDomain, ServiceLink


class CrisisLevel(models.TextChoices):
    LOW = "low", _("관심")
    MEDIUM = "medium", _("주의")
    HIGH = "high", _("위기")
    CRITICAL = "critical", _("긴급")


class RiskModel(models.Model):
    """위험도 모델: a transparent weighted model; each save is a new version, never edited."""

    version = models.PositiveIntegerField(_("버전"), unique=True)
    # {kind code: points at full strength}; kinds not listed weigh 0.
    weights = models.JSONField(_("위기정보별 가중치"), default=dict)
    # A signal's weight halves every half_life_days after it was observed.
    half_life_days = models.PositiveSmallIntegerField(_("반감기(일)"), default=90)
    # Severity: +month_factor per month overdue (up to 12), +amount_factor per 1,000,000 KRW
    # (up to 5): a 6-month, 1.2M-won arrear counts 1 + 0.6 + 0.12 times its weight.
    month_factor = models.DecimalField(_("체납 1개월당 가중"), max_digits=4, decimal_places=2,
                                       default=0.10)
    amount_factor = models.DecimalField(_("100만 원당 가중"), max_digits=4, decimal_places=2,
                                        default=0.10)
    bonus_alone_cutoff = models.PositiveSmallIntegerField(_("1인 가구 + 단전·단수·단가스"),
                                                          default=20)
    bonus_two_cutoffs = models.PositiveSmallIntegerField(_("공급 중단 2종 이상 동시"), default=15)
    bonus_elderly = models.PositiveSmallIntegerField(_("노인 가구 + 위기정보"), default=5)
    bonus_many_kinds = models.PositiveSmallIntegerField(_("위기정보 3종 이상"), default=10)
    threshold = models.PositiveSmallIntegerField(_("발굴 기준 점수"), default=50)
    level_medium = models.PositiveSmallIntegerField(_("주의 기준"), default=30)
    level_high = models.PositiveSmallIntegerField(_("위기 기준"), default=50)
    level_critical = models.PositiveSmallIntegerField(_("긴급 기준"), default=75)
    note = models.CharField(_("변경 사유"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("생성일시"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("위험도 모델")
        verbose_name_plural = _("위험도 모델")
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold__lte=100) & Q(level_critical__lte=100)
                & Q(level_medium__lte=models.F("level_high"))
                & Q(level_high__lte=models.F("level_critical")),
                name="riskmodel_levels_ordered",
            ),
        ]

    def __str__(self):
        return f"v{self.version}"


class SignalBatch(models.Model):
    """One agency file (or API push): the raw file is kept; its SHA-256 makes it unique."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("접수")
        PARSING = "parsing", _("읽는 중")
        SCORING = "scoring", _("점수 계산 중")
        DONE = "done", _("완료")
        FAILED = "failed", _("실패")

    class Channel(models.TextChoices):
        UPLOAD = "upload", _("화면 업로드")
        API = "api", _("API")
        COMMAND = "command", _("명령행")

    source = models.ForeignKey(Organization, on_delete=models.PROTECT,
                               related_name="signal_batches", verbose_name=_("제공 기관"))
    channel = models.CharField(_("접수 경로"), max_length=10, choices=Channel.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    file = models.FileField(_("원본 파일"), upload_to="signal_batches/%Y/%m/")
    original_name = models.CharField(_("파일명"), max_length=255)
    sha256 = models.CharField(max_length=64, unique=True)
    size_bytes = models.BigIntegerField(_("크기"))
    file_format = models.CharField(_("형식"), max_length=5)  # csv | xlsx
    encoding = models.CharField(_("문자 인코딩"), max_length=20, blank=True)
    delimiter = models.CharField(max_length=1, blank=True)
    # Header position → canonical column name, fixed when the file is received.
    columns = models.JSONField(default=list)
    status = models.CharField(_("상태"), max_length=10, choices=Status.choices,
                              default=Status.RECEIVED)
    failure_reason = models.TextField(_("실패 사유"), blank=True)
    chunks_total = models.PositiveIntegerField(default=0)
    score_chunks_total = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(_("행 수"), default=0)
    accepted = models.PositiveIntegerField(_("접수"), default=0)
    rejected = models.PositiveIntegerField(_("반려"), default=0)
    duplicates = models.PositiveIntegerField(_("중복"), default=0)
    matched_people = models.PositiveIntegerField(_("기존 가구원 일치"), default=0)
    unregistered_candidates = models.PositiveIntegerField(_("미등록 거주 후보"), default=0)
    unmatched = models.PositiveIntegerField(_("미일치"), default=0)
    households_scored = models.PositiveIntegerField(_("평가 가구"), default=0)
    alerts_opened = models.PositiveIntegerField(_("신규 발굴"), default=0)
    alerts_updated = models.PositiveIntegerField(_("갱신 발굴"), default=0)
    model_version = models.PositiveIntegerField(_("모델 버전"), null=True, blank=True)
    created_at = models.DateTimeField(_("접수일시"), auto_now_add=True)
    finished_at = models.DateTimeField(_("완료일시"), null=True, blank=True)

    class Meta:
        verbose_name = _("위기정보 파일")
        verbose_name_plural = _("위기정보 파일")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["source", "-created_at"], name="batch_source_created")]

    def __str__(self):
        return f"batch {self.pk} {self.original_name}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class SignalChunk(models.Model):
    """The status row of one unit of work: a slice of the file (parse) or of the
    batch's households (score). Its (batch, phase, number) key makes a re-run a no-op."""

    class Phase(models.TextChoices):
        PARSE = "parse", _("읽기")
        SCORE = "score", _("점수")

    class Status(models.TextChoices):
        PENDING = "pending", _("대기")
        DONE = "done", _("완료")
        FAILED = "failed", _("실패")

    batch = models.ForeignKey(SignalBatch, on_delete=models.CASCADE, related_name="chunks")
    phase = models.CharField(max_length=5, choices=Phase.choices)
    number = models.PositiveIntegerField()
    # parse: byte range of the file and the physical line of its first row;
    # score: household id range (inclusive).
    start = models.BigIntegerField(default=0)
    end = models.BigIntegerField(default=0)
    first_line = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    # Outcome counts, written in the same transaction as the rows they count.
    stats = models.JSONField(default=dict)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "phase", "number"], name="chunk_unique"),
        ]
        indexes = [models.Index(fields=["batch", "phase", "status"], name="chunk_batch_status")]

    def __str__(self):
        return f"batch {self.batch_id} {self.phase} #{self.number} {self.status}"


class SignalRejection(models.Model):
    """A rejected row: its line in the file, the column and what to fix."""

    batch = models.ForeignKey(SignalBatch, on_delete=models.CASCADE, related_name="rejections")
    line = models.PositiveIntegerField(_("행"))
    column = models.CharField(_("열"), max_length=40, blank=True)
    reason = models.CharField(_("사유"), max_length=300)

    class Meta:
        ordering = ["line", "id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "line", "column"], name="rejection_unique"),
        ]

    def __str__(self):
        return f"{self.line}: {self.column} {self.reason}"


class RiskSignal(models.Model):
    """위기정보: one kind observed for one person by one source on one date."""

    class Match(models.TextChoices):
        RRN = "rrn", _("주민등록번호 일치")
        NAME = "name", _("성명·생년월일·주소 일치")
        CANDIDATE = "candidate", _("미등록 거주 후보")
        UNMATCHED = "unmatched", _("미일치")

    # source, batch and household are the leading columns of the indexes below; a separate
    # index each would only slow the bulk inserts down.
    source = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    kind = models.CharField(_("위기정보"), max_length=40, choices=KIND_CHOICES)
    # Who it is about, stable across files: the RRN's keyed hash, or a keyed hash of
    # normalised name + birth date + address key. Never the number itself.
    subject = models.CharField(max_length=64)
    observed_on = models.DateField(_("기준일"))
    months_overdue = models.PositiveSmallIntegerField(_("체납개월"), null=True, blank=True)
    amount = models.BigIntegerField(_("금액"), null=True, blank=True)
    batch = models.ForeignKey(SignalBatch, on_delete=models.CASCADE, related_name="signals",
                              db_index=False)
    chunk_no = models.PositiveIntegerField()
    line = models.PositiveIntegerField(_("행"))
    household = models.ForeignKey(Household, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="risk_signals", db_index=False)
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="risk_signals")
    match = models.CharField(_("일치 방법"), max_length=10, choices=Match.choices)
    # Where an unmatched row said it lives (masked name only), for staff to follow up.
    name_masked = models.CharField(max_length=50, blank=True)
    address = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("위기정보")
        verbose_name_plural = _("위기정보")
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "subject", "observed_on"],
                                    name="signal_unique_observation"),
        ]
        indexes = [
            models.Index(fields=["batch", "chunk_no"], name="signal_batch_chunk"),
            models.Index(fields=["household", "observed_on"], name="signal_household_on"),
        ]

    def __str__(self):
        return f"{self.kind} {self.observed_on} ({self.match})"


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
    batch = models.ForeignKey("SignalBatch", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="assessments")
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
    # Copied from the household on save(), so the triage inbox reads one dong's open alerts
    # from an index instead of joining every household of the dong. bulk_create callers must
    # set it (NOT NULL: forgetting fails loudly rather than hiding alerts from the inbox).
    dong = models.ForeignKey(Dong, on_delete=models.PROTECT, related_name="discovery_alerts",
                             editable=False)
    status = models.CharField(
        _("상태"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    assessment = models.ForeignKey(
        RiskAssessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts"
    )
    # What raised it: the risk model, a missed check-in, a follow-up coming due …
    origin = models.CharField(_("발생 경로"), max_length=20, default="risk_model")
    level = models.CharField(_("위기 수준"), max_length=10, choices=CrisisLevel.choices,
                             blank=True)
    score = models.PositiveSmallIntegerField(_("위기도 점수"), null=True, blank=True)
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
            # The triage inbox: open alerts of the user's dongs.
            models.Index(fields=["dong", "status", "due_on"], name="alert_dong_status_due"),
            models.Index(fields=["assigned_to", "status"], name="alert_assignee"),
            models.Index(fields=["household", "status"], name="alert_household_status"),
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

    def save(self, *args, **kwargs):
        if self.dong_id is None and self.household_id:
            self.dong_id = self.household.dong_id
        super().save(*args, **kwargs)


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
