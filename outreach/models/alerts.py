"""DiscoveryAlert (발굴 대상): one open alert per household, its stage in the alert's life
(received → assigned → contacted → in support) and what is due next."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households.models import Dong, Household
from outreach.models.assessments import CrisisLevel, RiskAssessment


class DiscoveryAlert(models.Model):
    """발굴 대상: one open alert per household while the crisis is being looked at."""

    class Status(models.TextChoices):
        OPEN = "open", _("진행 중")
        CLOSED = "closed", _("종결")
        MERGED = "merged", _("병합됨")

    class Stage(models.TextChoices):
        """Where an open alert is in its life; ``status`` says whether it is still open."""

        RECEIVED = "received", _("접수")
        ASSIGNED = "assigned", _("확인 중")
        CONTACTED = "contacted", _("연락함")
        SUPPORTING = "supporting", _("지원 연계")

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
    # Kept when the alert closes, so a closed alert still says how far it got.
    stage = models.CharField(
        _("단계"), max_length=12, choices=Stage.choices, default=Stage.RECEIVED
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
    # Set at first contact: support is decided (linked, a case, or closed) by this date.
    decide_by = models.DateField(_("지원 결정 기한"), null=True, blank=True)
    closed_at = models.DateTimeField(_("종결일시"), null=True, blank=True)
    close_reason = models.CharField(_("종결 사유"), max_length=30, blank=True)
    close_note = models.TextField(_("종결 메모"), blank=True)
    # Alerts the scoring pipeline opens in bulk SQL have no history row (README).
    history = HistoricalRecords(excluded_fields=["updated_at"])

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
            # overdue backlog (open, never contacted) without the closed ones, listed in
            # (due_on, id) order: the first 20 are read from the index, not sorted out of
            # every alert due the same day.
            models.Index(fields=["opened_at"], name="alert_opened_at"),
            models.Index(fields=["due_on", "id"], name="alert_uncontacted_due",
                         condition=Q(status="open", first_contact_at__isnull=True)),
        ]
        constraints = [
            # 'open' is every stage short of closed or merged: one such alert per household.
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(status="open"),
                name="one_open_alert_per_household",
            ),
        ]

    def __str__(self):
        return f"alert {self.pk} household {self.household_id} ({self.state})"

    def save(self, *args, **kwargs):
        if self.dong_id is None and self.household_id:
            self.dong_id = self.household.dong_id
        super().save(*args, **kwargs)

    @property
    def state(self) -> str:
        """The stage while open; 'closed' or 'merged' once it is not."""
        return self.stage if self.status == self.Status.OPEN else self.status

    @property
    def state_label(self) -> str:
        if self.status == self.Status.OPEN:
            return str(self.Stage(self.stage).label)
        return str(self.Status(self.status).label)

    @property
    def awaits_first_contact(self) -> bool:
        return self.state in (self.Stage.RECEIVED, self.Stage.ASSIGNED)
