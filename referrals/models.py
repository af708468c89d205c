"""People and agencies asking for help, in and out.

[3/5] adds Referral; [4/5] adds the Service catalogue and ServiceLink below.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from households.models import Household, Organization

# ---------------------------------------------------------------------------
# [4/5] Service catalogue and closed-loop service links
# ---------------------------------------------------------------------------


class NeedDomain(models.TextChoices):
    """욕구 사정 영역 (the eight domains of the needs assessment)."""

    INCOME = "income", _("소득")
    HOUSING = "housing", _("주거")
    HEALTH = "health", _("건강")
    CARE = "care", _("돌봄")
    EMPLOYMENT = "employment", _("고용")
    FOOD = "food", _("식생활")
    SAFETY = "safety", _("안전")
    ISOLATION = "isolation", _("사회적 고립")


class Service(models.Model):
    """공공 / 민간 자원: one programme in the district's catalogue."""

    class Sector(models.TextChoices):
        PUBLIC = "public", _("공공")
        PRIVATE = "private", _("민간")

    name = models.CharField(_("서비스명"), max_length=100, unique=True)
    sector = models.CharField(_("구분"), max_length=10, choices=Sector.choices)
    # What kind of organisation usually provides it (구청, 복지관, 푸드뱅크 …).
    provider_kind = models.CharField(
        _("제공기관 유형"), max_length=20, choices=Organization.Kind.choices
    )
    domain = models.CharField(_("욕구 영역"), max_length=20, choices=NeedDomain.choices)
    description = models.TextField(_("설명"), blank=True)
    # 환가액: the typical monetary value of one provision, in KRW.
    typical_value = models.PositiveBigIntegerField(_("통상 환가액(원)"), default=0)
    providers = models.ManyToManyField(
        Organization, related_name="services", verbose_name=_("제공기관"), blank=True
    )
    active = models.BooleanField(_("사용"), default=True)

    class Meta:
        verbose_name = _("서비스")
        verbose_name_plural = _("서비스 목록")
        ordering = ["sector", "name"]

    def __str__(self):
        return self.name


class ServiceLink(models.Model):
    """서비스 연계: a request to a provider that comes back answered (closed loop)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("요청")
        ACCEPTED = "accepted", _("수락")
        DECLINED = "declined", _("거절")
        IN_SERVICE = "in_service", _("제공 중")
        COMPLETED = "completed", _("완료")
        CANCELLED = "cancelled", _("취소")

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="service_links"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="links")
    provider = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="service_links"
    )
    status = models.CharField(
        _("상태"), max_length=12, choices=Status.choices, default=Status.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requested_links"
    )
    request_note = models.TextField(_("요청 내용"), blank=True)
    requested_at = models.DateTimeField(_("요청일시"), auto_now_add=True)
    answered_at = models.DateTimeField(_("응답일시"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="answered_links",
    )
    decline_reason = models.CharField(_("거절 사유"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("제공 시작일시"), null=True, blank=True)
    completed_at = models.DateTimeField(_("완료일시"), null=True, blank=True)
    # 환가액 actually provided, in KRW.
    actual_value = models.PositiveBigIntegerField(_("환가액(원)"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("취소일시"), null=True, blank=True)
    cancel_reason = models.CharField(_("취소 사유"), max_length=300, blank=True)
    # Set when the provider has not answered within SERVICE_LINK_ANSWER_WORKING_DAYS.
    overdue_reminded_at = models.DateTimeField(_("미응답 독촉일시"), null=True, blank=True)
    updated_at = models.DateTimeField(_("수정일시"), auto_now=True)

    class Meta:
        verbose_name = _("서비스 연계")
        verbose_name_plural = _("서비스 연계")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["provider", "status"], name="link_provider_status"),
            models.Index(fields=["status", "requested_at"], name="link_status_requested"),
            models.Index(fields=["household", "-requested_at"], name="link_household_at"),
        ]
        constraints = [
            models.CheckConstraint(
                name="link_completed_has_value",
                condition=~Q(status="completed") | Q(actual_value__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.service} → {self.provider} ({self.get_status_display()})"

    @property
    def contact_released(self) -> bool:
        """The provider sees address and phone only once it has accepted the request."""
        return self.status in (
            self.Status.ACCEPTED, self.Status.IN_SERVICE, self.Status.COMPLETED
        )

    @property
    def overdue(self) -> bool:
        return self.status == self.Status.REQUESTED and self.overdue_reminded_at is not None


# ---------------------------------------------------------------------------
# end [4/5]
# ---------------------------------------------------------------------------
