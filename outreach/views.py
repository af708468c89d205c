"""Outreach pages: parse input, call one service or selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from households import selectors as household_selectors
from households.models import AccessLog, Role
from households.services import access_log_write
from households.views import require_records
from outreach import forms, selectors, services
from outreach.models import Case
from referrals import selectors as referral_selectors
from referrals import services as referral_services
from referrals.forms import ServiceLinkCancelForm, ServiceLinkRequestForm

# ---------------------------------------------------------------------------
# [4/5] Visits, cases, pairings and check-ins
# ---------------------------------------------------------------------------


def _log_view(request, object_type, obj, household_id):
    access_log_write(request=request, action=AccessLog.Action.VIEW, object_type=object_type,
                     object_id=obj.pk, household_id=household_id)


@login_required
@require_http_methods(["GET", "POST"])
def household_work(request, household_id: int):
    """방문·연계·사례: everything the worker does for one household, on one page."""
    require_records(request.user)
    household = household_selectors.household_detail(request.user, household_id)
    user = request.user
    action = request.POST.get("action") if request.method == "POST" else None
    alert_id = request.GET.get("alert")
    visit_form = forms.VisitScheduleForm(
        request.POST if action == "schedule_visit" else None, user=user, household=household,
        initial={"alert": alert_id} if alert_id else None,
    )
    link_form = ServiceLinkRequestForm(request.POST if action == "request_link" else None)
    cancel_form = ServiceLinkCancelForm(request.POST if action == "cancel_link" else None)
    case_form = forms.CaseOpenForm(request.POST if action == "open_case" else None, user=user)
    pairing_form = forms.PairingForm(request.POST if action == "pair" else None,
                                     household=household)
    end_form = forms.PairingEndForm(request.POST if action == "end_pairing" else None)
    if action:
        handlers = {
            "schedule_visit": (visit_form, lambda d: services.visit_schedule(
                household=household, staff=user, scheduled_for=d["scheduled_for"],
                companion=d["companion"], alert=d["alert"]), _("방문을 예약했습니다.")),
            "request_link": (link_form, lambda d: referral_services.service_link_request(
                household=household, service=d["service"], provider=d["provider"],
                requested_by=user, note=d["note"]), _("서비스 연계를 요청했습니다.")),
            "cancel_link": (cancel_form, lambda d: referral_services.service_link_cancel(
                link=_household_link(household, d["link"]), user=user, reason=d["reason"]),
                _("서비스 연계를 취소했습니다.")),
            "open_case": (case_form, lambda d: services.case_open(
                household=household, manager=d["manager"], user=user, summary=d["summary"]),
                _("통합사례를 접수했습니다.")),
            "pair": (pairing_form, lambda d: services.pairing_create(
                volunteer=d["volunteer"], household=household, cadence=d["cadence"],
                grace_days=d["grace_days"], created_by=user), _("결연을 맺었습니다.")),
            "end_pairing": (end_form, lambda d: services.pairing_end(
                pairing=_household_pairing(household, d["pairing"]), user=user),
                _("결연을 종료했습니다.")),
        }
        if action not in handlers:
            return render(request, "errors/error.html",
                          {"status": 400, "message": _("알 수 없는 요청입니다.")}, status=400)
        form, call, done = handlers[action]
        if form.is_valid():
            try:
                call(form.cleaned_data)
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                messages.success(request, done)
                return redirect("household_work", household_id=household.pk)
    _log_view(request, "household_work", household, household.pk)
    context = {
        "household": household,
        "members": household_selectors.household_members(household),
        "alerts": selectors.open_alerts_of(household),
        "visits": selectors.household_visits(household),
        "links": referral_selectors.household_service_links(household),
        "cases": selectors.household_cases(household),
        "pairings": selectors.household_pairings(household),
        "visit_form": visit_form, "link_form": link_form, "cancel_form": cancel_form,
        "case_form": case_form, "pairing_form": pairing_form, "end_form": end_form,
    }
    return render(request, "outreach/household_work.html", context,
                  status=400 if action else 200)


def _household_link(household, link_id):
    link = referral_selectors.household_service_links(household).filter(pk=link_id).first()
    if link is None:
        raise ValidationError(_("이 가구의 서비스 연계가 아닙니다."))
    return link


def _household_pairing(household, pairing_id):
    pairing = selectors.household_pairings(household).filter(pk=pairing_id).first()
    if pairing is None:
        raise ValidationError(_("이 가구의 결연이 아닙니다."))
    return pairing


@login_required
@require_http_methods(["GET", "POST"])
def visit_detail(request, visit_id: int):
    """The tablet form of one visit: outcome, observations, needs by domain, crisis level."""
    visit = selectors.visit_detail(request.user, visit_id)
    form = forms.VisitRecordForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.visit_record(
                    visit=visit, user=request.user, outcome=data["outcome"],
                    visited_at=data["visited_at"], observations=data["observations"],
                    crisis_level=data["crisis_level"], needs=form.needs(),
                    next_attempt_at=data["next_attempt_at"],
                )
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                messages.success(request, _("방문 결과를 기록했습니다."))
                return redirect("visit_detail", visit_id=visit.pk)
        status = 400
    _log_view(request, "visit", visit, visit.household_id)
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
    start, end = selectors.week_bounds()
    visits = list(selectors.my_visits_this_week(request.user))
    for visit in visits:
        visit.initial = selectors.name_initial(visit.head_name)
    overdue_links = (
        referral_selectors.overdue_links_for_worker(request.user).filter(
            requested_by=request.user).order_by("requested_at")[:50]
        if scope.sees_records else []
    )
    unreachable = selectors.unreachable_visits_for(request.user)[:50] \
        if scope.sees_records else []
    return render(request, "outreach/my_visits.html", {
        "visits": visits, "week_start": start, "week_end": end,
        "full_records": scope.sees_records, "overdue_links": overdue_links,
        "unreachable": unreachable,
    })


@login_required
def alert_schedule_visit(request, alert_id: int):
    """From a DiscoveryAlert (the inbox links here) to the visit form of its household."""
    require_records(request.user)
    alert = selectors.alert_for(request.user, alert_id)
    return redirect(f"{reverse('household_work', args=[alert.household_id])}"
                    f"?alert={alert.pk}#h-visit")


@login_required
def case_list(request):
    require_records(request.user)
    cases = selectors.cases_for(request.user).order_by("closed_at", "stage_due_on", "-id")
    show = request.GET.get("show", "open")
    if show == "open":
        cases = cases.filter(closed_at__isnull=True)
    return render(request, "outreach/case_list.html",
                  {"cases": cases[:200], "show": show, "today": timezone.localdate()})


@login_required
@require_http_methods(["GET", "POST"])
def case_detail(request, case_id: int):
    require_records(request.user)
    case = selectors.case_detail(request.user, case_id)
    user = request.user
    action = request.POST.get("action") if request.method == "POST" else None

    def bound(name):
        return request.POST if action == name else None

    organizations = household_selectors.visible_organizations(user)
    advance_form = forms.CaseAdvanceForm(bound("advance"),
                                         initial={"to_stage": case.next_stage})
    close_form = forms.CaseCloseForm(bound("close"))
    conference_form = forms.CaseConferenceForm(bound("conference"), organizations=organizations)
    goal_form = forms.CaseGoalForm(bound("goal"), household=case.household)
    note_form = forms.CaseNoteForm(bound("note"))
    if action:
        handlers = {
            "advance": (advance_form, lambda d: services.case_advance(
                case=case, user=user, to_stage=d["to_stage"], note=d["note"])),
            "close": (close_form, lambda d: services.case_close(
                case=case, user=user, reason=d["reason"], note=d["note"],
                follow_up_on=d["follow_up_on"])),
            "conference": (conference_form, lambda d: services.case_conference_add(
                case=case, user=user, held_on=d["held_on"], decisions=d["decisions"],
                organizations=d["organizations"])),
            "goal": (goal_form, lambda d: services.case_goal_add(
                case=case, user=user, description=d["description"], domain=d["domain"],
                service_links=d["service_links"])),
            "note": (note_form, lambda d: services.case_note_add(
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
                return redirect("case_detail", case_id=case.pk)
    _log_view(request, "case", case, case.household_id)
    return render(request, "outreach/case_detail.html", {
        "case": case, "Stage": Case.Stage, "stages": Case.Stage.choices,
        "stage_index": list(Case.Stage.values).index(case.stage),
        "advance_form": advance_form, "close_form": close_form,
        "conference_form": conference_form, "goal_form": goal_form, "note_form": note_form,
        "today": timezone.localdate(),
    }, status=400 if action else 200)


@login_required
def household_timeline(request, household_id: int):
    """One chronological page of everything that happened to the household."""
    require_records(request.user)
    household = household_selectors.household_detail(request.user, household_id)
    events = selectors.household_timeline(household)
    page = Paginator(events, 300).get_page(request.GET.get("page"))
    _log_view(request, "household_timeline", household, household.pk)
    return render(request, "outreach/household_timeline.html",
                  {"household": household, "page": page, "query": ""})


@login_required
@require_http_methods(["GET", "POST"])
def check_ins(request):
    """The volunteer's phone page: paired households, minimal data, a check-in in seconds."""
    scope = household_selectors.scope_of(request.user)
    if not scope.has(Role.VOLUNTEER):
        raise PermissionDenied(_("자원봉사자만 안부 확인을 기록합니다."))
    pairings = list(selectors.pairings_for_volunteer(request.user))
    posted = None
    if request.method == "POST":
        posted_id = request.POST.get("pairing", "")
        posted = forms.CheckInForm(
            request.POST, auto_id=f"p{posted_id if posted_id.isdigit() else 'x'}_%s")
    if posted is not None:
        if posted.is_valid():
            data = posted.cleaned_data
            pairing = selectors.pairing_for_volunteer(request.user, data["pairing"])
            try:
                services.check_in_log(pairing=pairing, by=request.user, kind=data["kind"],
                                      wellbeing=data["wellbeing"], concern=data["concern"],
                                      note=data["note"])
            except ValidationError as error:
                forms.add_service_errors(posted, error)
            else:
                messages.success(request, _("안부 확인을 기록했습니다. 고맙습니다."))
                return redirect("check_ins")
        elif not any(str(p.pk) == str(request.POST.get("pairing")) for p in pairings):
            raise Http404
    now = timezone.now()
    rows = []
    for pairing in pairings:
        mine = posted is not None and str(request.POST.get("pairing")) == str(pairing.pk)
        due = pairing.due_at()
        rows.append({
            "pairing": pairing,
            "initial": selectors.name_initial(pairing.head_name),
            "overdue": due < now,
            "due": due,
            "form": posted if mine else forms.CheckInForm(
                initial={"pairing": pairing.pk}, auto_id=f"p{pairing.pk}_%s"),
        })
    return render(request, "outreach/check_ins.html", {"rows": rows},
                  status=400 if posted is not None else 200)


# ---------------------------------------------------------------------------
# end [4/5]
# ---------------------------------------------------------------------------
