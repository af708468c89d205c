from rest_framework import serializers


class InboxItemSerializer(serializers.Serializer):
    """One open alert or referral of the triage queue (names masked)."""

    kind = serializers.ChoiceField(choices=["referral", "alert"])
    id = serializers.IntegerField(source="obj.pk")
    label = serializers.CharField()
    dong_code = serializers.CharField(source="dong.code")
    dong_name = serializers.CharField(source="dong.name")
    household = serializers.IntegerField(source="household_id", allow_null=True)
    urgency = serializers.IntegerField()
    urgency_label = serializers.CharField()
    score = serializers.IntegerField(allow_null=True)
    due_on = serializers.DateField()
    overdue = serializers.BooleanField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    source_label = serializers.CharField()
    what = serializers.ListField(child=serializers.CharField())
    address = serializers.CharField()
    masked_name = serializers.CharField()
    assigned_to = serializers.SerializerMethodField()
    likely_duplicate = serializers.BooleanField()

    def get_assigned_to(self, item) -> str | None:
        return item.assigned_to.get_username() if item.assigned_to else None


class InboxPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    results = InboxItemSerializer(many=True)
