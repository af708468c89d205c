"""Case API: integrated cases, scoped, with their stage actions."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from households import selectors as household_selectors
from households.apis import ShownRecordsLogged
from outreach.apis.access import log_view, require_records
from outreach.selectors.cases import CASE_MANAGER_HINT, case_managers_for, cases_for
from outreach.serializers import (
    ApprovalSerializer,
    CaseAdvanceSerializer,
    CaseCloseSerializer,
    CaseOpenSerializer,
    CaseSerializer,
)
from outreach.services.approvals import case_closure_submit, case_plan_submit
from outreach.services.cases import case_advance, case_open
from referrals.apis import drf_errors


@extend_schema(tags=["cases"])
class CaseViewSet(ShownRecordsLogged, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                  viewsets.GenericViewSet):
    """통합사례관리: case managers across the district, staff in their dongs."""

    access_log_type = "case_list"

    serializer_class = CaseSerializer
    filterset_fields = ["stage", "household", "manager"]

    def get_queryset(self):
        return cases_for(self.request.user).prefetch_related(
            "stage_changes").order_by("-opened_at", "-id")

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        log_view(request, "case", case, case.household_id)
        return Response(self.get_serializer(case).data)

    def _out(self, case, code=status.HTTP_200_OK):
        return Response(CaseSerializer(self.get_queryset().get(pk=case.pk)).data, status=code)

    @extend_schema(request=CaseOpenSerializer, responses={201: CaseSerializer})
    def create(self, request):
        require_records(request.user)
        data = CaseOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        household = get_object_or_404(
            household_selectors.visible_households(request.user), pk=values["household"])
        manager = request.user
        if values.get("manager"):
            manager = case_managers_for(household).filter(pk=values["manager"]).first()
            if manager is None:
                raise ValidationError({"manager": [str(CASE_MANAGER_HINT)]})
        try:
            case = case_open(household=household, manager=manager, user=request.user,
                                      summary=values["summary"])
        except DjangoValidationError as error:
            raise drf_errors(error) from error
        return self._out(case, status.HTTP_201_CREATED)

    @extend_schema(request=CaseAdvanceSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        case = self.get_object()
        data = CaseAdvanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            case_advance(case=case, user=request.user, **data.validated_data)
        except DjangoValidationError as error:
            raise drf_errors(error) from error
        return self._out(case)

    @extend_schema(request=CaseCloseSerializer, responses={202: ApprovalSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """종결 결재 요청: the case closes once the dong's team lead approves."""
        case = self.get_object()
        data = CaseCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            approval = case_closure_submit(case=case, user=request.user, **data.validated_data)
        except DjangoValidationError as error:
            raise drf_errors(error) from error
        return Response(ApprovalSerializer(approval).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={
        202: ApprovalSerializer,
        400: OpenApiResponse(description="결재를 요청할 수 없습니다: 계획 단계가 아니거나 목표가 "
                                         "없거나 이미 결재 대기 중 (not in the plan stage, no "
                                         "goals, or already waiting)")})
    @action(detail=True, methods=["post"], url_path="submit-plan")
    def submit_plan(self, request, pk=None):
        """계획 결재 요청: approved, the case moves on to 서비스 제공."""
        case = self.get_object()
        try:
            approval = case_plan_submit(case=case, user=request.user)
        except DjangoValidationError as error:
            raise drf_errors(error) from error
        return Response(ApprovalSerializer(approval).data, status=status.HTTP_202_ACCEPTED)


