"""Every read of people's records goes through here, already scoped.

``visible_households(user)`` and its siblings are the only way a view, an API
or an export reaches households and people. A record outside the scope simply
is not in the queryset, so ``get_object_or_404`` answers 404 for it.
"""

from dataclasses import dataclass
from datetime import datetime, time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils import timezone

from households.dates import add_months
from households.models import (
    AccessLog,
    AccessReview,
    Dong,
    Household,
    Membership,
    Organization,
    Person,
    Role,
)

# Roles that see full records of the dongs they cover.
RECORD_ROLES = frozenset({Role.DONG_STAFF, Role.TEAM_LEAD, Role.CASE_MANAGER,
                          Role.DISTRICT_ADMIN})
# Roles that hold their records dong by dong.
DONG_RECORD_ROLES = (Role.DONG_STAFF, Role.TEAM_LEAD)


@dataclass(frozen=True)
class Scope:
    roles: frozenset
    # Dongs whose records the user may read in full.
    dong_ids: frozenset
    district_ids: frozenset
    # Dongs a volunteer works in (they see only their own submissions and pairings there).
    volunteer_dong_ids: frozenset
    organization_ids: frozenset
    # Dongs whose queue is the user's own work (dong staff, team lead): no reason asked.
    queue_dong_ids: frozenset = frozenset()

    def has(self, *roles) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def sees_records(self) -> bool:
        return bool(self.roles & RECORD_ROLES)


EMPTY_SCOPE = Scope(frozenset(), frozenset(), frozenset(), frozenset(), frozenset())


def scope_of(user) -> Scope:
    """The user's scope, computed once per request (cached on the user object)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY_SCOPE
    cached = getattr(user, "_doorstep_scope", None)
    if cached is not None:
        return cached
    memberships = list(
        Membership.objects.filter(user=user).values_list(
            "role", "dong_id", "district_id", "organization_id"
        )
    )
    roles = frozenset(m[0] for m in memberships)
    district_ids = frozenset(m[2] for m in memberships if m[2])
    wide_districts = {
        m[2] for m in memberships if m[0] in (Role.DISTRICT_ADMIN, Role.CASE_MANAGER) and m[2]
    }
    dong_ids = {m[1] for m in memberships if m[0] in DONG_RECORD_ROLES and m[1]}
    if wide_districts:
        dong_ids |= set(
            Dong.objects.filter(district_id__in=wide_districts).values_list("id", flat=True)
        )
    scope = Scope(
        roles=roles,
        dong_ids=frozenset(dong_ids),
        district_ids=district_ids
        | frozenset(
            Dong.objects.filter(id__in={m[1] for m in memberships if m[1]}).values_list(
                "district_id", flat=True
            )
        ),
        volunteer_dong_ids=frozenset(
            m[1] for m in memberships if m[0] == Role.VOLUNTEER and m[1]
        ),
        organization_ids=frozenset(m[3] for m in memberships if m[3]),
        queue_dong_ids=frozenset(m[1] for m in memberships
                                 if m[0] in DONG_RECORD_ROLES and m[1]),
    )
    user._doorstep_scope = scope
    return scope


def visible_dongs(user) -> QuerySet[Dong]:
    scope = scope_of(user)
    return Dong.objects.filter(id__in=scope.dong_ids | scope.volunteer_dong_ids).order_by("code")


def visible_households(user) -> QuerySet[Household]:
    """Households whose full record the user may read: staff their dongs, admins the district."""
    scope = scope_of(user)
    if not scope.sees_records:
        return Household.objects.none()
    return Household.objects.filter(dong_id__in=scope.dong_ids)


def household_viewers(household: Household, roles=RECORD_ROLES) -> QuerySet:
    """Active users who may read this household's full record, holding it through one of
    ``roles``: the converse of visible_households (dong staff of the household's dong;
    case managers and district admins of its district). Every picker of people for a
    household's work draws from here, so nobody is offered work they could not open."""
    dong = household.dong
    grants = (Q(role__in=DONG_RECORD_ROLES, dong_id=dong.pk)
              | Q(role__in=[Role.CASE_MANAGER, Role.DISTRICT_ADMIN],
                  district_id=dong.district_id))
    user_ids = Membership.objects.filter(grants, role__in=list(roles)).values("user_id")
    return get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by(
        "username")


def visible_people(user) -> QuerySet[Person]:
    scope = scope_of(user)
    if not scope.sees_records:
        return Person.objects.none()
    return Person.objects.filter(household__dong_id__in=scope.dong_ids)


def household_head(field: str = "name", household_ref: str = "household_id") -> Subquery:
    """One field of the household's head, as a subquery to annotate rows with: the member
    marked 세대주, else the first member entered. The one rule for "whose name is shown"."""
    return Subquery(
        Person.objects.filter(household=OuterRef(household_ref))
        .order_by("-is_head", "id")
        .values(field)[:1]
    )


