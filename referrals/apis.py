"""DRF endpoints of the referrals app."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.response import Response

from households import selectors as household_selectors
from households.apis import ShownRecordsLogged
from households.models import AccessLog, Organization, Role
from households.redaction import rrn_masked_mark
from households.schema import Refusal
from households.selectors import scope_of
from households.services import access_log_write
from referrals import selectors, services
from referrals.models import Concern, GatekeeperPlace, Referral, Service, SharingConsent
from referrals.serializers import (
    CancelSerializer,
    CompleteSerializer,
    ConsentCreateSerializer,
    ConsentSerializer,
    ConsentWithdrawSerializer,
    DeclineSerializer,
    GatekeeperPlaceCreateSerializer,
    GatekeeperPlaceSerializer,
    PartnerServiceLinkSerializer,
    ReferralCreateSerializer,
    ReferralDetailSerializer,
    ReferralSerializer,
    ReferralStatusSerializer,
    ServiceLinkCreateSerializer,
    ServiceLinkSerializer,
    ServiceSerializer,
)
from referrals.services import STATE_CONFLICT
from referrals.services import consents as consent_services
from referrals.services import gatekeepers as gatekeeper_services
from referrals.services.hsds import hsds_catalogue_export

# --- service catalogue and service links


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def drf_errors(error: DjangoValidationError) -> APIException:
    """A service's Django ValidationError as a 400 with the same Korean message; a move the
    record's current state does not allow (code "state") as a 409."""
    if not hasattr(error, "error_dict") and all(e.code == STATE_CONFLICT
                                                for e in error.error_list):
        return Conflict(" ".join(str(m) for m in error.messages))
    if hasattr(error, "error_dict"):
        return ValidationError({k: [str(m) for e in v for m in e] for k, v in
                                error.error_dict.items()})
    return ValidationError({"detail": [str(m) for m in error.messages]})


@extend_schema(tags=["service-links"])
class ServiceViewSet(viewsets.ReadOnlyModelViewSet):
    """공공·민간 서비스 목록."""

    # Ids are numbers; /abc/ is a 404 from the router, not a 500 from the lookup.
    lookup_value_regex = r"\d+"

    serializer_class = ServiceSerializer

    def get_queryset(self):
        return selectors.service_catalogue().order_by("sector", "name")

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        description="The active catalogue as Open Referral HSDS 3 JSON: an HSDS API-style "
                    "page whose `contents` are HSDS services (schema: "
                    "referrals/hsds/service_with_definitions.json, CC BY-SA 4.0 Open "
                    "Referral). Sector, need domain, provider kind and every provider are "
                    "`attributes` with doorstep-* taxonomies; 환가액 is a KRW cost option.")
    @action(detail=False, methods=["get"])
    def hsds(self, request):
        return Response(hsds_catalogue_export(self.get_queryset()))


def _link_views(many: bool):
    """Workers get the whole link, providers the minimum: one or the other."""
    return PolymorphicProxySerializer(
        component_name="ServiceLinkView", resource_type_field_name=None, many=many,
        serializers=[ServiceLinkSerializer, PartnerServiceLinkSerializer])


# A link's answer that its current status does not allow ('완료' twice, '시작' before '수락').
LINK_CONFLICT = OpenApiResponse(Refusal, description="지금 상태에서는 할 수 없습니다 (conflict)")


@extend_schema_view(list=extend_schema(responses=_link_views(many=True)),
                    retrieve=extend_schema(responses=_link_views(many=False)))
