"""Visit API: list, detail, schedule and record a visit."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from households import selectors as household_selectors
from households.apis import ShownRecordsLogged
from outreach.apis.access import log_view, require_records, sees_records
from outreach.selectors.alerts import open_alerts_of
from outreach.selectors.visits import companions_for, visits_for
from outreach.serializers import (
    CompanionVisitSerializer,
    VisitRecordSerializer,
    VisitScheduleSerializer,
    VisitSerializer,
)
from outreach.services.visits import visit_record, visit_schedule
from referrals.apis import drf_errors


@extend_schema(tags=["visits"])
class VisitViewSet(ShownRecordsLogged, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                   viewsets.GenericViewSet):
    """가정방문: staff see their dongs' visits; a volunteer companion sees the visits they join
    (dong and name initial only)."""

    access_log_type = "visit_list"

    filterset_fields = ["household", "outcome", "staff", "unreachable"]

    def get_queryset(self):
        return visits_for(self.request.user).prefetch_related("needs").order_by(
            "-scheduled_for", "-id")

    def get_serializer_class(self):
        if getattr(self, "swagger_fake_view", False) or sees_records(self.request.user):
            return VisitSerializer
        return CompanionVisitSerializer

    def retrieve(self, request, *args, **kwargs):
        require_records(request.user)
        visit = self.get_object()
        log_view(request, "visit", visit, visit.household_id)
        return Response(VisitSerializer(visit).data)

    @extend_schema(request=VisitScheduleSerializer, responses={201: VisitSerializer})
    def create(self, request):
        require_records(request.user)
        data = VisitScheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        household = get_object_or_404(
            household_selectors.visible_households(request.user), pk=values["household"])
        companion = alert = None
        if values.get("companion"):
            companion = companions_for(request.user, household).filter(
                pk=values["companion"]).first()
            if companion is None:
                raise ValidationError({"companion": [_("동행할 수 없는 자원봉사자입니다.")]})
        if values.get("alert"):
            alert = open_alerts_of(household).filter(pk=values["alert"]).first()
            if alert is None:
                raise ValidationError({"alert": [_("이 가구의 진행 중인 발굴 대상이 아닙니다.")]})
        try:
            visit = visit_schedule(household=household, staff=request.user,
                                            scheduled_for=values["scheduled_for"],
                                            companion=companion, alert=alert)
        except DjangoValidationError as error:
            raise drf_errors(error) from error
        visit = self.get_queryset().get(pk=visit.pk)
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VisitRecordSerializer, responses=VisitSerializer)
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        require_records(request.user)
        visit = self.get_object()
        data = VisitRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        needs = {n["domain"]: {"level": n["level"], "note": n["note"]} for n in values["needs"]}
        try:
            visit_record(
                visit=visit, user=request.user, outcome=values["outcome"],
                visited_at=values.get("visited_at"), observations=values["observations"],
                crisis_level=values["crisis_level"], needs=needs,
                next_attempt_at=values.get("next_attempt_at"),
            )
        except DjangoValidationError as error:
            raise drf_errors(error) from error
        return Response(VisitSerializer(self.get_queryset().get(pk=visit.pk)).data)


