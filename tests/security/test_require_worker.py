"""REQUIRE_WORKER turns a skipped `worker` test into a failure, as REQUIRE_BROWSER does for
browser tests; without it (the SQLite pass) the worker tests skip as before."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FAULT_TESTS = "tests/outreach/test_worker_faults.py"


def run_fault_tests_embedded(**env):
    """The real-worker fault tests on SQLite with eager Celery: the stack they need is missing."""
    clean = {k: v for k, v in os.environ.items()
             if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "REQUIRE_WORKER")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", FAULT_TESTS, "-p", "no:warnings", "-rs"],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=300)


def test_without_the_flag_they_skip():
    result = run_fault_tests_embedded()
    assert result.returncode == 0, result.stdout[-2000:]
    assert "skipped" in result.stdout


def test_with_the_flag_they_fail():
    result = run_fault_tests_embedded(REQUIRE_WORKER="1")
    assert result.returncode != 0
    assert "REQUIRE_WORKER is set" in result.stdout
