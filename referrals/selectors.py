"""Every read of referrals and service links that views share, already scoped."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from households.history import history_entries
from households.models import Dong, Household, Membership, Organization, Role
from households.selectors import household_head, scope_of, visible_households
from referrals.models import (
    GatekeeperPlace,
    Referral,
    Service,
    ServiceCapacity,
    ServiceLink,
    SharingConsent,
)

# --- service catalogue and closed-loop service links


def service_catalogue() -> QuerySet[Service]:
    return Service.objects.filter(active=True).prefetch_related("providers")


def service_capacity_of(service, provider) -> ServiceCapacity | None:
    """What the provider said about the service (None: nothing, counts as open)."""
    return ServiceCapacity.objects.filter(service=service, provider=provider).first()


def service_capacities() -> dict[tuple[int, int], ServiceCapacity]:
    """Every capacity a provider has set, by (service id, provider id): the link form's."""
    return {(c.service_id, c.provider_id): c
            for c in ServiceCapacity.objects.select_related("service", "provider")}


def partner_services(user) -> list[tuple[Service, Organization, ServiceCapacity | None]]:
    """(service, provider, capacity) for each service the partner's organisations provide."""
    scope = scope_of(user)
    if not scope.has(Role.PARTNER) or not scope.organization_ids:
        return []
    capacities = service_capacities()
    rows = []
    for provider in Organization.objects.filter(id__in=scope.organization_ids).order_by("name"):
        for service in provider.services.filter(active=True).order_by("name"):
            rows.append((service, provider, capacities.get((service.pk, provider.pk))))
    return rows


def partner_service_for(user, service_id, provider_id) -> tuple[Service, Organization]:
    """A service of one of the partner's organisations, or Http404 (anyone else's)."""
    scope = scope_of(user)
    if not scope.has(Role.PARTNER):
        raise Http404
    provider = get_object_or_404(Organization, pk=provider_id,
                                 id__in=scope.organization_ids)
    service = get_object_or_404(provider.services.filter(active=True), pk=service_id)
    return service, provider


def service_links_for_worker(user) -> QuerySet[ServiceLink]:
    """Links of households in the worker's dongs (district-wide for admins and managers)."""
    return (
        ServiceLink.objects.filter(household__in=visible_households(user))
        .select_related("service", "provider", "household__dong", "requested_by")
        .annotate(head_name=household_head("name"))
    )


def service_links_for_partner(user) -> QuerySet[ServiceLink]:
    """Only the links addressed to the partner's own organization(s)."""
    scope = scope_of(user)
    if not scope.has(Role.PARTNER):
        return ServiceLink.objects.none()
    return (
        ServiceLink.objects.filter(provider_id__in=scope.organization_ids)
        .select_related("service", "provider", "household__dong")
        .annotate(head_name=household_head("name"), head_phone=household_head("phone"))
    )


def service_links_for(user) -> QuerySet[ServiceLink]:
    """Whatever links the user may see: a worker's dongs, or a partner's organization."""
    if scope_of(user).sees_records:
        return service_links_for_worker(user)
    return service_links_for_partner(user)


def service_link_for_partner(user, link_id) -> ServiceLink:
    return get_object_or_404(service_links_for_partner(user), pk=link_id)


def household_service_links(household) -> QuerySet[ServiceLink]:
    return household.service_links.select_related("service", "provider").order_by(
        "-requested_at", "-id"
    )


def overdue_links_for_worker(user) -> QuerySet[ServiceLink]:
    """Requests the provider has not answered in time, flagged to the worker."""
    return service_links_for_worker(user).filter(
        status=ServiceLink.Status.REQUESTED, overdue_reminded_at__isnull=False
    )




DUPLICATE_WINDOW_DAYS = 30


def referral_dongs(user) -> QuerySet[Dong]:
    """Dongs the user may refer a neighbour in (staff: their own; others: their district)."""
    scope = scope_of(user)
    if scope.sees_records:
        return Dong.objects.filter(id__in=scope.dong_ids).order_by("code")
    district_ids = set(scope.district_ids)
    if scope.organization_ids:
        district_ids |= set(
            Organization.objects.filter(id__in=scope.organization_ids, district__isnull=False)
            .values_list("district_id", flat=True)
        )
    return Dong.objects.filter(district_id__in=district_ids, valid_to__isnull=True).order_by(
        "code"
    )


