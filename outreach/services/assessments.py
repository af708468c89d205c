"""Scoring (위기도): a batch's households in chunks, assessments stored, one open alert
per alerting household; saving and rescoring the risk model."""

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from config.celery import enqueue_on_commit
from households.hooks import dong_figures_changed_send
from households.models import (
    Household,
)
from households.services import timeline_add_many
from outreach.models import (
    Approval,
    CrisisLevel,
    DiscoveryAlert,
    RiskAssessment,
    RiskModel,
    RiskSignal,
    SignalBatch,
    SignalChunk,
)
from outreach.scoring import Params, score_household
from outreach.selectors.assessments import (
    SCORE_CHUNK_HOUSEHOLDS,
    SCORE_CHUNK_HOUSEHOLDS_STAGED,
    risk_model_current,
    signals_by_household,
)
from outreach.selectors.signal_batches import SCORE_COUNTERS, chunk_totals, signal_chunks_open
from outreach.selectors.timeline import assessment_message
from outreach.services.scoring_staged import (
    households_score_staged,
    score_ranges_by_registry,
)
from outreach.services.signal_batches import signal_chunk_claim
from outreach.services.signal_staging import chunk_commit_unflushed, pipeline_settings


@transaction.atomic
def risk_model_save(*, user, data: dict, note: str = "") -> RiskModel:
    """Save an edited model as a new version (never edits one). It takes effect, and the
    households are rescored, only once a second district admin approves it
    (outreach.services.approvals.approval_decide)."""
    current = risk_model_current()
    latest = RiskModel.objects.select_for_update().order_by("-version").first()
    model = RiskModel.objects.create(
        version=(latest or current).version + 1, created_by=user, note=note[:200],
        needs_approval=True, **data
    )
    Approval.objects.create(kind=Approval.Kind.RISK_MODEL, risk_model=model,
                            requested_by=user)
    return model



# --- scoring -------------------------------------------------------------------------

def signal_batch_score(batch_id: int) -> None:
    """scoring: split the households this batch touched into chunks and queue them."""

    batch = SignalBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.status != SignalBatch.Status.SCORING:
        return
    if not batch.score_chunks_total and not SignalChunk.objects.filter(
            batch_id=batch_id, phase=SignalChunk.Phase.SCORE).exists():
        chunks = _score_ranges(batch)
        model = risk_model_current()
        with transaction.atomic():
            locked = SignalBatch.objects.select_for_update().get(pk=batch_id)
            if locked.score_chunks_total or locked.status != SignalBatch.Status.SCORING:
                return
            SignalChunk.objects.bulk_create([
                SignalChunk(batch_id=batch_id, phase=SignalChunk.Phase.SCORE, number=n,
                            start=first, end=last)
                for n, (first, last) in enumerate(chunks)
            ], ignore_conflicts=True)
            SignalBatch.objects.filter(pk=batch_id).update(
                score_chunks_total=len(chunks), model_version=model.version)
    pending = list(SignalChunk.objects.filter(
        batch_id=batch_id, phase=SignalChunk.Phase.SCORE, status=SignalChunk.Status.PENDING
    ).values_list("number", flat=True))
    for number in pending:
        enqueue_on_commit("outreach.tasks.signal_chunk_score", batch_id, number)
    if not pending:
        _batch_after_score(batch_id)


def _due_on(level: str, today):
    # 긴급지원: first contact within EMERGENCY_FIRST_CONTACT_DAYS (3 days, 송산3동 rule).
    days = (settings.EMERGENCY_FIRST_CONTACT_DAYS if level == CrisisLevel.CRITICAL
            else settings.NORMAL_FIRST_CONTACT_DAYS)
    return today + timedelta(days=days)


# Kept signals per household of the registry from which a batch's scoring is cut along
# the registry (_score_ranges). A round keeps about 2.8 signals per household it touches
# (1.2 rows a person, 2.2 people a household): at 2 per registry household it touches
# most of the registry, so a range reads few households' signals only to skip them.
REGISTRY_CUT_SHARE = 2.0


