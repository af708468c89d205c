"""bench_signals --profile: the sums a worker keeps and the report that adds workers up."""

import json

import pytest
from django.db import connection

from outreach.management.commands import _bench_profile as profile


@pytest.fixture
def sums(monkeypatch):
    fresh = profile._sums()
    monkeypatch.setattr(profile, "_SUMS", fresh)
    return fresh


@pytest.mark.django_db
def test_each_statement_is_summed_under_its_opening_words(sums):
    with connection.execute_wrapper(profile._statement):
        with connection.cursor() as cursor:
            for n in range(3):
                cursor.execute("SELECT   %s\n  + 1", [n])
            cursor.execute("SELECT 2")
    assert {label: entry[0] for label, entry in sums["statements"].items()} == {
        "SELECT %s + 1": 3, "SELECT 2": 1}
    assert all(entry[1] > 0 for entry in sums["statements"].values())


def test_a_step_is_timed_even_when_it_fails(sums):
    def busy(n):
        total = sum(range(n))
        if n > 10:
            raise ValueError(total)
        return total

    timed = profile._timed("steps", "busy", busy)
    assert timed(10) == 45
    with pytest.raises(ValueError):
        timed(200_000)
    count, wall, cpu = sums["steps"]["busy"]
    assert count == 2
    assert wall > 0 and cpu > 0


def test_the_report_adds_the_workers_up_and_ranks_by_time(tmp_path):
    first = {"tasks": {"parse": [2, 3.0, 1.0]},
             "statements": {"SELECT a": [4, 1.0, 0.0], "SELECT b": [1, 0.25, 0.0],
                            "SELECT c": [1, 0.5, 0.0]}}
    second = {"tasks": {"parse": [1, 1.5, 0.5]}, "statements": {"SELECT b": [1, 2.0, 0.0]}}
    (tmp_path / "profile-1.json").write_text(json.dumps(first))
    (tmp_path / "profile-2.json").write_text(json.dumps(second))

    lines = profile.profile_report(tmp_path, statements=2)

    text = "\n".join(lines)
    assert "4.50s (worker CPU 1.50s)      3×  parse" in text
    statements = lines[lines.index("  statements, by time waited:") + 1:]
    assert [line.split("×  ")[1] for line in statements] == [
        "SELECT b", "SELECT a", "(1 more)"]
    assert statements[0].split() == ["2.25s", "2×", "SELECT", "b"]
    assert statements[2].split()[:2] == ["0.50s", "1×"]
    assert not list(tmp_path.glob("profile-*.json"))
