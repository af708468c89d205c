"""Joint visit day pages: the dongs' settings, planning a day, the A4 route sheet and the
day's list on a phone."""

import uuid
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from households.models import AccessLog, Role, mask_name
from households.redaction import rrn_masked_notify
from households.selectors import scope_of
from households.services import access_log_shown, access_log_write
from outreach import forms
from outreach.selectors import field_days as selectors
from outreach.selectors import visits as visit_selectors
from outreach.services.field_days import field_day_plan, field_day_setting_save
from outreach.services.visit_sync import APPLIED, CONFLICT
from outreach.services.visit_sync import visit_sync as visit_sync_service


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Http404 from None


@login_required
def field_day_index(request):
    """The dongs the worker plans for, each with its recurring day and the next dates."""
    if not scope_of(request.user).sees_records:
        return redirect("day_list")
    rows = []
    for dong in selectors.field_day_dongs(request.user):
        setting = selectors.field_day_setting(dong)
        editable = selectors.field_day_setting_editable(request.user, dong)
        form = forms.FieldDaySettingForm(initial={
            "weekday": setting.weekday, "part": setting.part,
            "mask_names_on_paper": setting.mask_names_on_paper}, prefix=f"d{dong.pk}")
        rows.append({"dong": dong, "setting": setting, "form": form if editable else None,
                     "dates": selectors.field_day_next_dates(setting)})
    return render(request, "outreach/field_day_index.html", {"rows": rows})


@login_required
@require_POST
def field_day_setting_edit(request, dong_id: int):
    dong = selectors.field_day_dong(request.user, dong_id)
    if not selectors.field_day_setting_editable(request.user, dong):
        raise PermissionDenied(_("이 동의 복지담당만 합동 방문의 날을 바꿀 수 있습니다."))
    form = forms.FieldDaySettingForm(request.POST, prefix=f"d{dong.pk}")
    if form.is_valid():
        field_day_setting_save(dong=dong, actor=request.user, **form.cleaned_data)
        messages.success(request, _("%(dong)s 합동 방문의 날을 저장했습니다.") % {"dong": dong})
    else:
        messages.error(request, _("요일과 시간대를 골라 주세요."))
    return redirect("field_day_index")


@login_required
@require_http_methods(["GET", "POST"])
def field_day_plan_page(request, dong_id: int, day: str):
    """Plan a day: the proposed households by 통 and address, each with a companion."""
    dong = selectors.field_day_dong(request.user, dong_id)
    the_day = _day(day)
    proposals = selectors.field_day_proposals(request.user, dong=dong, day=the_day)
    form = forms.FieldDayPlanForm(request.POST or None, proposals=proposals,
                                  companions=selectors.field_day_companions(dong))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                field_day_plan(dong=dong, day=the_day, actor=request.user, stops=form.stops())
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                messages.success(request, _("방문지를 일정에 넣었습니다."))
                return redirect("field_day_plan", dong_id=dong.pk, day=the_day.isoformat())
        status = 400
    stops = selectors.field_day_stops(request.user, dong=dong, day=the_day)
    access_log_write(request=request, action=AccessLog.Action.VIEW, object_type="field_day",
                     object_id=f"{dong.pk}:{the_day.isoformat()}")
    return render(request, "outreach/field_day_plan.html", {
        "dong": dong, "day": the_day, "setting": selectors.field_day_setting(dong),
        "form": form, "proposal_groups": selectors.by_tong(form.rows(),
                                                           household=lambda r: r[0].household),
        "stop_groups": selectors.by_tong(stops, household=lambda s: s.visit.household),
    }, status=status)


@login_required
def field_day_sheet(request, dong_id: int, day: str):
    """The A4 route sheet; names masked when the dong's setting says paper may be lost.
    Printing is an export of each household on it: one access-log row each."""
    dong = selectors.field_day_dong(request.user, dong_id)
    the_day = _day(day)
    setting = selectors.field_day_setting(dong)
    stops = selectors.field_day_stops(request.user, dong=dong, day=the_day)
    access_log_shown(request=request, object_type="field_day_sheet",
                     action=AccessLog.Action.PRINT,
                     records=[(stop.visit_id, stop.visit.household_id) for stop in stops])
    return render(request, "outreach/field_day_sheet.html", {
        "dong": dong, "day": the_day, "setting": setting, "masked": setting.mask_names_on_paper,
        "stop_groups": selectors.by_tong(stops, household=lambda s: s.visit.household),
        "count": len(stops),
    })