def organization_of(user) -> Organization | None:
    """The partner's organisation a referral is made for (their first, if several)."""
    scope = scope_of(user)
    if not scope.organization_ids:
        return None
    return Organization.objects.filter(id__in=scope.organization_ids).order_by("id").first()


def public_dongs() -> QuerySet[Dong]:
    return Dong.objects.filter(valid_to__isnull=True).order_by("code")


def referrals_for_staff(user) -> QuerySet[Referral]:
    """Full referral records of the user's dongs (empty for roles without records)."""
    scope = scope_of(user)
    if not scope.sees_records:
        return Referral.objects.none()
    return Referral.objects.filter(dong_id__in=scope.dong_ids)


def referrals_made_by(user) -> QuerySet[Referral]:
    """What a volunteer or partner referred (their organisation's too, for partners)."""
    scope = scope_of(user)
    if not getattr(user, "is_authenticated", False):
        return Referral.objects.none()
    condition = Q(referred_by=user)
    if scope.has(Role.PARTNER) and scope.organization_ids:
        condition |= Q(referrer_organization_id__in=scope.organization_ids)
    return Referral.objects.filter(condition)


def referrals_visible(user) -> QuerySet[Referral]:
    scope = scope_of(user)
    if scope.sees_records:
        return referrals_for_staff(user)
    return referrals_made_by(user)


def referral_list(user) -> QuerySet[Referral]:
    return (
        referrals_visible(user)
        .select_related("dong", "merged_into", "assigned_to", "gatekeeper_place")
        .order_by("-created_at", "-id")
    )


def my_referrals(user) -> QuerySet[Referral]:
    return (
        referrals_made_by(user)
        .select_related("dong", "merged_into")
        .order_by("-created_at", "-id")
    )


def referral_detail(user, referral_id) -> Referral:
    """A full referral record, or Http404 outside the user's dongs."""
    return get_object_or_404(
        referrals_for_staff(user).select_related(
            "dong", "household", "assigned_to", "referred_by", "referrer_organization",
            "duplicate_of", "merged_into", "gatekeeper_place",
        ),
        pk=referral_id,
    )


def referral_by_receipt(code: str) -> Referral | None:
    code = (code or "").strip().upper().replace(" ", "")
    if len(code) == 8:
        code = f"{code[:4]}-{code[4:]}"
    return Referral.objects.select_related("merged_into").filter(receipt_code=code).first()


# --- lookups the services make on the system's behalf (never from a view) -------------

def households_at_address(*, dong_id: int, address_key: str, name_key: str = "") -> list:
    """Households of the dong at that address; those with a member of that name first."""
    if not address_key:
        return []
    households = list(
        Household.objects.filter(dong_id=dong_id, address_key=address_key).order_by("id")[:20]
    )
    if name_key and len(households) > 1:
        named = set(
            Household.objects.filter(id__in=[h.id for h in households],
                                     members__name_key=name_key).values_list("id", flat=True)
        )
        households.sort(key=lambda h: h.id not in named)
    return households


def open_referral_like(*, dong_id: int, household_id, address_key: str,
                       exclude_id=None) -> Referral | None:
    """An open referral for the same household or address within the last 30 days."""
    since = timezone.now() - timedelta(days=DUPLICATE_WINDOW_DAYS)
    same = Q(address_key=address_key) if address_key else Q(pk__in=[])
    if household_id:
        same |= Q(household_id=household_id)
    return (
        Referral.objects.filter(dong_id=dong_id, created_at__gte=since,
                                status__in=Referral.OPEN_STATUSES)
        .filter(same)
        .exclude(pk=exclude_id)
        .order_by("created_at")
        .first()
    )


