"""Good-neighbour pairings (결연) and their check-ins (안부 확인)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from households.models import Household
from referrals.models import Concern


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
    # What worries the volunteer: carried to the referral "걱정돼요" raises.
    concern_category = models.CharField(_("걱정되는 점"), max_length=20, blank=True,
                                        choices=Concern.choices)
    note = models.CharField(_("메모"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="check_ins"
    )
    # Set by the phone for each check-in: one sent twice from the offline queue logs once.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True,
                                       editable=False)

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
