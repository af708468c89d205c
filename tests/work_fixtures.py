"""[4/5] Fixtures for visits, service links, cases and check-ins (shared by test folders)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from households.models import Household, Organization
from referrals.models import Service
from referrals.services import service_catalogue_seed


@pytest.fixture
def catalogue(demo):
    service_catalogue_seed(demo["district"])
    return {service.name: service for service in Service.objects.all()}


@pytest.fixture
def food_bank(demo):
    org = Organization.objects.get(code="ydp-foodbank")
    org.email = "foodbank@example.org"
    org.save()
    return org


@pytest.fixture
def welfare_centre(demo):
    return Organization.objects.get(code="ydp-welfare")


def _household_of(dong_short_name):
    return Household.objects.filter(dong__short_name=dong_short_name).order_by("id").first()


@pytest.fixture
def yeouido_household(demo):
    """A 여의동 household: staff1's dong."""
    return _household_of("여의동")


@pytest.fixture
def singil_household(demo):
    """A 신길1동 household: staff1's and volunteer1's dong."""
    return _household_of("신길1동")


@pytest.fixture
def daerim_household(demo):
    """A 대림2동 household: staff2's dong, outside staff1's scope."""
    return _household_of("대림2동")


@pytest.fixture
def tomorrow_10am():
    return (timezone.localtime() + timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0)
