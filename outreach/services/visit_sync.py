"""Visits recorded on the phone without a signal, synced later: an edit applies only to the
version it started from; otherwise nothing is written and the worker chooses, field by
field, between their record and the one saved meanwhile (no write lost or overwritten)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from households.hooks import dong_figures_changed_send
from households.messages import message
from households.services import timeline_add
from outreach.models import NeedLevel, Visit, VisitNeed
from outreach.services.visits import visit_record
from referrals.models import NeedDomain

APPLIED, ALREADY, CONFLICT = "applied", "already", "conflict"


def visit_values(visit: Visit) -> dict:
    """The fields an offline edit can change, as the phone's form names them."""
    levels = {need.domain: need for need in visit.needs.all()}
    values = {"outcome": visit.outcome, "observations": visit.observations,
              "crisis_level": visit.crisis_level}
    for domain in NeedDomain.values:
        need = levels.get(domain)
        values[f"need_{domain}_level"] = need.level if need else NeedLevel.NONE
        values[f"need_{domain}_note"] = need.note if need else ""
    return values


@dataclass
class SyncResult:
    status: str
    visit: Visit
    # The server's values when the edit conflicted (to show side by side).
    server: dict | None = None


def _needs_of(values: dict) -> dict:
    return {domain: {"level": values.get(f"need_{domain}_level") or NeedLevel.NONE,
                     "note": values.get(f"need_{domain}_note", "")}
            for domain in NeedDomain.values}


@transaction.atomic
def visit_sync(*, visit_id: int, user, base_version: int, values: dict,
               idempotency_key: str = "", visited_at=None) -> SyncResult:
    """Apply one offline edit of a visit made from ``base_version``."""
    visit = Visit.objects.select_for_update().get(pk=visit_id)
    if idempotency_key and visit.sync_key == idempotency_key:
        return SyncResult(ALREADY, visit)
    if visit.version != base_version:
        return SyncResult(CONFLICT, visit, server=visit_values(visit))
    if not visit.outcome:
        visit = visit_record(visit=visit, user=user, outcome=values["outcome"],
                             visited_at=visited_at, observations=values.get("observations", ""),
                             crisis_level=values.get("crisis_level", ""),
                             needs=_needs_of(values))
    else:
        visit = _visit_revise(visit=visit, user=user, values=values)
    Visit.objects.filter(pk=visit.pk).update(sync_key=idempotency_key or "")
    visit.sync_key = idempotency_key or ""
    return SyncResult(APPLIED, visit)


def _visit_revise(*, visit: Visit, user, values: dict) -> Visit:
    """The worker's merge of a conflict, at the server's current version. The outcome's
    follow-on steps (a next try after "부재", first contact) ran when it was first recorded;
    a changed outcome is written on the timeline for the worker to act on."""
    if values["outcome"] not in Visit.Outcome.values:
        raise ValidationError({"outcome": _("방문 결과를 골라 주세요.")})
    before = visit.outcome
    visit.outcome = values["outcome"]
    visit.observations = values.get("observations", "")
    visit.crisis_level = values.get("crisis_level", "")
    visit.version += 1
    visit.save(update_fields=["outcome", "observations", "crisis_level", "version"])
    VisitNeed.objects.filter(visit=visit).delete()
    VisitNeed.objects.bulk_create([
        VisitNeed(visit=visit, domain=domain, level=need["level"], note=need["note"])
        for domain, need in _needs_of(values).items()
        if need["level"] != NeedLevel.NONE or need["note"]
    ])
    summary = message("visit_chosen", n=visit.attempt_no) if before == visit.outcome else (
        message("visit_chosen_outcome", n=visit.attempt_no, before=before, after=visit.outcome))
    timeline_add(household_id=visit.household_id, kind="visit", actor=user, obj=visit,
                 summary=summary)
    dong_figures_changed_send([visit.household.dong_id])
    return visit
