"""PostgreSQL: scoring a chunk of households set-based — two reads (the households, their
signals), the chunk scored at once in Python (outreach.scoring.score_chunk, the one
definition), the verdicts COPYed into a temporary table, then one statement that inserts
the assessments, upserts one open alert per alerting household on the partial unique
index, and writes each household's timeline line."""

from collections.abc import Callable
from datetime import date

from django.db import connection

from households.models import Household, TimelineEvent
from outreach.models import DiscoveryAlert, RiskAssessment, RiskModel, RiskSignal
from outreach.scoring import Params, score_chunk
from outreach.services.signal_staging import pipeline_settings

SCORED = "_scored"
# The verdicts' columns: the temporary table's and the binary COPY's types.
_SCORED_COLUMNS = (("household_id", "bigint"), ("dong_id", "bigint"), ("score", "smallint"),
                   ("level", "varchar(10)"), ("factors", "jsonb"), ("alerting", "boolean"),
                   ("due_on", "date"))
_SCORED_TYPES = tuple(t.split("(")[0] for _c, t in _SCORED_COLUMNS)
_HOUSEHOLD = Household._meta.db_table
_SIGNAL = RiskSignal._meta.db_table
_ASSESSMENT = RiskAssessment._meta.db_table
_ALERT = DiscoveryAlert._meta.db_table
_TIMELINE = TimelineEvent._meta.db_table

_STORE = f"""
WITH assessed AS (
    INSERT INTO {_ASSESSMENT} (household_id, model_version, score, level, factors, batch_id,
                               assessed_at)
    SELECT household_id, %(version)s, score, level, factors, %(batch)s, now()
      FROM {SCORED} ORDER BY household_id
    RETURNING id, household_id),
alerted AS (
    INSERT INTO {_ALERT} AS a (household_id, dong_id, status, stage, assessment_id, origin,
        level, score, due_on, opened_at, updated_at, close_reason, close_note)
    SELECT s.household_id, s.dong_id, 'open', 'received', assessed.id, 'risk_model', s.level,
           s.score, s.due_on, now(), now(), '', ''
      FROM {SCORED} s JOIN assessed USING (household_id)
     WHERE s.alerting
     ORDER BY s.household_id
    ON CONFLICT (household_id) WHERE status = 'open' DO UPDATE SET
        assessment_id = EXCLUDED.assessment_id, level = EXCLUDED.level,
        score = EXCLUDED.score, updated_at = EXCLUDED.updated_at,
        -- A deadline already given is never pushed back by a rescore.
        due_on = LEAST(a.due_on, EXCLUDED.due_on)
    RETURNING household_id, (xmax = 0) AS opened),
told AS (
    INSERT INTO {_TIMELINE} (household_id, at, kind, actor_id, summary, message, object_type,
                             object_id)
    SELECT s.household_id, now(), 'assessment', %(actor)s, '',
           jsonb_build_object('code', 'assessment_scored', 'score', s.score,
                              'level', s.level, 'factors', s.factors,
                              'alert', CASE WHEN alerted.household_id IS NULL THEN ''
                                            WHEN alerted.opened THEN 'opened'
                                            ELSE 'updated' END,
                              'source', %(source)s::text),
           '', ''
      FROM {SCORED} s LEFT JOIN alerted USING (household_id))
SELECT count(*) FILTER (WHERE opened), count(*) FILTER (WHERE NOT opened) FROM alerted"""


def households_score_staged(household_ids, *, model: RiskModel, batch_id, source_name: str,
                            actor_id, today: date, due_on: Callable[[str], date],
                            id_range: tuple[int, int] | None = None) -> dict:
    """Score these households under ``model``: assessments, alerts and timeline lines in
    one statement. Must run inside a transaction; returns the counts.

    With ``id_range`` (first, last) instead of ids: the households in that id range that
    have a signal of batch ``batch_id`` — read with their signals in one index range scan,
    for a range dense with the batch's households (a scoring chunk of a large batch)."""
    params = Params.of(model)
    with connection.cursor() as cursor:
        pipeline_settings(cursor)
        if id_range is None:
            households, signals = _listed_read(cursor, list(household_ids))
        else:
            households, signals = _range_read(cursor, id_range, batch_id)
        if not households:
            return {"households_scored": 0, "alerts_opened": 0, "alerts_updated": 0}
        scores, levels, factors = score_chunk(
            households=[h[:3] for h in households], signals=signals, params=params,
            today=today)
        cursor.execute(f"DROP TABLE IF EXISTS {SCORED}")
        cursor.execute(f"CREATE TEMPORARY TABLE {SCORED} "
                       f"({', '.join(f'{c} {t}' for c, t in _SCORED_COLUMNS)}) ON COMMIT DROP")
        # Binary: the factors go as they are (psycopg's jsonb dumper), not as escaped text.
        threshold = params.threshold
        due = {level: due_on(level) for level in set(levels)}
        with cursor.cursor.copy(f"COPY {SCORED} FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(_SCORED_TYPES)
            for (household_id, _alone, _old, dong_id), score, level, factor in zip(
                    households, scores, levels, factors, strict=True):
                copy.write_row((household_id, dong_id, score, level, factor,
                                score >= threshold, due[level]))
        cursor.execute(_STORE, {"version": model.version, "batch": batch_id,
                                "actor": actor_id, "source": source_name})
        opened, updated = cursor.fetchone()
        cursor.execute(f"DROP TABLE {SCORED}")
    return {"households_scored": len(households), "alerts_opened": opened,
            "alerts_updated": updated}


# A household's signals in the order they were stored: of two equally strong, the first
# counts (score_household's order).
_SIGNALS = (f"SELECT household_id, kind, observed_on, months_overdue, amount{{more}} "
            f"FROM {_SIGNAL} WHERE {{where}} ORDER BY household_id, id")
_HOUSEHOLDS = (f"SELECT id, lives_alone, elderly, dong_id FROM {_HOUSEHOLD} WHERE {{where}} "
               f"ORDER BY id")


def _listed_read(cursor, household_ids: list) -> tuple[list, list]:
    """(households, their signals) as score_chunk takes them (households with dong id)."""
    cursor.execute(_HOUSEHOLDS.format(where="id = ANY(%s)"), [household_ids])
    households = cursor.fetchall()
    if not households:
        return [], []
    cursor.execute(_SIGNALS.format(more="", where="household_id = ANY(%s)"),
                   [[h[0] for h in households]])
    return households, cursor.fetchall()


def _range_read(cursor, id_range: tuple[int, int], batch_id) -> tuple[list, list]:
    """The same for the households in ``id_range`` that have a signal of ``batch_id``:
    every signal in the range is read once, with its batch, and the households kept are
    the ones the batch names (no list of ids to find first, nor to send)."""
    cursor.execute(_SIGNALS.format(more=", batch_id", where="household_id BETWEEN %s AND %s"),
                   list(id_range))
    rows = cursor.fetchall()
    wanted = {row[0] for row in rows if row[5] == batch_id}
    if not wanted:
        return [], []
    cursor.execute(_HOUSEHOLDS.format(where="id BETWEEN %s AND %s"), list(id_range))
    households = [h for h in cursor.fetchall() if h[0] in wanted]
    return households, rows  # score_chunk reads the first five columns