def _score_ranges(batch: SignalBatch) -> list[tuple[int, int]]:
    """(first, last) household ids of each scoring chunk: the batch's households, so many
    a chunk. On PostgreSQL, a batch with REGISTRY_CUT_SHARE kept signals per household of
    the registry is cut along the registry instead — so many households by id, read off the
    primary key in milliseconds, each chunk scoring the ones in its range the batch names
    (by id range: households_score_staged) — as finding a large batch's own households
    (the distinct ids of half a million signals) took a third of a second, while one
    worker waited alone."""
    if connection.vendor == "postgresql":
        size = SCORE_CHUNK_HOUSEHOLDS_STAGED
        linked = batch.matched_people + batch.unregistered_candidates
        if size > 0 and linked >= REGISTRY_CUT_SHARE * Household.objects.count():
            return score_ranges_by_registry(size)
    else:
        size = SCORE_CHUNK_HOUSEHOLDS
    ids = (RiskSignal.objects.filter(batch_id=batch.pk, household__isnull=False)
           .values_list("household_id", flat=True).distinct().order_by("household_id"))
    chunks, current = [], []
    for household_id in ids.iterator(chunk_size=10000):
        current.append(household_id)
        if len(current) >= size:
            chunks.append((current[0], current[-1]))
            current = []
    if current:
        chunks.append((current[0], current[-1]))
    return chunks


def households_score(household_ids, *, model: RiskModel, batch_id=None, source_name="",
                      actor=None, id_range: tuple[int, int] | None = None) -> dict:
    """Score households, record an assessment each, open or update their alerts.

    PostgreSQL also takes ``id_range`` instead of ids: the households in that range with a
    signal of ``batch_id`` (households_score_staged). Must run inside a transaction;
    returns the counts.
    """
    today = timezone.localdate()
    if connection.vendor == "postgresql":
        return households_score_staged(
            household_ids, model=model, batch_id=batch_id, source_name=source_name,
            actor_id=actor.pk if getattr(actor, "is_authenticated", False) else None,
            today=today, due_on=lambda level: _due_on(level, today), id_range=id_range)
    params = Params.of(model)
    households = list(Household.objects.filter(id__in=household_ids).values_list(
        "id", "lives_alone", "elderly"))
    signals = signals_by_household([h[0] for h in households])
    assessments = []
    for household_id, lives_alone, elderly in households:
        result = score_household(lives_alone=lives_alone, elderly=elderly,
                                 signals=signals.get(household_id, ()), params=params,
                                 today=today)
        assessments.append(RiskAssessment(
            household_id=household_id, model_version=model.version, score=result.score,
            level=result.level, factors=result.factors, batch_id=batch_id,
        ))
    alerting = {a.household_id: a for a in assessments if a.score >= params.threshold}
    opened_ids, updated_ids = _assessments_store(assessments, alerting, today)
    alert_state = {hid: ("updated" if hid in updated_ids else "opened") for hid in alerting}
    # A line for each alert opened or updated, put into words only when someone reads the
    # timeline; the other assessments are read from their own rows (selectors.timeline).
    lines = [
        dict(household_id=a.household_id, kind="assessment", actor=actor, obj=a,
             summary=assessment_message(a, alert=alert_state[a.household_id],
                                        source=source_name))
        for a in assessments if a.household_id in alert_state
    ]
    timeline_add_many(lines)
    return {"households_scored": len(assessments), "alerts_opened": len(opened_ids),
            "alerts_updated": len(updated_ids)}


def _dong_ids_of(household_ids) -> dict[int, int]:
    """The inbox reads DiscoveryAlert.dong; bulk writes bypass save(), so set it here."""
    return dict(Household.objects.filter(id__in=list(household_ids)).values_list("id", "dong_id"))


def _assessments_store(assessments, alerting, today) -> tuple[set, set]:
    """Save assessments; open an alert per alerting household or update its open one."""
    RiskAssessment.objects.bulk_create(assessments, batch_size=2000)
    # SQLite does not return the ids of bulk-created rows: the newest per household is ours.
    latest = dict(RiskAssessment.objects.filter(
        household_id__in=[a.household_id for a in assessments],
    ).values_list("household_id").annotate(last=Max("id")).order_by())
    for assessment in assessments:
        assessment.pk = latest.get(assessment.household_id)
    open_alerts = {
        alert.household_id: alert for alert in DiscoveryAlert.objects.select_for_update()
        .filter(household_id__in=list(alerting), status=DiscoveryAlert.Status.OPEN)
    }
    dongs = _dong_ids_of(alerting)
    opened, updated = [], []
    for household_id, assessment in alerting.items():
        due = _due_on(assessment.level, today)
        alert = open_alerts.get(household_id)
        if alert is None:
            opened.append(DiscoveryAlert(
                household_id=household_id, dong_id=dongs[household_id],
                assessment_id=assessment.pk, due_on=due,
                level=assessment.level, score=assessment.score, origin="risk_model",
            ))
        else:
            alert.assessment_id = assessment.pk
            alert.level, alert.score = assessment.level, assessment.score
            # A deadline already given is never pushed back by a rescore.
            alert.due_on = min(alert.due_on, due)
            alert.updated_at = timezone.now()
            updated.append(alert)
    DiscoveryAlert.objects.bulk_create(opened, batch_size=2000)
    DiscoveryAlert.objects.bulk_update(
        updated, ["assessment", "level", "score", "due_on", "updated_at"], batch_size=2000)
    return {a.household_id for a in opened}, {a.household_id for a in updated}



