"""tests/outreach: fixtures come from tests/fixtures/ (see pytest_plugins in tests/conftest.py)."""

import pytest


@pytest.fixture(autouse=True)
def _outreach_defaults(fresh_rate_limits, media_and_eager):
    """Every outreach test: empty rate limits, files under a temporary MEDIA_ROOT, and
    Celery tasks run in process (unless marked ``worker``)."""