@login_required
def day_list(request):
    """오늘의 방문: the day's stops on a phone, only what the visit needs. Volunteers see
    the neighbour's initial and the address of the stops they join."""
    scope = scope_of(request.user)
    if not (scope.sees_records or scope.has(Role.VOLUNTEER)):
        raise PermissionDenied(_("방문 일정을 볼 권한이 없습니다."))
    stops = selectors.day_list_for(request.user)
    for stop in stops:
        stop.initial = mask_name(stop.head_name)
        # The record form carries the version the phone's copy shows (conflict detection).
        stop.form = forms.VisitSyncForm(
            initial={"version": stop.visit.version}, auto_id=f"v{stop.visit_id}_%s",
        ) if scope.sees_records and not stop.visit.outcome else None
    if scope.sees_records:
        access_log_shown(request=request, object_type="day_list",
                         records=[(stop.visit_id, stop.visit.household_id) for stop in stops])
    return render(request, "outreach/day_list.html", {
        "stops": stops, "today": timezone.localdate(), "full_records": scope.sees_records,
        "stop_groups": selectors.by_tong(stops, household=lambda s: s.visit.household),
    })


def _shown(field, value) -> str:
    choices = dict(getattr(field, "choices", []) or [])
    return str(choices.get(value, value)) if value else "—"


def _conflict_rows(form, mine: dict, server: dict) -> list[dict]:
    """Each field the phone's edit touches: its label, both values, and whether they differ."""
    rows = []
    for name, theirs in server.items():
        field = form.fields[name]
        ours = mine.get(name, "")
        rows.append({"name": name, "label": field.label, "mine": ours, "server": theirs,
                     "mine_shown": _shown(field, ours), "server_shown": _shown(field, theirs),
                     "differs": ours != theirs})
    return rows


@login_required
@require_POST
def visit_sync(request, visit_id: int):
    """A visit recorded on the day's list (online, or later from the phone's queue). When
    the record changed on the server since the phone's copy, nothing is written: the page
    shows both records side by side, and the worker picks each field (status 409)."""
    visit = visit_selectors.visit_detail(request.user, visit_id)
    form = forms.VisitSyncForm(request.POST)
    wants_json = "application/json" in request.headers.get("Accept", "")
    if not form.is_valid():
        if wants_json:
            return JsonResponse({"ok": False, "errors": form.errors.get_json_data()}, status=400)
        return render(request, "outreach/visit_conflict.html",
                      {"visit": visit, "form": form, "rows": []}, status=400)
    data = form.cleaned_data
    try:
        result = visit_sync_service(
            visit_id=visit.pk, user=request.user, base_version=data["version"],
            values=form.values(), idempotency_key=data["idempotency_key"] or "",
            visited_at=data["visited_at"])
    except ValidationError as error:
        forms.add_service_errors(form, error)
        if wants_json:
            return JsonResponse({"ok": False, "errors": form.errors.get_json_data()}, status=400)
        return render(request, "outreach/visit_conflict.html",
                      {"visit": visit, "form": form, "rows": []}, status=400)
    access_log_write(request=request, action=AccessLog.Action.UPDATE, object_type="visit",
                     object_id=visit.pk, household_id=visit.household_id)
    if result.status == CONFLICT:
        if wants_json:
            return JsonResponse({"ok": False, "conflict": True,
                                 "version": result.visit.version}, status=409)
        return render(request, "outreach/visit_conflict.html", {
            "visit": result.visit, "form": form, "new_key": uuid.uuid4(),
            "rows": _conflict_rows(form, form.values(), result.server),
        }, status=409)
    if result.status == APPLIED:
        messages.success(request, _("방문 결과를 기록했습니다."))
    rrn_masked_notify(request, form.rrn_masked)
    if wants_json:
        return JsonResponse({"ok": True, "status": result.status, "version": result.visit.version,
                             "redirect": reverse("day_list")},
                            status=201 if result.status == APPLIED else 200)
    return redirect("day_list")
