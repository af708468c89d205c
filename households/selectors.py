"""Every read of people's records goes through here, already scoped.

``visible_households(user)`` and its siblings are the only way a view, an API
or an export reaches households and people. A record outside the scope simply
is not in the queryset, so ``get_object_or_404`` answers 404 for it.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Q, QuerySet, Subquery

from households.models import AccessLog, Dong, Household, Membership, Organization, Person, Role

# Roles that see full records of the dongs they cover.
RECORD_ROLES = frozenset({Role.DONG_STAFF, Role.CASE_MANAGER, Role.DISTRICT_ADMIN})


@dataclass(frozen=True)
class Scope:
    roles: frozenset
    # Dongs whose records the user may read in full.
    dong_ids: frozenset
    district_ids: frozenset
    # Dongs a volunteer works in (they see only their own submissions and pairings there).
    volunteer_dong_ids: frozenset
    organization_ids: frozenset

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
    dong_ids = {m[1] for m in memberships if m[0] == Role.DONG_STAFF and m[1]}
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
    grants = (Q(role=Role.DONG_STAFF, dong_id=dong.pk)
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
