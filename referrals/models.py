"""People and agencies asking for help, in and out."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households.models import Dong, Household, Organization, Person

# --- service catalogue and closed-loop service links


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


class SharingConsent(models.Model):
    """정보 제공 동의: the person agreed that the household's details go to partners.

    One active consent per household; withdrawal is recorded on it and stops further
    sharing (referrals.services.consents)."""

    class Method(models.TextChoices):
        VERBAL = "verbal", _("구두 동의")
        WRITTEN = "written", _("서면 동의")
        GUARDIAN = "guardian", _("보호자 동의")

    household = models.ForeignKey(Household, on_delete=models.CASCADE,
                                  related_name="sharing_consents")
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("동의한 가구원"))
    method = models.CharField(_("동의 방법"), max_length=10, choices=Method.choices)
    given_on = models.DateField(_("동의일"))
    # 보호자 동의: who the guardian is; otherwise anything worth knowing.
    note = models.CharField(_("비고"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("기록한 사람"))
    recorded_at = models.DateTimeField(_("기록일시"), auto_now_add=True)
    withdrawn_on = models.DateField(_("철회일"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("철회 기록일시"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("철회를 기록한 사람"))
    withdrawal_note = models.CharField(_("철회 내용"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("정보 제공 동의")
        verbose_name_plural = _("정보 제공 동의")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["household"], condition=Q(withdrawn_at__isnull=True),
                                    name="one_active_consent_per_household"),
        ]

    def __str__(self):
        return f"{self.get_method_display()} {self.given_on:%Y-%m-%d}"

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


class ServiceCapacity(models.Model):
    """여력: whether one provider can take more requests for one service now, kept by the
    provider. No row means nobody said: the service counts as open."""

    class Status(models.TextChoices):
        OPEN = "open", _("접수 중")
        PAUSED = "paused", _("일시 중단")
        FULL = "full", _("정원 마감")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="capacities")
    provider = models.ForeignKey(Organization, on_delete=models.CASCADE,
                                 related_name="service_capacities")
    status = models.CharField(_("여력"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)
    open_slots = models.PositiveIntegerField(_("남은 자리"), null=True, blank=True)
    waiting_list = models.PositiveIntegerField(_("대기 인원"), null=True, blank=True)
    updated_at = models.DateTimeField(_("수정일시"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("서비스 여력")
        verbose_name_plural = _("서비스 여력")
        constraints = [models.UniqueConstraint(fields=["service", "provider"],
                                               name="capacity_one_per_service_provider")]

    def __str__(self):
        return f"{self.service} · {self.provider}: {self.get_status_display()}"

    @property
    def takes_requests(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def summary(self) -> str:
        """"정원 마감 · 대기 12명" as the service-link form shows it."""
        parts = [str(self.get_status_display())]
        if self.open_slots is not None and self.status == self.Status.OPEN:
            parts.append(str(_("남은 자리 %(n)d") % {"n": self.open_slots}))
        if self.waiting_list:
            parts.append(str(_("대기 %(n)d명") % {"n": self.waiting_list}))
        return " · ".join(parts)


class DeclineReason(models.TextChoices):
    """Why a provider declined a service link; 여력 없음 is counted on the dashboards."""

    NO_CAPACITY = "no_capacity", _("여력 없음 (정원 마감·대기)")
    NOT_ELIGIBLE = "not_eligible", _("대상 아님")
    OUT_OF_AREA = "out_of_area", _("관할 밖")
    OTHER = "other", _("기타")


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
    decline_code = models.CharField(_("거절 사유 구분"), max_length=20,
                                    choices=DeclineReason.choices, blank=True)
    started_at = models.DateTimeField(_("제공 시작일시"), null=True, blank=True)
    completed_at = models.DateTimeField(_("완료일시"), null=True, blank=True)
    # 환가액 actually provided, in KRW.
    actual_value = models.PositiveBigIntegerField(_("환가액(원)"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("취소일시"), null=True, blank=True)
    cancel_reason = models.CharField(_("취소 사유"), max_length=300, blank=True)
    # Set when the provider has not answered within SERVICE_LINK_ANSWER_WORKING_DAYS.
    overdue_reminded_at = models.DateTimeField(_("미응답 독촉일시"), null=True, blank=True)
    # The basis for sending the household's details: the consent, or an override (a holder
    # of referrals.override_consent with a reason: 긴급지원 cannot wait).
    consent = models.ForeignKey(SharingConsent, on_delete=models.PROTECT, null=True,
                                blank=True, related_name="links", verbose_name=_("동의"))
    consent_override_reason = models.CharField(_("동의 없이 연계한 사유"), max_length=300,
                                               blank=True)
    consent_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("동의 없이 연계한 사람"))
    # Consent withdrawn while the link was open: the provider no longer sees the details.
    consent_withdrawn_at = models.DateTimeField(_("동의 철회일시"), null=True, blank=True)
    updated_at = models.DateTimeField(_("수정일시"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("서비스 연계")
        verbose_name_plural = _("서비스 연계")
        ordering = ["-requested_at", "-id"]
        permissions = [("override_consent", _("동의 없이 서비스 연계 (사유 기록)"))]
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

    # HL7 FHIR R4 Task.status for each state, for partner systems that speak FHIR.
    FHIR_TASK_STATUS = {
        Status.REQUESTED: "requested",
        Status.ACCEPTED: "accepted",
        Status.DECLINED: "rejected",
        Status.IN_SERVICE: "in-progress",
        Status.COMPLETED: "completed",
        Status.CANCELLED: "cancelled",
    }

    @property
    def fhir_task_status(self) -> str:
        return self.FHIR_TASK_STATUS[self.status]

    @property
    def contact_released(self) -> bool:
        """The provider sees address and phone only once it has accepted the request, and
        no longer once the person has withdrawn consent."""
        return self.consent_withdrawn_at is None and self.status in (
            self.Status.ACCEPTED, self.Status.IN_SERVICE, self.Status.COMPLETED
        )

    @property
    def overdue(self) -> bool:
        return self.status == self.Status.REQUESTED and self.overdue_reminded_at is not None




class Concern(models.TextChoices):
    MEALS = "meals", _("끼니 거름")
    UTILITIES = "utilities", _("공과금 미납·단전")
    RENT = "rent", _("월세 체납")
    ILLNESS = "illness", _("질병·장애")
    ELDERLY_ALONE = "elderly_alone", _("홀로 사는 어르신")
    ABUSE = "abuse", _("학대·폭력 의심")
    HOARDING = "hoarding", _("저장강박·위생")
    MAIL = "mail", _("우편물·고지서 쌓임")
    NO_CONTACT = "no_contact", _("연락 두절")
    JOBLESS = "jobless", _("실직·폐업")
    SUICIDE = "suicide", _("자살 위험 언급")
    OTHER = "other", _("기타")


class CloseReason(models.TextChoices):
    """종결 사유, shared by referrals and discovery alerts."""

    # Closed because help was given: these count as hits of the risk model.
    SUPPORTED = "supported", _("지원 연계")
    CASE_OPENED = "case_opened", _("통합사례관리 연계")
    NO_NEED = "no_need", _("지원 불요")
    NOT_ELIGIBLE = "not_eligible", _("비대상")
    DUPLICATE = "duplicate", _("중복")
    NO_CONTACT = "no_contact", _("연락 두절")
    MOVED = "moved", _("이사")
    HOSPITALISED = "hospitalised", _("장기 입원")
    OTHER_AGENCY = "other_agency", _("타 기관 처리 중")
    DECEASED = "deceased", _("사망")
    OTHER = "other", _("기타")


def _age_band_label(band: int) -> str:
    return gettext("%(band)s대") % {"band": band}


# Lazy, so each reader gets "10대" or "10s" (a formatted lazy string is fixed at import).
AGE_BANDS = [(band, lazy(_age_band_label, str)(band)) for band in range(10, 90, 10)]
AGE_BANDS = [(0, _("10세 미만"))] + AGE_BANDS + [(90, _("90세 이상"))]

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone


def receipt_code_new() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


class Referral(models.Model):
    """의뢰 / 제보 / 신고."""

    class Channel(models.TextChoices):
        VOLUNTEER = "volunteer", _("자원봉사자")
        PUBLIC = "public", _("주민 제보")
        STAFF = "staff", _("담당 공무원 접수")
        PARTNER = "partner", _("협력기관")
        POLICE = "police", _("경찰")
        SCHOOL = "school", _("학교")
        OTHER = "other", _("기타")

    class StaffMethod(models.TextChoices):
        PHONE = "phone", _("전화")
        WALK_IN = "walk_in", _("내방")
        VISIT = "visit", _("현장 방문")

    class Status(models.TextChoices):
        RECEIVED = "received", _("접수")
        CHECKING = "checking", _("확인 중")
        VISITING = "visiting", _("방문")
        LINKED = "linked", _("지원 연계")
        CLOSED = "closed", _("종결")

    class Urgency(models.IntegerChoices):
        # Lower sorts first in the inbox.
        EMERGENCY = 1, _("지금 위험")
        SOON = 2, _("며칠 안에")
        ROUTINE = 3, _("여유 있음")

    class Consent(models.TextChoices):
        AGREED = "agreed", _("본인이 알고 동의함")
        KNOWS = "knows", _("본인이 알지만 동의는 안 함")
        UNAWARE = "unaware", _("본인은 모름")
        UNKNOWN = "unknown", _("잘 모르겠음")

    class Sex(models.TextChoices):
        FEMALE = "F", _("여")
        MALE = "M", _("남")

    OPEN_STATUSES = (Status.RECEIVED, Status.CHECKING, Status.VISITING, Status.LINKED)

    dong = models.ForeignKey(Dong, on_delete=models.PROTECT, related_name="referrals",
                             verbose_name=_("행정동"))
    household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals",
        verbose_name=_("연결된 가구"),
    )
    channel = models.CharField(_("경로"), max_length=12, choices=Channel.choices)
    staff_method = models.CharField(_("접수 방법"), max_length=10, choices=StaffMethod.choices,
                                    blank=True)
    status = models.CharField(_("상태"), max_length=10, choices=Status.choices,
                              default=Status.RECEIVED)
    status_changed_at = models.DateTimeField(_("상태 변경일시"), auto_now_add=True)
    urgency = models.PositiveSmallIntegerField(_("긴급도"), choices=Urgency.choices,
                                               default=Urgency.SOON)
    # ",meals,rent," so one category filters with a plain LIKE on every database.
    categories = models.CharField(_("걱정되는 점"), max_length=200, blank=True)
    road_address = models.CharField(_("주소"), max_length=200)
    address_detail = models.CharField(_("상세주소"), max_length=100, blank=True)
    tong = models.PositiveSmallIntegerField(_("통"), null=True, blank=True)
    ban = models.PositiveSmallIntegerField(_("반"), null=True, blank=True)
    address_key = models.CharField(_("주소 키"), max_length=250, editable=False)
    subject_name = models.CharField(_("대상자 이름"), max_length=50, blank=True)
    subject_name_key = models.CharField(max_length=50, blank=True, editable=False)
    subject_age_band = models.PositiveSmallIntegerField(_("나이대"), choices=AGE_BANDS,
                                                        null=True, blank=True)
    subject_sex = models.CharField(_("성별"), max_length=1, choices=Sex.choices, blank=True)
    subject_lives_alone = models.BooleanField(_("혼자 사심"), null=True, blank=True)
    consent = models.CharField(_("본인 동의"), max_length=10, choices=Consent.choices,
                               default=Consent.UNKNOWN)
    note = models.TextField(_("메모"), max_length=2000, blank=True)
    referrer_name = models.CharField(_("제보자"), max_length=50, blank=True)
    referrer_contact = models.CharField(_("제보자 연락처"), max_length=50, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="referrals_made",
    )
    referrer_organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="assigned_referrals", verbose_name=_("담당자"),
    )
    # A double tap or a resend after a lost connection carries the same key.
    idempotency_key = models.CharField(max_length=64, unique=True)
    # Given to anonymous reporters; /report/status/ shows only the status for it.
    receipt_code = models.CharField(_("접수번호"), max_length=9, unique=True, null=True,
                                    blank=True)
    likely_duplicate = models.BooleanField(_("중복 의심"), default=False)
    duplicate_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    # outreach.DiscoveryAlert id (referrals never imports outreach).
    duplicate_alert_id = models.BigIntegerField(null=True, blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="merged_referrals")
    merged_into_alert_id = models.BigIntegerField(null=True, blank=True)
    # Sent from a gatekeeper place's memo pad or poster (the reporter stays anonymous).
    gatekeeper_place = models.ForeignKey(
        "GatekeeperPlace", on_delete=models.PROTECT, null=True, blank=True,
        related_name="referrals", verbose_name=_("게이트키퍼 장소"),
    )
    # outreach.Pairing id when a paired volunteer's check-in raised it ("걱정돼요").
    pairing_id = models.BigIntegerField(_("결연"), null=True, blank=True)
    due_on = models.DateField(_("첫 접촉 기한"))
    first_contact_at = models.DateTimeField(_("첫 접촉 일시"), null=True, blank=True)
    closed_at = models.DateTimeField(_("종결일시"), null=True, blank=True)
    close_reason = models.CharField(_("종결 사유"), max_length=20, choices=CloseReason.choices,
                                    blank=True)
    close_note = models.TextField(_("종결 메모"), blank=True)
    created_at = models.DateTimeField(_("접수일시"), auto_now_add=True)
    updated_at = models.DateTimeField(_("수정일시"), auto_now=True)
    history = HistoricalRecords(excluded_fields=[
        "updated_at", "address_key", "subject_name_key", "idempotency_key", "receipt_code"])

    class Meta:
        verbose_name = _("의뢰")
        verbose_name_plural = _("의뢰")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The inbox: open items of a dong by urgency and due date, and its filters.
            models.Index(fields=["dong", "status", "urgency", "due_on"], name="referral_queue"),
            # Covers the inbox's sort keys, so a dong's open referrals are read index-only.
            models.Index(fields=["dong", "urgency", "due_on", "created_at", "id"],
                         name="referral_open_queue", condition=~Q(status="closed")),
            models.Index(fields=["assigned_to", "status"], name="referral_assignee"),
            # The referral list, newest first, cut to a page without sorting the dong.
            models.Index(fields=["-created_at", "-id"], name="referral_recent"),
            # Duplicate check: same address in the dong within 30 days.
            models.Index(fields=["dong", "address_key", "created_at"], name="referral_dong_addr"),
            models.Index(fields=["household", "created_at"], name="referral_household"),
            models.Index(fields=["referred_by", "-created_at"], name="referral_referrer"),
            models.Index(fields=["referrer_organization", "-created_at"], name="referral_org"),
            models.Index(fields=["gatekeeper_place", "created_at"], name="referral_gatekeeper"),
        ]

    def __str__(self):
        return f"R-{self.pk}"

    @property
    def gatekeeper_label(self) -> str:
        """"약국 <이름> 통해": where a gatekeeper's report came from ('' for any other)."""
        place = self.gatekeeper_place
        if place is None:
            return ""
        return _("%(kind)s %(name)s 통해") % {"kind": place.get_kind_display(),
                                             "name": place.name}

    @property
    def category_list(self) -> list[str]:
        return [c for c in self.categories.split(",") if c]

    @property
    def category_labels(self) -> list[str]:
        labels = dict(Concern.choices)
        return [str(labels.get(c, c)) for c in self.category_list]

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    @property
    def public_status(self) -> str:
        """What referrers see: the status only (a merged one shows its survivor's)."""
        if self.merged_into_id and self.merged_into is not None:
            return self.merged_into.get_status_display()
        if self.merged_into_alert_id:
            # Merged into a discovery alert: staff keep working on it there.
            return str(self.Status.CHECKING.label)
        return self.get_status_display()

    @staticmethod
    def categories_value(values) -> str:
        return "," + ",".join(values) + "," if values else ""


