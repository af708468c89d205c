"""tests/referrals: fixtures come from tests/fixtures/ (see pytest_plugins in tests/conftest.py)."""

import pytest


@pytest.fixture(autouse=True)
def _referrals_defaults(fresh_rate_limits):
    """Every referrals test starts with empty rate-limit counters."""
