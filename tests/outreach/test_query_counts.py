"""[4/5] List pages and API lists: the query count does not grow with the rows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from households.models import Dong
from households.services import household_create, person_create
from outreach.models import Pairing
from outreach.services.cases import case_open
from outreach.services.visits import visit_schedule

pytestmark = pytest.mark.django_db


def _households(dong_short_name, n):
    dong = Dong.objects.get(short_name=dong_short_name)
    households = []
    for i in range(n):
        household = household_create(dong=dong, road_address=f"서울특별시 영등포구 신길로 {i + 1}")
        person_create(household=household, name=f"김이웃{i}", is_head=True)
        households.append(household)
    return households


@pytest.fixture
def busy_week(staff1, volunteer1, manager1):
    """Twenty visits this week and twenty cases in staff1's dongs."""
    households = _households("신길1동", 20)
    now = timezone.now()
    for i in range(20):
        household = households[i % len(households)]
        visit_schedule(household=household, staff=staff1, companion=volunteer1,
                                scheduled_for=now + timedelta(minutes=i))
    for household in households:
        case_open(household=household, manager=manager1, user=staff1)
    return households


# Pages carry the header's emergency badge: one query more than the API.
@pytest.mark.parametrize("url, cap", [
    ("/visits/week/", 11), ("/cases/", 11), ("/api/v1/visits/", 10), ("/api/v1/cases/", 10),
])
def test_staff_lists_stay_flat(client_as, staff1, busy_week, url, cap,
                               django_assert_max_num_queries):
    client = client_as(staff1)
    with django_assert_max_num_queries(cap):
        assert client.get(url).status_code == 200


def test_volunteer_check_in_page_stays_flat(client_as, volunteer1, staff1,
                                            django_assert_max_num_queries):
    for household in _households("신길1동", 20):
        Pairing.objects.create(volunteer=volunteer1, household=household,
                               started_on=timezone.localdate())
    client = client_as(volunteer1)
    with django_assert_max_num_queries(8):
        assert client.get("/check-ins/").status_code == 200
