"""PostgreSQL: scoring a chunk of households set-based — one statement reads the
households and their signals, scores them (the risk model's arithmetic in SQL), inserts
the assessments, upserts one open alert per alerting household on the partial unique
index, and writes the timeline line of each alert opened or updated. Nothing goes
through Python per household or per signal.

outreach.scoring.score_household stays the readable reference: the SQL below does the
same arithmetic in the same order — floating point, each step as Python takes it, sums
in the reference's order, round half to even — and tests/outreach/test_scoring_sql.py
checks score, level and factors are equal under Hypothesis (random households, signals,
dates and model versions)."""

import json
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date

from django.db import connection

from households.models import Household, TimelineEvent
from outreach.models import CrisisLevel, DiscoveryAlert, RiskAssessment, RiskModel, RiskSignal
from outreach.scoring import (
    FACTOR_ALONE,
    FACTOR_CUTOFFS,
    FACTOR_ELDERLY,
    FACTOR_MANY_KINDS,
    MAX_FACTORS,
    Params,
)
from outreach.selectors.timeline import ASSESSMENT_LINE
from outreach.services.signal_staging import pipeline_settings
from outreach.signal_kinds import CUTOFF_KINDS, KIND_ORDER, KINDS_BY_CODE

_HOUSEHOLD = Household._meta.db_table
_SIGNAL = RiskSignal._meta.db_table
_ASSESSMENT = RiskAssessment._meta.db_table
_ALERT = DiscoveryAlert._meta.db_table
_TIMELINE = TimelineEvent._meta.db_table
# A signal's (batch, line) as one number: lines stay below 2^31 (a PositiveIntegerField).
_LINES = 1 << 31

# The signals read (<signals>): of the listed households, or of every household in an id
# range (one range of the signals' primary key, which household_key leads). The households
# scored (<households>): the listed ones, or the ones in the range with a signal of the
# batch, found among the signals read.
SIGNALS_LISTED = "s.household_key = ANY(%(ids)s)"
SIGNALS_IN_RANGE = "s.household_key BETWEEN %(first)s AND %(last)s"
HOUSEHOLDS_LISTED = (f"SELECT id, lives_alone, elderly, dong_id FROM {_HOUSEHOLD} "
                     f"WHERE id = ANY(%(ids)s)")
HOUSEHOLDS_IN_RANGE = f"""
SELECT id, lives_alone, elderly, dong_id FROM {_HOUSEHOLD}
 WHERE id BETWEEN %(first)s AND %(last)s
   AND id IN (SELECT household_id FROM raw WHERE batch_id = %(batch)s)"""

# The combination bonuses' factors, in the reference's order: (bonus column, factor).
_BONUS_FACTORS = (
    ("alone", f"jsonb_build_object('code', '{FACTOR_ALONE}')"),
    ("cutoff", f"jsonb_build_object('code', '{FACTOR_CUTOFFS}', 'kinds', to_jsonb(cutoffs))"),
    ("elderly", f"jsonb_build_object('code', '{FACTOR_ELDERLY}')"),
    ("many", f"jsonb_build_object('code', '{FACTOR_MANY_KINDS}', 'n', n)"),
)
_BONUS_TERMS = "".join(
    f"\n    UNION ALL\n    SELECT household_id, {column}, 1, {seq}, '', {factor}"
    f"\n      FROM bonus WHERE {column} >= 0.5"
    for seq, (column, factor) in enumerate(_BONUS_FACTORS, start=1))

