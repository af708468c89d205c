"""Dashboard pages: the district's and a dong team's, the printable monthly report,
the discovery targets, and exports of any table. Views parse input and render;
every figure comes from outreach.dashboards."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from households.exports import ExportForm, export_response
from households.models import Role
from households.selectors import scope_of
from outreach.dashboards.base import (
    Table,
    dashboard_scope,
    discovered_by_dong,
    targets_for,
    year_range,
)
from outreach.dashboards.charts import chart_svg
from outreach.dashboards.forms import PeriodForm, TargetForm, TargetsYearForm
from outreach.dashboards.maps import district_map
from outreach.dashboards.panels.registry import (
    dashboard_tables,
    export_table,
    panel_get,
    panels_available,
)
from outreach.dashboards.services import discovery_targets_save

# Units after an exported column's name, in the reader's language.
UNITS = {"pct": "%", "days": gettext_lazy("일"), "ratio": gettext_lazy("배"),
         "krw": gettext_lazy("원")}


def cell_text(value, kind: str) -> str:
    """Korean display of one figure: 1,234 · 45.5% · 2.5일 · 1.80배 · 1,234,000원."""
    if value is None or value == "":
        return "—" if kind != "text" else ""
    if kind == "text":
        return str(value)
    if kind == "pct":
        # number_format cuts digits off; round first so 2/3 reads 66.7%, not 66.6%.
        return f"{number_format(round(value * 100, 1), 1)}%"
    if kind == "days":
        return _("%(n)s일") % {"n": number_format(round(value, 1), 1)}
    if kind == "num":
        return number_format(round(value, 1), 1)
    if kind == "ratio":
        return _("%(n)s배") % {"n": number_format(round(value, 2), 2)}
    if kind == "krw":
        return _("%(amount)s원") % {"amount": number_format(int(value), force_grouping=True)}
    return number_format(int(value), force_grouping=True)


def export_cell(value, kind: str):
    """A figure as a spreadsheet number (percent as 45.5, not 0.455)."""
    if value is None:
        return ""
    if kind == "pct":
        return round(value * 100, 1)
    if kind in ("days", "num"):
        return round(value, 1)
    if kind == "ratio":
        return round(value, 2)
    return value


@dataclass
class PanelView:
    table: Table
    html_id: str
    svg: str
    rows: list
    total: list | None


def _panel_view(table: Table) -> PanelView:
    html_id = f"table-{table.name}"
    kinds = [c.kind for c in table.columns]

    def cells(row):
        return [(cell_text(v, k), k != "text") for v, k in zip(row, kinds, strict=True)]

    return PanelView(
        table=table, html_id=html_id, svg=chart_svg(table, html_id),
        rows=[cells(r) for r in table.rows],
        total=cells(table.total) if table.total else None,
    )


def _period(request, data):
    """(form, period): an impossible period is the form's error, shown with a 400."""
    form = PeriodForm(data)
    return form, (form.period if form.is_valid() else None)


def _render_dashboard(request, *, district: bool):
    scope = dashboard_scope(request.user, dong_id=request.GET.get("dong"),
                                       district=district)
    form, period = _period(request, request.GET)
    context = {
        "district": district,
        "heading": _("구 복지 현황") if district else _("동 복지 현황"),
        "dash_scope": scope,
        "form": form,
        "period": period,
        "url_name": "dashboard_district" if district else "dashboard_dong",
    }
    if period is None:
        return render(request, "outreach/dashboard.html", context, status=400)
    computed = dashboard_tables(scope, period)
    sections = [(title, [_panel_view(t) for t in tables]) for title, tables in computed]
    # The map of the dongs opens the page (a dong's own page has no map).
    dong_map = None if scope.one_dong else district_map(
        scope, period, request.GET.get("map"),
        tables={t.name: t for _title, tables in computed for t in tables})
    context.update(
        sections=sections,
        dong_map=dong_map,
        no_data=all(p.table.is_empty for _t, panels in sections for p in panels
                    if p.table.period_bound),
        export_query={**period.as_query(), "dong": scope.one_dong.pk if scope.one_dong else ""},
        report_query=_query({**period.as_query(),
                             "dong": scope.one_dong.pk if scope.one_dong else ""}),
    )
    return render(request, "outreach/dashboard.html", context)


def _query(params: dict) -> str:
    from urllib.parse import urlencode

    return urlencode({k: v for k, v in params.items() if v not in ("", None)})


@login_required
def district_dashboard(request):
    return _render_dashboard(request, district=True)


@login_required
def dong_dashboard(request):
    return _render_dashboard(request, district=False)


@login_required
def dashboard_home(request):
    """/dashboard/: the district's page for admins, the dong page for everyone else."""
    if scope_of(request.user).has(Role.DISTRICT_ADMIN):
        return redirect("dashboard_district")
    return redirect("dashboard_dong")


