"""Finding and following through: risk scores, discovery alerts, visits.

[2/5] adds SignalBatch, RiskSignal and RiskModel; [4/5] grows Visit and adds Case,
CaseConference, Pairing and CheckIn.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from households.models import Dong, Household


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
        indexes = [models.Index(fields=["household", "-assessed_at"], name="assessment_hh_at")]
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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("가정방문")
        verbose_name_plural = _("가정방문")
        ordering = ["scheduled_for"]
        indexes = [models.Index(fields=["staff", "scheduled_for"], name="visit_staff_when")]

    def __str__(self):
        return f"visit {self.pk} household {self.household_id}"
