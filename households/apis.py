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


@extend_schema(tags=["households"])
class HouseholdViewSet(viewsets.ReadOnlyModelViewSet):
    """가구: scoped to the caller's dongs; names masked in the list, each detail read logged."""

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