# score_household, step by step, over the signals in the reference's order
# (selectors.assessments.signals_by_household): ``seq`` is a signal's batch and line as
# one number; the kind (by code point, as Python compares) and the observation key break
# its ties. ``sig``: each weighted signal's points, weight × recency × severity,
# multiplied in that order — of every household read: those not scored (in a range,
# without a signal of the batch) fall away where the verdicts meet ``hh`` (bonus, totals),
# which costs less than testing every signal against it. ``best``: the strongest signal
# of each kind (of two equally strong, the first), with the kind's first signal, which
# orders the kinds as the reference's dict does (one sort serves both). ``kinds``: their
# sum in that order, how many, and the supply cut-offs in the national list's order.
# ``bonus``: the combination bonuses, in the reference's order, 0 where none applies
# (adding 0 changes no sum).
# ``factors``: every term of at least half a point, the strongest first (ties in the
# terms' order), at most MAX_FACTORS: each household's first row's window frame, that row
# and the next MAX_FACTORS - 1 (one sort for all households, where jsonb_agg(… ORDER BY)
# sorted each household's terms apart: 4 % of a chunk's time).
SCORE = f"""
WITH raw AS MATERIALIZED (
    SELECT household_key AS household_id, kind, observed_on, months_overdue, amount,
           batch_id, batch_id * {_LINES} + line AS seq, observation
      FROM {_SIGNAL} s WHERE <signals>),
hh AS MATERIALIZED (<households>),
sig AS (
    SELECT r.household_id, r.seq, r.observation, r.kind, r.months_overdue AS months,
           r.amount,
           w.weight * power(0.5::float8, greatest(0, %(today)s::date - r.observed_on)::float8
                                         / %(half_life)s::float8)
           * (1 + least(coalesce(r.months_overdue, 0), 12) * %(month_factor)s::float8
              + least(coalesce(r.amount, 0)::float8 / 1000000, 5) * %(amount_factor)s::float8)
           AS points
      FROM raw r
      JOIN unnest(%(kinds)s::text[], %(weights)s::float8[]) AS w (kind, weight)
        ON w.kind = r.kind),
best AS (
    SELECT DISTINCT ON (household_id, kind) household_id, kind, points, months, amount,
           min(seq) OVER (PARTITION BY household_id, kind
                          ORDER BY points DESC, seq, observation
                          ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
           AS first_seq
      FROM sig ORDER BY household_id, kind, points DESC, seq, observation),
kinds AS (
    SELECT household_id, sum(points ORDER BY first_seq, kind COLLATE "C") AS total,
           count(*) AS n,
           coalesce(array_agg(kind ORDER BY array_position(%(cutoffs)s::text[], kind::text))
                    FILTER (WHERE kind = ANY(%(cutoffs)s::text[])), '{{}}') AS cutoffs
      FROM best GROUP BY household_id),
bonus AS (
    SELECT k.household_id, k.total, k.n, k.cutoffs,
           CASE WHEN h.lives_alone AND cardinality(k.cutoffs) > 0
                THEN %(bonus_alone)s ELSE 0 END AS alone,
           CASE WHEN cardinality(k.cutoffs) >= 2 THEN %(bonus_cutoffs)s ELSE 0 END AS cutoff,
           CASE WHEN h.elderly THEN %(bonus_elderly)s ELSE 0 END AS elderly,
           CASE WHEN k.n >= 3 THEN %(bonus_many)s ELSE 0 END AS many
      FROM kinds k JOIN hh h ON h.id = k.household_id),
terms AS (
    SELECT household_id, points, 0 AS part, first_seq AS seq, kind::text AS kind,
           jsonb_strip_nulls(jsonb_build_object('code', kind, 'months', nullif(months, 0),
                                                'amount', nullif(amount, 0))) AS factor
      FROM best WHERE points >= 0.5{_BONUS_TERMS}),
ranked AS (
    SELECT household_id, jsonb_agg(factor) OVER w AS factors, row_number() OVER w AS rank
      FROM terms
    WINDOW w AS (PARTITION BY household_id ORDER BY points DESC, part, seq, kind COLLATE "C"
                 ROWS BETWEEN CURRENT ROW AND {MAX_FACTORS - 1} FOLLOWING)),
factors AS (SELECT household_id, factors FROM ranked WHERE rank = 1),
totals AS (
    SELECT h.id AS household_id, h.dong_id, coalesce(f.factors, '[]'::jsonb) AS factors,
           greatest(0, least(100, round(coalesce(
               b.total + b.alone + b.cutoff + b.elderly + b.many, 0))))::int AS score
      FROM hh h LEFT JOIN bonus b ON b.household_id = h.id
      LEFT JOIN factors f ON f.household_id = h.id),
scored AS MATERIALIZED (
    SELECT household_id, dong_id, score, factors, score >= %(threshold)s AS alerting,
           CASE WHEN score >= %(critical)s THEN '{CrisisLevel.CRITICAL}'
                WHEN score >= %(high)s THEN '{CrisisLevel.HIGH}'
                WHEN score >= %(medium)s THEN '{CrisisLevel.MEDIUM}'
                ELSE '{CrisisLevel.LOW}' END AS level
      FROM totals)<then>"""

# What the chunk's verdicts become: assessments, alerts, and a timeline line for each
# assessment that opens or updates an alert (the others are read from the assessments:
# outreach.selectors.timeline).
_STORE = f""",
assessed AS (
    INSERT INTO {_ASSESSMENT} (household_id, model_version, score, level, factors, batch_id,
                               assessed_at)
    SELECT household_id, %(version)s, score, level, factors, %(batch)s, now()
      FROM scored ORDER BY household_id
    RETURNING id, household_id),
alerted AS (
    INSERT INTO {_ALERT} AS a (household_id, dong_id, status, stage, assessment_id, origin,
        level, score, due_on, opened_at, updated_at, close_reason, close_note)
    SELECT s.household_id, s.dong_id, 'open', 'received', assessed.id, 'risk_model', s.level,
           s.score, (%(due)s::jsonb ->> s.level)::date, now(), now(), '', ''
      FROM scored s JOIN assessed USING (household_id)
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
                              'alert', CASE WHEN alerted.opened THEN 'opened'
                                            ELSE 'updated' END,
                              'source', %(source)s::text),
           '{ASSESSMENT_LINE}', assessed.id::text
      FROM scored s JOIN alerted USING (household_id) JOIN assessed USING (household_id))
SELECT (SELECT count(*) FROM scored), count(*) FILTER (WHERE opened),
       count(*) FILTER (WHERE NOT opened)
  FROM alerted"""


