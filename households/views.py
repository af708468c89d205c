"""Household pages: home, the household list and record, the access log, health and errors."""

import hashlib
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from households import selectors, services
from households.break_glass import break_glass_gate
from households.dates import add_months
from households.exports import ExportForm, export_response
from households.filters import HouseholdFilter
from households.forms import AccessLogFilterForm, AccessMonthForm, AccessReviewForm
from households.models import AccessLog, Role

PAGE_SIZE = 50


@login_required
def home(request):
    scope = selectors.scope_of(request.user)
    return render(request, "households/home.html", {"scope": scope, "Role": Role})


def require_records(user):
    if not selectors.scope_of(user).sees_records:
        raise PermissionDenied(_("가구 기록을 볼 권한이 없습니다."))


@login_required
def household_list(request):
    require_records(request.user)
    household_filter = HouseholdFilter(
        request.GET or None, queryset=selectors.household_list(request.user), user=request.user
    )
    queryset = household_filter.qs if household_filter.is_bound else household_filter.queryset
    if (request.GET.get("q") or "").strip():
        # A search of the registry is a look at personal data: the auditor sees who searched.
        services.access_log_write(request=request, action=AccessLog.Action.VIEW,
                                  object_type="household_search")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "households/household_list.html",
        {"filter": household_filter, "page": page, "query": query.urlencode()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_detail(request, household_id: int):
    household = selectors.household_detail(request.user, household_id)
    gate = break_glass_gate(request, household)
    if gate is not None:
        return gate
    services.access_log_write(
        request=request,
        action=AccessLog.Action.VIEW,
        object_type="household",
        object_id=household.pk,
        household_id=household.pk,
    )
    return render(
        request,
        "households/household_detail.html",
        {"household": household, "members": selectors.household_members(household)},
    )


@login_required
def access_log(request):
    entries = selectors.access_log_entries(request.user)
    if not selectors.scope_of(request.user).has(Role.AUDITOR, Role.DISTRICT_ADMIN):
        raise PermissionDenied(_("접속기록은 개인정보 보호책임자만 볼 수 있습니다."))
    form = AccessLogFilterForm(request.GET or None)
    if form.is_valid():
        entries = form.apply(entries)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # Records opened outside one's own work, with the reason given: the auditor sees these
    # first (the newest 20; the whole log below has them all).
    break_glass = selectors.access_log_entries(request.user).filter(
        object_type="break_glass")[:20]
    return render(
        request,
        "households/access_log.html",
        {"form": form, "page": page, "query": query.urlencode(), "break_glass": break_glass},
    )


@login_required
@require_http_methods(["GET", "POST"])
def access_month(request):
    """월별 접속기록 점검: the month's unusual access, the reviews, a review, the export."""
    if not selectors.scope_of(request.user).has(Role.AUDITOR):
        raise PermissionDenied(_("접속기록 점검은 개인정보 보호책임자만 할 수 있습니다."))
    month_form = AccessMonthForm(request.GET or None)
    month = add_months(timezone.localdate().replace(day=1), -1)
    if month_form.is_valid() and month_form.cleaned_data["month"]:
        month = month_form.cleaned_data["month"].replace(day=1)
    report = selectors.access_month_report(request.user, month)
    action = request.POST.get("action") if request.method == "POST" else None
    review_form = AccessReviewForm(request.POST if action == "review" else None)
    export_form = ExportForm(request.POST if action == "export" else None)
    if action == "review" and review_form.is_valid():
        try:
            services.access_review_mark(user=request.user, month=month,
                                        note=review_form.cleaned_data["note"])
        except ValidationError as error:
            review_form.add_error(None, error)
        else:
            return redirect(f"{request.path}?month={month:%Y-%m}")
    if action == "export" and export_form.is_valid():
        return export_response(
            request=request, fmt=export_form.cleaned_data["format"],
            filename=_("접속기록점검"), header=ACCESS_REVIEW_HEADER,
            rows=_access_review_rows(report), reason=export_form.cleaned_data["reason"],
            object_type="export:access_review", object_id=f"review-{month:%Y%m}")
    return render(request, "households/access_month.html", {
        "report": report, "month_form": month_form, "review_form": review_form,
        "export_form": export_form, "month": month,
    }, status=400 if action else 200)


@login_required
@require_http_methods(["GET", "POST"])
def retention(request):
    """보존기간 경과: households inactive for RETENTION_YEARS; the auditor approves their
    anonymisation (a task removes names, contacts and addresses)."""
    if not selectors.scope_of(request.user).has(Role.AUDITOR):
        raise PermissionDenied(_("익명 처리 승인은 개인정보 보호책임자만 할 수 있습니다."))
    inactive = selectors.households_inactive(request.user)
    if request.method == "POST":
        chosen = inactive.filter(pk__in=[v for v in request.POST.getlist("household")
                                         if v.isdigit()])
        if not chosen.exists():
            messages.error(request, _("익명 처리할 가구를 고르세요."))
        else:
            count = services.households_anonymisation_approve(user=request.user,
                                                              households=list(chosen))
            services.access_log_write(request=request, action=AccessLog.Action.DELETE,
                                      object_type="anonymisation", object_id=count,
                                      reason=_("보존기간 경과 익명 처리 승인 %(n)s가구") % {
                                          "n": count})
            messages.success(request, _("%(n)s가구의 익명 처리를 승인했습니다.") % {"n": count})
        return redirect("retention")
    page = Paginator(inactive, PAGE_SIZE).get_page(request.GET.get("page"))
    services.access_log_shown(request=request, object_type="retention_list",
                              records=[(h.pk, h.pk) for h in page])
    return render(request, "households/retention.html", {
        "page": page, "query": "", "years": settings.RETENTION_YEARS})


ACCESS_REVIEW_HEADER = (gettext_lazy("구분"), gettext_lazy("일시"), gettext_lazy("사용자"),
                        gettext_lazy("건수"), gettext_lazy("가구 번호"), gettext_lazy("대상"),
                        gettext_lazy("사유"))


def _access_review_rows(report):
    for row in report["many_views"]:
        yield (_("다량 조회"), "", row["username"], row["n"], "", "", "")
    for row in report["after_hours"]:
        yield (_("업무시간 외 조회"), "", row["username"], row["n"], "", "", "")
    for kind, entries in ((_("내보내기"), report["exports"]),
                          (_("업무 밖 열람 (사유)"), report["break_glass"]),
                          (_("동의 없이 서비스 연계"), report["overrides"])):
        for e in entries:
            yield (kind, e.at, e.username, 1, e.household_id, e.object_type, e.reason)
    for review in report["reviews"]:
        yield (_("점검 의견"), review.reviewed_at, review.reviewed_by.get_username(), "", "", "",
               review.note)


@require_GET
def healthz(request):
    checks, healthy = {}, True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 — any failure means unhealthy
        checks["database"] = f"error: {exc.__class__.__name__}"
        healthy = False
    if settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = "embedded"
    else:
        from config.celery import app

        try:
            with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["broker"] = f"error: {exc.__class__.__name__}"
            healthy = False
    checks["status"] = "ok" if healthy else "unavailable"
    return JsonResponse(checks, status=200 if healthy else 503)


def _error(request, status: int, message: str):
    """The error page, or for the API (under /api/) DRF's shape: {"detail": "…"}."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(message)}, status=status)
    return render(request, "errors/error.html", {"status": status, "message": message},
                  status=status)


def error_400(request, exception=None):
    return _error(request, 400, _("요청을 처리할 수 없습니다. 입력을 확인해 주세요."))


def error_403(request, exception=None):
    message = str(exception) if exception and str(exception) else ""
    message = message or _("이 페이지를 볼 권한이 없습니다.")
    return _error(request, 403, message)


def error_404(request, exception=None):
    return _error(request, 404, _("찾는 기록이 없거나 볼 수 있는 범위 밖입니다."))


def error_500(request):
    return _error(request, 500, _("일시적인 오류입니다. 잠시 후 다시 시도해 주세요."))


# --- the installable web app: its service worker, and a sign-out that empties the device

# The pages that open with no connection after one visit online (url names; each view
# still decides who may open it: a copy is kept only of a page the user got).
OFFLINE_PAGES = ("volunteer_refer", "check_ins", "day_list")
OFFLINE_ASSETS = ("css/doorstep.css", "vendor/htmx-2.0.11.min.js", "js/doorstep.js",
                  "js/offline.js", "js/referral-offline.js", "js/visit-offline.js",
                  "manifest.webmanifest", "icons/doorstep.svg", "icons/doorstep-192.png")


@require_GET
def service_worker(request):
    """/sw.js from the site's root, so its scope covers every page it keeps offline."""
    pages = [reverse(name) for name in OFFLINE_PAGES]
    assets = [static(path) for path in OFFLINE_ASSETS] + [reverse("javascript-catalog")]
    version = hashlib.sha256("\n".join(pages + assets).encode()).hexdigest()[:12]
    response = render(request, "sw.js", {
        "pages": json.dumps(pages), "assets": json.dumps(assets), "version": version,
    }, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


def sign_out(request, *args, **kwargs):
    """Django's sign-out, telling the browser to drop this site's cache and storage: the
    offline copies and the queue of unsent forms leave the device with the user."""
    response = auth_views.LogoutView.as_view()(request, *args, **kwargs)
    if request.method == "POST":
        response["Clear-Site-Data"] = '"cache", "storage"'
    return response