def dong_staff_emails(dong_id: int) -> list[str]:
    User = get_user_model()
    return sorted(
        set(
            User.objects.filter(
                is_active=True,
                memberships__role=Role.DONG_STAFF,
                memberships__dong_id=dong_id,
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def dong_staff_of(dong_ids) -> QuerySet:
    """Dong staff who can be assigned work in these dongs."""
    User = get_user_model()
    user_ids = Membership.objects.filter(role=Role.DONG_STAFF, dong_id__in=dong_ids).values(
        "user_id"
    )
    return User.objects.filter(is_active=True, id__in=user_ids).order_by("username")


def volunteers_of(dong_ids) -> QuerySet:
    """Volunteers who can go along on a visit in these dongs (2인 1조)."""
    User = get_user_model()
    user_ids = Membership.objects.filter(role=Role.VOLUNTEER, dong_id__in=dong_ids).values(
        "user_id"
    )
    return User.objects.filter(is_active=True, id__in=user_ids).order_by("username")


def open_emergency_count(user) -> int:
    """The header badge: new emergency referrals of the user's dongs (one COUNT query)."""
    scope = scope_of(user)
    if not scope.sees_records or not scope.dong_ids:
        return 0
    return Referral.objects.filter(
        dong_id__in=scope.dong_ids, status=Referral.Status.RECEIVED,
        urgency=Referral.Urgency.EMERGENCY,
    ).count()


def referral_history(referral: Referral) -> list:
    """Every change of one referral (the caller has it from referral_detail: in scope)."""
    return history_entries([Referral.history.filter(id=referral.pk)])


# --- consent to share a household's details with partners


def consent_active(household) -> SharingConsent | None:
    """The household's consent in force, if any."""
    return household.sharing_consents.filter(withdrawn_at__isnull=True).first()


def household_consents(household) -> QuerySet[SharingConsent]:
    return household.sharing_consents.select_related(
        "person", "recorded_by", "withdrawn_by").order_by("-recorded_at", "-id")


def household_consent_overrides(household) -> QuerySet[ServiceLink]:
    """Links sent without consent, on an override: shown on the household."""
    return (household.service_links.exclude(consent_override_reason="")
            .select_related("service", "provider", "consent_override_by")
            .order_by("-requested_at", "-id"))


# --- gatekeeper places ------------------------------------------------------------------

GATEKEEPER_CODE_CHARS = frozenset("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")


def gatekeeper_dong_ids(user) -> frozenset:
    """Dongs whose gatekeeper places the user keeps: a dong's staff their own dongs, a
    district admin every dong of the district. Case managers and others keep none."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    grants = Membership.objects.filter(
        Q(role=Role.DONG_STAFF, dong__isnull=False)
        | Q(role=Role.DISTRICT_ADMIN, district__isnull=False), user=user,
    ).values_list("role", "dong_id", "district_id")
    dong_ids = {dong_id for role, dong_id, _d in grants if role == Role.DONG_STAFF}
    districts = {district_id for role, _x, district_id in grants
                 if role == Role.DISTRICT_ADMIN}
    if districts:
        dong_ids |= set(Dong.objects.filter(district_id__in=districts)
                        .values_list("id", flat=True))
    return frozenset(dong_ids)


def gatekeeper_dongs(user) -> QuerySet[Dong]:
    return Dong.objects.filter(id__in=gatekeeper_dong_ids(user), valid_to__isnull=True
                               ).order_by("code")


def gatekeeper_places_for(user) -> QuerySet[GatekeeperPlace]:
    """The places of the user's dongs, each with its report count and last report."""
    return (
        GatekeeperPlace.objects.filter(dong_id__in=gatekeeper_dong_ids(user))
        .select_related("dong", "registered_by")
        .annotate(report_count=Count("referrals"), last_report_at=Max("referrals__created_at"))
        .order_by("dong__code", "kind", "name", "id")
    )


def gatekeeper_place_for(user, place_id) -> GatekeeperPlace:
    """One place of the user's dongs, or Http404 (another dong's place is not there)."""
    return get_object_or_404(gatekeeper_places_for(user), pk=place_id)


def gatekeeper_place_by_code(code) -> GatekeeperPlace | None:
    """The place a memo pad's code names, if it is still in use; None for anything else."""
    code = (code or "").strip().upper()
    if not code or len(code) > 16 or not set(code) <= GATEKEEPER_CODE_CHARS:
        return None
    return GatekeeperPlace.objects.filter(code=code, revoked_at__isnull=True).first()
