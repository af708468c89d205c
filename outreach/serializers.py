"""DRF serializers of the outreach app."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from households.models import mask_name
from households.redaction import RRNRedactingSerializerMixin
from outreach.forms import ENCODING_CHOICES
from outreach.models import (
    Approval,
    ApprovalDecision,
    Case,
    CaseStageChange,
    CheckIn,
    CrisisLevel,
    NeedLevel,
    Pairing,
    SignalBatch,
    Visit,
    VisitNeed,
)
from outreach.selectors.signal_batches import signal_rejections
from outreach.services.visits import visit_time_problem
from referrals.models import Concern, NeedDomain

# --- visits, cases, pairings and check-ins


class VisitNeedSerializer(serializers.ModelSerializer):
    class Meta:
        model = VisitNeed
        fields = ["domain", "level", "note"]


class VisitSerializer(serializers.ModelSerializer):
    needs = VisitNeedSerializer(many=True, read_only=True)
    head_name_masked = serializers.SerializerMethodField()
    dong_name = serializers.CharField(source="household.dong.name", read_only=True)

    class Meta:
        model = Visit
        fields = ["id", "household", "dong_name", "head_name_masked", "alert", "staff",
                  "companion", "scheduled_for", "attempt_no", "previous_attempt", "outcome",
                  "visited_at", "observations", "crisis_level", "unreachable",
                  "suggested_next_step", "needs"]
        read_only_fields = fields

    def get_head_name_masked(self, visit) -> str:
        return mask_name(getattr(visit, "head_name", "") or "")


class CompanionVisitSerializer(serializers.ModelSerializer):
    """A volunteer companion's view: when, where (dong), whom (initial)."""

    dong_name = serializers.CharField(source="household.dong.name", read_only=True)
    head_name_masked = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = ["id", "dong_name", "head_name_masked", "scheduled_for", "attempt_no", "outcome"]
        read_only_fields = fields

    def get_head_name_masked(self, visit) -> str:
        return mask_name(getattr(visit, "head_name", "") or "")


class VisitScheduleSerializer(serializers.Serializer):
    household = serializers.IntegerField()
    scheduled_for = serializers.DateTimeField()
    companion = serializers.IntegerField(required=False, allow_null=True)
    alert = serializers.IntegerField(required=False, allow_null=True)

    def validate_scheduled_for(self, value):
        problem = visit_time_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value


