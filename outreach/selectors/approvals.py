"""Reads of approval requests (maker-checker), scoped: what a checker may decide, what a
maker asked for, and whether a case's plan is approved."""

from django.db.models import QuerySet

from households.models import Role
from households.selectors import scope_of
from outreach.models import Approval, ApprovalDecision, Case
from outreach.selectors.assessments import risk_model_preview


def _with_subject(queryset: QuerySet[Approval]) -> QuerySet[Approval]:
    return queryset.select_related("case__household__dong", "risk_model", "requested_by",
                                   "decision__decided_by", "dong")


def approvals_to_decide(user) -> QuerySet[Approval]:
    """Open requests this user may decide: team leads the case plans and closures of their
    dongs, district admins the risk-model versions; never their own."""
    scope = scope_of(user)
    queryset = Approval.objects.none()
    if scope.has(Role.TEAM_LEAD):
        lead_dongs = user.memberships.filter(role=Role.TEAM_LEAD).values("dong_id")
        queryset = queryset | Approval.objects.filter(
            kind__in=[Approval.Kind.CASE_PLAN, Approval.Kind.CASE_CLOSURE],
            dong_id__in=lead_dongs)
    if scope.has(Role.DISTRICT_ADMIN):
        queryset = queryset | Approval.objects.filter(kind=Approval.Kind.RISK_MODEL)
    return _with_subject(queryset.filter(decision__isnull=True).exclude(
        requested_by=user)).order_by("requested_at", "id")


def approvals_requested_by(user) -> QuerySet[Approval]:
    """What the user asked for, open and decided (a returned one carries the note)."""
    return _with_subject(Approval.objects.filter(requested_by=user)).order_by(
        "-requested_at", "-id")


def approval_open_for(case: Case, kind: str) -> Approval | None:
    return case.approvals.filter(kind=kind, decision__isnull=True).first()


def case_plan_approved(case: Case) -> bool:
    return case.approvals.filter(kind=Approval.Kind.CASE_PLAN,
                                 decision__decision=ApprovalDecision.Decision.APPROVED).exists()


def case_approvals(case: Case) -> QuerySet[Approval]:
    return _with_subject(case.approvals.all()).order_by("-requested_at", "-id")


def risk_model_version_preview(model) -> dict:
    """The what-if of a saved, not yet approved version against the one in effect: what
    the maker saw before saving, shown again to the checker."""
    skip = {"id", "version", "note", "created_at", "created_by", "needs_approval"}
    return risk_model_preview({f.name: getattr(model, f.name)
                               for f in model._meta.concrete_fields if f.name not in skip})
