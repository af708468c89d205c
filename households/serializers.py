"""API serializers of households and people (masked, never a full RRN)."""

from rest_framework import serializers

from households.models import Household, Person, mask_name


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "name", "birth_date", "sex", "phone", "is_head", "rrn_masked"]


class HouseholdListSerializer(serializers.ModelSerializer):
    dong_code = serializers.CharField(source="dong.code")
    dong_name = serializers.CharField(source="dong.name")
    head_name_masked = serializers.SerializerMethodField()

    class Meta:
        model = Household
        fields = [
            "id", "dong_code", "dong_name", "road_address", "address_detail", "tong", "ban",
            "lives_alone", "elderly", "disability", "children", "registered_here",
            "head_name_masked",
        ]

    def get_head_name_masked(self, household) -> str:
        return mask_name(getattr(household, "head_name", "") or "")


class HouseholdDetailSerializer(HouseholdListSerializer):
    members = PersonSerializer(many=True, read_only=True)

    class Meta(HouseholdListSerializer.Meta):
        fields = HouseholdListSerializer.Meta.fields + ["address_key", "members"]