def household_list(user) -> QuerySet[Household]:
    """The household list: scoped, with the head's name for masking, one query a page."""
    return (
        visible_households(user)
        .select_related("dong")
        .annotate(head_name=household_head(household_ref="pk"))
        .order_by("dong__code", "id")
    )


def household_detail(user, household_id) -> Household:
    """One household with its members, or Http404 when it is outside the user's scope."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        visible_households(user).select_related("dong", "dong__district"), pk=household_id
    )


def household_members(household: Household) -> QuerySet[Person]:
    return household.members.order_by("-is_head", "id")


def visible_organizations(user) -> QuerySet[Organization]:
    scope = scope_of(user)
    if scope.sees_records:
        return Organization.objects.filter(active=True)
    return Organization.objects.filter(id__in=scope.organization_ids)


def access_log_entries(user) -> QuerySet[AccessLog]:
    """The access log, for auditors (and district admins) only."""
    scope = scope_of(user)
    if not scope.has(Role.AUDITOR, Role.DISTRICT_ADMIN):
        return AccessLog.objects.none()
    return AccessLog.objects.all()


# --- "current work": whose full record a user opens without giving a reason ----------

# Checks the higher apps register (outreach: assigned alerts, managed cases, visits,
# assigned referrals): check(user, household_id) → True when it is the user's work.
_CURRENT_WORK_CHECKS: list = []


def register_current_work_check(check) -> None:
    if check not in _CURRENT_WORK_CHECKS:
        _CURRENT_WORK_CHECKS.append(check)


def household_in_current_work(user, household: Household) -> bool:
    """The household is in the user's own dong queue (dong staff, team lead) or in work
    assigned to them; anything else needs a reason first (break the glass)."""
    if household.dong_id in scope_of(user).queue_dong_ids:
        return True
    return any(check(user, household.pk) for check in _CURRENT_WORK_CHECKS)


# --- the auditor's month ---------------------------------------------------------------

def access_month_report(user, month) -> dict:
    """Unusual access in one month (``month``: its first day), for the auditor: people who
    viewed many records, views outside working hours, exports, break-the-glass views and
    consent overrides, and the reviews already written."""
    if not scope_of(user).has(Role.AUDITOR):
        return {}
    tz = timezone.get_current_timezone()
    since = datetime.combine(month, time.min, tz)
    until = datetime.combine(add_months(month, 1), time.min, tz)
    rows = AccessLog.objects.filter(at__gte=since, at__lt=until)
    views = rows.filter(action=AccessLog.Action.VIEW)
    start, end = settings.AUDIT_WORKING_HOURS
    after_hours = views.annotate(hour=ExtractHour("at"), weekday=ExtractIsoWeekDay("at")).filter(
        Q(hour__lt=start) | Q(hour__gte=end) | Q(weekday__gte=6))
    return {
        "month": month,
        "many_views": list(views.values("username").annotate(n=Count("id"))
                           .filter(n__gte=settings.AUDIT_MANY_VIEWS).order_by("-n")),
        "after_hours": list(after_hours.values("username").annotate(n=Count("id"))
                            .order_by("-n")),
        "exports": list(rows.filter(action=AccessLog.Action.EXPORT).order_by("at")[:500]),
        "break_glass": list(rows.filter(object_type="break_glass").order_by("at")[:500]),
        "overrides": list(rows.filter(object_type="consent_override").order_by("at")[:500]),
        "reviews": list(AccessReview.objects.filter(month=month)
                        .select_related("reviewed_by").order_by("reviewed_at")),
    }


# --- retention ---------------------------------------------------------------------------

# Activity the higher apps keep outside the timeline (outreach: risk assessments, of which a
# round writes timeline lines only for the alerting ones): activity(since) → a condition on
# Household (an Exists over OuterRef("pk")), true when the household had some since then.
_ACTIVITY_CHECKS: list = []


def register_activity_check(check) -> None:
    if check not in _ACTIVITY_CHECKS:
        _ACTIVITY_CHECKS.append(check)


def households_inactive(user, *, today=None) -> QuerySet[Household]:
    """Households of the auditor's districts with no activity (no change, no timeline line,
    nothing a higher app registered) for settings.RETENTION_YEARS, not yet anonymised nor
    approved for it."""
    if not scope_of(user).has(Role.AUDITOR):
        return Household.objects.none()
    today = today or timezone.localdate()
    cutoff = datetime.combine(add_months(today, -12 * settings.RETENTION_YEARS), time.min,
                              timezone.get_current_timezone())
    households = (Household.objects.filter(dong__district_id__in=scope_of(user).district_ids,
                                           anonymised_at__isnull=True,
                                           anonymisation__isnull=True,
                                           created_at__lt=cutoff, updated_at__lt=cutoff)
                  .exclude(timeline__at__gte=cutoff))
    for activity in _ACTIVITY_CHECKS:
        households = households.exclude(activity(cutoff))
    return households.select_related("dong").order_by("dong__code", "id")
