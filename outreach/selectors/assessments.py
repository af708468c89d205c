"""Reads of the risk model: the current version, the versions, a what-if preview."""

from collections import defaultdict

from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from households.models import (
    Household,
)
from outreach.models import (
    RiskAssessment,
    RiskModel,
    RiskSignal,
)
from outreach.scoring import DEFAULT_PARAMS, Params, score_household

# --- the risk model ------------------------------------------------------------------

# Households per scoring chunk: one transaction, one assessment insert, one alert upsert.
SCORE_CHUNK_HOUSEHOLDS = 2000
# PostgreSQL scores set-based (outreach.services.scoring_staged): larger chunks, fewer
# transactions; a chunk's signals are still only tens of thousands of rows.
SCORE_CHUNK_HOUSEHOLDS_STAGED = 10000


def risk_model_current() -> RiskModel:
    """The newest version in effect: a saved version counts once a second district admin
    approved it; v1 with the default weights is created the first time."""
    model = (RiskModel.objects.filter(Q(needs_approval=False)
                                      | Q(approvals__decision__decision="approved"))
             .order_by("-version").first())
    if model is None:
        model, _created = RiskModel.objects.get_or_create(
            version=1, defaults={"weights": dict(DEFAULT_PARAMS.weights),
                                 "note": _("기본 모델")},
        )
    return model



def signals_by_household(household_ids) -> dict:
    """Each household's signals, (kind, observed_on, months_overdue, amount), in the order
    score_household reads them (of two equally strong, the first counts): by batch and
    line, the order of the files, whichever worker stored them first; then by kind (code
    point) and observation key. services.scoring_staged's SQL takes the same order."""
    signals = defaultdict(list)
    rows = sorted(RiskSignal.objects.filter(household_key__in=household_ids).values_list(
        "batch_id", "line", "kind", "observation", "household_key", "observed_on",
        "months_overdue", "amount"))
    for _batch, _line, kind, _observation, household_id, *signal in rows:
        signals[household_id].append((kind, *signal))
    return signals


def risk_model_preview(data: dict) -> dict:
    """What-if: how many households would alert, by level, under an edited (unsaved) model
    vs the current one."""
    params = Params.of(RiskModel(**data))
    current = Params.of(risk_model_current())
    today = timezone.localdate()
    ids = list(RiskSignal.objects.filter(household__isnull=False)
               .values_list("household_id", flat=True).distinct())
    result = {"households": len(ids), "now": defaultdict(int), "edited": defaultdict(int)}
    for start in range(0, len(ids), SCORE_CHUNK_HOUSEHOLDS):
        part = ids[start:start + SCORE_CHUNK_HOUSEHOLDS]
        signals = signals_by_household(part)
        for household_id, lives_alone, elderly in Household.objects.filter(
                id__in=part).values_list("id", "lives_alone", "elderly"):
            for key, p in (("now", current), ("edited", params)):
                r = score_household(lives_alone=lives_alone, elderly=elderly,
                                    signals=signals.get(household_id, ()), params=p, today=today)
                if r.score >= p.threshold:
                    result[key]["alerts"] += 1
                result[key][r.level] += 1
    result["now"], result["edited"] = dict(result["now"]), dict(result["edited"])
    return result



def risk_model_versions(limit: int = 10) -> QuerySet[RiskModel]:
    return RiskModel.objects.select_related("created_by").order_by("-version")[:limit]


# --- retention --------------------------------------------------------------------------

def household_assessed_since(since) -> Exists:
    """On Household: assessed at or after ``since`` (one probe of assessment_hh_at)."""
    return Exists(RiskAssessment.objects.filter(household_id=OuterRef("pk"),
                                                assessed_at__gte=since))
