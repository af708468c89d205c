"""Field-level history of a household's records, a case, and the auditor's period, scoped."""

from datetime import datetime

from households.history import HistoryEntry, history_entries
from households.models import Household, Person, Role
from households.selectors import scope_of
from outreach.models import Case, DiscoveryAlert, Visit
from referrals.models import Referral, ServiceLink


def household_history(household: Household) -> list[HistoryEntry]:
    """The household, its people, alerts, visits, service links and cases: every change.
    The caller has the household from visible_households, so the rest is in scope."""
    pk = household.pk
    return history_entries([
        Household.history.filter(id=pk),
        Person.history.filter(household_id=pk),
        DiscoveryAlert.history.filter(household_id=pk),
        Visit.history.filter(household_id=pk),
        ServiceLink.history.filter(household_id=pk),
        Case.history.filter(household_id=pk),
    ])


def case_history(case: Case) -> list[HistoryEntry]:
    return history_entries([Case.history.filter(id=case.pk)])


def audit_history(user, *, since: datetime, until: datetime) -> list[HistoryEntry]:
    """Every change in the auditor's districts in [since, until): records changed in the
    period, read whole so each change has the row before it."""
    scope = scope_of(user)
    if not scope.has(Role.AUDITOR):
        return []
    districts = scope.district_ids
    in_period = {"history_date__gte": since, "history_date__lt": until}
    querysets = []
    for manager, district_path in (
        (Household.history, "dong__district_id__in"),
        (Person.history, "household__dong__district_id__in"),
        (Referral.history, "dong__district_id__in"),
        (DiscoveryAlert.history, "dong__district_id__in"),
        (Visit.history, "household__dong__district_id__in"),
        (ServiceLink.history, "household__dong__district_id__in"),
        (Case.history, "household__dong__district_id__in"),
    ):
        changed = manager.filter(**in_period, **{district_path: districts}).values("id")
        querysets.append(manager.filter(id__in=changed, history_date__lt=until))
    return history_entries(querysets, since=since, until=until)
