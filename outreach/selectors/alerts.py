"""Reads of discovery alerts, scoped: one alert, a household's open ones, the alert list,
and the duplicate look-up referrals ask for."""


from django.db.models import (
    Q,
    QuerySet,
)
from django.shortcuts import get_object_or_404

from households.selectors import household_head, visible_households
from outreach.models import (
    DiscoveryAlert,
)


def alert_for(user, alert_id) -> DiscoveryAlert:
    """One open alert of a household the user may see (404 otherwise)."""
    return get_object_or_404(
        DiscoveryAlert.objects.filter(household__in=visible_households(user),
                                      status=DiscoveryAlert.Status.OPEN),
        pk=alert_id,
    )


def open_alerts_of(household) -> QuerySet[DiscoveryAlert]:
    return household.discovery_alerts.filter(status=DiscoveryAlert.Status.OPEN)



def open_alert_like(*, dong_id, household_id, address_key, since):
    """Registered with referrals.services: an open alert at this household or address."""
    same = Q(household__address_key=address_key) if address_key else Q(pk__in=[])
    if household_id:
        same |= Q(household_id=household_id)
    return (
        DiscoveryAlert.objects.filter(status=DiscoveryAlert.Status.OPEN,
                                      dong_id=dong_id, opened_at__gte=since)
        .filter(same)
        .values_list("id", flat=True)
        .first()
    )



def alert_list_for(user) -> QuerySet[DiscoveryAlert]:
    """발굴 대상 of the user's dongs, most urgent first, with the head's name for masking."""
    return (
        DiscoveryAlert.objects.filter(
            status=DiscoveryAlert.Status.OPEN,
            household__in=visible_households(user),
        )
        .select_related("household", "household__dong", "assessment")
        .annotate(head_name=household_head())
        .order_by("due_on", "-score", "id")
    )
