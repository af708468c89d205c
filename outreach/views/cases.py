"""Integrated case pages: the list and one case with its stages, conferences, goals, notes."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from households import selectors as household_selectors
from households.models import AccessLog
from households.redaction import rrn_masked_notify
from households.services import access_log_write
from households.views import require_records
from outreach import forms
from outreach.models import Case
from outreach.selectors import approvals as approval_selectors
from outreach.selectors import cases as case_selectors
from outreach.selectors.cases import cases_for
from outreach.services.approvals import case_closure_submit, case_plan_submit
from outreach.services.cases import (
    case_advance,
    case_conference_add,
    case_goal_add,
    case_note_add,
)


@login_required
def case_list(request):
    require_records(request.user)
    cases = cases_for(request.user).order_by("closed_at", "stage_due_on", "-id")
    show = request.GET.get("show", "open")
    if show == "open":
        cases = cases.filter(closed_at__isnull=True)
    return render(request, "outreach/case_list.html",
                  {"cases": cases[:200], "show": show, "today": timezone.localdate()})


@login_required
@require_http_methods(["GET", "POST"])
def case_detail(request, case_id: int):
    require_records(request.user)
    case = case_selectors.case_detail(request.user, case_id)
    user = request.user
    action = request.POST.get("action") if request.method == "POST" else None

    def bound(name):
        return request.POST if action == name else None

    organizations = household_selectors.visible_organizations(user)
    advance_form = forms.CaseAdvanceForm(bound("advance"), case=case)
    close_form = forms.CaseCloseForm(bound("close"), case=case)
    conference_form = forms.CaseConferenceForm(bound("conference"), organizations=organizations)
    goal_form = forms.CaseGoalForm(bound("goal"), household=case.household)
    note_form = forms.CaseNoteForm(bound("note"))
    plan_form = forms.CasePlanSubmitForm(bound("submit_plan"))
    if action:
        handlers = {
            "advance": (advance_form, lambda d: case_advance(
                case=case, user=user, to_stage=d["to_stage"], note=d["note"])),
            # 종결 goes to the team lead; the case closes once approved.
            "close": (close_form, lambda d: case_closure_submit(
                case=case, user=user, reason=d["reason"], note=d["note"],
                follow_up_on=d["follow_up_on"])),
            "submit_plan": (plan_form, lambda d: case_plan_submit(case=case, user=user)),
            "conference": (conference_form, lambda d: case_conference_add(
                case=case, user=user, held_on=d["held_on"], decisions=d["decisions"],
                organizations=d["organizations"])),
            "goal": (goal_form, lambda d: case_goal_add(
                case=case, user=user, description=d["description"], domain=d["domain"],
                service_links=d["service_links"])),
            "note": (note_form, lambda d: case_note_add(
                case=case, user=user, text=d["text"])),
        }
        if action not in handlers:
            return render(request, "errors/error.html",
                          {"status": 400, "message": _("알 수 없는 요청입니다.")}, status=400)
        form, call = handlers[action]
        if form.is_valid():
            try:
                call(form.cleaned_data)
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                messages.success(request, _("저장했습니다."))
                rrn_masked_notify(request, getattr(form, "rrn_masked", 0))
                return redirect("case_detail", case_id=case.pk)
    access_log_write(request=request, action=AccessLog.Action.VIEW, object_type="case",
                     object_id=case.pk, household_id=case.household_id)
    return render(request, "outreach/case_detail.html", {
        "case": case, "Stage": Case.Stage, "stages": Case.Stage.choices,
        "stage_index": list(Case.Stage.values).index(case.stage),
        "advance_form": advance_form, "close_form": close_form,
        "conference_form": conference_form, "goal_form": goal_form, "note_form": note_form,
        "plan_form": plan_form,
        "today": timezone.localdate(),
        "approvals": approval_selectors.case_approvals(case),
        "plan_pending": approval_selectors.approval_open_for(case, "case_plan"),
        "closure_pending": approval_selectors.approval_open_for(case, "case_closure"),
        "plan_approved": approval_selectors.case_plan_approved(case),
    }, status=400 if action else 200)
