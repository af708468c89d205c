"""DRF endpoints of the outreach app: one view per use case, scoped like the pages."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from households import selectors as household_selectors
from households.models import AccessLog, Organization, Role
from households.selectors import scope_of, visible_dongs
from households.services import access_log_write
from outreach import selectors, services
from outreach.forms import InboxFilterForm
from outreach.models import Pairing, SignalBatch
from outreach.serializers import (
    CaseAdvanceSerializer,
    CaseCloseSerializer,
    CaseOpenSerializer,
    CaseSerializer,
    CheckInCreateSerializer,
    CheckInSerializer,
    CompanionVisitSerializer,
    InboxItemSerializer,
    InboxPageSerializer,
    PairingSerializer,
    SignalBatchDetailSerializer,
    SignalBatchSerializer,
    SignalBatchUploadSerializer,
    VisitRecordSerializer,
    VisitScheduleSerializer,
    VisitSerializer,
)
from outreach.signal_files import FileRejected
from referrals.apis import drf_errors
from referrals.models import Concern, Referral

# ---------------------------------------------------------------------------
# [4/5] Visits, cases, pairings and check-ins
# ---------------------------------------------------------------------------


def _sees_records(user) -> bool:
    return household_selectors.scope_of(user).sees_records


def _require_records(user):
    if not _sees_records(user):
        raise PermissionDenied(_("가구 기록을 볼 권한이 없습니다."))


def _log(request, object_type, obj, household_id):
    access_log_write(request=request, action=AccessLog.Action.VIEW, object_type=object_type,
                     object_id=obj.pk, household_id=household_id)


@extend_schema(tags=["visits"])
class VisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """가정방문: staff see their dongs' visits; a volunteer companion sees the visits they join
    (dong and name initial only)."""

    filterset_fields = ["household", "outcome", "staff", "unreachable"]

    def get_queryset(self):
        return selectors.visits_for(self.request.user).prefetch_related("needs").order_by(
            "-scheduled_for", "-id")

    def get_serializer_class(self):
        if getattr(self, "swagger_fake_view", False) or _sees_records(self.request.user):
            return VisitSerializer
        return CompanionVisitSerializer

    def retrieve(self, request, *args, **kwargs):
        _require_records(request.user)
        visit = self.get_object()
        _log(request, "visit", visit, visit.household_id)
        return Response(VisitSerializer(visit).data)

    @extend_schema(request=VisitScheduleSerializer, responses={201: VisitSerializer})
    def create(self, request):
        _require_records(request.user)
        data = VisitScheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        household = get_object_or_404(
            household_selectors.visible_households(request.user), pk=values["household"])
        companion = alert = None
        if values.get("companion"):
            companion = selectors.companions_for(request.user, household).filter(
                pk=values["companion"]).first()
            if companion is None:
                raise ValidationError({"companion": [_("동행할 수 없는 자원봉사자입니다.")]})
        if values.get("alert"):
            alert = selectors.open_alerts_of(household).filter(pk=values["alert"]).first()
            if alert is None:
                raise ValidationError({"alert": [_("이 가구의 진행 중인 발굴 대상이 아닙니다.")]})
        try:
            visit = services.visit_schedule(household=household, staff=request.user,
                                            scheduled_for=values["scheduled_for"],
                                            companion=companion, alert=alert)
        except DjangoValidationError as error:
            raise drf_errors(error) from error
        visit = self.get_queryset().get(pk=visit.pk)
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VisitRecordSerializer, responses=VisitSerializer)
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        _require_records(request.user)
        visit = self.get_object()
        data = VisitRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        needs = {n["domain"]: {"level": n["level"], "note": n["note"]} for n in values["needs"]}
        try:
            services.visit_record(
                visit=visit, user=request.user, outcome=values["outcome"],
                visited_at=values.get("visited_at"), observations=values["observations"],
                crisis_level=values["crisis_level"], needs=needs,
                next_attempt_at=values.get("next_attempt_at"),
            )
        except DjangoValidationError as error:
            raise drf_errors(error) from error
        return Response(VisitSerializer(self.get_queryset().get(pk=visit.pk)).data)


@extend_schema(tags=["cases"])
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """통합사례관리: case managers across the district, staff in their dongs."""

    serializer_class = CaseSerializer
    filterset_fields = ["stage", "household", "manager"]

    def get_queryset(self):
        return selectors.cases_for(self.request.user).prefetch_related(
            "stage_changes").order_by("-opened_at", "-id")

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        _log(request, "case", case, case.household_id)
        return Response(self.get_serializer(case).data)

    def _out(self, case, code=status.HTTP_200_OK):
        return Response(CaseSerializer(self.get_queryset().get(pk=case.pk)).data, status=code)

    @extend_schema(request=CaseOpenSerializer, responses={201: CaseSerializer})
    def create(self, request):
        _require_records(request.user)
        data = CaseOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        household = get_object_or_404(
            household_selectors.visible_households(request.user), pk=values["household"])
        manager = request.user
        if values.get("manager"):
            manager = selectors.case_managers_for(request.user).filter(
                pk=values["manager"]).first()
            if manager is None:
                raise ValidationError({"manager": [_("사례관리자로 지정할 수 없는 사용자입니다.")]})
        try:
            case = services.case_open(household=household, manager=manager, user=request.user,
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
            services.case_advance(case=case, user=request.user, **data.validated_data)
        except DjangoValidationError as error:
            raise drf_errors(error) from error
        return self._out(case)

    @extend_schema(request=CaseCloseSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        case = self.get_object()
        data = CaseCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.case_close(case=case, user=request.user, **data.validated_data)
        except DjangoValidationError as error:
            raise drf_errors(error) from error
        return self._out(case)


@extend_schema(tags=["check-ins"])
class PairingViewSet(viewsets.ReadOnlyModelViewSet):
    """결연: a volunteer's own pairings (minimal), or the pairings of a worker's dongs."""

    serializer_class = PairingSerializer
    queryset = Pairing.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self):
        return selectors.pairings_for(self.request.user).order_by("id")


@extend_schema(tags=["check-ins"])
class CheckInViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """안부 확인: volunteers log check-ins on households paired with them only."""

    serializer_class = CheckInSerializer
    filterset_fields = ["pairing", "kind", "concern"]

    def get_queryset(self):
        return selectors.check_ins_for(self.request.user).order_by("-at", "-id")

    @extend_schema(request=CheckInCreateSerializer, responses={201: CheckInSerializer})
    def create(self, request):
        if not household_selectors.scope_of(request.user).has(Role.VOLUNTEER):
            raise PermissionDenied(_("자원봉사자만 안부 확인을 기록합니다."))
        data = CheckInCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            pairing = selectors.pairing_for_volunteer(request.user, values.pop("pairing"))
        except Http404 as error:
            raise ValidationError(
                {"pairing": [_("결연된 가구가 아닙니다. 결연된 가구만 안부 확인을 기록합니다.")]}
            ) from error
        try:
            check_in = services.check_in_log(pairing=pairing, by=request.user, **values)
        except DjangoValidationError as error:
            raise drf_errors(error) from error
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from error
        return Response(CheckInSerializer(check_in).data, status=status.HTTP_201_CREATED)



# ---------------------------------------------------------------------------
# end [4/5]
# ---------------------------------------------------------------------------


@extend_schema(
    tags=["inbox"],
    parameters=[
        OpenApiParameter("dong", int, description="Dong id (one of the caller's)"),
        OpenApiParameter("source", str, enum=["alert", *Referral.Channel.values]),
        OpenApiParameter("category", str, enum=Concern.values),
        OpenApiParameter("status", str, enum=[v for v, _ in selectors.INBOX_STATUSES]),
        OpenApiParameter("mine", bool),
        OpenApiParameter("page", int),
    ],
    responses=InboxPageSerializer,
)
class InboxItemListApi(GenericAPIView):
    """The triage queue: open alerts and referrals of the caller's dongs, most urgent first."""

    serializer_class = InboxItemSerializer
    pagination_class = None
    filter_backends = []
    PAGE_SIZE = 50

    def get(self, request):
        if not scope_of(request.user).sees_records:
            raise PermissionDenied("처리함은 동 복지담당과 사례관리사만 볼 수 있습니다.")
        form = InboxFilterForm(request.query_params or None, dongs=visible_dongs(request.user))
        if form.is_bound and not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        try:
            number = int(request.query_params.get("page") or 1)
        except ValueError as error:
            raise ValidationError({"page": ["page는 숫자입니다."]}) from error
        page = selectors.inbox_items_for(request.user, form.filters(), page=number,
                                         per_page=self.PAGE_SIZE)
        return Response({
            "count": page.count, "page": page.number, "num_pages": page.num_pages,
            "results": InboxItemSerializer(page.items, many=True).data,
        })


