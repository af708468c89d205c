"""The risk model's arithmetic, pure and explainable (no database).

score = Σ over signal kinds of  weight × recency × severity   (strongest signal per kind)
        + combination bonuses (1인 가구 + 공급 중단, 공급 중단 2종 이상, 노인 가구, 3종 이상)
capped at 100. Every term that adds points becomes a factor: a code with its values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from outreach.signal_kinds import CUTOFF_KINDS, DEFAULT_WEIGHTS, KIND_ORDER, KINDS_BY_CODE

# Factor codes besides the signal kinds (their words: outreach.messages).
FACTOR_ALONE = "factor_alone"
FACTOR_ELDERLY = "factor_elderly"
FACTOR_CUTOFFS = "factor_cutoffs_together"
FACTOR_MANY_KINDS = "factor_many_kinds"

MAX_FACTORS = 4


@dataclass(frozen=True)
class Params:
    weights: dict
    half_life_days: int = 90
    month_factor: float = 0.10
    amount_factor: float = 0.10
    bonus_alone_cutoff: int = 20
    bonus_two_cutoffs: int = 15
    bonus_elderly: int = 5
    bonus_many_kinds: int = 10
    threshold: int = 50
    level_medium: int = 30
    level_high: int = 50
    level_critical: int = 75

    @classmethod
    def of(cls, model) -> Params:
        return cls(
            weights={k: float(v) for k, v in (model.weights or {}).items()},
            half_life_days=int(model.half_life_days),
            month_factor=float(model.month_factor),
            amount_factor=float(model.amount_factor),
            bonus_alone_cutoff=int(model.bonus_alone_cutoff),
            bonus_two_cutoffs=int(model.bonus_two_cutoffs),
            bonus_elderly=int(model.bonus_elderly),
            bonus_many_kinds=int(model.bonus_many_kinds),
            threshold=int(model.threshold),
            level_medium=int(model.level_medium),
            level_high=int(model.level_high),
            level_critical=int(model.level_critical),
        )

    def level(self, score: int) -> str:
        if score >= self.level_critical:
            return "critical"
        if score >= self.level_high:
            return "high"
        if score >= self.level_medium:
            return "medium"
        return "low"


DEFAULT_PARAMS = Params(weights=dict(DEFAULT_WEIGHTS))


@dataclass(frozen=True)
class Result:
    score: int
    level: str
    factors: list[dict]


def _factor(kind: str, months: int | None, amount: int | None) -> dict:
    factor = {"code": kind}
    if months:
        factor["months"] = months
    if amount:
        factor["amount"] = amount
    return factor


def score_household(*, lives_alone: bool, elderly: bool, signals, params: Params,
                    today: date) -> Result:
    """signals: iterable of (kind, observed_on, months_overdue, amount).

    Factors are codes with their values ({"code": "power_cutoff", "months": 2}), put into
    words in the reader's language when shown (outreach.messages).
    """
    best: dict[str, tuple[float, int | None, int | None]] = {}
    for kind, observed_on, months, amount in signals:
        weight = params.weights.get(kind, 0.0)
        if weight <= 0 or kind not in KINDS_BY_CODE:
            continue
        age = max(0, (today - observed_on).days)
        # Half-life decay: a report loses half its weight every half_life_days.
        recency = 0.5 ** (age / max(1, params.half_life_days))
        severity = (1 + min(months or 0, 12) * params.month_factor
                    + min((amount or 0) / 1_000_000, 5) * params.amount_factor)
        points = weight * recency * severity
        if kind not in best or points > best[kind][0]:
            best[kind] = (points, months, amount)
    terms: list[tuple[float, dict]] = [
        (points, _factor(kind, months, amount)) for kind, (points, months, amount) in best.items()
    ]
    # In the national list's order: 단전, 단수, 단가스.
    cutoffs = sorted((k for k in best if k in CUTOFF_KINDS), key=KIND_ORDER.get)
    if best:
        if lives_alone and cutoffs and params.bonus_alone_cutoff:
            terms.append((params.bonus_alone_cutoff, {"code": FACTOR_ALONE}))
        if len(cutoffs) >= 2 and params.bonus_two_cutoffs:
            terms.append((params.bonus_two_cutoffs, {"code": FACTOR_CUTOFFS, "kinds": cutoffs}))
        if elderly and params.bonus_elderly:
            terms.append((params.bonus_elderly, {"code": FACTOR_ELDERLY}))
        if len(best) >= 3 and params.bonus_many_kinds:
            terms.append((params.bonus_many_kinds, {"code": FACTOR_MANY_KINDS, "n": len(best)}))
    total = sum(term[0] for term in terms)
    score = max(0, min(100, round(total)))
    terms.sort(key=lambda term: -term[0])
    factors = [factor for points, factor in terms if points >= 0.5][:MAX_FACTORS]
    return Result(score, params.level(score), factors)

