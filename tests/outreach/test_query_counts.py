"""List pages and API lists: the query count does not grow with the rows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from households.models import Dong
from outreach.services.cases import case_open
from outreach.services.visits import visit_schedule
from tests.factories import HeadOfHouseholdFactory, PairingFactory

pytestmark = pytest.mark.django_db


def households_in_singil1(n):
    """n more households in 신길1동, each with its head."""
    singil1 = Dong.objects.get(short_name="신길1동")
    return [HeadOfHouseholdFactory(household__dong=singil1).household for _ in range(n)]


@pytest.fixture
def busy_week(staff1, volunteer1, manager1):
    """Twenty visits this week and twenty cases in staff1's dongs."""
    households = households_in_singil1(20)
    now = timezone.now()
    for i in range(20):
        household = households[i % len(households)]
        visit_schedule(household=household, staff=staff1, companion=volunteer1,
                                scheduled_for=now + timedelta(minutes=i))
    for household in households:
        case_open(household=household, manager=manager1, user=staff1)
    return households


# Pages carry the header's emergency badge; API lists write the access-log rows of what
# they show (one insert, however many rows).
@pytest.mark.parametrize("url, cap", [
    ("/visits/week/", 11), ("/cases/", 11), ("/api/v1/visits/", 11), ("/api/v1/cases/", 11),
])
def test_staff_lists_stay_flat(client_as, staff1, busy_week, url, cap,
                               django_assert_max_num_queries):
    client = client_as(staff1)
    with django_assert_max_num_queries(cap):
        assert client.get(url).status_code == 200


def test_volunteer_check_in_page_stays_flat(client_as, volunteer1, staff1,
                                            django_assert_max_num_queries):
    for household in households_in_singil1(20):
        PairingFactory(volunteer=volunteer1, household=household)
    client = client_as(volunteer1)
    with django_assert_max_num_queries(8):
        assert client.get("/check-ins/").status_code == 200
