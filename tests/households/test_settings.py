"""Production settings refuse to start without what they need; check --deploy is clean."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DATABASE_URL": "sqlite:////tmp/doorstep-deploy-check.sqlite3",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15",
    "SECRET_KEY": "x7!Qm2#vR9$kL4@pZ8^wN3&tY6*bH1(cJ5)dF0_gS-eA+uK=oI~",
    "ALLOWED_HOSTS": "doorstep.example.kr",
    "RRN_HASH_KEY": "a-production-key-only-the-district-knows",
    "CACHE_URL": "redis://127.0.0.1:6379/14",
}


def manage(*args, env):
    clean = {k: v for k, v in os.environ.items()
             if k not in PRODUCTION_ENV
             and k not in ("DEBUG", "DEMO_MODE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_in_production():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("missing", ["DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY",
                                     "ALLOWED_HOSTS", "RRN_HASH_KEY", "CACHE_URL"])
def test_production_start_fails_naming_the_missing_variable(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_embedded_defaults(settings):
    assert settings.LANGUAGE_CODE == "ko"
    assert settings.TIME_ZONE == "Asia/Seoul"
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST


def test_production_refuses_a_short_rrn_hash_key():
    result = manage("check", env={**PRODUCTION_ENV, "RRN_HASH_KEY": "district-key-2026"})
    assert result.returncode != 0
    assert "RRN_HASH_KEY" in result.stderr and "32" in result.stderr
    assert "district-key-2026" not in result.stderr


@pytest.mark.parametrize("cache_url", ["locmemcache://", "dummycache://"])
def test_production_refuses_a_cache_each_worker_keeps_alone(cache_url):
    result = manage("check", env={**PRODUCTION_ENV, "CACHE_URL": cache_url})
    assert result.returncode != 0
    assert "CACHE_URL" in result.stderr


def _request(rf, remote="10.0.0.5", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return rf.get("/", **meta)


def test_by_default_x_forwarded_for_is_not_believed(rf, settings):
    from households.services import client_ip

    assert settings.TRUSTED_PROXY_COUNT == 0
    assert client_ip(_request(rf, forwarded="1.2.3.4")) == "10.0.0.5"


@pytest.mark.parametrize("forwarded, seen", [
    ("203.0.113.7", "203.0.113.7"),
    ("1.2.3.4, 203.0.113.7", "203.0.113.7"),   # a client's forged entry comes first
    ("", "10.0.0.5"),
    ("not-an-address", "10.0.0.5"),
])
def test_behind_one_trusted_proxy_its_entry_is_the_client(rf, settings, forwarded, seen):
    from households.services import client_ip

    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request(rf, forwarded=forwarded)) == seen


def test_access_log_and_axes_use_the_same_client_address(rf, settings, staff1):
    from axes.helpers import get_client_ip_address

    from households.services import access_log_write

    settings.TRUSTED_PROXY_COUNT = 1
    request = _request(rf, forwarded="1.2.3.4, 203.0.113.7")
    request.user = staff1
    row = access_log_write(request=request, action="view", object_type="household")
    assert row.ip == "203.0.113.7"
    assert get_client_ip_address(request) == "203.0.113.7"


def test_a_forged_header_does_not_escape_the_public_form_limit(client, dongs, settings):
    """With no trusted proxy, a new X-Forwarded-For per request is still one client."""
    from django.core.cache import cache

    cache.clear()
    settings.PUBLIC_REPORT_RATE = "2/h"
    statuses = [
        client.post("/report/", {"website": "http://spam"},
                    HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]
