"""Reads of pairings and check-ins: staff see their dongs', volunteers only their own."""


from django.contrib.auth import get_user_model
from django.db.models import (
    QuerySet,
)
from django.shortcuts import get_object_or_404

from households.models import Membership, Role
from households.selectors import household_head, scope_of, visible_households
from outreach.models import (
    CheckIn,
    Pairing,
)


def household_pairings(household) -> QuerySet[Pairing]:
    return household.pairings.filter(ended_on__isnull=True).select_related("volunteer")



def volunteers_of_dong(dong_id) -> QuerySet:
    user_ids = Membership.objects.filter(role=Role.VOLUNTEER, dong_id=dong_id).values("user_id")
    return get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("username")



def pairings_for_volunteer(user) -> QuerySet[Pairing]:
    """A volunteer's active pairings, with only what the phone page shows."""
    return (
        Pairing.objects.filter(volunteer=user, ended_on__isnull=True)
        .select_related("household__dong")
        .annotate(head_name=household_head())
        .order_by("id")
    )


def pairing_for_volunteer(user, pairing_id) -> Pairing:
    return get_object_or_404(pairings_for_volunteer(user), pk=pairing_id)


def pairings_for(user) -> QuerySet[Pairing]:
    scope = scope_of(user)
    if scope.sees_records:
        return (
            Pairing.objects.filter(household__in=visible_households(user), ended_on__isnull=True)
            .select_related("household__dong", "volunteer")
            .annotate(head_name=household_head())
        )
    return pairings_for_volunteer(user)


def check_ins_for(user) -> QuerySet[CheckIn]:
    scope = scope_of(user)
    base = CheckIn.objects.select_related("pairing__household__dong", "by")
    if scope.sees_records:
        return base.filter(pairing__household__in=visible_households(user))
    if scope.has(Role.VOLUNTEER):
        return base.filter(pairing__volunteer=user)
    return CheckIn.objects.none()
