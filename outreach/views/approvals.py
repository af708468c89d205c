"""결재함: what the user may approve or return (team leads: case plans and closures of their
dongs; district admins: risk-model versions of another admin), and what they asked for."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from households.services import access_log_shown
from households.views import require_records
from outreach import forms
from outreach.selectors import approvals as approval_selectors
from outreach.services.approvals import approval_decide


@login_required
@require_http_methods(["GET", "POST"])
def approval_inbox(request):
    require_records(request.user)
    user = request.user
    form = forms.ApprovalDecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            approval = get_object_or_404(approval_selectors.approvals_to_decide(user),
                                         pk=form.cleaned_data["approval"])
            try:
                approval_decide(approval=approval, user=user,
                                decision=form.cleaned_data["decision"],
                                note=form.cleaned_data["note"])
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                messages.success(request, _("결재했습니다."))
                return redirect("approval_inbox")
    to_decide = list(approval_selectors.approvals_to_decide(user))
    for approval in to_decide:
        if approval.risk_model_id:
            approval.preview = approval_selectors.risk_model_version_preview(approval.risk_model)
    mine = list(approval_selectors.approvals_requested_by(user)[:50])
    access_log_shown(request=request, object_type="approval_list", records=[
        (a.pk, a.case.household_id) for a in to_decide + mine if a.case_id])
    return render(request, "outreach/approvals.html", {
        "to_decide": to_decide, "mine": mine, "form": form,
        "posted": form.data.get("approval") if request.method == "POST" else None,
    }, status=status)
