"""The risk model's arithmetic, pure and explainable (no database).

score = Σ over signal kinds of  weight × recency × severity   (strongest signal per kind)
        + combination bonuses (1인 가구 + 공급 중단, 공급 중단 2종 이상, 노인 가구, 3종 이상)
capped at 100. Every term that adds points becomes a plain Korean factor sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from outreach.signal_kinds import (
    CUTOFF_KINDS,
    DEFAULT_WEIGHTS,
    KIND_ORDER,
    KINDS_BY_CODE,
    kind_label,
)

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
    factors: list[str]


def _describe(kind: str, months: int | None, amount: int | None) -> str:
    text = kind_label(kind)
    if months:
        text += _(" %(n)s개월") % {"n": months}
    if amount:
        text += _(" (%(won)s만 원)") % {"won": f"{max(1, round(amount / 10000)):,}"}
    return text


def _text(texts: dict | None, key, make):
    """A factor sentence from ``texts`` (a per-job cache, same language throughout), else
    made and kept there."""
    if texts is None:
        return make()
    try:
        return texts[key]
    except KeyError:
        texts[key] = value = make()
        return value


def score_household(**kwargs):
    """Factors are stored as sentences in the source language (Korean), whatever language
    the request or worker that triggered the scoring happens to be in."""
    with translation.override(settings.LANGUAGE_CODE):
        return _score_household(**kwargs)


def _score_household(*, lives_alone: bool, elderly: bool, signals, params: Params,
                     today: date, texts: dict | None = None) -> Result:
    """signals: iterable of (kind, observed_on, months_overdue, amount).

    ``texts``: optional dict reused across the households of one job, so each factor
    sentence is translated once rather than once per household.
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
    terms: list[tuple[float, str]] = [
        (points, _text(texts, ("d", kind, months, amount),
                       lambda k=kind, m=months, a=amount: _describe(k, m, a)))
        for kind, (points, months, amount) in best.items()
    ]
    # In the national list's order: 단전, 단수, 단가스.
    cutoffs = sorted((k for k in best if k in CUTOFF_KINDS), key=KIND_ORDER.get)
    if best:
        if lives_alone and cutoffs and params.bonus_alone_cutoff:
            terms.append((params.bonus_alone_cutoff, _text(texts, "alone", lambda: _("1인 가구"))))
        if len(cutoffs) >= 2 and params.bonus_two_cutoffs:
            terms.append((params.bonus_two_cutoffs, _text(
                texts, ("two", *cutoffs), lambda: _("%(kinds)s 동시") % {
                    "kinds": "·".join(kind_label(k) for k in cutoffs)})))
        if elderly and params.bonus_elderly:
            terms.append((params.bonus_elderly, _text(texts, "elderly", lambda: _("노인 가구"))))
        if len(best) >= 3 and params.bonus_many_kinds:
            terms.append((params.bonus_many_kinds, _text(
                texts, ("many", len(best)), lambda: _("위기정보 %(n)s종 중복") % {"n": len(best)})))
    total = sum(points for points, _text in terms)
    score = max(0, min(100, round(total)))
    terms.sort(key=lambda term: -term[0])
    factors = [text for points, text in terms if points >= 0.5][:MAX_FACTORS]
    return Result(score, params.level(score), factors)
