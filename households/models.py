"""The household registry and who may see it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import TokenProxy
from simple_history.models import HistoricalRecords

from households.messages import message_text


class District(models.Model):
    """시·군·구."""

    code = models.CharField(_("시군구 코드"), max_length=5, unique=True)
    name = models.CharField(_("이름"), max_length=40)
    # Whose boundaries the district map draws (shown under the map; load_boundaries).
    boundary_attribution = models.CharField(_("경계 자료 출처"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("시군구")
        verbose_name_plural = _("시군구")

    def __str__(self):
        return self.name


class Dong(models.Model):
    """행정동, with the 10-digit code it had over a period (codes change)."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="dongs")
    code = models.CharField(_("행정동 코드"), max_length=10, unique=True)
    name = models.CharField(_("행정동명"), max_length=40)
    short_name = models.CharField(_("약칭"), max_length=40, blank=True)
    valid_from = models.DateField(_("적용 시작일"), null=True, blank=True)
    valid_to = models.DateField(_("적용 종료일"), null=True, blank=True)
    # The dong's outline for the district map: a GeoJSON Polygon or MultiPolygon geometry
    # in WGS84 lon/lat (households.boundaries reads it; load_boundaries writes it).
    boundary = models.JSONField(_("경계"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("행정동")
        verbose_name_plural = _("행정동")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{10}$"), name="dong_code_10_digits"
            ),
        ]

    def __str__(self):
        return self.short_name or self.name


class Organization(models.Model):
    """Partners and agencies: welfare centres, food banks, police, utilities …"""

    class Kind(models.TextChoices):
        PUBLIC = "public", _("공공기관")
        WELFARE_CENTRE = "welfare_centre", _("복지관")
        FOOD_BANK = "food_bank", _("푸드뱅크")
        POLICE = "police", _("경찰")
        SCHOOL = "school", _("학교")
        UTILITY = "utility", _("공공요금 기관")
        HEALTH = "health", _("보건·의료")
        OTHER = "other", _("기타")

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="organizations", null=True, blank=True
    )
    # Short code agencies use to identify themselves as a signal source (ssis, kepco …).
    code = models.SlugField(_("기관 코드"), max_length=40, unique=True, null=True, blank=True)
    name = models.CharField(_("기관명"), max_length=100)
    kind = models.CharField(_("유형"), max_length=20, choices=Kind.choices)
    phone = models.CharField(_("전화"), max_length=30, blank=True)
    email = models.EmailField(_("이메일"), blank=True)
    active = models.BooleanField(_("사용"), default=True)

    class Meta:
        verbose_name = _("기관")
        verbose_name_plural = _("기관")
        ordering = ["name"]

    def __str__(self):
        return self.name


