"""Outreach pages: parse input, call one service or selector, render."""

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from households import selectors as household_selectors
from households import services as household_services
from households.models import AccessLog, Role
from households.selectors import scope_of, visible_dongs
from households.services import access_log_write
from households.views import require_records
from outreach import forms, selectors, services
from outreach.forms import (
    AssignForm,
    BulkAssignForm,
    CloseForm,
    ExportForm,
    InboxFilterForm,
    MergeForm,
    RiskModelForm,
    SignalUploadForm,
    VisitForm,
)
from outreach.models import Case, SignalBatch
from outreach.signal_files import FileRejected
from outreach.signal_kinds import SIGNAL_KINDS
from referrals import selectors as referral_selectors
from referrals import services as referral_services
from referrals.forms import ServiceLinkCancelForm, ServiceLinkRequestForm
from referrals.models import CloseReason
from referrals.selectors import dong_staff_of, volunteers_of

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


ACTIONS = ("assign", "visit", "close")


def _require_inbox(user):
    if not scope_of(user).sees_records:
        raise PermissionDenied(_("처리함은 동 복지담당과 사례관리사만 볼 수 있습니다."))


def _staff_choices(user):
    return dong_staff_of(selectors.inbox_dong_ids(user))


def _volunteer_choices(user):
    return volunteers_of(selectors.inbox_dong_ids(user))


def _back(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) and \
            target.startswith(reverse("inbox")):
        return target
    return reverse("inbox")


def _row_context(request, staff=None):
    return {
        "staff_choices": list(staff if staff is not None else _staff_choices(request.user)),
        "volunteer_choices": list(_volunteer_choices(request.user)),
        # Plain strings: a lazy label would be translated again in every row.
        "close_reasons": [(value, str(label)) for value, label in CloseReason.choices],
        "inbox_url": reverse("inbox"),
        "next": request.get_full_path() if request.method == "GET" else _back(request),
        "now_local": timezone.localtime(),
    }


@login_required
def inbox(request):
    _require_inbox(request.user)
    filter_form = InboxFilterForm(request.GET or None, dongs=visible_dongs(request.user))
    try:
        number = int(request.GET.get("page") or 1)
    except ValueError:
        number = 1
    page = selectors.inbox_items_for(request.user, filter_form.filters(), page=number)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter_form": filter_form, "page": page, "query": query.urlencode(),
               **_row_context(request)}
    template = "outreach/inbox_list.html" if request.htmx and \
        request.htmx.target == "inbox-list" else "outreach/inbox.html"
    return render(request, template, context, status=400 if filter_form.errors else 200)


@login_required
def inbox_item_panel(request, kind: str, item_id: int):
    """The item's actions: loaded into its row by htmx, or a page of its own without JS."""
    _require_inbox(request.user)
    item = selectors.inbox_item(request.user, kind, item_id)
    context = {"item": item, **_row_context(request)}
    context["next"] = _back(request)
    if request.htmx:
        return render(request, "outreach/inbox_actions.html", context)
    return render(request, "outreach/inbox_item.html", context)


def _answer(request, item, *, message: str, gone: bool = False, error: str = "",
            status: int = 200):
    """htmx: the item's row (or a short 'done' row); plain POST: back to the inbox."""
    if request.htmx:
        context = {"item": item, "gone": gone, "message": message, "error": error,
                   **_row_context(request)}
        # htmx only swaps 2xx answers; an input error is shown in the row itself.
        return render(request, "outreach/inbox_row.html", context)
    if error:
        return render(request, "outreach/action_error.html", {
            "status": status, "message": error, "back": _back(request)}, status=status)
    messages.success(request, message)
    return redirect(_back(request))