@extend_schema(tags=["service-links"])
class ServiceLinkViewSet(ShownRecordsLogged, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    """서비스 연계: workers see their dongs' links and request new ones; partners see only
    links addressed to their organization (masked; contact after accepting) and answer."""

    access_log_type = "service_link_list"

    # Ids are numbers; /abc/ is a 404 from the router, not a 500 from the lookup.
    lookup_value_regex = r"\d+"

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
                                                 note=values["note"],
                                                 override_reason=values["override_reason"],
                                                 capacity_confirmed=values["confirm_full"])
        except DjangoValidationError as error:
            raise drf_errors(error) from error
        response = self._out(link)
        response.status_code = status.HTTP_201_CREATED
        return rrn_masked_mark(response, data.rrn_masked)

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

    @extend_schema(request=None, responses={200: PartnerServiceLinkSerializer,
                                            409: LINK_CONFLICT})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        link = self._partner_link()
        return self._answer(lambda: services.service_link_accept(link=link, user=request.user))

    @extend_schema(request=DeclineSerializer, responses={200: PartnerServiceLinkSerializer,
                                                         409: LINK_CONFLICT})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        link = self._partner_link()
        data = DeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return rrn_masked_mark(self._answer(lambda: services.service_link_decline(
            link=link, user=request.user, reason=data.validated_data["reason"],
            reason_code=data.validated_data["reason_code"])),
            data.rrn_masked)

    @extend_schema(request=None, responses={200: PartnerServiceLinkSerializer,
                                            409: LINK_CONFLICT})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        link = self._partner_link()
        return self._answer(lambda: services.service_link_start(link=link, user=request.user))

    @extend_schema(request=CompleteSerializer, responses={200: PartnerServiceLinkSerializer,
                                                          409: LINK_CONFLICT})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        link = self._partner_link()
        data = CompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(lambda: services.service_link_complete(
            link=link, user=request.user, actual_value=data.validated_data["actual_value"]))

    @extend_schema(request=CancelSerializer, responses={200: ServiceLinkSerializer,
                                                        409: LINK_CONFLICT})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        if self._is_partner_view():
            raise PermissionDenied(_("요청한 동 담당자만 취소할 수 있습니다."))
        link = self.get_object()
        data = CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return rrn_masked_mark(self._answer(lambda: services.service_link_cancel(
            link=link, user=request.user, reason=data.validated_data["reason"])),
            data.rrn_masked)




class ReferralApiFilter(django_filters.FilterSet):
    dong_code = django_filters.CharFilter(field_name="dong__code")
    category = django_filters.ChoiceFilter(choices=Concern.choices, method="by_category")
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")

    class Meta:
        model = Referral
        fields = ["dong_code", "status", "urgency", "channel", "category", "likely_duplicate",
                  "created_after"]

    def by_category(self, queryset, name, value):
        return queryset.filter(categories__contains=f",{value},")


