"""Reads of integrated cases, scoped, and who may manage one."""


from datetime import timedelta

from django.db.models import (
    Prefetch,
    Q,
    QuerySet,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households.models import Role
from households.selectors import household_head, household_viewers, visible_households
from outreach.models import (
    Case,
    DiscoveryAlert,
    Visit,
)
from referrals.models import Referral


def household_cases(household) -> QuerySet[Case]:
    return household.cases.select_related("manager").order_by("-opened_at", "-id")



# What a refused manager is told: the rule of case_managers_for, in the users' words.
CASE_MANAGER_HINT = _(
    "이 가구를 볼 수 있는 구 통합사례관리사나 이 동의 복지담당 중에서 골라 주세요.")


def case_managers_for(household) -> QuerySet:
    """Who may manage this household's case: the district's case managers and the staff
    of the household's own dong — only people who can see the household."""
    return household_viewers(household, roles=(Role.CASE_MANAGER, Role.DONG_STAFF))


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


def household_in_users_work(user, household_id) -> bool:
    """Work assigned to the user on this household: an open alert or referral assigned to
    them, an open case they manage, or a visit they make or join that is not long past."""
    if DiscoveryAlert.objects.filter(household_id=household_id, assigned_to=user,
                                     status=DiscoveryAlert.Status.OPEN).exists():
        return True
    if Case.objects.filter(household_id=household_id, manager=user,
                           closed_at__isnull=True).exists():
        return True
    since = timezone.now() - timedelta(days=30)
    if Visit.objects.filter(household_id=household_id, scheduled_for__gte=since).filter(
            Q(staff=user) | Q(companion=user)).exists():
        return True
    return Referral.objects.filter(household_id=household_id, assigned_to=user).exclude(
        status=Referral.Status.CLOSED).exists()
