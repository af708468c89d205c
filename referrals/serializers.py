"""DRF serializers of the referrals app."""

from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import serializers

from households.models import mask_name
from households.redaction import RRNRedactingSerializerMixin
from households.selectors import visible_households
from referrals import selectors
from referrals.forms import address_outside_district
from referrals.models import (
    AGE_BANDS,
    Concern,
    DeclineReason,
    GatekeeperPlace,
    Referral,
    Service,
    ServiceLink,
    SharingConsent,
)

# --- service catalogue and service links


class ServiceSerializer(serializers.ModelSerializer):
    providers = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Service
        fields = ["id", "name", "sector", "provider_kind", "domain", "description",
                  "typical_value", "providers"]


FHIR_TASK_STATUS_HELP = (
    "The link's state as an HL7 FHIR R4 Task.status (http://hl7.org/fhir/task-status), for "
    "systems that speak FHIR: " + "; ".join(
        f"{doorstep} → {fhir}" for doorstep, fhir in ServiceLink.FHIR_TASK_STATUS.items())
    + ". An unanswered request past its deadline stays 'requested' (see overdue)."
)


def fhir_task_status_field():
    return serializers.ChoiceField(
        source="fhir_task_status", read_only=True, help_text=FHIR_TASK_STATUS_HELP,
        choices=sorted(set(ServiceLink.FHIR_TASK_STATUS.values())))


class ServiceLinkSerializer(serializers.ModelSerializer):
    """What the worker sees: the whole link."""

    fhir_status = fhir_task_status_field()

    service_name = serializers.CharField(source="service.name", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    head_name_masked = serializers.SerializerMethodField()
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = ServiceLink
        fields = ["id", "household", "service", "service_name", "provider", "provider_name",
                  "status", "fhir_status", "request_note", "requested_at", "answered_at",
                  "decline_code", "decline_reason",
                  "started_at", "completed_at", "actual_value", "cancelled_at", "cancel_reason",
                  "overdue_reminded_at", "overdue", "head_name_masked", "consent",
                  "consent_override_reason", "consent_withdrawn_at"]
        read_only_fields = fields

    def get_head_name_masked(self, link) -> str:
        return mask_name(getattr(link, "head_name", "") or "")


class PartnerServiceLinkSerializer(serializers.ModelSerializer):
    """What the provider sees: the minimum; address and phone only once accepted."""

    fhir_status = fhir_task_status_field()
    service_name = serializers.CharField(source="service.name", read_only=True)
    dong_name = serializers.CharField(source="household.dong.name", read_only=True)
    head_name_masked = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()

    class Meta:
        model = ServiceLink
        fields = ["id", "service", "service_name", "provider", "status", "fhir_status",
                  "request_note", "requested_at", "answered_at", "decline_code",
                  "decline_reason", "completed_at",
                  "actual_value", "dong_name", "head_name_masked", "address", "phone"]
        read_only_fields = fields

    def get_head_name_masked(self, link) -> str:
        return mask_name(getattr(link, "head_name", "") or "")

    def get_address(self, link) -> str | None:
        if not link.contact_released:
            return None
        return f"{link.household.road_address} {link.household.address_detail}".strip()

    def get_phone(self, link) -> str | None:
        return (getattr(link, "head_phone", "") or "") if link.contact_released else None


class ServiceLinkCreateSerializer(RRNRedactingSerializerMixin, serializers.Serializer):
    household = serializers.IntegerField()
    service = serializers.IntegerField()
    provider = serializers.IntegerField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    # Without a recorded consent: only holders of referrals.override_consent, with a reason.
    override_reason = serializers.CharField(required=False, allow_blank=True, default="",
                                            max_length=300)
    confirm_full = serializers.BooleanField(
        required=False, default=False,
        help_text="Send even though the provider marked the service full or paused "
                  "(without it such a request is a 400 that says so).")


class ConsentSerializer(serializers.ModelSerializer):
    """정보 제공 동의 of a household, and its withdrawal."""

    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)
    withdrawn_by = serializers.CharField(source="withdrawn_by.username", read_only=True,
                                         default=None)
    active = serializers.BooleanField(read_only=True)

    class Meta:
        model = SharingConsent
        fields = ["id", "household", "person", "method", "given_on", "note", "recorded_by",
                  "recorded_at", "active", "withdrawn_on", "withdrawn_at", "withdrawn_by",
                  "withdrawal_note"]
        read_only_fields = fields