def mask_name(name: str) -> str:
    """홍길동 → 홍*동, 김철 → 김*, 남궁민수 → 남**수."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


class Household(models.Model):
    """가구: a dwelling in a dong and the people who live there."""

    # Indexed by household_dong_id and household_dong_addr, which lead with it.
    dong = models.ForeignKey(Dong, on_delete=models.PROTECT, related_name="households",
                             db_index=False)
    road_address = models.CharField(_("주소"), max_length=200)
    address_detail = models.CharField(_("상세주소"), max_length=100, blank=True)
    tong = models.PositiveSmallIntegerField(_("통"), null=True, blank=True)
    ban = models.PositiveSmallIntegerField(_("반"), null=True, blank=True)
    # households.addresses.address_key of road_address + address_detail.
    address_key = models.CharField(_("주소 키"), max_length=250, db_index=True, editable=False)
    lives_alone = models.BooleanField(_("1인 가구"), default=False)
    elderly = models.BooleanField(_("노인 가구"), default=False)
    disability = models.BooleanField(_("장애인 가구"), default=False)
    children = models.BooleanField(_("아동 가구"), default=False)
    # False for people found living somewhere other than their registered address.
    registered_here = models.BooleanField(_("주민등록 일치"), default=True)
    created_at = models.DateTimeField(_("등록일시"), auto_now_add=True)
    updated_at = models.DateTimeField(_("수정일시"), auto_now=True)
    # Set when names, contacts and the address were removed after RETENTION_YEARS without
    # activity (the auditor approved it); the row stays, so the dashboards' figures do.
    anonymised_at = models.DateTimeField(_("익명 처리일시"), null=True, blank=True)
    # Field-level history (households.history reads it); derived columns are left out.
    history = HistoricalRecords(excluded_fields=["address_key", "updated_at"])

    class Meta:
        verbose_name = _("가구")
        verbose_name_plural = _("가구")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["dong", "id"], name="household_dong_id"),
            models.Index(fields=["dong", "address_key"], name="household_dong_addr"),
            # An agency row matched by name + birth date + address key checks the person's
            # household's address without visiting the table (outreach.services.
            # signal_staging._by_name, an index-only scan on PostgreSQL).
            models.Index(fields=["id"], include=["address_key"], name="household_address"),
        ]

    def __str__(self):
        return f"{self.dong} {self.road_address}"

    def save(self, *args, **kwargs):
        from households.addresses import address_key

        self.address_key = address_key(self.road_address, self.address_detail)
        super().save(*args, **kwargs)

    @property
    def flags(self) -> list[str]:
        """The household's make-up in words that cannot be read as the head's own traits
        ("아동" after a name read as if the head were a child)."""
        labels = [
            (self.lives_alone, _("1인 가구")),
            (self.elderly, _("노인 있는 가구")),
            (self.disability, _("장애인 있는 가구")),
            (self.children, _("아동 있는 가구")),
            (not self.registered_here, _("미등록 거주")),
        ]
        return [str(label) for on, label in labels if on]


class Person(models.Model):
    """가구원."""

    class Sex(models.TextChoices):
        FEMALE = "F", _("여")
        MALE = "M", _("남")

    # Indexed by person_household_head, which leads with it.
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members",
                                  db_index=False)
    name = models.CharField(_("성명"), max_length=50)
    # households.addresses.normalize_name(name), for matching (person_name_birth_id,
    # which leads with it, is its index: it is only ever compared whole).
    name_key = models.CharField(max_length=50, editable=False)
    birth_date = models.DateField(_("생년월일"), null=True, blank=True)
    sex = models.CharField(_("성별"), max_length=1, choices=Sex.choices, blank=True)
    phone = models.CharField(_("연락처"), max_length=30, blank=True)
    is_head = models.BooleanField(_("세대주"), default=False)
    # Keyed HMAC-SHA256 of the RRN; the number itself is never stored.
    rrn_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    rrn_masked = models.CharField(_("주민등록번호"), max_length=14, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The keyed hash stays out of history: the masked form says all a reader needs.
    history = HistoricalRecords(excluded_fields=["name_key", "rrn_hash"])

    class Meta:
        verbose_name = _("가구원")
        verbose_name_plural = _("가구원")
        ordering = ["-is_head", "id"]
        indexes = [
            # Covering (PostgreSQL): matching an agency row by name + birth date reads the
            # person and household ids off the index, not the table — the people of one
            # name and birth date in id order, so the first registered of them is the
            # first entry read (outreach.services.signal_staging: no sort per row).
            models.Index(fields=["name_key", "birth_date", "id"], include=["household"],
                         name="person_name_birth_id"),
            models.Index(fields=["household", "is_head"], name="person_household_head"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["rrn_hash"], condition=Q(rrn_hash__isnull=False), name="person_rrn_unique"
            ),
        ]

    def __str__(self):
        return self.masked_name

    def save(self, *args, **kwargs):
        from households.addresses import normalize_name

        self.name_key = normalize_name(self.name)
        super().save(*args, **kwargs)

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def age(self) -> int | None:
        if not self.birth_date:
            return None
        from django.utils import timezone

        today = timezone.localdate()
        b = self.birth_date
        return today.year - b.year - ((today.month, today.day) < (b.month, b.day))


class Role(models.TextChoices):
    DONG_STAFF = "dong_staff", _("동 복지담당")
    # Approves or returns the case plans and closures of their dongs (maker-checker).
    TEAM_LEAD = "team_lead", _("동 복지팀장")
    CASE_MANAGER = "case_manager", _("통합사례관리사")
    DISTRICT_ADMIN = "district_admin", _("구 관리자")
    VOLUNTEER = "volunteer", _("자원봉사자")
    PARTNER = "partner", _("협력기관")
    AGENCY_FEED = "agency_feed", _("위기정보 제공기관")
    AUDITOR = "auditor", _("개인정보 보호책임자")


class Membership(models.Model):
    """Binds a user to a role over dongs, a whole district, or an organization."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("역할"), max_length=20, choices=Role.choices)
    district = models.ForeignKey(
        District, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    dong = models.ForeignKey(
        Dong, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    # 복지통장, 명예사회복지공무원, 좋은이웃들, gatekeeper … for volunteers.
    group = models.CharField(_("소속"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("역할 배정")
        verbose_name_plural = _("역할 배정")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "district", "dong", "organization"],
                name="membership_unique",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                name="membership_has_scope",
                condition=(
                    Q(role__in=["dong_staff", "team_lead", "volunteer"], dong__isnull=False)
                    | Q(role__in=["case_manager", "district_admin", "auditor"],
                        district__isnull=False)
                    | Q(role__in=["partner", "agency_feed"], organization__isnull=False)
                ),
            ),
        ]

    def __str__(self):
        scope = self.dong or self.district or self.organization
        return f"{self.user} · {self.get_role_display()} · {scope}"


class AccessLog(models.Model):
    """접속기록 (개인정보의 안전성 확보조치 기준 제8조): append only.

    On PostgreSQL a trigger refuses UPDATE and DELETE; rows are kept at least
    two years (settings.ACCESS_LOG_MIN_RETENTION_DAYS).
    """

    class Action(models.TextChoices):
        VIEW = "view", _("조회")
        CREATE = "create", _("등록")
        UPDATE = "update", _("수정")
        DELETE = "delete", _("삭제")
        EXPORT = "export", _("내보내기")
        PRINT = "print", _("인쇄")
        DOWNLOAD = "download", _("다운로드")

    at = models.DateTimeField(_("일시"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    username = models.CharField(_("사용자"), max_length=150)
    ip = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    action = models.CharField(_("행위"), max_length=10, choices=Action.choices)
    # The subject: whose personal data it was (household, and person when one).
    household_id = models.BigIntegerField(_("가구 번호"), null=True, blank=True, db_index=True)
    person_id = models.BigIntegerField(_("가구원 번호"), null=True, blank=True)
    # The object: which record or list was touched (e.g. "household:12", "export:households").
    object_type = models.CharField(_("대상 유형"), max_length=40)
    object_id = models.CharField(_("대상"), max_length=64, blank=True)
    reason = models.CharField(_("사유"), max_length=300, blank=True)
    path = models.CharField(_("경로"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("접속기록")
        verbose_name_plural = _("접속기록")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "at"], name="accesslog_user_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type}"


class TimelineEvent(models.Model):
    """One line on a household's timeline: any app writes here through
    households.services.timeline_add, so the timeline needs no cross-app query."""

    # Not checked by the database row by row (db_constraint=False): a scoring round writes a
    # line for each of hundreds of thousands of households, and each check locks the
    # household's row; deleting a household still removes its lines (Django's CASCADE).
    # No index of its own: timeline_household_at starts with it.
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="timeline",
                                  db_constraint=False, db_index=False)
    at = models.DateTimeField(_("일시"), db_index=True)
    # signal, assessment, alert, referral, visit, service_link, case, check_in, note …
    kind = models.CharField(_("종류"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    # Legacy sentence (rows written before messages, or free text); new rows leave it blank.
    summary = models.CharField(_("내용"), max_length=300, blank=True)
    # What happened as {"code": …, values…}, put into words in the reader's language
    # (households.messages).
    message = models.JSONField(_("내용(코드)"), default=dict, blank=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("가구 타임라인")
        verbose_name_plural = _("가구 타임라인")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["household", "-at"], name="timeline_household_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d} {self.kind} {self.text}"

    @property
    def text(self) -> str:
        """The entry in the reader's language (a legacy row: its stored sentence)."""
        return message_text(self.message) if self.message else self.summary


class ApiToken(TokenProxy):
    """A partner's or agency's DRF token as the admin shows it: named by its user, so the
    key never appears in a title, a breadcrumb or a delete confirmation."""

    class Meta:
        proxy = True
        verbose_name = _("API 토큰")
        verbose_name_plural = _("API 토큰")

    def __str__(self):
        return _("%(user)s의 API 토큰") % {"user": self.user}


class AccessReview(models.Model):
    """접속기록 점검 (안전성 확보조치 기준: at least monthly): the auditor marks a month
    reviewed with a note. Insert-only: no update path, and a trigger refuses UPDATE."""

    month = models.DateField(_("점검 월"), db_index=True)  # the first day of the month
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("점검한 사람"))
    reviewed_at = models.DateTimeField(_("점검일시"), auto_now_add=True)
    note = models.TextField(_("점검 의견"))

    class Meta:
        verbose_name = _("접속기록 점검")
        verbose_name_plural = _("접속기록 점검")
        ordering = ["-month", "-reviewed_at"]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.reviewed_by}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("AccessReview rows are insert-only")
        super().save(*args, **kwargs)


class AccessReviewReminder(models.Model):
    """One reminder per unreviewed month, so the daily task sends it once."""

    month = models.DateField(unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.month:%Y-%m}"


class AnonymisationApproval(models.Model):
    """The auditor approved removing a long-inactive household's personal details."""

    household = models.OneToOneField(Household, on_delete=models.CASCADE,
                                     related_name="anonymisation")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("승인한 사람"))
    approved_at = models.DateTimeField(_("승인일시"), auto_now_add=True)
    done_at = models.DateTimeField(_("처리일시"), null=True, blank=True)

    class Meta:
        verbose_name = _("익명 처리 승인")
        verbose_name_plural = _("익명 처리 승인")

    def __str__(self):
        return f"household {self.household_id}"