def _errors_text(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@login_required
@require_POST
def inbox_action(request, kind: str, item_id: int, action: str):
    _require_inbox(request.user)
    if action not in ACTIONS:
        raise Http404
    item = selectors.inbox_item(request.user, kind, item_id)
    try:
        if action == "assign":
            form = AssignForm(request.POST, staff=dong_staff_of([item.dong_id]))
            if not form.is_valid():
                return _answer(request, item, message="", error=_errors_text(form), status=400)
            assignee = form.cleaned_data["assignee"]
            services.inbox_item_assign(item=item, assignee=assignee, actor=request.user,
                                       request=request)
            item = selectors.inbox_item(request.user, kind, item_id)
            return _answer(request, item, message=_("%(item)s 담당자: %(who)s") % {
                "item": item.label, "who": assignee.get_username()})
        if action == "visit":
            form = VisitForm(request.POST, volunteers=_volunteer_choices(request.user))
            if not form.is_valid():
                return _answer(request, item, message="", error=_errors_text(form), status=400)
            when = form.cleaned_data["scheduled_for"]
            services.inbox_item_schedule_visit(item=item, scheduled_for=when,
                                               companion=form.cleaned_data["companion"],
                                               actor=request.user, request=request)
            item = selectors.inbox_item(request.user, kind, item_id)
            return _answer(request, item, message=_("%(item)s 가정방문 예정: %(when)s") % {
                "item": item.label, "when": f"{timezone.localtime(when):%Y-%m-%d %H:%M}"})
        form = CloseForm(request.POST)
        if not form.is_valid():
            return _answer(request, item, message="", error=_errors_text(form), status=400)
        services.inbox_item_close(item=item, reason=form.cleaned_data["reason"],
                                  note=form.cleaned_data["note"], actor=request.user,
                                  request=request)
        return _answer(request, item, gone=True, message=_("%(item)s 종결: %(reason)s") % {
            "item": item.label, "reason": CloseReason(form.cleaned_data["reason"]).label})
    except ValidationError as error:
        return _answer(request, item, message="", error=" ".join(error.messages), status=400)


@login_required
@require_POST
def inbox_bulk_assign(request):
    _require_inbox(request.user)
    form = BulkAssignForm(request.POST, staff=_staff_choices(request.user))
    if not form.is_valid():
        messages.error(request, _errors_text(form))
        if request.htmx:
            return redirect(_back(request))
        return render(request, "outreach/action_error.html", {
            "status": 400, "message": _errors_text(form), "back": _back(request)}, status=400)
    items = []
    for key in form.cleaned_data["items"]:
        kind, _sep, number = key.partition(":")
        if not number.isdigit():
            raise Http404
        items.append(selectors.inbox_item(request.user, kind, int(number)))
    assignee = form.cleaned_data["assignee"]
    if any(item.dong_id not in _dongs_of(assignee) for item in items):
        messages.error(request, _("그 담당자의 동이 아닌 항목이 있습니다."))
        return redirect(_back(request))
    services.inbox_items_assign(items=items, assignee=assignee, actor=request.user,
                                request=request)
    messages.success(request, _("%(n)d건의 담당자를 %(who)s(으)로 지정했습니다.") % {
        "n": len(items), "who": assignee.get_username()})
    return redirect(_back(request))


def _dongs_of(user) -> frozenset:
    return scope_of(user).dong_ids


@login_required
@require_http_methods(["GET", "POST"])
def inbox_merge(request, kind: str, item_id: int):
    _require_inbox(request.user)
    item = selectors.inbox_item(request.user, kind, item_id)
    form = MergeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            target = selectors.inbox_item_by_label(request.user, form.cleaned_data["target"])
            services.inbox_item_merge(item=item, target=target, actor=request.user,
                                      request=request)
        except Http404:
            form.add_error("target", _(
                "처리함에 그런 항목이 없습니다. 'R-12'나 'A-5'처럼 적어 주세요."))
        except ValidationError as error:
            form.add_error("target", " ".join(error.messages))
        else:
            messages.success(request, _("%(source)s를 %(target)s에 병합했습니다.") % {
                "source": item.label, "target": target.label})
            return redirect(_back(request))
    if form.errors:
        status = 400
    return render(request, "outreach/inbox_merge.html", {
        "item": item, "form": form, "next": _back(request),
        "candidates": selectors.merge_candidates(request.user, item),
    }, status=status)


EXPORT_COLUMNS = [
    ("label", _("항목")), ("dong", _("행정동")), ("urgency_label", _("긴급도")),
    ("score", _("위기도")), ("due_on", _("첫 접촉 기한")), ("overdue", _("기한 초과")),
    ("status_label", _("상태")), ("source_label", _("경로")), ("what", _("걱정되는 점·요인")),
    ("address", _("주소")), ("masked_name", _("이름(가림)")), ("assigned_to", _("담당자")),
]


@login_required
@require_http_methods(["GET", "POST"])
def inbox_export(request):
    """The filtered queue as CSV (Excel-friendly UTF-8 with BOM); the reason is logged."""
    _require_inbox(request.user)
    filter_form = InboxFilterForm(request.GET or None, dongs=visible_dongs(request.user))
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        items = selectors.inbox_rows_all(request.user, filter_form.filters())
        access_log_write(request=request, action=AccessLog.Action.EXPORT,
                         object_type="export:inbox", object_id=str(len(items)),
                         reason=form.cleaned_data["reason"])
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="inbox-{stamp}.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow([str(label) for _name, label in EXPORT_COLUMNS])
        for item in items:
            writer.writerow([_cell(item, name) for name, _label in EXPORT_COLUMNS])
        return response
    return render(request, "outreach/inbox_export.html",
                  {"form": form, "filter_form": filter_form, "query": request.GET.urlencode()},
                  status=400 if form.errors else 200)


def _cell(item, name):
    value = getattr(item, name)
    if name == "overdue":
        return _("예") if value else ""
    if name == "what":
        return ", ".join(value)
    if name == "due_on":
        return f"{value:%Y-%m-%d}"
    if value is None:
        return ""
    return str(value)


# --- risk signals (위기정보): batches, chunks, the risk model ---------------------
PAGE_SIZE = 50


def _require_admin(user):
    if not selectors.can_manage_signals(user):
        raise PermissionDenied(_("위기정보 관리는 구 관리자만 할 수 있습니다."))


@login_required
@require_http_methods(["GET", "POST"])
def signal_batch_list(request):
    _require_admin(request.user)
    status = 200
    if request.method == "POST":
        form = SignalUploadForm(request.POST, request.FILES)
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.SIGNAL_UPLOAD_MAX_BYTES + 64 * 1024:
            # Refuse before reading the body: nothing is stored.
            form = SignalUploadForm(request.POST)
            form.add_error(None, _("파일이 너무 큽니다 (최대 %(mb)s MB).")
                           % {"mb": settings.SIGNAL_UPLOAD_MAX_BYTES // (1024 * 1024)})
            status = 413
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch, created = services.signal_batch_receive(
                    source=form.cleaned_data["source"], fileobj=upload, filename=upload.name,
                    channel=SignalBatch.Channel.UPLOAD, user=request.user,
                    encoding=form.cleaned_data["encoding"],
                )
            except FileRejected as exc:
                form.add_error("file", exc.message)
                status = exc.status
            else:
                if not created:
                    messages.info(request, _("같은 파일이 이미 접수되어 있습니다 (#%(id)s). "
                                             "다시 처리하지 않습니다.") % {"id": batch.pk})
                return redirect("signal_batch_detail", batch_id=batch.pk)
        else:
            status = 400
    else:
        form = SignalUploadForm()
    page = Paginator(selectors.signal_batches_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "outreach/signal_batch_list.html",
                  {"form": form, "page": page, "query": "",
                   "max_mb": settings.SIGNAL_UPLOAD_MAX_BYTES // (1024 * 1024)}, status=status)


def _batch(request, batch_id) -> SignalBatch:
    _require_admin(request.user)
    return get_object_or_404(selectors.signal_batches_for(request.user), pk=batch_id)


@login_required
def signal_batch_detail(request, batch_id: int):
    batch = _batch(request, batch_id)
    rejections = batch.rejections.all()[:100]
    return render(request, "outreach/signal_batch_detail.html", {
        "batch": batch, "progress": selectors.signal_batch_progress(batch),
        "rejections": rejections, "rejection_total": batch.rejections.count(),
    })


@login_required
def signal_batch_progress(request, batch_id: int):
    batch = _batch(request, batch_id)
    response = render(request, "outreach/_signal_progress.html",
                      {"batch": batch, "progress": selectors.signal_batch_progress(batch)})
    if batch.finished and request.htmx:
        # Finished: reload the page once so the rejected lines appear below.
        response["HX-Refresh"] = "true"
    return response


@login_required
def signal_batch_errors(request, batch_id: int):
    """The rejected lines as CSV (UTF-8 with BOM, so Excel opens it in Korean)."""
    batch = _batch(request, batch_id)
    household_services.access_log_write(
        request=request, action=AccessLog.Action.DOWNLOAD, object_type="signal_batch_errors",
        object_id=batch.pk,
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="signal-batch-{batch.pk}-errors.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("행"), _("열"), _("사유")])
    for line, column, reason in batch.rejections.values_list("line", "column", "reason").iterator():
        writer.writerow([line, column, reason])
    return response


@login_required
@require_http_methods(["GET", "POST"])
def risk_model_edit(request):
    _require_admin(request.user)
    current = services.risk_model_current()
    preview = None
    status = 200
    if request.method == "POST":
        form = RiskModelForm(request.POST, instance=None)
        if form.is_valid():
            data = form.model_data()
            if request.POST.get("action") == "save":
                model = services.risk_model_save(user=request.user, data=data,
                                                 note=form.cleaned_data.get("note", ""))
                messages.success(request, _("위험도 모델 v%(v)s을(를) 저장했습니다. "
                                            "재평가를 시작합니다.")
                                 % {"v": model.version})
                return redirect("risk_model_edit")
            preview = services.risk_model_preview(data)
        else:
            status = 400
    else:
        form = RiskModelForm(instance=current)
    return render(request, "outreach/risk_model.html", {
        "form": form, "current": current, "preview": preview,
        "versions": selectors.risk_model_versions(), "kinds": SIGNAL_KINDS,
    }, status=status)


@login_required
def alert_list(request):
    """발굴 대상 of the user's dongs (the inbox will fold this in)."""
    if not scope_of(request.user).sees_records:
        raise PermissionDenied(_("발굴 대상을 볼 권한이 없습니다."))
    page = Paginator(selectors.alert_list_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "outreach/alert_list.html", {"page": page, "query": ""})
