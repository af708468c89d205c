"""Live progress of an agency file: the figures summed from the chunks workers finished,
the card the upload page and the batch page poll, who may see it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outreach.models import SignalBatch, SignalChunk
from outreach.selectors.signal_batches import (
    signal_batch_progress,
    signal_batches_progress,
    signal_batches_running,
)
from tests.factories import AgencyFeedUserFactory, SignalBatchFactory, SignalChunkFactory

pytestmark = pytest.mark.django_db

DONE, PENDING, FAILED = (SignalChunk.Status.DONE, SignalChunk.Status.PENDING,
                         SignalChunk.Status.FAILED)


def parse_stats(rows, matched, accepted=None):
    accepted = rows if accepted is None else accepted
    return {"rows": rows, "accepted": accepted, "rejected": rows - accepted, "duplicates": 0,
            "matched_people": matched, "unregistered_candidates": 1, "unmatched": 2}


@pytest.fixture
def halfway(demo):
    """A file of 4 parse chunks read halfway: two done, one failed once (its counts must
    not count), one still pending."""
    batch = SignalBatchFactory(source=demo["organizations"]["ssis"], chunks_total=4)
    SignalChunkFactory(batch=batch, number=0, status=DONE, stats=parse_stats(10, 7))
    SignalChunkFactory(batch=batch, number=1, status=DONE, stats=parse_stats(10, 5, accepted=8))
    SignalChunkFactory(batch=batch, number=2, status=FAILED, stats=parse_stats(10, 9))
    SignalChunkFactory(batch=batch, number=3, status=PENDING)
    return batch


@pytest.fixture
def scoring(halfway):
    """The same file, read, and one of its two score chunks done."""
    SignalChunk.objects.filter(batch=halfway, number__in=[2, 3]).update(
        status=DONE, stats=parse_stats(10, 0))
    SignalBatch.objects.filter(pk=halfway.pk).update(status="scoring", score_chunks_total=2)
    SignalChunkFactory(batch=halfway, phase="score", number=0, status=DONE,
                       stats={"households_scored": 12, "alerts_opened": 3, "alerts_updated": 1})
    SignalChunkFactory(batch=halfway, phase="score", number=1, status=PENDING)
    halfway.refresh_from_db()
    return halfway


# --- the selector ----------------------------------------------------------------------

def test_progress_sums_only_the_done_chunks_of_each_phase(halfway):
    progress = signal_batch_progress(halfway)
    assert (progress["parse_done"], progress["parse_failed"], progress["parse_total"]) == (2, 1, 4)
    assert (progress["rows"], progress["accepted"], progress["rejected"]) == (20, 18, 2)
    assert (progress["matched_people"], progress["unregistered_candidates"],
            progress["unmatched"]) == (12, 2, 4)
    assert (progress["score_done"], progress["score_total"], progress["households_scored"]) \
        == (0, 0, 0)


def test_score_figures_come_from_the_score_chunks_only(scoring):
    progress = signal_batch_progress(scoring)
    assert (progress["parse_done"], progress["rows"], progress["matched_people"]) == (4, 40, 12)
    assert (progress["score_done"], progress["score_total"]) == (1, 2)
    assert (progress["households_scored"], progress["alerts_opened"],
            progress["alerts_updated"]) == (12, 3, 1)


def test_a_chunk_that_wrote_fewer_keys_counts_zero_for_the_others(db):
    batch = SignalBatchFactory(chunks_total=2)
    SignalChunkFactory(batch=batch, number=0, status=DONE, stats={"rows": 5})
    SignalChunkFactory(batch=batch, number=1, status=DONE, stats={})
    progress = signal_batch_progress(batch)
    assert (progress["rows"], progress["accepted"], progress["parse_done"]) == (5, 0, 2)


def test_a_batch_not_yet_split_is_all_zeros(db):
    progress = signal_batch_progress(SignalBatchFactory(status="received"))
    assert progress["parse_total"] == progress["parse_done"] == progress["rows"] == 0


def test_the_progress_of_many_batches_is_one_query(halfway, scoring,
                                                   django_assert_num_queries):
    batches = [SignalBatchFactory() for _ in range(5)]
    for batch in batches:
        SignalChunkFactory(batch=batch, status=DONE, stats=parse_stats(3, 1))
    with django_assert_num_queries(1):
        progress = signal_batches_progress([scoring, *batches])
    assert progress[scoring.pk]["alerts_opened"] == 3
    assert [progress[b.pk]["rows"] for b in batches] == [3] * 5


def test_running_batches_are_the_unfinished_ones_the_user_may_see(halfway, admin_user, staff1):
    SignalBatchFactory(status="done")
    SignalBatchFactory(status="failed")
    assert signal_batches_running(admin_user) == [halfway]
    assert signal_batches_running(staff1) == []


# --- the pages ---------------------------------------------------------------------------

def progress_url(batch):
    return reverse("signal_batch_progress", args=[batch.pk])


def test_the_batch_page_shows_the_phase_and_chunks_and_polls(client_as, admin_user, halfway):
    page = client_as(admin_user).get(reverse("signal_batch_detail", args=[halfway.pk]))
    html = page.content.decode()
    assert "읽는 중: 2/4 묶음, 20행 읽음, 12명 일치" in html
    assert 'data-chunks="parse">2/4 묶음<' in html
    assert f'hx-get="{progress_url(halfway)}?on=detail&amp;seen=parsing"' in html
    assert 'hx-trigger="every 2s"' in html
    # The live region is there from the start, and empty: nothing is said on arrival.
    assert (f'<p id="batch-{halfway.pk}-announce" class="visually-hidden" role="status" '
            'aria-live="polite" aria-atomic="true"></p>') in html
    # Without JavaScript, a reload is the way to fresh figures.
    assert "<noscript>" in html


def test_polling_in_the_same_phase_says_nothing_new(client_as, admin_user, halfway):
    response = client_as(admin_user).get(progress_url(halfway), {"on": "detail",
                                                                 "seen": "parsing"},
                                         HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "읽는 중: 2/4 묶음" in html and "hx-swap-oob" not in html


def test_a_change_of_phase_is_said_once_in_the_live_region(client_as, admin_user, scoring):
    client = client_as(admin_user)
    html = client.get(progress_url(scoring), {"on": "detail", "seen": "parsing"},
                      HTTP_HX_REQUEST="true").content.decode()
    assert (f'<p id="batch-{scoring.pk}-announce" hx-swap-oob="innerHTML">'
            "점수 계산 중: 1/2 묶음, 12가구 평가, 신규 발굴 3건</p>") in html
    # The fresh card asks with the phase it now shows, so the next answer is quiet.
    assert "seen=scoring" in html
    again = client.get(progress_url(scoring), {"on": "detail", "seen": "scoring"},
                       HTTP_HX_REQUEST="true").content.decode()
    assert "hx-swap-oob" not in again


def test_scoring_is_said_once_it_has_chunks_to_count(client_as, admin_user, halfway):
    """Between the last chunk read and the scoring plan, the card says what is happening,
    the live region stays quiet, and the card keeps asking as the reading phase: the
    change is said when the plan exists, with its chunks, not as 0/0."""
    client = client_as(admin_user)
    SignalChunk.objects.filter(batch=halfway).update(status=DONE, stats=parse_stats(10, 0))
    SignalBatch.objects.filter(pk=halfway.pk).update(status="scoring")
    html = client.get(progress_url(halfway), {"on": "detail", "seen": "parsing"},
                      HTTP_HX_REQUEST="true").content.decode()
    assert "점수 계산 준비: 평가할 가구를 묶음으로 나누는 중" in html
    assert "hx-swap-oob" not in html and "0/0" not in html
    assert "seen=parsing" in html

    SignalBatch.objects.filter(pk=halfway.pk).update(score_chunks_total=1)
    SignalChunkFactory(batch=halfway, phase="score", number=0, status=PENDING)
    html = client.get(progress_url(halfway), {"on": "detail", "seen": "parsing"},
                      HTTP_HX_REQUEST="true").content.decode()
    assert (f'<p id="batch-{halfway.pk}-announce" hx-swap-oob="innerHTML">'
            "점수 계산 중: 0/1 묶음, 0가구 평가, 신규 발굴 0건</p>") in html
    assert "seen=scoring" in html
    client.cookies["django_language"] = "en"
    SignalBatch.objects.filter(pk=halfway.pk).update(score_chunks_total=0)
    html = client.get(progress_url(halfway), {"seen": "parsing"},
                      HTTP_HX_REQUEST="true").content.decode()
    assert "Preparing to score: splitting the households into chunks" in html


def test_a_finished_batch_stops_polling(client_as, admin_user, scoring):
    SignalChunk.objects.filter(batch=scoring).update(status=DONE)
    SignalBatch.objects.filter(pk=scoring.pk).update(status="done")
    html = client_as(admin_user).get(progress_url(scoring), {"on": "list", "seen": "scoring"},
                                     HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in html and 'data-finished="1"' in html
    assert "완료: 40행 읽음, 12명 일치, 12가구 평가, 신규 발굴 3건" in html
    # On the upload page the card says which file it is; no rejected lines are pushed there.
    assert f"#{scoring.pk} 완료" in html and f"batch-{scoring.pk}-rejected" not in html


def test_a_failed_batch_says_where_it_stopped(client_as, admin_user, halfway):
    SignalBatch.objects.filter(pk=halfway.pk).update(status="failed",
                                                     failure_reason="묶음 #3 처리 실패")
    html = client_as(admin_user).get(progress_url(halfway)).content.decode()
    assert "실패: 읽기 2/4 묶음, 점수 계산 0/0 묶음에서 멈춤" in html
    assert "묶음 #3 처리 실패" in html and "hx-trigger" not in html


def test_the_upload_page_shows_the_files_being_processed(client_as, admin_user, halfway):
    finished = SignalBatchFactory(status="done")
    html = client_as(admin_user).get(reverse("signal_batch_list")).content.decode()
    assert "처리 중인 파일" in html
    assert f'id="batch-{halfway.pk}-progress"' in html
    assert f'hx-get="{progress_url(halfway)}?on=list&amp;seen=parsing"' in html
    assert f'id="batch-{finished.pk}-progress"' not in html


def test_the_upload_page_query_count_does_not_grow_with_running_files(client_as, admin_user):
    client = client_as(admin_user)

    def queries_with_running(n):
        for _ in range(n):
            batch = SignalBatchFactory(chunks_total=2)
            SignalChunkFactory(batch=batch, status=DONE, stats=parse_stats(3, 1))
        with CaptureQueriesContext(connection) as queries:
            assert "처리 중인 파일" in client.get(reverse("signal_batch_list")).content.decode()
        return len(queries)

    assert queries_with_running(1) == queries_with_running(4)


def test_polling_costs_the_same_queries_however_many_chunks(client_as, admin_user):
    client = client_as(admin_user)

    def queries_with_chunks(n):
        batch = SignalBatchFactory(chunks_total=n)
        for number in range(n):
            SignalChunkFactory(batch=batch, number=number, status=DONE,
                               stats=parse_stats(3, 1))
        with CaptureQueriesContext(connection) as queries:
            client.get(progress_url(batch), {"on": "detail", "seen": "parsing"},
                       HTTP_HX_REQUEST="true")
        return len(queries)

    assert queries_with_chunks(2) == queries_with_chunks(40)


def test_the_progress_reads_in_english(client_as, admin_user, scoring):
    client = client_as(admin_user)
    client.cookies["django_language"] = "en"
    html = client.get(progress_url(scoring), {"seen": "parsing"},
                      HTTP_HX_REQUEST="true").content.decode()
    assert "Scoring: 1/2 chunks, 12 households scored, 3 new alerts" in html
    assert "Step 2: risk scoring" in html and "1/2 chunks" in html


@pytest.mark.parametrize("who", ["staff1", "volunteer1", "agency_feed"])
def test_only_district_admins_may_follow_a_batch(client_as, halfway, who, request):
    user = AgencyFeedUserFactory() if who == "agency_feed" else request.getfixturevalue(who)
    client = client_as(user)
    assert client.get(progress_url(halfway), HTTP_HX_REQUEST="true").status_code == 403


def test_a_batch_that_does_not_exist_is_404(client_as, admin_user):
    response = client_as(admin_user).get(reverse("signal_batch_progress", args=[999999]))
    assert response.status_code == 404
