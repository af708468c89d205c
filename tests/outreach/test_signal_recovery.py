"""A chunk whose worker was killed is queued again (signal_chunks_recover) as soon as no
live worker holds its task, instead of waiting out the broker's visibility timeout; a
chunk a live worker holds, or claimed after the workers were asked, is left alone.

The real thing (a SIGKILLed worker, beat, the shipped timeouts) is in test_worker_faults.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from households.models import Organization
from outreach.models import RiskSignal, SignalBatch, SignalChunk
from outreach.selectors.signal_batches import signal_batch_summary
from outreach.services.signal_batches import (
    signal_batch_receive,
    signal_batch_start,
    signal_chunk_claim,
    signal_chunk_parse,
    signal_chunks_recover,
)
from tests.fixtures.signals import STORY_SUMMARY

pytestmark = pytest.mark.django_db


def assert_done_exactly(batch):
    """The batch finished with the story file's counts, nothing twice."""
    batch.refresh_from_db()
    assert batch.status == SignalBatch.Status.DONE, batch.failure_reason
    summary = signal_batch_summary(batch)
    assert {key: summary[key] for key in STORY_SUMMARY} == STORY_SUMMARY


@pytest.fixture
def received(story_file, settings, django_capture_on_commit_callbacks):
    """The story file received in chunks of 3 rows; its start message was not sent (lost,
    or held back by the fixtures built on this one)."""
    settings.SIGNAL_CHUNK_ROWS = 3
    path = story_file("cp949")
    with django_capture_on_commit_callbacks(execute=False), open(path, "rb") as f:
        batch, _created = signal_batch_receive(
            source=Organization.objects.get(code="ssis"), fileobj=f, filename=path.name,
            channel="command")
    return batch


@pytest.fixture
def stranded(received, django_capture_on_commit_callbacks):
    """A batch whose every parse chunk is done but the first: the worker that had claimed
    it (task "dead-task") was killed, and its message waits for the visibility timeout."""
    batch = received
    with django_capture_on_commit_callbacks(execute=False):
        signal_batch_start(batch.pk)
    numbers = list(batch.chunks.values_list("number", flat=True).order_by("number"))
    assert len(numbers) > 2
    with django_capture_on_commit_callbacks(execute=True):
        for number in numbers[1:]:
            signal_chunk_parse(batch.pk, number, claimed_by=f"task-{number}")
    signal_chunk_claim(batch.pk, SignalChunk.Phase.PARSE, 0, claimed_by="dead-task")
    batch.refresh_from_db()
    assert batch.status == SignalBatch.Status.PARSING
    return batch


def test_a_chunk_no_live_worker_holds_is_queued_again_and_counted_once(
        stranded, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queued = signal_chunks_recover(tasks_in_hand={"some-live-task"},
                                       claimed_before=timezone.now())
    assert queued == 1
    assert_done_exactly(stranded)
    assert RiskSignal.objects.filter(batch=stranded).count() == STORY_SUMMARY["accepted"]


def test_a_chunk_a_live_worker_still_holds_is_left_alone(stranded,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert signal_chunks_recover(tasks_in_hand={"dead-task"},
                                     claimed_before=timezone.now()) == 0
    assert queued == []
    chunk = stranded.chunks.get(phase="parse", number=0)
    assert (chunk.status, chunk.claimed_by) == ("pending", "dead-task")


def test_a_chunk_claimed_after_the_workers_were_asked_is_left_alone(
        stranded, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert signal_chunks_recover(
            tasks_in_hand=set(), claimed_before=timezone.now() - timedelta(minutes=1)) == 0
    assert queued == []


def test_recovering_twice_queues_the_chunk_once(stranded, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = signal_chunks_recover(tasks_in_hand=set(), claimed_before=timezone.now())
        second = signal_chunks_recover(tasks_in_hand=set(), claimed_before=timezone.now())
    assert (first, second, len(queued)) == (1, 0, 1)
    assert stranded.chunks.get(phase="parse", number=0).claimed_by == ""


@pytest.fixture
def lost(stranded):
    """The same batch, but the first chunk's message was lost before any worker claimed it
    (a Redis killed as a worker popped it): unclaimed, queued a minute ago."""
    SignalChunk.objects.filter(batch=stranded, phase="parse", number=0).update(
        claimed_by="", claimed_at=None, queued_at=timezone.now() - timedelta(minutes=1))
    return stranded


def test_a_chunk_nobody_claimed_is_queued_again_once_every_worker_is_idle(
        lost, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        # A worker still holds a task: the message may yet be on its way.
        assert signal_chunks_recover(tasks_in_hand={"busy"}, claimed_before=timezone.now(),
                                     idle_since=None) == 0
        assert queued == []
        assert signal_chunks_recover(tasks_in_hand=set(), claimed_before=timezone.now(),
                                     idle_since=timezone.now()) == 1
    assert_done_exactly(lost)


def test_a_chunk_queued_since_the_workers_went_idle_is_left_alone(
        lost, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert signal_chunks_recover(
            tasks_in_hand=set(), claimed_before=timezone.now(),
            idle_since=timezone.now() - timedelta(minutes=2)) == 0
    assert queued == []


def test_a_lost_chunk_is_queued_again_once(lost, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = signal_chunks_recover(tasks_in_hand=set(), claimed_before=timezone.now(),
                                      idle_since=timezone.now())
        second = signal_chunks_recover(tasks_in_hand=set(), claimed_before=timezone.now(),
                                       idle_since=timezone.now() - timedelta(seconds=5))
    assert (first, second, len(queued)) == (1, 0, 1)


def test_a_batch_whose_start_was_lost_is_started_again_once_every_worker_is_idle(
        received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        # Received after the workers went idle: its start may still be on its way.
        assert signal_chunks_recover(tasks_in_hand=set(), claimed_before=timezone.now(),
                                     idle_since=received.created_at) == 0
        assert queued == []
        assert signal_chunks_recover(tasks_in_hand=set(), claimed_before=timezone.now(),
                                     idle_since=timezone.now()) == 1
    assert_done_exactly(received)


def test_a_batch_whose_scoring_was_never_planned_is_planned_again(
        received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        signal_batch_start(received.pk)
    with django_capture_on_commit_callbacks(execute=False) as lost:  # the planner's message
        for number in received.chunks.values_list("number", flat=True):
            signal_chunk_parse(received.pk, number, claimed_by=f"task-{number}")
    assert len(lost) == 1
    received.refresh_from_db()
    assert (received.status, received.score_chunks_total) == (SignalBatch.Status.SCORING, 0)
    parsed = timezone.now()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        # A chunk finished after the workers went idle: the planner may be on its way.
        assert signal_chunks_recover(tasks_in_hand=set(), claimed_before=parsed,
                                     idle_since=parsed - timedelta(minutes=1)) == 0
        assert queued == []
        assert signal_chunks_recover(tasks_in_hand=set(), claimed_before=parsed,
                                     idle_since=parsed) == 1
    assert_done_exactly(received)
