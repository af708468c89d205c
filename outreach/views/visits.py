"""Visit pages: the tablet form of one visit and the worker's week."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from households import selectors as household_selectors
from households.models import AccessLog, Role, mask_name
from households.redaction import rrn_masked_notify
from households.services import access_log_write
from outreach import forms
from outreach.selectors import visits as visit_selectors
from outreach.selectors.field_days import companion_field_days
from outreach.selectors.visits import my_visits_this_week, unreachable_visits_for, week_bounds
from outreach.services.visits import visit_record
from referrals import selectors as referral_selectors


@login_required
@require_http_methods(["GET", "POST"])
def visit_detail(request, visit_id: int):
    """The tablet form of one visit: outcome, observations, needs by domain, crisis level."""
    visit = visit_selectors.visit_detail(request.user, visit_id)
    form = forms.VisitRecordForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                visit_record(
                    visit=visit, user=request.user, outcome=data["outcome"],
                    visited_at=data["visited_at"], observations=data["observations"],
                    crisis_level=data["crisis_level"], needs=form.needs(),
                    next_attempt_at=data["next_attempt_at"],
                )
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                messages.success(request, _("방문 결과를 기록했습니다."))
                rrn_masked_notify(request, form.rrn_masked)
                return redirect("visit_detail", visit_id=visit.pk)
        status = 400
    access_log_write(request=request, action=AccessLog.Action.VIEW, object_type="visit",
                     object_id=visit.pk, household_id=visit.household_id)
    return render(request, "outreach/visit_detail.html", {
        "visit": visit, "form": form,
        "next_attempt": getattr(visit, "next_attempt", None) if visit.outcome else None,
    }, status=status)


@login_required
def my_visits(request):
    """내 이번 주 방문: for staff, and for volunteers joining as companions."""
    scope = household_selectors.scope_of(request.user)
    if not (scope.sees_records or scope.has(Role.VOLUNTEER)):
        raise PermissionDenied(_("방문 일정을 볼 권한이 없습니다."))
    start, end = week_bounds()
    visits = list(my_visits_this_week(request.user))
    for visit in visits:
        visit.masked_name = mask_name(visit.head_name)
    overdue_links = (
        referral_selectors.overdue_links_for_worker(request.user).filter(
            requested_by=request.user).order_by("requested_at")[:50]
        if scope.sees_records else []
    )
    unreachable = unreachable_visits_for(request.user)[:50] \
        if scope.sees_records else []
    return render(request, "outreach/my_visits.html", {
        "visits": visits, "week_start": start, "week_end": end,
        "full_records": scope.sees_records, "overdue_links": overdue_links,
        "unreachable": unreachable,
        # A volunteer's own page tells them the field days they go along on (2인 1조).
        "field_day_stops": companion_field_days(request.user)[:50]
        if not scope.sees_records else [],
    })
