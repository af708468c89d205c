"""Signal-batch API: agency feeds push a file and follow its batch until done."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from households.models import Organization, Role
from households.selectors import scope_of
from outreach.models import SignalBatch
from outreach.selectors.signal_batches import signal_batches_for
from outreach.serializers import (
    SignalBatchDetailSerializer,
    SignalBatchSerializer,
    SignalBatchUploadSerializer,
)
from outreach.services.signal_batches import signal_batch_receive
from outreach.signal_files import FileRejected


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
        return signal_batches_for(self.request.user).order_by("-created_at", "-id")

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
            batch, created = signal_batch_receive(
                source=source, fileobj=file, filename=file.name,
                channel=SignalBatch.Channel.API, user=request.user,
                encoding=upload.validated_data["encoding"],
            )
        except FileRejected as exc:
            return Response({"detail": exc.message}, status=exc.status)
        return Response(SignalBatchSerializer(batch).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
