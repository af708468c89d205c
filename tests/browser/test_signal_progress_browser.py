"""admin uploads an agency file and watches a real `celery worker` read and score it: the
batch page and the upload page show the phase, the chunks and the counts while the work
runs, change in place (no reload, focus kept), and end with the finished figures.

Not timing luck: the worker reads chunks of 5 rows one at a time (--pool=solo), and the
test holds two gates in the database, PostgreSQL advisory locks that a trigger makes the
worker wait on as it marks parse chunk #5 or score chunk #1 done. While it waits, the
page must show exactly the chunks finished before it; then the test opens the gate."""

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import expect

from outreach.models import RiskSignal, SignalBatch
from tests.browser.steps import sign_in
from tests.fixtures.signals import STORY_KINDS, days_ago, write_story

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("real_stack_only")]

CELERY = Path(settings.BASE_DIR) / ".venv" / "bin" / "celery"
ROWS_PER_CHUNK = 5
PARSE_GATE, SCORE_GATE = 7_311_001, 7_311_002  # advisory lock keys
GATED_PARSE_CHUNK = 4  # the fifth
KINDS = STORY_KINDS


def agency_rows(n=60, bad_every=10):
    """n rows about 김영희, 최민호 (RRN) and 박철수 (name), each a different observation;
    every bad_every-th has an impossible birth date."""
    rows = []
    for i in range(n):
        kind, when = KINDS[i % len(KINDS)], days_ago(i // len(KINDS)).isoformat()
        if i % bad_every == bad_every - 1:
            rows.append(["", "홍길동", "19991340", "영등포로 1", "", "", kind, when, "", "", ""])
        elif i % 3 == 0:
            rows.append(["450101-2345678", "김영희", "", "", "", "", kind, when, "", "", ""])
        elif i % 3 == 1:
            rows.append(["700303-1234567", "최민호", "", "", "", "", kind, when, "", "", ""])
        else:
            rows.append(["", "박철수", "19600505", "영등포구 신길로 10", "2층", "", kind, when,
                         "", "", ""])
    return rows


class Gates:
    """Two advisory locks the test holds, and a trigger that makes the worker wait for
    them when it marks parse chunk #GATED_PARSE_CHUNK or score chunk #0 done (the
    pipeline's contract: a chunk's status is written as it finishes)."""

    def __init__(self):
        db = connection.settings_dict
        self.held = psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
                                    user=db["USER"], dbname=db["NAME"], autocommit=True)

    def close(self):
        # Let go first: a worker killed while it waited still holds its chunk's row lock,
        # and would keep DROP TRIGGER waiting.
        self.held.close()
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS progress_gate ON outreach_signalchunk;"
                           "DROP FUNCTION IF EXISTS progress_gate();")

    def hold(self):
        with connection.cursor() as cursor:
            cursor.execute(f"""
                CREATE FUNCTION progress_gate() RETURNS trigger AS $$
                BEGIN
                  IF NEW.status = 'done' AND (TG_OP = 'INSERT' OR OLD.status <> 'done') THEN
                    IF NEW.phase = 'parse' AND NEW.number = {GATED_PARSE_CHUNK} THEN
                      PERFORM pg_advisory_xact_lock_shared({PARSE_GATE});
                    ELSIF NEW.phase = 'score' AND NEW.number = 0 THEN
                      PERFORM pg_advisory_xact_lock_shared({SCORE_GATE});
                    END IF;
                  END IF;
                  RETURN NEW;
                END $$ LANGUAGE plpgsql;
                CREATE TRIGGER progress_gate BEFORE INSERT OR UPDATE ON outreach_signalchunk
                  FOR EACH ROW EXECUTE FUNCTION progress_gate();
            """)
        self.held.execute("SELECT pg_advisory_lock(%s), pg_advisory_lock(%s)",
                          [PARSE_GATE, SCORE_GATE])

    def wait_for_worker_at(self, key, timeout=60):
        """Block until the worker waits at this gate: its lock request is in pg_locks."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            waiting = self.held.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                " AND classid = 0 AND objid = %s", [key]).fetchone()[0]
            if waiting:
                return
            time.sleep(0.05)
        raise AssertionError(f"the worker never reached gate {key}")

    def open(self, key):
        self.held.execute("SELECT pg_advisory_unlock(%s)", [key])


@pytest.fixture
def gates(transactional_db):
    gates = Gates()
    yield gates
    gates.close()


@pytest.fixture
def worker(transactional_db, gates, tmp_path, settings):
    """One solo `celery worker` on a queue of its own, reading chunks of 5 rows; the live
    server's uploads are queued there too."""
    from config.celery import app

    settings.MEDIA_ROOT = str(tmp_path / "media")
    queue = f"progress-test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
                         f"{db['PORT'] or 5432}/{db['NAME']}"),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_QUEUE": queue,
        "SIGNAL_CHUNK_ROWS": str(ROWS_PER_CHUNK),
        "SIGNAL_RETRY_DELAY_S": "0.3",
        "MEDIA_ROOT": settings.MEDIA_ROOT,
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    before = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [str(CELERY), "-A", "config", "worker", "--pool=solo", "-Q", queue, "-l", "warning",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", "progress@%h"],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    yield process
    app.conf.task_default_queue = before
    # Killed before the gates open (gates' teardown comes after), so a worker that was
    # waiting at a gate does nothing more once it is let through.
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)
    log.close()


