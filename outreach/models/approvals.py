"""A second pair of eyes (maker-checker): approval requests and their decisions, both
insert-only (no update path here; a trigger refuses UPDATE on SQLite and PostgreSQL)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from households.models import Dong
from outreach.models.assessments import RiskModel
from outreach.models.cases import Case


class InsertOnly(models.Model):
    """Rows written once: saving an existing row is refused before the database's trigger."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("결재 기록은 고칠 수 없습니다."))
        super().save(*args, **kwargs)


class Approval(InsertOnly):
    """결재 요청: a case plan, a case closure or a risk-model version waiting for a checker."""

    class Kind(models.TextChoices):
        CASE_PLAN = "case_plan", _("사례 계획")
        CASE_CLOSURE = "case_closure", _("사례 종결")
        RISK_MODEL = "risk_model", _("위험도 모델")

    kind = models.CharField(_("종류"), max_length=20, choices=Kind.choices)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="approvals")
    risk_model = models.ForeignKey(RiskModel, on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="approvals")
    # The case's dong: the team leads of this dong decide.
    dong = models.ForeignKey(Dong, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+")
    # What is asked for: a closure's reason, note and follow-up date.
    payload = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("요청한 사람"))
    requested_at = models.DateTimeField(_("요청일시"), auto_now_add=True)

    class Meta:
        verbose_name = _("결재 요청")
        verbose_name_plural = _("결재 요청")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["dong", "kind"], name="approval_dong_kind")]
        constraints = [
            models.CheckConstraint(
                name="approval_has_its_subject",
                condition=(Q(kind__in=["case_plan", "case_closure"], case__isnull=False)
                           | Q(kind="risk_model", risk_model__isnull=False)),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def closure_reason_label(self) -> str:
        reason = (self.payload or {}).get("reason", "")
        return str(dict(Case.ClosureReason.choices).get(reason, reason))


class ApprovalDecision(InsertOnly):
    """승인 or 반려 of one request, once, by someone other than its maker."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("승인")
        RETURNED = "returned", _("반려")

    approval = models.OneToOneField(Approval, on_delete=models.CASCADE,
                                    related_name="decision")
    decision = models.CharField(_("결정"), max_length=10, choices=Decision.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("결정한 사람"))
    decided_at = models.DateTimeField(_("결정일시"), auto_now_add=True)
    note = models.CharField(_("의견"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("결재")
        verbose_name_plural = _("결재")
        ordering = ["-decided_at", "-id"]

    def __str__(self):
        return f"{self.get_decision_display()} #{self.approval_id}"