@extend_schema_view(
    list=extend_schema(
        description="Staff: referrals of their dongs (names masked). "
                    "Volunteers and partners: their own referrals, status only.",
        responses=PolymorphicProxySerializer(
            component_name="ReferralListItem", resource_type_field_name=None, many=True,
            serializers=[ReferralSerializer, ReferralStatusSerializer])),
    retrieve=extend_schema(description="Staff only; each read is written to the access log."),
    create=extend_schema(
        request=ReferralCreateSerializer, responses={201: ReferralStatusSerializer,
                                                     200: ReferralStatusSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                                     required=False)],
        description="Refer a household. The channel comes from the caller's role "
                    "(partner, police, school, staff, volunteer).",
    ),
)
@extend_schema(tags=["referrals"])
class ReferralViewSet(ShownRecordsLogged, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      mixins.CreateModelMixin, viewsets.GenericViewSet):
    """의뢰·제보: staff see their dongs' referrals, referrers what they sent; every one shown
    is logged."""

    access_log_type = "referral_list"

    # Ids are numbers; /abc/ is a 404 from the router, not a 500 from the lookup.
    lookup_value_regex = r"\d+"
    filterset_class = ReferralApiFilter

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.referrals_for_staff(self.request.user).select_related(
                "dong", "assigned_to", "gatekeeper_place")
        return selectors.referral_list(self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return ReferralCreateSerializer
        if self.action == "retrieve":
            return ReferralDetailSerializer
        if scope_of(self.request.user).sees_records:
            return ReferralSerializer
        return ReferralStatusSerializer

    def retrieve(self, request, *args, **kwargs):
        referral = self.get_object()
        access_log_write(request=request, action=AccessLog.Action.VIEW,
                         object_type="referral", object_id=referral.pk,
                         household_id=referral.household_id)
        return Response(self.get_serializer(referral).data)

    def create(self, request, *args, **kwargs):
        scope = scope_of(request.user)
        organization = None
        if scope.sees_records:
            channel = Referral.Channel.STAFF
        elif scope.has(Role.PARTNER):
            organization = selectors.organization_of(request.user)
            channel = services.partner_channel(organization)
        elif scope.has(Role.VOLUNTEER):
            channel = Referral.Channel.VOLUNTEER
        else:
            raise PermissionDenied("의뢰를 등록할 권한이 없습니다.")
        serializer = ReferralCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["dong"] = data.pop("dong_code")
        data["idempotency_key"] = data.get("idempotency_key") or request.headers.get(
            "Idempotency-Key", "")
        if channel != Referral.Channel.STAFF:
            data.pop("household", None)
            data.pop("staff_method", None)
        try:
            referral, created = services.referral_submit(
                channel=channel, referred_by=request.user, organization=organization,
                request=request, **data,
            )
        except DjangoValidationError as error:
            raise ValidationError({"idempotency_key": error.messages}) from error
        return rrn_masked_mark(
            Response(ReferralStatusSerializer(referral).data,
                     status=status.HTTP_201_CREATED if created else status.HTTP_200_OK),
            serializer.rrn_masked)


# --- consent to share a household's details with partners


@extend_schema(tags=["service-links"])
class ConsentViewSet(ShownRecordsLogged, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     viewsets.GenericViewSet):
    """정보 제공 동의: workers record a household's consent (and its withdrawal) before a
    service link sends its details to a partner. Scoped to the caller's households."""

    access_log_type = "consent_list"
    lookup_value_regex = r"\d+"
    serializer_class = ConsentSerializer
    filterset_fields = ["household"]

    def get_queryset(self):
        return SharingConsent.objects.filter(
            household__in=household_selectors.visible_households(self.request.user)
        ).select_related("recorded_by", "withdrawn_by").order_by("-recorded_at", "-id")

    def retrieve(self, request, *args, **kwargs):
        consent = self.get_object()
        access_log_write(request=request, action=AccessLog.Action.VIEW, object_type="consent",
                         object_id=consent.pk, household_id=consent.household_id)
        return Response(self.get_serializer(consent).data)

    @extend_schema(request=ConsentCreateSerializer, responses={201: ConsentSerializer})
    def create(self, request):
        data = ConsentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        household = get_object_or_404(
            household_selectors.visible_households(request.user), pk=values["household"])
        person = None
        if values["person"] is not None:
            person = get_object_or_404(household.members.all(), pk=values["person"])
        try:
            consent = consent_services.consent_record(
                household=household, person=person, method=values["method"],
                given_on=values["given_on"], recorded_by=request.user, note=values["note"])
        except DjangoValidationError as error:
            raise drf_errors(error) from error
        response = Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)
        return rrn_masked_mark(response, data.rrn_masked)

    @extend_schema(request=ConsentWithdrawSerializer, responses={200: ConsentSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        consent = self.get_object()
        data = ConsentWithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not consent.active:
            raise ValidationError({"detail": [_("이미 철회된 동의입니다.")]})
        try:
            consent = consent_services.consent_withdraw(
                household=consent.household, user=request.user,
                withdrawn_on=data.validated_data["withdrawn_on"],
                note=data.validated_data["note"])
        except DjangoValidationError as error:
            raise drf_errors(error) from error
        return rrn_masked_mark(Response(ConsentSerializer(consent).data), data.rrn_masked)


# --- gatekeeper places


@extend_schema_view(
    list=extend_schema(description="Gatekeeper places of the caller's dongs (a dong's staff: "
                       "their dongs; a district admin: the district), with report counts."),
    retrieve=extend_schema(description="One place of the caller's dongs; another dong's "
                           "place is a 404."),
)
@extend_schema(tags=["gatekeeper-places"])
class GatekeeperPlaceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                             viewsets.GenericViewSet):
    """게이트키퍼 장소: places whose memo pads and posters carry a QR code to the public
    report form; a report sent that way is attributed to the place and its kind."""

    lookup_value_regex = r"\d+"
    serializer_class = GatekeeperPlaceSerializer
    filterset_fields = ["kind", "dong"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return GatekeeperPlace.objects.none()
        if not selectors.gatekeeper_dong_ids(self.request.user):
            raise PermissionDenied(_("게이트키퍼 장소는 구 관리자와 동 복지담당만 관리합니다."))
        return selectors.gatekeeper_places_for(self.request.user)

    def _out(self, place, status_code=status.HTTP_200_OK):
        place = self.get_queryset().get(pk=place.pk)
        return Response(self.get_serializer(place).data, status=status_code)

    @extend_schema(request=GatekeeperPlaceCreateSerializer,
                   responses={201: GatekeeperPlaceSerializer},
                   description="Register a place in one of the caller's dongs; it gets a "
                               "fresh random code.")
    def create(self, request):
        self.get_queryset()
        data = GatekeeperPlaceCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        try:
            place = gatekeeper_services.gatekeeper_place_register(
                dong=values.pop("dong_code"), registered_by=request.user, **values)
        except DjangoValidationError as error:
            raise drf_errors(error) from error
        return rrn_masked_mark(self._out(place, status.HTTP_201_CREATED), data.rrn_masked)

    @extend_schema(request=None, responses=GatekeeperPlaceSerializer,
                   description="Revoke the place's code: later reports with it arrive as "
                               "ordinary public reports.")
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        place = self.get_object()
        gatekeeper_services.gatekeeper_place_revoke(place=place, revoked_by=request.user)
        return self._out(place)