# --- gatekeeper places: memo pads and posters with a QR code to the public form


def gatekeeper_code_new() -> str:
    """12 characters of the receipt alphabet (60 bits): printed in a QR code, never guessed."""
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))


class GatekeeperPlace(models.Model):
    """게이트키퍼: a shop or office whose people notice a neighbour in trouble and report
    through the memo pad or poster the dong gave them."""

    class Kind(models.TextChoices):
        PHARMACY = "pharmacy", _("약국")
        CONVENIENCE_STORE = "convenience_store", _("편의점")
        RESTAURANT = "restaurant", _("음식점")
        REAL_ESTATE = "real_estate", _("부동산")
        METER_READERS = "meter_readers", _("검침원")
        DELIVERY = "delivery", _("배달")
        OTHER = "other", _("기타")

    kind = models.CharField(_("유형"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("이름"), max_length=100)
    road_address = models.CharField(_("주소"), max_length=200)
    dong = models.ForeignKey(Dong, on_delete=models.PROTECT, related_name="gatekeeper_places",
                             verbose_name=_("행정동"))
    code = models.CharField(_("장소 코드"), max_length=16, unique=True,
                            default=gatekeeper_code_new, editable=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="gatekeeper_places_registered", verbose_name=_("등록자"),
    )
    registered_at = models.DateTimeField(_("등록일시"), auto_now_add=True)
    # A revoked code still lets a report through, as an ordinary public report.
    revoked_at = models.DateTimeField(_("회수일시"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="gatekeeper_places_revoked", verbose_name=_("회수자"),
    )

    class Meta:
        verbose_name = _("게이트키퍼 장소")
        verbose_name_plural = _("게이트키퍼 장소")
        ordering = ["dong__code", "kind", "name", "id"]
        indexes = [models.Index(fields=["dong", "kind"], name="gatekeeper_dong_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.name}"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
