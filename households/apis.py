"""Household and person API: scoped lists and details, each view written to the access log."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from households import selectors, services
from households.models import AccessLog, Household, Person
from households.serializers import (
    HouseholdDetailSerializer,
    HouseholdListSerializer,
    PersonSerializer,
)


class HouseholdApiFilter(django_filters.FilterSet):
    dong_code = django_filters.CharFilter(field_name="dong__code")
    address = django_filters.CharFilter(field_name="road_address", lookup_expr="icontains")

    class Meta:
        model = Household
        fields = ["dong_code", "address", "lives_alone", "elderly", "disability", "children",
                  "registered_here"]


class ShownRecordsLogged:
    """For list endpoints of people's records: every record a page shows is written to the
    access log (households.services.access_log_shown), like a detail view is.

    Set ``access_log_type`` and, when the record reaches its household another way,
    ``access_log_household`` (a dotted attribute path, ``household_id`` by default).
    """

    access_log_type = ""
    access_log_household = "household_id"

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        shown = list(page if page is not None else queryset)
        services.access_log_shown(request=request, object_type=self.access_log_type,
                                  records=[(obj.pk, self._household_of(obj)) for obj in shown])
        data = self.get_serializer(shown, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def _household_of(self, obj):
        value = obj
        for name in self.access_log_household.split("."):
            value = getattr(value, name, None)
        return value


@extend_schema(tags=["households"])
class HouseholdViewSet(ShownRecordsLogged, viewsets.ReadOnlyModelViewSet):
    """가구: scoped to the caller's dongs; names masked in the list, each detail read logged."""

    access_log_type = "household_list"
    access_log_household = "pk"

    # Ids are numbers; /abc/ is a 404 from the router, not a 500 from the lookup.
    lookup_value_regex = r"\d+"

    filterset_class = HouseholdApiFilter

    def get_queryset(self):
        if self.action == "retrieve":
            return (
                selectors.visible_households(self.request.user)
                .select_related("dong")
                .prefetch_related("members")
            )
        return selectors.household_list(self.request.user)

    def get_serializer_class(self):
        return HouseholdDetailSerializer if self.action == "retrieve" else HouseholdListSerializer

    def retrieve(self, request, *args, **kwargs):
        household = self.get_object()
        services.access_log_write(
            request=request, action=AccessLog.Action.VIEW, object_type="household",
            object_id=household.pk, household_id=household.pk,
        )
        return Response(self.get_serializer(household).data)


@extend_schema(tags=["households"])
class PersonViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """가구원 one at a time, scoped and logged."""

    # Ids are numbers; /abc/ is a 404 from the router, not a 500 from the lookup.
    lookup_value_regex = r"\d+"

    serializer_class = PersonSerializer

    def get_queryset(self):
        return selectors.visible_people(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        person: Person = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        services.access_log_write(
            request=request, action=AccessLog.Action.VIEW, object_type="person",
            object_id=person.pk, household_id=person.household_id, person_id=person.pk,
        )
        return Response(self.get_serializer(person).data)
