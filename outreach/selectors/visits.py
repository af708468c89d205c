"""Reads of home visits, scoped: the worker's visits, a week's plan, unreachable households,
volunteers who may join a visit."""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import (
    Q,
    QuerySet,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone

from households.models import Membership, Role
from households.selectors import household_head, scope_of, visible_households
from outreach.models import (
    Visit,
)


def visits_for(user) -> QuerySet[Visit]:
    """Staff: visits of households in their dongs; volunteers: the visits they join."""
    base = Visit.objects.select_related("household__dong", "staff", "companion").annotate(
        head_name=household_head()
    )
    scope = scope_of(user)
    if scope.sees_records:
        return base.filter(household__in=visible_households(user))
    if scope.has(Role.VOLUNTEER):
        return base.filter(companion=user)
    return Visit.objects.none()


def visit_detail(user, visit_id) -> Visit:
    """The full visit record: staff of the household's dong only (404 otherwise)."""
    if not scope_of(user).sees_records:
        from django.http import Http404

        raise Http404
    return get_object_or_404(
        visits_for(user).select_related("alert", "previous_attempt").prefetch_related("needs"),
        pk=visit_id,
    )


def week_bounds(today=None):
    today = today or timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    tz = timezone.get_current_timezone()
    start = datetime.combine(monday, time.min, tz)
    return start, start + timedelta(days=7)


def my_visits_this_week(user, today=None) -> QuerySet[Visit]:
    """내 이번 주 방문: visits the user leads or joins, Monday to Sunday."""
    start, end = week_bounds(today)
    return visits_for(user).filter(
        Q(staff=user) | Q(companion=user), scheduled_for__gte=start, scheduled_for__lt=end
    ).order_by("scheduled_for", "id")


def unreachable_visits_for(user) -> QuerySet[Visit]:
    """연락 두절: the last failed attempt of households the worker could not reach."""
    return visits_for(user).filter(staff=user, unreachable=True).order_by("-visited_at")



def household_visits(household) -> QuerySet[Visit]:
    return (
        household.visits.select_related("staff", "companion")
        .prefetch_related("needs")
        .order_by("-scheduled_for", "-id")
    )



def companions_for(user, household) -> QuerySet:
    """Volunteers who may join a visit: those of the dongs the worker covers."""
    scope = scope_of(user)
    dong_ids = scope.dong_ids | {household.dong_id}
    user_ids = Membership.objects.filter(role=Role.VOLUNTEER, dong_id__in=dong_ids).values(
        "user_id"
    )
    return get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("username")
