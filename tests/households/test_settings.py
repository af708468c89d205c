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
                                     "ALLOWED_HOSTS", "RRN_HASH_KEY"])
def test_production_start_fails_naming_the_missing_variable(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_embedded_defaults(settings):
    assert settings.LANGUAGE_CODE == "ko"
    assert settings.TIME_ZONE == "Asia/Seoul"
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