def text_of(card):
    return card.locator("[data-progress-line]")


def test_admin_watches_a_real_worker_read_and_score_the_file(
        live_server, demo, people, gates, worker, page, screenshot, tmp_path):
    base = live_server.url
    path = write_story(tmp_path / "progress.csv", agency_rows(), "cp949")
    gates.hold()
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, base, "admin")
    page.goto(f"{base}/signals/")
    page.get_by_label("제공 기관").select_option("ssis")
    page.get_by_label("파일 (CSV 또는 XLSX)").set_input_files(str(path))
    page.get_by_role("button", name="올리기").click()
    expect(page.get_by_role("heading", name="처리 현황")).to_be_visible()
    batch = SignalBatch.objects.get()
    # Changes come in place: a reload would lose this (and the reader's place).
    page.evaluate("window.stayed = true")

    # Reading: the worker waits at the fifth chunk; four are done, and the page says so.
    gates.wait_for_worker_at(PARSE_GATE)
    batch.refresh_from_db()
    done = batch.chunks.filter(phase="parse", status="done").count()
    assert batch.status == "parsing" and batch.chunks_total == 12
    assert 0 < done < batch.chunks_total
    # What the finished chunks stored (the waiting one's rows are not committed).
    matched = RiskSignal.objects.filter(batch=batch, match__in=["rrn", "name"]).count()
    card = page.locator(f"#batch-{batch.pk}-progress")
    expect(text_of(card)).to_have_text(
        f"읽는 중: {done}/12 묶음, {done * ROWS_PER_CHUNK}행 읽음, {matched}명 일치",
        timeout=15_000)
    expect(card.locator('[data-chunks="parse"]')).to_have_text(f"{done}/12 묶음")
    expect(card.locator('[data-chunks="score"]')).to_have_text("대기")
    assert card.locator('[data-phase="parse"] progress').get_attribute("value") == str(done)
    screenshot(page, "signals-progress-reading-1280")
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "signals-progress-reading-360")

    # The upload page follows the same file; its link keeps the keyboard focus as the
    # card is refreshed.
    upload_page = page.context.new_page()
    upload_page.set_viewport_size({"width": 360, "height": 740})
    upload_page.goto(f"{base}/signals/")
    listed = upload_page.locator(f"#batch-{batch.pk}-progress")
    expect(text_of(listed)).to_contain_text(f"읽는 중: {done}/12 묶음")
    assert upload_page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(upload_page, "signals-progress-upload-page-360")
    upload_page.locator(f"#batch-{batch.pk}-link").focus()

    # Scoring: every chunk read; the worker waits before its first score chunk is done.
    gates.open(PARSE_GATE)
    gates.wait_for_worker_at(SCORE_GATE)
    batch.refresh_from_db()
    assert (batch.status, batch.score_chunks_total) == ("scoring", 1)
    expect(text_of(card)).to_have_text("점수 계산 중: 0/1 묶음, 0가구 평가, 신규 발굴 0건",
                                       timeout=15_000)
    expect(card.locator('[data-count="rows"]')).to_have_text("60")
    expect(card.locator('[data-count="rejected"]')).to_have_text("6")
    # The change of phase is said once in the live region, in the same words.
    expect(page.locator(f"#batch-{batch.pk}-announce")).to_have_text(
        "점수 계산 중: 0/1 묶음, 0가구 평가, 신규 발굴 0건")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "signals-progress-scoring-1280")
    expect(text_of(listed)).to_contain_text("점수 계산 중", timeout=15_000)
    assert upload_page.evaluate("document.activeElement.id") == f"batch-{batch.pk}-link"

    # Without JavaScript the page is the same figures, and says a reload brings new ones.
    plain = page.context.browser.new_context(java_script_enabled=False,
                                             storage_state=page.context.storage_state())
    plain_page = plain.new_page()
    plain_page.goto(f"{base}/signals/{batch.pk}/")
    expect(text_of(plain_page.locator(f"#batch-{batch.pk}-progress"))).to_have_text(
        "점수 계산 중: 0/1 묶음, 0가구 평가, 신규 발굴 0건")
    reload_link = plain_page.get_by_role("link", name="새로 고침하면 최신 현황이 보입니다.")
    expect(reload_link).to_be_visible()
    plain.close()

    # Done: the final figures, polling stopped, the rejected lines brought in place.
    gates.open(SCORE_GATE)
    expect(card.locator("[data-status]")).to_have_text("완료", timeout=20_000)
    opened = sum(chunk.stats["alerts_opened"] for chunk in batch.chunks.filter(phase="score"))
    expect(text_of(card)).to_have_text(
        f"완료: 60행 읽음, 54명 일치, 3가구 평가, 신규 발굴 {opened}건")
    expect(card).to_have_attribute("data-finished", "1")
    expect(page.locator("table.list tbody tr")).to_have_count(6)
    expect(page.get_by_role("link", name="오류 보고서 내려받기 (CSV)")).to_be_visible()
    expect(page.locator(f"#batch-{batch.pk}-announce")).to_contain_text("완료: 60행 읽음")
    assert page.evaluate("window.stayed") is True
    expect(listed.locator("[data-status]")).to_have_text("완료", timeout=15_000)
    screenshot(page, "signals-progress-done-1280")
    assert problems == []
