"""Every read of referrals and service links that views share, already scoped.

[3/5] adds the Referral selectors; [4/5] the service catalogue and links below.
"""

from django.db.models import OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from households.models import Person, Role
from households.selectors import scope_of, visible_households
from referrals.models import Service, ServiceLink

# ---------------------------------------------------------------------------
# [4/5] Service catalogue and closed-loop service links
# ---------------------------------------------------------------------------


def _head(field: str):
    return Subquery(
        Person.objects.filter(household=OuterRef("household_id"))
        .order_by("-is_head", "id")
        .values(field)[:1]
    )


def service_catalogue() -> QuerySet[Service]:
    return Service.objects.filter(active=True).prefetch_related("providers")


def service_links_for_worker(user) -> QuerySet[ServiceLink]:
    """Links of households in the worker's dongs (district-wide for admins and managers)."""
    return (
        ServiceLink.objects.filter(household__in=visible_households(user))
        .select_related("service", "provider", "household__dong", "requested_by")
        .annotate(head_name=_head("name"))
    )


def service_links_for_partner(user) -> QuerySet[ServiceLink]:
    """Only the links addressed to the partner's own organization(s)."""
    scope = scope_of(user)
    if not scope.has(Role.PARTNER):
        return ServiceLink.objects.none()
    return (
        ServiceLink.objects.filter(provider_id__in=scope.organization_ids)
        .select_related("service", "provider", "household__dong")
        .annotate(head_name=_head("name"), head_phone=_head("phone"))
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


# ---------------------------------------------------------------------------
# end [4/5]
# ---------------------------------------------------------------------------
