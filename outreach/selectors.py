"""Every read of outreach work that views share, already scoped.

Records are reached through households.selectors.visible_households(user); volunteers
reach only their own pairings and the visits they join, with the minimum.
"""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from households.models import Membership, Person, Role, TimelineEvent
from households.selectors import scope_of, visible_households
from outreach.models import Case, CheckIn, DiscoveryAlert, Pairing, Visit

# ---------------------------------------------------------------------------
# [4/5] Visits, cases, pairings and check-ins
# ---------------------------------------------------------------------------


def head_name_subquery(household_ref: str = "household_id"):
    return Subquery(
        Person.objects.filter(household=OuterRef(household_ref))
        .order_by("-is_head", "id")
        .values("name")[:1]
    )


def name_initial(name: str) -> str:
    """홍길동 → 홍○○: all a volunteer needs to recognise a neighbour."""
    name = (name or "").strip()
    return name[:1] + "○" * max(len(name) - 1, 0) if name else ""


def visits_for(user) -> QuerySet[Visit]:
    """Staff: visits of households in their dongs; volunteers: the visits they join."""
    base = Visit.objects.select_related("household__dong", "staff", "companion").annotate(
        head_name=head_name_subquery()
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


def alert_for(user, alert_id) -> DiscoveryAlert:
    """One open alert of a household the user may see (404 otherwise)."""
    return get_object_or_404(
        DiscoveryAlert.objects.filter(household__in=visible_households(user),
                                      status=DiscoveryAlert.Status.OPEN),
        pk=alert_id,
    )


def open_alerts_of(household) -> QuerySet[DiscoveryAlert]:
    return household.discovery_alerts.filter(status=DiscoveryAlert.Status.OPEN)


def household_visits(household) -> QuerySet[Visit]:
    return (
        household.visits.select_related("staff", "companion")
        .prefetch_related("needs")
        .order_by("-scheduled_for", "-id")
    )


def household_cases(household) -> QuerySet[Case]:
    return household.cases.select_related("manager").order_by("-opened_at", "-id")


def household_pairings(household) -> QuerySet[Pairing]:
    return household.pairings.filter(ended_on__isnull=True).select_related("volunteer")


def companions_for(user, household) -> QuerySet:
    """Volunteers who may join a visit: those of the dongs the worker covers."""
    scope = scope_of(user)
    dong_ids = scope.dong_ids | {household.dong_id}
    user_ids = Membership.objects.filter(role=Role.VOLUNTEER, dong_id__in=dong_ids).values(
        "user_id"
    )
    return get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("username")


def volunteers_of_dong(dong_id) -> QuerySet:
    user_ids = Membership.objects.filter(role=Role.VOLUNTEER, dong_id=dong_id).values("user_id")
    return get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("username")


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
        .annotate(head_name=head_name_subquery())
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


def pairings_for_volunteer(user) -> QuerySet[Pairing]:
    """A volunteer's active pairings, with only what the phone page shows."""
    return (
        Pairing.objects.filter(volunteer=user, ended_on__isnull=True)
        .select_related("household__dong")
        .annotate(head_name=head_name_subquery())
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
            .annotate(head_name=head_name_subquery())
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


def household_timeline(household) -> QuerySet[TimelineEvent]:
    """Every line of the household's story, newest first, in one query."""
    return household.timeline.select_related("actor").order_by("-at", "-id")


# ---------------------------------------------------------------------------
# end [4/5]
# ---------------------------------------------------------------------------
