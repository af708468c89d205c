from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from outreach.forms import ENCODING_CHOICES
from outreach.models import SignalBatch


class SignalBatchUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("CSV(쉼표/탭; CP949·EUC-KR·UTF-8) 또는 XLSX"))
    encoding = serializers.ChoiceField(choices=[c for c, _label in ENCODING_CHOICES],
                                       default="auto")
    source = serializers.SlugField(
        required=False,
        help_text=_("제공 기관 코드: 구 관리자만 지정 (기관 계정은 자기 기관으로 고정)"),
    )


class SignalRejectionSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    column = serializers.CharField()
    reason = serializers.CharField()


class SignalBatchSerializer(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = SignalBatch
        fields = [
            "id", "source", "channel", "original_name", "sha256", "size_bytes", "file_format",
            "encoding", "status", "failure_reason", "rows", "accepted", "rejected",
            "duplicates", "matched_people", "unregistered_candidates", "unmatched",
            "households_scored", "alerts_opened", "alerts_updated", "model_version",
            "created_at", "finished_at",
        ]
        read_only_fields = fields


class SignalBatchDetailSerializer(SignalBatchSerializer):
    errors = serializers.SerializerMethodField()

    class Meta(SignalBatchSerializer.Meta):
        fields = [*SignalBatchSerializer.Meta.fields, "errors"]
        read_only_fields = fields

    @extend_schema_field(SignalRejectionSerializer(many=True))
    def get_errors(self, batch):
        rows = batch.rejections.order_by("line", "id").values("line", "column", "reason")[:1000]
        return SignalRejectionSerializer(rows, many=True).data