def signal_chunk_score(batch_id: int, number: int, *, claimed_by: str = "") -> None:
    chunk = signal_chunk_claim(batch_id, SignalChunk.Phase.SCORE, number,
                               claimed_by=claimed_by)
    if chunk is None:
        return
    if chunk.status != SignalChunk.Status.PENDING:
        _batch_after_score(batch_id)
        return
    batch = chunk.batch
    model = (RiskModel.objects.filter(version=batch.model_version).first()
             or risk_model_current())
    with transaction.atomic():
        locked = SignalChunk.objects.select_for_update().get(pk=chunk.pk)
        if locked.status != SignalChunk.Status.PENDING:
            return
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                pipeline_settings(cursor)  # the look-up below too: an index range, no JIT
        chunk_commit_unflushed()
        if _dense(chunk):
            # PostgreSQL: the range's households and signals read in one pass.
            household_ids, id_range = None, (chunk.start, chunk.end)
        else:
            household_ids, id_range = list(
                RiskSignal.objects.filter(batch_id=batch_id, household_id__gte=chunk.start,
                                          household_id__lte=chunk.end)
                .values_list("household_id", flat=True).distinct()
            ), None
        locked.stats = households_score(household_ids, id_range=id_range, model=model,
                                         batch_id=batch_id, source_name=batch.source.name)
        locked.status = SignalChunk.Status.DONE
        locked.finished_at = timezone.now()
        locked.save(update_fields=["stats", "status", "finished_at"])
    _batch_after_score(batch_id)


def _dense(chunk: SignalChunk) -> bool:
    """Whether a scoring chunk is read by its id range (PostgreSQL): when the range is at
    most four chunks wide, so the households read without a signal of the batch (skipped)
    are bounded, whatever the batch's size; else by the list of the batch's households."""
    return (connection.vendor == "postgresql"
            and chunk.end - chunk.start < 4 * SCORE_CHUNK_HOUSEHOLDS_STAGED)


def _batch_after_score(batch_id: int) -> None:
    if signal_chunks_open(batch_id, SignalChunk.Phase.SCORE):
        return
    if SignalBatch.objects.filter(pk=batch_id, status=SignalBatch.Status.SCORING).update(
        status=SignalBatch.Status.DONE, finished_at=timezone.now(),
        **chunk_totals(batch_id, SignalChunk.Phase.SCORE, SCORE_COUNTERS),
    ):
        # The batch's alerts and assessments reach the dashboards: one refresh of all.
        dong_figures_changed_send(None)


def risk_model_rescore(version: int) -> int:
    """Rescore every household with signals under ``version``; households already
    assessed under it are skipped, so a re-run continues where it stopped."""
    model = RiskModel.objects.filter(version=version).first()
    if model is None or model.version != risk_model_current().version:
        return 0
    done = 0
    ids = list(RiskSignal.objects.filter(household__isnull=False)
               .values_list("household_id", flat=True).distinct().order_by("household_id"))
    for start in range(0, len(ids), SCORE_CHUNK_HOUSEHOLDS):
        part = ids[start:start + SCORE_CHUNK_HOUSEHOLDS]
        with transaction.atomic():
            already = set(RiskAssessment.objects.filter(
                household_id__in=part, model_version=version, batch__isnull=True,
            ).values_list("household_id", flat=True))
            todo = [h for h in part if h not in already]
            if todo:
                done += households_score(todo, model=model,
                                          source_name="")["households_scored"]
    dong_figures_changed_send(None)
    return done