@login_required
def monthly_report(request):
    """One month (or period) of every aggregate on A4, without names or forms."""
    scope = dashboard_scope(request.user, dong_id=request.GET.get("dong"))
    data = request.GET
    if not any(data.get(k) for k in ("start", "end", "year")):
        # A monthly report defaults to last month, the one just finished.
        last_month = f"{timezone.localdate().replace(day=1) - timedelta(days=1):%Y-%m}"
        data = {**data.dict(), "start": last_month, "end": last_month}
    form, period = _period(request, data)
    context = {"dash_scope": scope, "form": form, "period": period}
    if period is None:
        return render(request, "outreach/report.html", context, status=400)
    panels = [p for p in panels_available() if p.name != "overdue_alerts"]
    context["sections"] = [
        (title, [_panel_view(t) for t in tables])
        for title, tables in dashboard_tables(scope, period, panels)
    ]
    context["printed_at"] = timezone.localtime()
    return render(request, "outreach/report.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def dashboard_export(request, name: str):
    """GET asks for a reason; POST with one sends the file and writes the access log."""
    panel = panel_get(name)
    data = request.POST if request.method == "POST" else request.GET
    scope = dashboard_scope(request.user, dong_id=data.get("dong"))
    period_form, period = _period(request, data)
    context = {"panel": panel, "period_form": period_form, "period": period,
               "dash_scope": scope}
    if period is None:
        context["form"] = ExportForm(initial={"format": data.get("format", "xlsx")})
        return render(request, "outreach/export.html", context, status=400)
    context["hidden"] = {**period.as_query(),
                         "dong": scope.one_dong.pk if scope.one_dong else ""}
    if request.method == "GET":
        context["form"] = ExportForm(initial={"format": data.get("format") or "xlsx"})
        return render(request, "outreach/export.html", context)
    form = ExportForm(request.POST)
    if not form.is_valid():
        context["form"] = form
        return render(request, "outreach/export.html", context, status=400)
    table = export_table(panel, scope, period)
    header = [f"{c.label}({UNITS[c.kind]})" if c.kind in UNITS else str(c.label)
              for c in table.columns]
    kinds = [c.kind for c in table.columns]
    rows = [[export_cell(v, k) for v, k in zip(row, kinds, strict=True)] for row in table.rows]
    if table.total:
        rows.append([export_cell(v, k) for v, k in zip(table.total, kinds, strict=True)])
    where = str(scope.one_dong) if scope.one_dong else _("전체")
    return export_response(
        request=request, fmt=form.cleaned_data["format"],
        filename=f"{table.title} {period.label} {where}", header=header, rows=rows,
        reason=form.cleaned_data["reason"], object_type="dashboard", object_id=panel.name,
        sheet_title=period.label,
    )


@login_required
@require_http_methods(["GET", "POST"])
def discovery_targets(request):
    """발굴 목표: the district admin sets each dong's yearly target."""
    scope = scope_of(request.user)
    if not scope.has(Role.DISTRICT_ADMIN):
        raise PermissionDenied(_("발굴 목표는 구 관리자만 정할 수 있습니다."))
    dash_scope = dashboard_scope(request.user, district=True)
    year_form = TargetsYearForm(request.POST if request.method == "POST" else
                                (request.GET or {"year": timezone.localdate().year}))
    if not year_form.is_valid():
        return render(request, "outreach/targets.html",
                      {"year_form": year_form, "rows": []}, status=400)
    year = year_form.cleaned_data["year"]
    current = targets_for(dash_scope.dong_ids, year)
    last_year = discovered_by_dong(dash_scope.dong_ids,
                                              *year_range(year - 1))
    forms_by_dong = []
    for dong in dash_scope.dongs:
        target, is_default = current[dong.pk]
        initial = {"target": None if is_default else target}
        form = TargetForm(request.POST if request.method == "POST" else None,
                          prefix=f"dong-{dong.pk}", initial=initial)
        forms_by_dong.append((dong, form, target, is_default, last_year.get(dong.pk, 0)))
    if request.method == "POST":
        if all(form.is_valid() for _d, form, *_rest in forms_by_dong):
            changed = discovery_targets_save(
                year=year, by=request.user,
                targets={d.pk: form.cleaned_data["target"] for d, form, *_r in forms_by_dong},
            )
            messages.success(request, _("%(year)d년 발굴 목표를 저장했습니다 (%(n)d개 동 변경).")
                             % {"year": year, "n": changed})
            return redirect(f"{reverse('dashboard_targets')}?year={year}")
        return render(request, "outreach/targets.html",
                      {"year_form": year_form, "year": year, "rows": forms_by_dong,
                       "has_errors": True}, status=400)
    return render(request, "outreach/targets.html",
                  {"year_form": year_form, "year": year, "rows": forms_by_dong})