class ConsentCreateSerializer(RRNRedactingSerializerMixin, serializers.Serializer):
    household = serializers.IntegerField()
    person = serializers.IntegerField(required=False, allow_null=True, default=None)
    method = serializers.ChoiceField(choices=SharingConsent.Method.choices)
    given_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class ConsentWithdrawSerializer(RRNRedactingSerializerMixin, serializers.Serializer):
    withdrawn_on = serializers.DateField()
    note = serializers.CharField(max_length=300)


class DeclineSerializer(RRNRedactingSerializerMixin, serializers.Serializer):
    reason_code = serializers.ChoiceField(
        choices=DeclineReason.choices, default=DeclineReason.OTHER,
        help_text="no_capacity (여력 없음) is counted per provider and service on the "
                  "dashboards; other needs a written reason.")
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                   default="")


class CompleteSerializer(serializers.Serializer):
    actual_value = serializers.IntegerField(min_value=0, max_value=10_000_000_000)


class CancelSerializer(RRNRedactingSerializerMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")




class ReferralStatusSerializer(serializers.ModelSerializer):
    """What volunteers and partners see of their own referrals: the status only."""

    dong_name = serializers.CharField(source="dong.name", read_only=True)
    status_display = serializers.CharField(source="public_status", read_only=True)

    class Meta:
        model = Referral
        fields = ["id", "dong_name", "channel", "status", "status_display", "created_at",
                  "status_changed_at"]


class ReferralSerializer(serializers.ModelSerializer):
    """Staff: the referral record; the subject's name is masked in lists."""

    dong_code = serializers.CharField(source="dong.code", read_only=True)
    dong_name = serializers.CharField(source="dong.name", read_only=True)
    categories = serializers.ListField(source="category_list", child=serializers.CharField())
    subject_name_masked = serializers.SerializerMethodField()
    assigned_to = serializers.SlugRelatedField(slug_field="username", read_only=True,
                                               allow_null=True)
    gatekeeper_kind = serializers.CharField(
        source="gatekeeper_place.kind", read_only=True, allow_null=True, default=None,
        help_text="Kind of the gatekeeper place whose memo pad sent this public report "
                  "(pharmacy, convenience_store …), or null.")

    class Meta:
        model = Referral
        fields = [
            "id", "dong_code", "dong_name", "household", "channel", "staff_method", "status",
            "gatekeeper_place", "gatekeeper_kind",
            "urgency", "categories", "road_address", "address_detail", "tong", "ban",
            "subject_name_masked", "subject_age_band", "subject_sex", "subject_lives_alone",
            "consent", "likely_duplicate", "duplicate_of", "duplicate_alert_id", "merged_into",
            "merged_into_alert_id", "assigned_to", "due_on", "created_at", "status_changed_at",
            "closed_at", "close_reason", "pairing_id",
        ]
        read_only_fields = fields

    def get_subject_name_masked(self, referral) -> str:
        return mask_name(referral.subject_name)


class ReferralDetailSerializer(ReferralSerializer):
    class Meta(ReferralSerializer.Meta):
        fields = ReferralSerializer.Meta.fields + [
            "subject_name", "note", "referrer_name", "referrer_contact", "close_note",
        ]
        read_only_fields = fields


class ReferralCreateSerializer(RRNRedactingSerializerMixin, serializers.Serializer):
    """POST /api/v1/referrals/ by partners, police, schools, staff and volunteers."""

    dong_code = serializers.CharField(max_length=10)
    road_address = serializers.CharField(max_length=200)
    address_detail = serializers.CharField(max_length=100, required=False, allow_blank=True)
    tong = serializers.IntegerField(min_value=1, max_value=99, required=False, allow_null=True)
    ban = serializers.IntegerField(min_value=1, max_value=99, required=False, allow_null=True)
    categories = serializers.ListField(child=serializers.ChoiceField(choices=Concern.choices),
                                       allow_empty=False)
    urgency = serializers.ChoiceField(choices=Referral.Urgency.choices,
                                      default=Referral.Urgency.SOON)
    subject_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    subject_age_band = serializers.ChoiceField(choices=AGE_BANDS, required=False,
                                               allow_null=True)
    subject_sex = serializers.ChoiceField(choices=Referral.Sex.choices, required=False,
                                          allow_blank=True)
    subject_lives_alone = serializers.BooleanField(required=False, allow_null=True,
                                                   default=None)
    consent = serializers.ChoiceField(choices=Referral.Consent.choices,
                                      default=Referral.Consent.UNKNOWN)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    referrer_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    referrer_contact = serializers.CharField(max_length=50, required=False, allow_blank=True)
    staff_method = serializers.ChoiceField(choices=Referral.StaffMethod.choices, required=False,
                                           allow_blank=True)
    household = serializers.IntegerField(required=False, allow_null=True,
                                         help_text="Staff only: a household of their dongs.")
    idempotency_key = serializers.RegexField(
        r"^[A-Za-z0-9-]{8,64}$", required=False,
        help_text="Resending with the same key returns the same referral (200, not 201).",
    )

    def validate_dong_code(self, value):
        dong = selectors.referral_dongs(self.context["request"].user).filter(code=value).first()
        if dong is None:
            raise serializers.ValidationError(
                _("알 수 없는 행정동 코드이거나 의뢰할 수 없는 동입니다."))
        return dong

    def validate_household(self, value):
        if value is None:
            return None
        household = visible_households(self.context["request"].user).filter(pk=value).first()
        if household is None:
            raise serializers.ValidationError(_("그 가구를 찾을 수 없습니다."))
        return household

    def validate(self, attrs):
        dong = attrs["dong_code"]
        if address_outside_district(attrs["road_address"], dong.district.name):
            raise serializers.ValidationError(
                {"road_address": _("%(district)s 밖의 주소입니다.") % {
                    "district": dong.district.name}})
        household = attrs.get("household")
        if household is not None and household.dong_id != dong.pk:
            raise serializers.ValidationError({"household": _("그 동의 가구가 아닙니다.")})
        return attrs


# --- gatekeeper places


class GatekeeperPlaceSerializer(serializers.ModelSerializer):
    dong_code = serializers.CharField(source="dong.code", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    report_url = serializers.SerializerMethodField(
        help_text="The public report form carrying the place's code: what its QR code opens.")
    reports = serializers.IntegerField(source="report_count", read_only=True)
    last_report_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = GatekeeperPlace
        fields = ["id", "kind", "kind_label", "name", "road_address", "dong", "dong_code",
                  "code", "report_url", "registered_at", "revoked_at", "reports",
                  "last_report_at"]
        read_only_fields = fields

    def get_report_url(self, place) -> str:
        path = f"{reverse('public_report')}?place={place.code}"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class GatekeeperPlaceCreateSerializer(RRNRedactingSerializerMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=GatekeeperPlace.Kind.choices)
    name = serializers.CharField(max_length=100)
    road_address = serializers.CharField(max_length=200)
    dong_code = serializers.CharField(
        max_length=10, help_text="10-digit 행정동 code of one of the caller's dongs.")

    def validate_dong_code(self, value):
        dong = selectors.gatekeeper_dongs(self.context["request"].user).filter(
            code=value).first()
        if dong is None:
            raise serializers.ValidationError(_("고를 수 있는 동이 아닙니다."))
        return dong
