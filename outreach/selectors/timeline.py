"""The household's timeline: every line of its story, newest first."""


from django.db.models import (
    QuerySet,
)

from households.models import TimelineEvent


def household_timeline(household) -> QuerySet[TimelineEvent]:
    """Every line of the household's story, newest first, in one query."""
    return household.timeline.select_related("actor").order_by("-at", "-id")
