import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from households.models import AccessLog, Role
from households.selectors import scope_of
from households.services import access_log_write
from referrals import selectors, services
from referrals.models import Concern, Referral
from referrals.serializers import (
    ReferralCreateSerializer,
    ReferralDetailSerializer,
    ReferralSerializer,
    ReferralStatusSerializer,
)


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
    list=extend_schema(description="Staff: referrals of their dongs (names masked). "
                       "Volunteers and partners: their own referrals, status only."),
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
class ReferralViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      mixins.CreateModelMixin, viewsets.GenericViewSet):
    filterset_class = ReferralApiFilter

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.referrals_for_staff(self.request.user).select_related(
                "dong", "assigned_to")
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
        return Response(ReferralStatusSerializer(referral).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
