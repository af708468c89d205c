"""Shared fixtures: the demo district (small), its logins, and a real browser."""

import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from households.demo import seed_registry

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make around it are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(autouse=True)
def korean_first():
    """A request in English leaves English active in the thread; each test starts in ko."""
    from django.utils import translation

    translation.activate("ko")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings, request):
    # A service worker fetches pages in the background, beside the test's own requests;
    # the in-memory SQLite of a live server refuses that ("table is locked"). Only the
    # tests of the offline app (marked `offline_app`) install it.
    settings.OFFLINE_APP = "offline_app" in request.keywords
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def demo(db):
    """영등포구 with 18 dongs, 2 households each, and the demo logins."""
    return seed_registry(households=36, seed=7)


@pytest.fixture
def dongs(demo):
    return {d.short_name: d for d in demo["dongs"]}


def _user(username):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def admin_user(demo):
    return _user("admin")


@pytest.fixture
def staff1(demo):
    return _user("staff1")


@pytest.fixture
def staff2(demo):
    return _user("staff2")


@pytest.fixture
def manager1(demo):
    return _user("manager1")


@pytest.fixture
def volunteer1(demo):
    return _user("volunteer1")


@pytest.fixture
def partner1(demo):
    return _user("partner1")


@pytest.fixture
def auditor1(demo):
    return _user("auditor1")


@pytest.fixture
def client_as(client):
    """client_as(user) → the test client signed in as that user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def api_as():
    from rest_framework.test import APIClient

    def sign_in(user):
        api = APIClient()
        api.force_authenticate(user)
        return api

    return sign_in


# --- real browser (Debian's chromium through Playwright) -------------------------

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ],
    }


@pytest.fixture
def screenshot():
    """screenshot(page, name) saves a PNG under test-artifacts/ to look at."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name):
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(autouse=True)
def _required_worker_stack(request):
    """With REQUIRE_WORKER set (CI's PostgreSQL pass), a `worker` test fails instead of
    skipping when the real stack is missing: a skip there would hide that the fault
    tests never ran."""
    if "worker" not in request.keywords or not os.environ.get("REQUIRE_WORKER"):
        return
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql" or settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.fail("REQUIRE_WORKER is set but DATABASE_URL is not PostgreSQL or "
                    "CELERY_BROKER_URL is unset: the worker tests cannot run", pytrace=False)


def pytest_collection_modifyitems(config, items):
    if not Path(CHROMIUM).exists() and not os.environ.get("REQUIRE_BROWSER"):
        skip = pytest.mark.skip(reason=f"no browser at {CHROMIUM} (apt-get install chromium)")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


# --- shared fixture modules (pytest reads pytest_plugins only in this top conftest) ------

pytest_plugins = [
    "tests.fixtures.referrals",
    "tests.fixtures.work",
    "tests.fixtures.signals",
    "tests.fixtures.dashboard",
]