# --- risk signals (위기정보): batches, chunks, the risk model ---------------------
class SendsSignals(permissions.BasePermission):
    """Agency-feed accounts (bound to an Organization) and district admins."""

    message = "위기정보 제공기관 계정 또는 구 관리자만 사용할 수 있습니다."

    def has_permission(self, request, view):
        return scope_of(request.user).has(Role.AGENCY_FEED, Role.DISTRICT_ADMIN)


@extend_schema(tags=["signals"])
class SignalBatchViewSet(mixins.CreateModelMixin, mixins.ListModelMixin,
                         mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """위기정보 파일: push an agency file, then follow its batch until done."""

    permission_classes = [permissions.IsAuthenticated, SendsSignals]
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.signal_batches_for(self.request.user).order_by("-created_at", "-id")

    def get_serializer_class(self):
        if self.action == "create":
            return SignalBatchUploadSerializer
        return SignalBatchDetailSerializer if self.action == "retrieve" else SignalBatchSerializer

    def _source(self, requested: str | None) -> Organization:
        scope = scope_of(self.request.user)
        if requested and scope.has(Role.DISTRICT_ADMIN):
            return get_object_or_404(Organization, code=requested, active=True)
        if requested:
            organization = Organization.objects.filter(
                code=requested, id__in=scope.organization_ids).first()
            if organization is None:
                raise ValidationError({"source": ["이 계정의 기관 코드가 아닙니다."]})
            return organization
        organization = Organization.objects.filter(id__in=scope.organization_ids,
                                                   code__isnull=False).order_by("id").first()
        if organization is None:
            raise ValidationError({"source": ["제공 기관 코드를 지정해 주세요."]})
        return organization

    @extend_schema(
        request={"multipart/form-data": SignalBatchUploadSerializer},
        responses={
            201: SignalBatchSerializer,
            200: OpenApiResponse(SignalBatchSerializer, description="같은 파일: 기존 배치"),
            400: OpenApiResponse(description="CSV/XLSX가 아니거나 빈 파일, 열 이름 오류"),
            413: OpenApiResponse(description="크기 제한 초과"),
        },
    )
    def create(self, request, *args, **kwargs):
        upload = SignalBatchUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        source = self._source(upload.validated_data.get("source"))
        file = upload.validated_data["file"]
        try:
            batch, created = services.signal_batch_receive(
                source=source, fileobj=file, filename=file.name,
                channel=SignalBatch.Channel.API, user=request.user,
                encoding=upload.validated_data["encoding"],
            )
        except FileRejected as exc:
            return Response({"detail": exc.message}, status=exc.status)
        return Response(SignalBatchSerializer(batch).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
