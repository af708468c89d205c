"""Home visits (가정방문) and the needs found on them: NeedLevel, Visit, VisitNeed."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households.models import Household
from outreach.models.alerts import DiscoveryAlert
from outreach.models.assessments import CrisisLevel
from referrals.models import NeedDomain


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
    # 1 for the first try; a "부재" schedules attempt n+1 (in office hours, another slot).
    attempt_no = models.PositiveSmallIntegerField(_("방문 차수"), default=1)
    previous_attempt = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="next_attempt"
    )
    # 연락 두절: VISIT_MAX_ATTEMPTS failed tries in a row; the worker takes another way.
    unreachable = models.BooleanField(_("연락 두절"), default=False)
    # Stored as written (Korean); next_step_text reads it in the reader's language.
    suggested_next_step = models.CharField(_("권고 조치"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()
    # Goes up by one on every write. An edit made offline carries the version it started
    # from; if the server's moved on meanwhile, the edit is a conflict, never an overwrite.
    version = models.PositiveIntegerField(_("버전"), default=1, editable=False)
    # The idempotency key of the last offline edit applied: a resend changes nothing.
    sync_key = models.CharField(max_length=64, blank=True, editable=False)

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
    def next_step_text(self) -> str:
        """The recommended step in the reader's language: the system's own advice is a
        catalogue string (outreach.services.visits.UNREACHABLE_NEXT_STEP)."""
        return gettext(self.suggested_next_step) if self.suggested_next_step else ""

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