@contextmanager
def hash_joins(cursor):
    """For one statement: no nested loops. The planner cannot count a CTE's rows and takes
    each for one, so it joined them in nested loops — every household's verdict against
    every other's, and the factors computed again per household: 11.6 s for 3,400
    households instead of tens of milliseconds. The signals are read by an index range or
    by the listed ids either way (not a join)."""
    # The settings as they were and the new ones in one round trip (a SELECT's columns are
    # read left to right).
    cursor.execute("SELECT current_setting('enable_nestloop'), "
                   "current_setting('enable_mergejoin'), "
                   "set_config('enable_nestloop', 'off', true), "
                   "set_config('enable_mergejoin', 'off', true)")
    before = cursor.fetchone()[:2]
    try:
        yield
    finally:
        cursor.execute("SELECT set_config('enable_nestloop', %s, true), "
                       "set_config('enable_mergejoin', %s, true)", before)


def score_parameters(params: Params, today: date) -> dict:
    """The model's numbers as the SQL takes them: only the kinds that weigh (as
    score_household skips the others), the cut-offs in the national list's order."""
    weights = {kind: w for kind, w in params.weights.items() if w > 0 and kind in KINDS_BY_CODE}
    return {
        "today": today, "half_life": max(1, params.half_life_days),
        "month_factor": params.month_factor, "amount_factor": params.amount_factor,
        "kinds": list(weights), "weights": list(weights.values()),
        "cutoffs": sorted(CUTOFF_KINDS, key=KIND_ORDER.get),
        "bonus_alone": params.bonus_alone_cutoff, "bonus_cutoffs": params.bonus_two_cutoffs,
        "bonus_elderly": params.bonus_elderly, "bonus_many": params.bonus_many_kinds,
        "threshold": params.threshold, "critical": params.level_critical,
        "high": params.level_high, "medium": params.level_medium,
    }


def score_statement(*, id_range: tuple[int, int] | None, then: str = "") -> str:
    """The scoring statement for listed households (%(ids)s) or an id range (%(first)s,
    %(last)s, %(batch)s); ``then`` goes on from the ``scored`` verdicts (household_id,
    dong_id, score, level, factors, alerting), or a plain SELECT of them when empty."""
    if id_range is None:
        households, signals = HOUSEHOLDS_LISTED, SIGNALS_LISTED
    else:
        households, signals = HOUSEHOLDS_IN_RANGE, SIGNALS_IN_RANGE
    then = then or ("\nSELECT household_id, score, level, factors, alerting FROM scored "
                    "ORDER BY household_id")
    return (SCORE.replace("<households>", households).replace("<signals>", signals)
            .replace("<then>", then))


def score_ranges_by_registry(size: int) -> list[tuple[int, int]]:
    """(first, last) ids of every ``size`` households of the registry, in id order."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(id), max(id) FROM (SELECT id, (row_number() OVER "
                       f"(ORDER BY id) - 1) / %s AS n FROM {_HOUSEHOLD}) x "
                       f"GROUP BY n ORDER BY n", [size])
        return cursor.fetchall()


def households_score_staged(household_ids, *, model: RiskModel, batch_id, source_name: str,
                            actor_id, today: date, due_on: Callable[[str], date],
                            id_range: tuple[int, int] | None = None) -> dict:
    """Score these households under ``model``: assessments, alerts and timeline lines in
    one statement. Must run inside a transaction; returns the counts.

    With ``id_range`` (first, last) instead of ids: the households in that id range that
    have a signal of batch ``batch_id`` — read with their signals in one index range scan
    (a scoring chunk of a large batch: assessments._score_ranges)."""
    parameters = {
        **score_parameters(Params.of(model), today),
        "version": model.version, "batch": batch_id, "actor": actor_id,
        "source": source_name,
        "due": json.dumps({level: due_on(level).isoformat() for level in CrisisLevel.values}),
    }
    if id_range is None:
        parameters["ids"] = list(household_ids)
    else:
        parameters["first"], parameters["last"] = id_range
    with connection.cursor() as cursor:
        pipeline_settings(cursor)
        with hash_joins(cursor):
            cursor.execute(score_statement(id_range=id_range, then=_STORE), parameters)
            scored, opened, updated = cursor.fetchone()
    return {"households_scored": scored, "alerts_opened": opened, "alerts_updated": updated}
