"""Joint visit days (합동 방문의 날): a dong's recurring field day, a planned day, its stops."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from households.models import Dong
from outreach.models.visits import Visit


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("월요일")
    TUESDAY = 1, _("화요일")
    WEDNESDAY = 2, _("수요일")
    THURSDAY = 3, _("목요일")
    FRIDAY = 4, _("금요일")
    SATURDAY = 5, _("토요일")
    SUNDAY = 6, _("일요일")


class FieldDaySetting(models.Model):
    """A dong's recurring field day: 비래동 visits every Wednesday afternoon, 2인 1조."""

    class Part(models.TextChoices):
        MORNING = "morning", _("오전")
        AFTERNOON = "afternoon", _("오후")

    # The hour the first stop is booked at, per part of the day.
    START_HOUR = {"morning": 10, "afternoon": 14}

    dong = models.OneToOneField(Dong, on_delete=models.CASCADE,
                                related_name="field_day_setting")
    weekday = models.PositiveSmallIntegerField(_("요일"), choices=Weekday.choices,
                                               default=Weekday.WEDNESDAY)
    part = models.CharField(_("시간대"), max_length=10, choices=Part.choices,
                            default=Part.AFTERNOON)
    # A route sheet can be left on a bus: then it shows 홍*동, not the full name.
    mask_names_on_paper = models.BooleanField(_("인쇄물 이름 가림"), default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("합동 방문의 날 설정")
        verbose_name_plural = _("합동 방문의 날 설정")

    def __str__(self):
        return f"{self.dong} {self.get_weekday_display()} {self.get_part_display()}"


class FieldDay(models.Model):
    """One planned joint visit day of a dong."""

    dong = models.ForeignKey(Dong, on_delete=models.PROTECT, related_name="field_days")
    day = models.DateField(_("방문일"))
    planned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("합동 방문의 날")
        verbose_name_plural = _("합동 방문의 날")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["dong", "day"], name="field_day_once_per_dong_day"),
        ]

    def __str__(self):
        return f"{self.dong} {self.day:%Y-%m-%d}"


class StopReason(models.TextChoices):
    REFERRAL = "referral", _("이웃 의뢰 미방문")
    ALERT_DUE = "alert_due", _("첫 접촉 기한 임박")
    RETRY = "retry", _("부재 재방문")
    MONITORING = "monitoring", _("사례 점검")
    MISSED_CHECK_IN = "missed_check_in", _("안부 확인 누락")


class FieldDayStop(models.Model):
    """One household on a field day's route: a scheduled visit, with why it was proposed."""

    field_day = models.ForeignKey(FieldDay, on_delete=models.CASCADE, related_name="stops")
    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="field_day_stop")
    # Comma-separated StopReason values.
    reasons = models.CharField(_("방문 사유"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("순서"), default=0)

    class Meta:
        verbose_name = _("방문지")
        verbose_name_plural = _("방문지")
        ordering = ["position", "id"]

    def __str__(self):
        return f"stop {self.pk} of {self.field_day}"

    @property
    def reason_labels(self) -> list[str]:
        labels = dict(StopReason.choices)
        return [str(labels[r]) for r in self.reasons.split(",") if r in labels]
