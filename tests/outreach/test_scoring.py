"""The risk model's arithmetic and its plain-Korean factors."""

from datetime import date, timedelta

from households.messages import message_text
from outreach.scoring import DEFAULT_PARAMS, score_household

TODAY = date(2026, 3, 1)


def score(signals, lives_alone=False, elderly=False, params=DEFAULT_PARAMS):
    return score_household(lives_alone=lives_alone, elderly=elderly, signals=signals,
                           params=params, today=TODAY)


def texts(result) -> list[str]:
    return [message_text(f) for f in result.factors]


def test_a_cutoff_for_someone_living_alone_is_a_crisis_with_both_factors_named():
    result = score([("power_cutoff", TODAY, 2, None)], lives_alone=True)
    assert texts(result) == ["단전 2개월", "1인 가구"]
    assert result.level == "high"


def test_two_cutoffs_at_once_add_the_combination_rule():
    result = score([("power_cutoff", TODAY, None, None), ("water_cutoff", TODAY, None, None)])
    assert "단전·단수 동시" in texts(result)
    assert result.score == 30 + 30 + 15


def test_a_signal_loses_half_its_weight_every_half_life():
    fresh = score([("eviction", TODAY, None, None)]).score
    old = score([("eviction", TODAY - timedelta(days=90), None, None)]).score
    assert (fresh, old) == (30, 15)


def test_repeated_reports_of_one_kind_do_not_stack():
    once = score([("telecom_arrears", TODAY, 3, None)]).score
    thrice = score([("telecom_arrears", TODAY - timedelta(days=d), 3, None) for d in (0, 30, 60)])
    assert once == thrice.score


def test_months_overdue_and_amount_raise_severity():
    plain = score([("public_rent_arrears", TODAY, None, None)]).score
    severe = score([("public_rent_arrears", TODAY, 6, 2_000_000)])
    assert severe.score > plain
    assert texts(severe) == ["공공임대 임차료 체납 6개월 (200만 원)"]


def test_the_score_is_capped_at_100():
    kinds = ["suicide_risk", "power_cutoff", "water_cutoff", "gas_cutoff", "eviction"]
    result = score([(k, TODAY, None, None) for k in kinds], lives_alone=True, elderly=True)
    assert result.score == 100 and result.level == "critical"
    assert len(result.factors) == 4



def test_factors_are_stored_as_codes_and_read_in_the_readers_language():
    from django.utils import translation

    with translation.override("en"):
        result = score([("power_cutoff", TODAY, 2, None)], lives_alone=True)
        assert texts(result) == ["Electricity cutoff 2 mo", "Single-person household"]
    assert result.factors == [{"code": "power_cutoff", "months": 2}, {"code": "factor_alone"}]
    assert texts(result) == ["단전 2개월", "1인 가구"]
