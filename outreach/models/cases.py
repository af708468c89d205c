"""Integrated case management (통합사례관리): Case, its stage changes, conferences,
goals and notes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households.models import Household, Organization
from outreach.models.alerts import DiscoveryAlert
from referrals.models import NeedDomain, ServiceLink


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
    history = HistoricalRecords(excluded_fields=["updated_at"])

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

    @property
    def advance_stages(self) -> list[str]:
        """Where a worker may move the case by hand: the next stage only. 종결 has its own
        form (it needs a reason); 사후관리 comes back by itself when its date is due."""
        step = self.next_stage
        if self.closed_at or step in (None, self.Stage.CLOSED, self.Stage.FOLLOW_UP):
            return []
        return [step]

    @property
    def closure_reasons(self) -> list[str]:
        """Reasons this case may close with now: 목표 달성 and 기타 only after 점검; a death,
        a move, a refusal or a transfer at any stage."""
        if self.closed_at:
            return []
        after_monitoring = (self.ClosureReason.GOALS_MET, self.ClosureReason.OTHER)
        return [reason for reason in self.ClosureReason.values
                if self.stage == self.Stage.MONITORING or reason not in after_monitoring]


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
