"""Reads of integrated cases, scoped, and who may manage one."""


from django.contrib.auth import get_user_model
from django.db.models import (
    Prefetch,
    Q,
    QuerySet,
)
from django.shortcuts import get_object_or_404

from households.models import Membership, Role
from households.selectors import household_head, scope_of, visible_households
from outreach.models import (
    Case,
)


def household_cases(household) -> QuerySet[Case]:
    return household.cases.select_related("manager").order_by("-opened_at", "-id")



def case_managers_for(user) -> QuerySet:
    """Who may manage a case: case managers and dong staff of the user's district."""
    scope = scope_of(user)
    user_ids = Membership.objects.filter(
        Q(role=Role.CASE_MANAGER, district_id__in=scope.district_ids)
        | Q(role=Role.DONG_STAFF, dong__district_id__in=scope.district_ids)
    ).values("user_id")
    return get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("username")


def cases_for(user) -> QuerySet[Case]:
    """Case managers see cases across the district's dongs; staff those of their dongs."""
    return (
        Case.objects.filter(household__in=visible_households(user))
        .select_related("household__dong", "manager")
        .annotate(head_name=household_head())
    )


def case_detail(user, case_id) -> Case:
    return get_object_or_404(
        cases_for(user).prefetch_related(
            "stage_changes__by",
            "conferences__organizations",
            Prefetch("goals__service_links"),
            "notes__author",
        ),
        pk=case_id,
    )
