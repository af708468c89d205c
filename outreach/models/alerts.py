"""DiscoveryAlert (발굴 대상): one open alert per household, with its first-contact due date."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from households.models import Dong, Household
from outreach.models.assessments import CrisisLevel, RiskAssessment


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
