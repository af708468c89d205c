"""Fixtures for referrals and the inbox, shared by tests/referrals and tests/outreach."""

import pytest
from django.core.cache import cache

from outreach.models import DiscoveryAlert, RiskAssessment
from referrals.models import Referral
from referrals.services import due_date_for, referral_submit


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # django-ratelimit counts in the cache (Redis on the PostgreSQL run): start each test at 0.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_referral(dongs):
    def make(dong="신길1동", road_address="서울 영등포구 신길로 41", urgency=2, **kwargs):
        kwargs.setdefault("channel", Referral.Channel.VOLUNTEER)
        kwargs.setdefault("categories", ["meals"])
        referral, _ = referral_submit(dong=dongs[dong], road_address=road_address,
                                      urgency=urgency, **kwargs)
        return referral

    return make


@pytest.fixture
def open_alert():
    def make(household, *, score=80, level="high", due_on=None):
        assessment = RiskAssessment.objects.create(household=household, score=score,
                                                   level=level, factors=["단전 2개월"])
        return DiscoveryAlert.objects.create(
            household=household, assessment=assessment,
            due_on=due_on or due_date_for(1 if level == "critical" else 2),
        )

    return make
