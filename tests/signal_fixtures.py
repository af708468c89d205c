"""Risk-signal fixtures: named people with known numbers, agency files in every shape."""

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from households.services import household_create, person_create
from outreach.demo_signals import HEADER, write_csv, write_xlsx  # noqa: F401 — re-exported


@pytest.fixture(autouse=True)
def media_and_eager(request, settings, tmp_path):
    """Raw files under a temporary MEDIA_ROOT; tasks in process unless a real worker runs."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    if request.node.get_closest_marker("worker"):
        yield
        return
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def days_ago(n):
    return (timezone.localdate() - timedelta(days=n))


@pytest.fixture
def people(dongs):
    """김영희 lives alone in 여의동 (RRN known), 박철수 in 신길1동 (no RRN), 최민호 in 대림2동."""
    yeoui = household_create(dong=dongs["여의동"], road_address="서울특별시 영등포구 여의대방로 55",
                             address_detail="302호", lives_alone=True, elderly=True)
    kim = person_create(household=yeoui, name="김영희", rrn="450101-2345678", is_head=True)
    singil = household_create(dong=dongs["신길1동"], road_address="서울특별시 영등포구 신길로 10",
                              address_detail="2층")
    park = person_create(household=singil, name="박철수", birth_date=days_ago(0).replace(
        year=1960, month=5, day=5), is_head=True)
    daerim = household_create(dong=dongs["대림2동"], road_address="서울특별시 영등포구 대림로 77",
                              lives_alone=True)
    choi = person_create(household=daerim, name="최민호", rrn="700303-1234567", is_head=True)
    return {"yeoui": yeoui, "kim": kim, "singil": singil, "park": park, "daerim": daerim,
            "choi": choi}


def story_rows(dongs):
    """The agency file of the story: line numbers in comments (header = line 1)."""
    d = days_ago(10)
    return [
        # 2, 3: 김영희 by RRN — electricity and water cut, she lives alone.
        ["450101-2345678", "김영희", "", "", "", "", "단전", d.strftime("%Y%m%d"), "2", "", ""],
        ["4501012345678", "김영희", "", "", "", "", "단수", d.isoformat(), "", "", ""],
        # 4: 박철수 by name + birth date + address, written differently.
        ["", "박 철수", "1960.05.05", "영등포구 신길로 10", "2층", "", "건강보험료 체납",
         d.strftime("%Y.%m.%d"), "6", "480,000", ""],
        # 5, 6: 이민수 lives in 여의동 but is registered nowhere here.
        ["", "이민수", "19700101", "서울 영등포구 여의나루로 999, 1층", "", dongs["여의동"].code,
         "단전", d.isoformat(), "", "", ""],
        ["", "이민수", "19700101", "서울 영등포구 여의나루로 999, 1층", "", dongs["여의동"].code,
         "단가스", d.isoformat(), "", "", ""],
        # 7: somebody in 부산: kept, unmatched.
        ["", "정수진", "19800101", "부산광역시 해운대구 해운대로 1", "", "", "단전",
         d.isoformat(), "", "", ""],
        # 8-12: rows an agency gets wrong.
        ["", "홍길동", "19991340", "영등포로 1", "", "", "단전", d.isoformat(), "", "", ""],
        ["450101-2345678", "김영희", "", "", "", "", "외계인 침공", d.isoformat(), "", "", ""],
        ["450101-2345678", "김영희", "", "", "", "", "관리비 체납", d.isoformat(), "", "-5000", ""],
        ["45010123", "김영희", "", "", "", "", "단전", d.isoformat(), "", "", ""],
        ["", "홍길순", "", "", "", "", "단전", d.isoformat(), "", "", ""],
        # 13: the same observation as line 2 again.
        ["450101-2345678", "김영희", "", "", "", "", "단전", d.strftime("%Y%m%d"), "2", "", ""],
    ]


STORY_SUMMARY = {
    "rows": 12, "accepted": 6, "rejected": 5, "duplicates": 1, "matched_people": 3,
    "unregistered_candidates": 2, "households_scored": 3, "alerts_opened": 2,
    "alerts_updated": 0,
}


def write_story(path, rows, fmt):
    """fmt: cp949 | utf-8 | utf-8-sig | tab | xlsx."""
    if fmt == "xlsx":
        write_xlsx(path, rows)
    elif fmt == "tab":
        write_csv(path, rows, encoding="utf-8", delimiter="\t")
    else:
        write_csv(path, rows, encoding=fmt)
    return path


@pytest.fixture
def story_file(tmp_path, dongs, people):
    def make(fmt="cp949", rows=None):
        suffix = "xlsx" if fmt == "xlsx" else "csv"
        return write_story(tmp_path / f"story-{fmt}.{suffix}",
                           rows if rows is not None else story_rows(dongs), fmt)

    return make


@pytest.fixture
def import_signals():
    """import_signals PATH --source CODE --json → the summary dict (its last line)."""

    def run(path, source="ssis", *args):
        out = io.StringIO()
        call_command("import_signals", str(path), "--source", source, "--json", *args,
                     stdout=out, stderr=io.StringIO())
        return json.loads(out.getvalue().strip().splitlines()[-1])

    return run


