"""The household's timeline: every line of its story, newest first."""

from heapq import merge
from operator import attrgetter

from households.models import TimelineEvent
from outreach.models import RiskAssessment

ASSESSMENT_LINE = RiskAssessment._meta.model_name


def household_timeline(household) -> list[TimelineEvent]:
    """Every line of the household's story, newest first, in two queries: its timeline
    lines, and a line for each risk assessment that has none. A scoring round writes lines
    only for the assessments that open or update an alert — a round assesses hundreds of
    thousands of households, and a line each was a quarter of what it stored — so the
    others are read from the assessments themselves, in the same words."""
    lines = list(household.timeline.select_related("actor").order_by("-at", "-id"))
    told = {line.object_id for line in lines if line.object_type == ASSESSMENT_LINE}
    assessments = (RiskAssessment.objects.filter(household=household)
                   .select_related("batch__source").order_by("-assessed_at", "-id"))
    read = [_line_of(a) for a in assessments if str(a.pk) not in told]
    return list(merge(lines, read, key=attrgetter("at"), reverse=True))


def assessment_message(assessment: RiskAssessment, *, alert: str, source: str) -> dict:
    """What an assessment's line says (``alert``: '', 'opened' or 'updated'; ``source``:
    the agency whose file it scored, if any); scoring_staged builds the same in SQL."""
    return {"code": "assessment_scored", "score": assessment.score,
            "level": assessment.level, "factors": assessment.factors, "alert": alert,
            "source": source}


def _line_of(assessment: RiskAssessment) -> TimelineEvent:
    """The line a round would have written for an assessment with no alert (unsaved)."""
    batch = assessment.batch
    return TimelineEvent(
        household_id=assessment.household_id, at=assessment.assessed_at, kind="assessment",
        message=assessment_message(
            assessment, alert="", source=batch.source.name if batch is not None else ""),
        object_type=ASSESSMENT_LINE, object_id=str(assessment.pk))
