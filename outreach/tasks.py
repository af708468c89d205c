"""Thin Celery tasks of the outreach app: they take ids (or nothing) and call a service.

Services queue the next step of the signal pipeline by these names
(config.celery.enqueue_on_commit), so the names are part of the contract."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from config.celery import tasks_in_hand
from outreach.services import assessments, cases, pairings, signal_batches

# --- cases and check-ins (daily beat tasks; each is idempotent) ---------------


@shared_task(name="outreach.tasks.case_follow_ups_due")
def case_follow_ups_due() -> int:
    """Daily: closed cases whose follow-up date has come open a DiscoveryAlert."""
    return cases.case_follow_ups_due()


@shared_task(name="outreach.tasks.check_ins_missed")
def check_ins_missed() -> int:
    """Daily: paired households unchecked beyond cadence + grace open a DiscoveryAlert."""
    return pairings.check_ins_missed_raise()


# --- risk signals (위기정보): batches, chunks, the risk model ---------------------
def _retry_or_fail(task, exc, *, batch_id, phase, number):
    if task.request.retries >= task.max_retries:
        signal_batches.signal_chunk_fail(batch_id, phase, number,
                                         f"{exc.__class__.__name__}: {exc}")
        return None
    raise task.retry(exc=exc, countdown=settings.SIGNAL_RETRY_DELAY_S)


@shared_task(name="outreach.tasks.signal_batch_start", bind=True, max_retries=5,
             acks_late=True)
def signal_batch_start(self, batch_id: int):
    try:
        signal_batches.signal_batch_start(batch_id)
    except (DatabaseError, OSError) as exc:
        if self.request.retries >= self.max_retries:
            signal_batches.signal_batch_fail(batch_id, f"{exc.__class__.__name__}: {exc}")
            return
        raise self.retry(exc=exc, countdown=settings.SIGNAL_RETRY_DELAY_S) from exc


@shared_task(name="outreach.tasks.signal_chunk_parse", bind=True, max_retries=3,
             acks_late=True)
def signal_chunk_parse(self, batch_id: int, number: int):
    try:
        signal_batches.signal_chunk_parse(batch_id, number, claimed_by=self.request.id or "")
    except Exception as exc:  # noqa: BLE001 — any failure is retried, then reported
        return _retry_or_fail(self, exc, batch_id=batch_id, phase="parse", number=number)


@shared_task(name="outreach.tasks.signal_batch_score", bind=True, max_retries=5,
             acks_late=True)
def signal_batch_score(self, batch_id: int):
    try:
        assessments.signal_batch_score(batch_id)
    except DatabaseError as exc:
        if self.request.retries >= self.max_retries:
            signal_batches.signal_batch_fail(batch_id, f"{exc.__class__.__name__}: {exc}")
            return
        raise self.retry(exc=exc, countdown=settings.SIGNAL_RETRY_DELAY_S) from exc


@shared_task(name="outreach.tasks.signal_chunk_score", bind=True, max_retries=3,
             acks_late=True)
def signal_chunk_score(self, batch_id: int, number: int):
    try:
        assessments.signal_chunk_score(batch_id, number, claimed_by=self.request.id or "")
    except Exception as exc:  # noqa: BLE001
        return _retry_or_fail(self, exc, batch_id=batch_id, phase="score", number=number)


@shared_task(name="outreach.tasks.signal_chunks_recover", bind=True)
def signal_chunks_recover(self) -> int:
    """Every SIGNAL_CHUNK_RECOVER_S (beat): chunks claimed by a task no live worker holds
    any more (a killed worker) are queued again, instead of waiting out the broker's
    visibility timeout; and, when no worker holds any task but this one, chunks queued a
    while ago that nobody ever claimed, and batches whose start or scoring plan never ran
    (their message was lost with a broker restart)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return 0
    asked_at = timezone.now()
    in_hand = tasks_in_hand()
    if in_hand is None:  # no worker answered: nothing can be told about any claim
        return 0
    idle = not (in_hand - {self.request.id})
    return signal_batches.signal_chunks_recover(
        tasks_in_hand=in_hand, claimed_before=asked_at,
        idle_since=asked_at - timedelta(seconds=settings.SIGNAL_CHUNK_RECOVER_S) if idle
        else None)


@shared_task(name="outreach.tasks.risk_model_rescore", acks_late=True)
def risk_model_rescore(version: int):
    return assessments.risk_model_rescore(version)
