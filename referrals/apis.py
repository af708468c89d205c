"""DRF endpoints of the referrals app.

[3/5] adds the referral endpoints; [4/5] the catalogue and service links below.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from households import selectors as household_selectors
from households.models import AccessLog, Organization, Role
from households.services import access_log_write
from referrals import selectors, services
from referrals.models import Service
from referrals.serializers import (
    CancelSerializer,
    CompleteSerializer,
    DeclineSerializer,
    PartnerServiceLinkSerializer,
    ServiceLinkCreateSerializer,
    ServiceLinkSerializer,
    ServiceSerializer,
)

# ---------------------------------------------------------------------------
# [4/5] Service catalogue and service links
# ---------------------------------------------------------------------------


def drf_errors(error: DjangoValidationError) -> ValidationError:
    """A service's Django ValidationError as a 400 with the same Korean message."""
    if hasattr(error, "error_dict"):
        return ValidationError({k: [str(m) for e in v for m in e] for k, v in
                                error.error_dict.items()})
    return ValidationError({"detail": [str(m) for m in error.messages]})


@extend_schema(tags=["service-links"])
class ServiceViewSet(viewsets.ReadOnlyModelViewSet):
    """공공·민간 서비스 목록."""

    serializer_class = ServiceSerializer

    def get_queryset(self):
        return selectors.service_catalogue().order_by("sector", "name")


@extend_schema(tags=["service-links"])
class ServiceLinkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    """서비스 연계: workers see their dongs' links and request new ones; partners see only
    links addressed to their organization (masked; contact after accepting) and answer."""

    filterset_fields = ["status", "household", "provider", "service"]

    def get_queryset(self):
        return selectors.service_links_for(self.request.user).order_by("-requested_at", "-id")

    def _is_partner_view(self):
        scope = household_selectors.scope_of(self.request.user)
        return not scope.sees_records and scope.has(Role.PARTNER)

    def get_serializer_class(self):
        if self.action == "create":
            return ServiceLinkCreateSerializer
        if getattr(self, "swagger_fake_view", False):
            return ServiceLinkSerializer
        return PartnerServiceLinkSerializer if self._is_partner_view() else ServiceLinkSerializer

    def _out(self, link):
        link = self.get_queryset().get(pk=link.pk)
        serializer = (PartnerServiceLinkSerializer if self._is_partner_view()
                      else ServiceLinkSerializer)
        return Response(serializer(link).data)

    def retrieve(self, request, *args, **kwargs):
        link = self.get_object()
        access_log_write(request=request, action=AccessLog.Action.VIEW,
                         object_type="service_link", object_id=link.pk,
                         household_id=link.household_id)
        return Response(self.get_serializer(link).data)

    @extend_schema(request=ServiceLinkCreateSerializer, responses={201: ServiceLinkSerializer})
    def create(self, request):
        if not household_selectors.scope_of(request.user).sees_records:
            raise PermissionDenied(_("동 담당자만 서비스 연계를 요청할 수 있습니다."))
        data = ServiceLinkCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        household = get_object_or_404(
            household_selectors.visible_households(request.user), pk=values["household"]
        )
        service = Service.objects.filter(pk=values["service"], active=True).first()
        provider = Organization.objects.filter(pk=values["provider"], active=True).first()
        if service is None or provider is None:
            raise ValidationError({"detail": [_("없는 서비스 또는 기관입니다.")]})
        try:
            link = services.service_link_request(household=household, service=service,
                                                 provider=provider, requested_by=request.user,
                                                 note=values["note"])
        except DjangoValidationError as error:
            raise drf_errors(error) from error
        response = self._out(link)
        response.status_code = status.HTTP_201_CREATED
        return response

    def _partner_link(self):
        if not self._is_partner_view():
            raise PermissionDenied(_("제공기관 담당자만 답할 수 있습니다."))
        return self.get_object()

    def _answer(self, call):
        try:
            link = call()
        except DjangoValidationError as error:
            raise drf_errors(error) from error
        return self._out(link)

    @extend_schema(request=None, responses=PartnerServiceLinkSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        link = self._partner_link()
        return self._answer(lambda: services.service_link_accept(link=link, user=request.user))

    @extend_schema(request=DeclineSerializer, responses=PartnerServiceLinkSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        link = self._partner_link()
        data = DeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(lambda: services.service_link_decline(
            link=link, user=request.user, reason=data.validated_data["reason"]))

    @extend_schema(request=None, responses=PartnerServiceLinkSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        link = self._partner_link()
        return self._answer(lambda: services.service_link_start(link=link, user=request.user))

    @extend_schema(request=CompleteSerializer, responses=PartnerServiceLinkSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        link = self._partner_link()
        data = CompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(lambda: services.service_link_complete(
            link=link, user=request.user, actual_value=data.validated_data["actual_value"]))

    @extend_schema(request=CancelSerializer, responses=ServiceLinkSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        if self._is_partner_view():
            raise PermissionDenied(_("요청한 동 담당자만 취소할 수 있습니다."))
        link = self.get_object()
        data = CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(lambda: services.service_link_cancel(
            link=link, user=request.user, reason=data.validated_data["reason"]))


# ---------------------------------------------------------------------------
# end [4/5]
# ---------------------------------------------------------------------------
