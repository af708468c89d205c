"""Approvals API (maker-checker): what the caller may decide, what they asked for, and the
decision itself (insert-only, never one's own)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from households.apis import ShownRecordsLogged
from outreach.apis.access import log_view, require_records
from outreach.models import Approval
from outreach.selectors import approvals as approval_selectors
from outreach.serializers import ApprovalDecideSerializer, ApprovalSerializer
from outreach.services.approvals import approval_decide
from referrals.apis import drf_errors


@extend_schema(tags=["cases"])
class ApprovalViewSet(ShownRecordsLogged, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """결재: open requests the caller may decide (``?mine=1``: the caller's own requests)."""

    access_log_type = "approval_list"
    access_log_household = "case.household_id"
    lookup_value_regex = r"\d+"
    serializer_class = ApprovalSerializer
    queryset = Approval.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Approval.objects.none()
        require_records(self.request.user)
        if self.request.query_params.get("mine") == "1":
            return approval_selectors.approvals_requested_by(self.request.user)
        return approval_selectors.approvals_to_decide(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        approval = self.get_object()
        if approval.case_id:
            log_view(request, "approval", approval, approval.case.household_id)
        return Response(self.get_serializer(approval).data)

    @extend_schema(parameters=[OpenApiParameter("mine", str, description="1: my requests")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ApprovalDecideSerializer, responses=ApprovalSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        approval = self.get_object()
        data = ApprovalDecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            approval_decide(approval=approval, user=request.user, **data.validated_data)
        except DjangoValidationError as error:
            raise drf_errors(error) from error
        approval = approval_selectors.approvals_requested_by(approval.requested_by).get(
            pk=approval.pk)
        return Response(ApprovalSerializer(approval).data)
