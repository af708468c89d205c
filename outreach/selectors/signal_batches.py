"""Reads of signal batches: chunk totals, progress, the JSON summary, who may manage them."""

from django.db.models import Count, IntegerField, Q, QuerySet, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from households.messages import message_text
from households.models import (
    Role,
)
from households.selectors import scope_of
from outreach.messages import column_label
from outreach.models import (
    SignalBatch,
    SignalChunk,
)

# --- risk signals (위기정보): batches, chunks, the risk model ---------------------
PARSE_COUNTERS = ("rows", "accepted", "rejected", "duplicates", "matched_people",
                  "unregistered_candidates", "unmatched")
SCORE_COUNTERS = ("households_scored", "alerts_opened", "alerts_updated")


def signal_chunks_open(batch_id: int, phase: str) -> bool:
    """Whether any chunk of this phase of the batch is not done yet."""
    return SignalChunk.objects.filter(batch_id=batch_id, phase=phase).exclude(
        status=SignalChunk.Status.DONE).exists()


def chunk_totals(batch_id: int, phase: str, names) -> dict:
    """Counts of the finished chunks of one phase, summed (live while a batch runs)."""
    totals = dict.fromkeys(names, 0)
    for stats in SignalChunk.objects.filter(
        batch_id=batch_id, phase=phase, status=SignalChunk.Status.DONE
    ).values_list("stats", flat=True):
        for name in names:
            totals[name] += int(stats.get(name, 0))
    return totals


def can_manage_signals(user) -> bool:
    return scope_of(user).has(Role.DISTRICT_ADMIN)


def signal_batches_for(user) -> QuerySet[SignalBatch]:
    """District admins see every batch; an agency feed only its own organisation's."""
    scope = scope_of(user)
    if scope.has(Role.DISTRICT_ADMIN):
        return SignalBatch.objects.select_related("source")
    if scope.has(Role.AGENCY_FEED):
        return SignalBatch.objects.select_related("source").filter(
            source_id__in=scope.organization_ids)
    return SignalBatch.objects.none()


def signal_batches_progress(batches) -> dict[int, dict]:
    """Live progress of several batches in one query: per phase, the chunks done and
    failed of the total, and the sums of the done chunks' stats (a chunk writes its stats
    when it finishes, so these grow while workers run). {batch id: progress}."""
    batches = list(batches)
    done = Q(status=SignalChunk.Status.DONE)
    figures = {
        (row.pop("batch_id"), row.pop("phase")): row
        for row in SignalChunk.objects.filter(batch_id__in=[b.pk for b in batches])
        .values("batch_id", "phase")
        .annotate(
            done=Count("id", filter=done),
            failed=Count("id", filter=Q(status=SignalChunk.Status.FAILED)),
            **{name: Sum(Cast(KT(f"stats__{name}"), IntegerField()), filter=done)
               for name in PARSE_COUNTERS + SCORE_COUNTERS},
        )
        .order_by()
    }
    return {batch.pk: _progress(batch, figures.get((batch.pk, SignalChunk.Phase.PARSE), {}),
                                figures.get((batch.pk, SignalChunk.Phase.SCORE), {}))
            for batch in batches}


def _progress(batch: SignalBatch, parse: dict, score: dict) -> dict:
    # Parsing is over but the households are not yet split into scoring chunks (a moment,
    # longer for a large file): the card says so, and the live region still holds the
    # reading phase, so that it speaks of scoring once, when there are chunks to count.
    planning = batch.status == SignalBatch.Status.SCORING and not batch.score_chunks_total
    return {
        "status": batch.status,
        "planning": planning,
        "announced": SignalBatch.Status.PARSING if planning else batch.status,
        "parse_done": parse.get("done", 0), "parse_failed": parse.get("failed", 0),
        "parse_total": batch.chunks_total,
        "score_done": score.get("done", 0), "score_failed": score.get("failed", 0),
        "score_total": batch.score_chunks_total,
        **{name: parse.get(name) or 0 for name in PARSE_COUNTERS},
        **{name: score.get(name) or 0 for name in SCORE_COUNTERS},
    }


def signal_batch_progress(batch: SignalBatch) -> dict:
    """Chunks done of total per phase and the running counts, for the progress card."""
    return signal_batches_progress([batch])[batch.pk]


def signal_batches_running(user, limit: int = 5) -> list[SignalBatch]:
    """The newest batches this user may see that are still being processed."""
    return list(signal_batches_for(user).exclude(
        status__in=[SignalBatch.Status.DONE, SignalBatch.Status.FAILED])
        .order_by("-created_at", "-id")[:limit])


def signal_rejections(batch: SignalBatch, limit: int | None = None):
    """The rejected lines in the reader's language: line, column (code and label), the
    reason's code and values and its words. Streams; no query per row."""
    rows = batch.rejections.order_by("line", "id").values_list(
        "line", "column", "message", "reason")
    rows = rows[:limit] if limit else rows.iterator(chunk_size=2000)
    for line, column, message, reason in rows:
        message = message or {}
        yield {
            "line": line, "column": column, "column_label": column_label(column),
            "code": message.get("code", "text"),
            "values": {k: v for k, v in message.items() if k != "code"},
            "reason": message_text(message) if message else reason,
        }


def signal_batch_summary(batch: SignalBatch) -> dict:
    """The JSON summary of a batch (import_signals --json, the API); counts are live."""
    parse = chunk_totals(batch.pk, SignalChunk.Phase.PARSE, PARSE_COUNTERS)
    score = chunk_totals(batch.pk, SignalChunk.Phase.SCORE, SCORE_COUNTERS)
    errors = list(signal_rejections(batch, limit=1000))
    return {
        "batch_id": batch.pk, "status": batch.status, **{k: parse[k] for k in (
            "rows", "accepted", "rejected", "duplicates", "matched_people",
            "unregistered_candidates")},
        "unmatched": parse["unmatched"], **score, "errors": errors,
        "failure_reason": batch.failure_reason,
    }
