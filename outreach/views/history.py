"""Field-level history pages: a household's records, a case, and the auditor's export."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from households import selectors as household_selectors
from households.break_glass import break_glass_gate
from households.exports import export_response
from households.forms import HistoryExportForm
from households.history import HISTORY_EXPORT_HEADER, history_export_rows
from households.models import AccessLog, Role
from households.services import access_log_write
from households.views import require_records
from outreach.selectors import cases as case_selectors
from outreach.selectors import history as history_selectors

PAGE_SIZE = 100


def history_page(request, *, entries, title, back_url, back_label):
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "households/history.html", {
        "page": page, "title": title, "back_url": back_url, "back_label": back_label,
        "query": ""})


@login_required
@require_http_methods(["GET", "POST"])
def household_history(request, household_id: int):
    """변경 이력: every change of the household, its people, alerts, visits, links, cases.
    Like the household page, a household outside the user's scope is a 404 for every role."""
    household = household_selectors.household_detail(request.user, household_id)
    gate = break_glass_gate(request, household)
    if gate is not None:
        return gate
    access_log_write(request=request, action=AccessLog.Action.VIEW,
                     object_type="household_history", object_id=household.pk,
                     household_id=household.pk)
    return history_page(
        request, entries=history_selectors.household_history(household),
        title=_("변경 이력: %(address)s") % {
            "address": f"{household.road_address} {household.address_detail}".strip()},
        back_url=reverse("household_detail", args=[household.pk]), back_label=_("가구 정보"))


@login_required
def case_history(request, case_id: int):
    require_records(request.user)
    case = case_selectors.case_detail(request.user, case_id)
    access_log_write(request=request, action=AccessLog.Action.VIEW, object_type="case_history",
                     object_id=case.pk, household_id=case.household_id)
    return history_page(
        request, entries=history_selectors.case_history(case),
        title=_("변경 이력: 통합사례 #%(id)s") % {"id": case.pk},
        back_url=reverse("case_detail", args=[case.pk]), back_label=_("통합사례"))


@login_required
@require_http_methods(["GET", "POST"])
def audit_history_export(request):
    """The auditor takes a period's changes out as CSV, with a reason (in the access log)."""
    if not household_selectors.scope_of(request.user).has(Role.AUDITOR):
        raise PermissionDenied(_("변경 이력 내보내기는 개인정보 보호책임자만 할 수 있습니다."))
    form = HistoryExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        since, until = form.period
        entries = history_selectors.audit_history(request.user, since=since, until=until)
        data = form.cleaned_data
        return export_response(
            request=request, fmt="csv", filename=_("변경이력"), header=HISTORY_EXPORT_HEADER,
            rows=history_export_rows(entries), reason=data["reason"], object_type="export:history",
            object_id=f"history-{data['date_from']:%Y%m%d}-{data['date_to']:%Y%m%d}")
    return render(request, "outreach/audit_history.html", {"form": form},
                  status=400 if request.method == "POST" else 200)
