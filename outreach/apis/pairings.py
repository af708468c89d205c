"""Pairing and check-in API: staff see their dongs', volunteers log their own check-ins."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from households import selectors as household_selectors
from households.apis import ShownRecordsLogged
from households.models import Role
from outreach.models import Pairing
from outreach.selectors.pairings import check_ins_for, pairing_for_volunteer, pairings_for
from outreach.serializers import (
    CheckInCreateSerializer,
    CheckInSerializer,
    PairingSerializer,
)
from outreach.services.pairings import check_in_log
from referrals.apis import drf_errors


@extend_schema(tags=["check-ins"])
class PairingViewSet(ShownRecordsLogged, viewsets.ReadOnlyModelViewSet):
    """결연: a volunteer's own pairings (minimal), or the pairings of a worker's dongs."""

    access_log_type = "pairing_list"

    serializer_class = PairingSerializer
    queryset = Pairing.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self):
        return pairings_for(self.request.user).order_by("id")


@extend_schema(tags=["check-ins"])
class CheckInViewSet(ShownRecordsLogged, mixins.ListModelMixin, viewsets.GenericViewSet):
    """안부 확인: volunteers log check-ins on households paired with them only."""

    access_log_type = "check_in_list"
    access_log_household = "pairing.household_id"

    serializer_class = CheckInSerializer
    filterset_fields = ["pairing", "kind", "concern"]

    def get_queryset(self):
        return check_ins_for(self.request.user).order_by("-at", "-id")

    @extend_schema(request=CheckInCreateSerializer, responses={201: CheckInSerializer})
    def create(self, request):
        if not household_selectors.scope_of(request.user).has(Role.VOLUNTEER):
            raise PermissionDenied(_("자원봉사자만 안부 확인을 기록합니다."))
        data = CheckInCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            pairing = pairing_for_volunteer(request.user, values.pop("pairing"))
        except Http404 as error:
            raise ValidationError(
                {"pairing": [_("결연된 가구가 아닙니다. 결연된 가구만 안부 확인을 기록합니다.")]}
            ) from error
        try:
            check_in = check_in_log(pairing=pairing, by=request.user, **values)
        except DjangoValidationError as error:
            raise drf_errors(error) from error
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from error
        return Response(CheckInSerializer(check_in).data, status=status.HTTP_201_CREATED)
