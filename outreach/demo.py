"""Demo data for visits and check-ins: the service catalogue and volunteer1's pairing."""

from django.contrib.auth import get_user_model
from django.db import transaction

from households.models import Household
from outreach.models import Pairing
from referrals.services import service_catalogue_seed


@transaction.atomic
def seed_outreach_work(district) -> dict:
    """Idempotent: a second run adds nothing."""
    services_added = service_catalogue_seed(district)
    pairings_added = 0
    volunteer = get_user_model().objects.filter(username="volunteer1").first()
    household = (
        Household.objects.filter(dong__district=district, dong__short_name="신길1동",
                                 lives_alone=True).order_by("id").first()
        or Household.objects.filter(dong__district=district, dong__short_name="신길1동")
        .order_by("id").first()
    )
    if volunteer and household and not Pairing.objects.filter(volunteer=volunteer).exists():
        from outreach.services.pairings import pairing_create

        pairing_create(volunteer=volunteer, household=household, cadence=Pairing.Cadence.WEEKLY,
                       created_by=None)
        pairings_added = 1
    return {"services_added": services_added, "pairings_added": pairings_added}
