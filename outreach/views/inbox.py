"""The triage inbox: the queue, one item's panel, its actions, bulk assign, merge, export."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from households.exports import csv_response
from households.models import AccessLog
from households.particles import particles_fix
from households.redaction import rrn_masked_notify
from households.selectors import scope_of, visible_dongs
from households.services import access_log_write
from outreach.forms import (
    AssignForm,
    BulkAssignForm,
    CloseForm,
    ExportForm,
    InboxFilterForm,
    MergeForm,
    VisitScheduleForm,
)
from outreach.selectors.inbox import (
    inbox_dong_ids,
    inbox_item,
    inbox_item_by_label,
    inbox_items_for,
    inbox_rows_all,
    merge_candidates,
)
from outreach.services.inbox import (
    inbox_item_assign,
    inbox_item_close,
    inbox_item_merge,
    inbox_item_schedule_visit,
    inbox_items_assign,
)
from referrals.models import CloseReason
from referrals.selectors import dong_staff_of, volunteers_of

ACTIONS = ("assign", "visit", "close")


def _require_inbox(user):
    if not scope_of(user).sees_records:
        raise PermissionDenied(_("처리함은 동 복지담당과 사례관리사만 볼 수 있습니다."))


def _staff_choices(user):
    return dong_staff_of(inbox_dong_ids(user))


def _volunteer_choices(user):
    return volunteers_of(inbox_dong_ids(user))


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
    page = inbox_items_for(request.user, filter_form.filters(), page=number)
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
    item = inbox_item(request.user, kind, item_id)
    # Offer only the staff of the item's dong: the ones who can see it (and whom the
    # assign action accepts).
    context = {"item": item, **_row_context(request, staff=dong_staff_of([item.dong_id]))}
    context["next"] = _back(request)
    access_log_write(request=request, action=AccessLog.Action.VIEW, object_type=item.kind,
                     object_id=item.obj.pk, household_id=item.household_id)
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
    item = inbox_item(request.user, kind, item_id)
    try:
        if action == "assign":
            form = AssignForm(request.POST, staff=dong_staff_of([item.dong_id]))
            if not form.is_valid():
                return _answer(request, item, message="", error=_errors_text(form), status=400)
            assignee = form.cleaned_data["assignee"]
            inbox_item_assign(item=item, assignee=assignee, actor=request.user,
                                       request=request)
            item = inbox_item(request.user, kind, item_id)
            return _answer(request, item, message=_("%(item)s 담당자: %(who)s") % {
                "item": item.label, "who": assignee.get_username()})
        if action == "visit":
            form = VisitScheduleForm(request.POST, volunteers=_volunteer_choices(request.user))
            if not form.is_valid():
                return _answer(request, item, message="", error=_errors_text(form), status=400)
            when = form.cleaned_data["scheduled_for"]
            inbox_item_schedule_visit(item=item, scheduled_for=when,
                                               companion=form.cleaned_data["companion"],
                                               actor=request.user, request=request)
            item = inbox_item(request.user, kind, item_id)
            return _answer(request, item, message=_("%(item)s 가정방문 예정: %(when)s") % {
                "item": item.label, "when": f"{timezone.localtime(when):%Y-%m-%d %H:%M}"})
        form = CloseForm(request.POST)
        if not form.is_valid():
            return _answer(request, item, message="", error=_errors_text(form), status=400)
        inbox_item_close(item=item, reason=form.cleaned_data["reason"],
                                  note=form.cleaned_data["note"], actor=request.user,
                                  request=request)
        rrn_masked_notify(request, form.rrn_masked)
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
        items.append(inbox_item(request.user, kind, int(number)))
    assignee = form.cleaned_data["assignee"]
    if any(item.dong_id not in _dongs_of(assignee) for item in items):
        messages.error(request, _("그 담당자의 동이 아닌 항목이 있습니다."))
        return redirect(_back(request))
    inbox_items_assign(items=items, assignee=assignee, actor=request.user,
                                request=request)
    messages.success(request, particles_fix(
        _("%(n)d건의 담당자를 %(who)s(으)로 지정했습니다.") % {
            "n": len(items), "who": assignee.get_username()}))
    return redirect(_back(request))


def _dongs_of(user) -> frozenset:
    return scope_of(user).dong_ids


@login_required
@require_http_methods(["GET", "POST"])
def inbox_merge(request, kind: str, item_id: int):
    _require_inbox(request.user)
    item = inbox_item(request.user, kind, item_id)
    form = MergeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            target = inbox_item_by_label(request.user, form.cleaned_data["target"])
            inbox_item_merge(item=item, target=target, actor=request.user,
                                      request=request)
        except Http404:
            form.add_error("target", _(
                "처리함에 그런 항목이 없습니다. 'R-12'나 'A-5'처럼 적어 주세요."))
        except ValidationError as error:
            form.add_error("target", " ".join(error.messages))
        else:
            messages.success(request, particles_fix(
                _("%(source)s을(를) %(target)s에 병합했습니다.") % {
                    "source": item.label, "target": target.label}))
            return redirect(_back(request))
    if form.errors:
        status = 400
    return render(request, "outreach/inbox_merge.html", {
        "item": item, "form": form, "next": _back(request),
        "candidates": merge_candidates(request.user, item),
    }, status=status)


EXPORT_COLUMNS = [
    ("label", _("항목")), ("dong", _("행정동")), ("urgency_label", _("긴급도")),
    ("score", _("위기도")), ("due_on", _("첫 접촉 기한")), ("overdue", _("기한 초과")),
    ("next_step_label", _("다음 할 일")), ("next_due_on", _("다음 기한")),
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
        items = inbox_rows_all(request.user, filter_form.filters())
        access_log_write(request=request, action=AccessLog.Action.EXPORT,
                         object_type="export:inbox", object_id=str(len(items)),
                         reason=form.cleaned_data["reason"])
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return csv_response(
            f"inbox-{stamp}.csv", [str(label) for _name, label in EXPORT_COLUMNS],
            ([_cell(item, name) for name, _label in EXPORT_COLUMNS] for item in items))
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
