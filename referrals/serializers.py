"""DRF serializers of the referrals app.

[3/5] adds the referral serializers; [4/5] the catalogue and service links below.
"""

from rest_framework import serializers

from households.models import mask_name
from referrals.models import Service, ServiceLink

# ---------------------------------------------------------------------------
# [4/5] Service catalogue and service links
# ---------------------------------------------------------------------------


class ServiceSerializer(serializers.ModelSerializer):
    providers = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Service
        fields = ["id", "name", "sector", "provider_kind", "domain", "description",
                  "typical_value", "providers"]


class ServiceLinkSerializer(serializers.ModelSerializer):
    """What the worker sees: the whole link."""

    service_name = serializers.CharField(source="service.name", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    head_name_masked = serializers.SerializerMethodField()
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = ServiceLink
        fields = ["id", "household", "service", "service_name", "provider", "provider_name",
                  "status", "request_note", "requested_at", "answered_at", "decline_reason",
                  "started_at", "completed_at", "actual_value", "cancelled_at", "cancel_reason",
                  "overdue_reminded_at", "overdue", "head_name_masked"]
        read_only_fields = fields

    def get_head_name_masked(self, link) -> str:
        return mask_name(getattr(link, "head_name", "") or "")


class PartnerServiceLinkSerializer(serializers.ModelSerializer):
    """What the provider sees: the minimum; address and phone only once accepted."""

    service_name = serializers.CharField(source="service.name", read_only=True)
    dong_name = serializers.CharField(source="household.dong.name", read_only=True)
    head_name_masked = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()

    class Meta:
        model = ServiceLink
        fields = ["id", "service", "service_name", "provider", "status", "request_note",
                  "requested_at", "answered_at", "decline_reason", "completed_at",
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


class ServiceLinkCreateSerializer(serializers.Serializer):
    household = serializers.IntegerField()
    service = serializers.IntegerField()
    provider = serializers.IntegerField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class CompleteSerializer(serializers.Serializer):
    actual_value = serializers.IntegerField(min_value=0, max_value=10_000_000_000)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


# ---------------------------------------------------------------------------
# end [4/5]
# ---------------------------------------------------------------------------
