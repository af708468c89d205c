"""score_chunk (the whole chunk at once, used by the PostgreSQL pipeline) gives exactly what
score_household (the readable reference) gives, household by household: score, level and
factor codes with their values, for random households, signals, dates and model versions."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.scoring import Params, score_chunk, score_household
from outreach.signal_kinds import DEFAULT_WEIGHTS, KINDS_BY_CODE

TODAY = date(2026, 12, 3)
KINDS = sorted(KINDS_BY_CODE) + ["retired_kind"]  # a kind no longer in the list weighs 0

signals = st.tuples(
    st.sampled_from(KINDS),
    st.integers(-5, 900).map(lambda days: TODAY - timedelta(days=days)),  # a few in future
    st.none() | st.integers(0, 40),
    st.none() | st.integers(0, 20_000_000),
)
households = st.tuples(st.booleans(), st.booleans(), st.lists(signals, max_size=12))
weights = st.dictionaries(st.sampled_from(KINDS), st.integers(-5, 60).map(float)) | st.just(
    {k: float(v) for k, v in DEFAULT_WEIGHTS.items()})


@st.composite
def models(draw):
    medium = draw(st.integers(0, 100))
    high = draw(st.integers(medium, 100))
    return Params(
        weights=draw(weights), half_life_days=draw(st.integers(0, 400)),
        month_factor=draw(st.sampled_from([0.0, 0.05, 0.1, 0.25, 1.0])),
        amount_factor=draw(st.sampled_from([0.0, 0.1, 0.33, 2.0])),
        bonus_alone_cutoff=draw(st.integers(0, 40)), bonus_two_cutoffs=draw(st.integers(0, 40)),
        bonus_elderly=draw(st.integers(0, 20)), bonus_many_kinds=draw(st.integers(0, 30)),
        threshold=draw(st.integers(0, 100)), level_medium=medium, level_high=high,
        level_critical=draw(st.integers(high, 100)),
    )


@settings(max_examples=300, deadline=None)
@given(chunk=st.lists(households, max_size=25), params=models())
def test_the_chunk_scores_every_household_as_the_reference_does(chunk, params):
    # Household ids with gaps, and signals of households not asked about in between.
    households = [(10 * n + 5, alone, old) for n, (alone, old, _rows) in enumerate(chunk)]
    signals = [(10 * n + 5 + offset, *signal) for n, (_a, _o, rows) in enumerate(chunk)
               for offset, group in ((0, rows), (3, rows[:1])) for signal in group]
    signals.sort(key=lambda row: row[0])  # stable: each household's rows keep their order
    scores, levels, factors = score_chunk(households=households, signals=signals,
                                          params=params, today=TODAY)
    for (alone, old, rows), score, level, factor in zip(chunk, scores, levels, factors,
                                                        strict=True):
        expected = score_household(lives_alone=alone, elderly=old, signals=rows,
                                   params=params, today=TODAY)
        assert (score, level, factor) == (expected.score, expected.level, expected.factors)


def test_the_property_can_fail():
    """A chunk that differs from the reference is caught: the comparison is not vacuous."""
    rows = [("power_cutoff", TODAY, 2, None)]
    params = Params(weights=dict(DEFAULT_WEIGHTS))
    scores, _levels, _factors = score_chunk(
        households=[(1, True, False)], signals=[(1, *row) for row in rows], params=params,
        today=TODAY)
    other = score_household(lives_alone=False, elderly=False, signals=rows, params=params,
                            today=TODAY)
    assert scores[0] != other.score
