"""The risk model and its verdicts: CrisisLevel, RiskModel (versioned weights), RiskAssessment."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from households.models import Household
from outreach.models.indexes import BlockRangeIndex


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
    # A version saved by an admin takes effect only once a second admin approves it
    # (outreach.services.approvals); versions from before that rule need none.
    needs_approval = models.BooleanField(_("승인 필요"), default=False)
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

    @property
    def note_text(self) -> str:
        """The note in the reader's language when the system wrote it (v1's "기본 모델");
        a note an administrator typed is shown as typed."""
        return gettext(self.note) if self.note else ""



class RiskAssessment(models.Model):
    """위기도: a household's score 0–100 under one version of the risk model."""

    # Keys the database does not check row by row (db_constraint=False), as on RiskSignal
    # and TimelineEvent: one assessment per household per round, written set-based with ids
    # just read; Django's on_delete still runs. No index of its own: assessment_hh_at
    # starts with it (one index fewer to write per household scored).
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="risk_assessments",
        db_constraint=False, db_index=False,
    )
    model_version = models.PositiveIntegerField(_("모델 버전"), default=1)
    score = models.PositiveSmallIntegerField(_("위기도 점수"))
    level = models.CharField(_("위기 수준"), max_length=10, choices=CrisisLevel.choices)
    # The top factors as plain Korean sentences: ["단전 2개월", "1인 가구"].
    factors = models.JSONField(_("주요 요인"), default=list)
    # Found by batch through a BRIN (BlockRangeIndex): a round's assessments are stored
    # together, and a b-tree on a key that only grows has the workers scoring at once
    # write into the same last page.
    batch = models.ForeignKey("SignalBatch", on_delete=models.SET_NULL, null=True, blank=True,
                              db_constraint=False, db_index=False,
                              related_name="assessments")
    assessed_at = models.DateTimeField(_("평가일시"), auto_now_add=True)

    class Meta:
        verbose_name = _("위기도 평가")
        verbose_name_plural = _("위기도 평가")
        indexes = [models.Index(fields=["household", "-assessed_at"], name="assessment_hh_at"),
                   BlockRangeIndex(fields=["batch"], name="assessment_batch"),
                   # The dashboard's top-10% cut-off reads the alerts of one score.
                   models.Index(fields=["score"], name="assessment_score")]
        constraints = [
            models.CheckConstraint(condition=Q(score__lte=100), name="assessment_score_0_100"),
        ]

    def __str__(self):
        return f"{self.household_id}: {self.score} ({self.level})"