class NeedInputSerializer(RRNRedactingSerializerMixin, serializers.Serializer):
    domain = serializers.ChoiceField(choices=NeedDomain.choices)
    level = serializers.ChoiceField(choices=NeedLevel.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class VisitRecordSerializer(RRNRedactingSerializerMixin, serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Visit.Outcome.choices)
    visited_at = serializers.DateTimeField(required=False)
    observations = serializers.CharField(required=False, allow_blank=True, default="")
    crisis_level = serializers.ChoiceField(choices=CrisisLevel.choices, required=False,
                                           allow_blank=True, default="")
    needs = NeedInputSerializer(many=True, required=False, default=list)
    next_attempt_at = serializers.DateTimeField(required=False, allow_null=True)


class CaseStageChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseStageChange
        fields = ["stage", "at", "due_on", "note"]


class CaseSerializer(serializers.ModelSerializer):
    head_name_masked = serializers.SerializerMethodField()
    stage_changes = CaseStageChangeSerializer(many=True, read_only=True)

    class Meta:
        model = Case
        fields = ["id", "household", "head_name_masked", "manager", "stage", "stage_due_on",
                  "opened_at", "plan_due_on", "summary", "closed_at", "closure_reason",
                  "closure_note", "follow_up_on", "follow_up_alert", "stage_changes"]
        read_only_fields = fields

    def get_head_name_masked(self, case) -> str:
        return mask_name(getattr(case, "head_name", "") or "")


class CaseOpenSerializer(RRNRedactingSerializerMixin, serializers.Serializer):
    household = serializers.IntegerField()
    manager = serializers.IntegerField(required=False)
    summary = serializers.CharField(required=False, allow_blank=True, default="")


class CaseAdvanceSerializer(RRNRedactingSerializerMixin, serializers.Serializer):
    to_stage = serializers.ChoiceField(choices=Case.Stage.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class CaseCloseSerializer(RRNRedactingSerializerMixin, serializers.Serializer):
    reason = serializers.ChoiceField(choices=Case.ClosureReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    follow_up_on = serializers.DateField(required=False, allow_null=True)


class PairingSerializer(serializers.ModelSerializer):
    """Minimal on purpose: volunteers see name initial, dong and status only."""

    dong_name = serializers.CharField(source="household.dong.name", read_only=True)
    head_name_masked = serializers.SerializerMethodField()
    due_at = serializers.SerializerMethodField()

    class Meta:
        model = Pairing
        fields = ["id", "dong_name", "head_name_masked", "cadence", "grace_days",
                  "last_check_in_at", "due_at"]
        read_only_fields = fields

    def get_head_name_masked(self, pairing) -> str:
        return mask_name(getattr(pairing, "head_name", "") or "")

    def get_due_at(self, pairing) -> str:
        return pairing.due_at().isoformat()


class CheckInSerializer(serializers.ModelSerializer):
    class Meta:
        model = CheckIn
        fields = ["id", "pairing", "at", "kind", "wellbeing", "concern", "concern_category",
                  "note"]
        read_only_fields = fields


class CheckInCreateSerializer(RRNRedactingSerializerMixin, serializers.Serializer):
    pairing = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=CheckIn.Kind.choices)
    wellbeing = serializers.IntegerField(min_value=1, max_value=5, required=False,
                                         allow_null=True)
    concern = serializers.BooleanField(required=False, default=False)
    concern_category = serializers.ChoiceField(
        choices=Concern.choices, required=False, allow_blank=True, default="",
        help_text=_("걱정되는 점: 걱정돼요로 올라가는 의뢰의 분류 (비우면 기타)"))
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")




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
    due_on = serializers.DateField(help_text=_("첫 접촉 기한"))
    overdue = serializers.BooleanField(help_text=_("첫 접촉 기한 지남 (연락한 가구는 항상 false)"))
    next_step = serializers.ChoiceField(choices=["first_contact", "decide", "support"])
    next_step_label = serializers.CharField()
    next_due_on = serializers.DateField(allow_null=True)
    decision_overdue = serializers.BooleanField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    source_label = serializers.CharField()
    what = serializers.ListField(child=serializers.CharField())
    what_codes = serializers.ListField(
        child=serializers.DictField(), help_text=_("what의 코드와 값 (code, values, text)"))
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


# --- risk signals (위기정보): batches, chunks, the risk model ---------------------
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
    column = serializers.CharField(help_text=_("열의 표준 이름 (signal_kind, observed_on …)"))
    column_label = serializers.CharField(help_text=_("열 이름 (요청 언어)"))
    code = serializers.CharField(help_text=_("사유 코드 (예: observed_format)"))
    values = serializers.DictField(help_text=_("사유에 들어가는 값"))
    reason = serializers.CharField(help_text=_("사유 (요청 언어)"))


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
        return SignalRejectionSerializer(signal_rejections(batch, limit=1000), many=True).data


class ApprovalSerializer(serializers.ModelSerializer):
    """결재 요청 and, once taken, its decision."""

    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    risk_model_version = serializers.IntegerField(source="risk_model.version", read_only=True,
                                                  default=None, allow_null=True)
    decision = serializers.SerializerMethodField()

    class Meta:
        model = Approval
        fields = ["id", "kind", "case", "risk_model_version", "payload", "requested_by",
                  "requested_at", "decision"]
        read_only_fields = fields

    def get_decision(self, approval) -> dict | None:
        decision = getattr(approval, "decision", None)
        if decision is None:
            return None
        return {"decision": decision.decision, "decided_by": decision.decided_by.username,
                "decided_at": decision.decided_at, "note": decision.note}


class ApprovalDecideSerializer(RRNRedactingSerializerMixin, serializers.Serializer):
    decision = serializers.ChoiceField(choices=ApprovalDecision.Decision.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
