"""The dashboards' aggregates as JSON: the same tables the pages draw."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from households.services import access_log_shown
from outreach.dashboards.base import dashboard_scope
from outreach.dashboards.forms import PeriodForm
from outreach.dashboards.panels.registry import SECTIONS, panel_get, panels_available


class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.ChoiceField(
        choices=["text", "int", "num", "pct", "days", "ratio", "krw"],
        help_text="pct is a fraction 0–1; days, num and ratio are decimals; krw is 원.",
    )


class PeriodSerializer(serializers.Serializer):
    start = serializers.CharField(help_text="YYYY-MM")
    end = serializers.CharField(help_text="YYYY-MM")
    label = serializers.CharField()


class TableSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    note = serializers.CharField()
    period = PeriodSerializer()
    dong_ids = serializers.ListField(child=serializers.IntegerField())
    columns = ColumnSerializer(many=True)
    rows = serializers.ListField(child=serializers.ListField(child=serializers.JSONField()))
    total = serializers.ListField(child=serializers.JSONField(), allow_null=True)
    is_empty = serializers.BooleanField(help_text="True when every figure is zero.")
    people = serializers.BooleanField(help_text="Rows name people (masked).")
    row_count = serializers.IntegerField(allow_null=True)


class PanelInfoSerializer(serializers.Serializer):
    name = serializers.CharField()
    section = serializers.CharField()
    section_label = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


PERIOD_PARAMETERS = [
    OpenApiParameter("start", OpenApiTypes.STR, description="첫 달 YYYY-MM"),
    OpenApiParameter("end", OpenApiTypes.STR, description="마지막 달 YYYY-MM"),
    OpenApiParameter("year", OpenApiTypes.INT, description="start/end 대신 한 해 전체"),
    OpenApiParameter("dong", OpenApiTypes.INT, description="한 행정동만 (볼 수 있는 동)"),
]


@extend_schema(tags=["dashboard"])
class PanelListApi(APIView):
    """The dashboard tables available to the caller."""

    @extend_schema(responses=PanelInfoSerializer(many=True))
    def get(self, request):
        dashboard_scope(request.user)
        return Response([
            {"name": p.name, "section": p.section,
             "section_label": str(SECTIONS[p.section])}
            for p in panels_available()
        ])


@extend_schema(tags=["dashboard"])
class PanelApi(APIView):
    """One dashboard table over the caller's dongs (or one of them) and a period."""

    @extend_schema(parameters=PERIOD_PARAMETERS,
                   responses={200: TableSerializer, 400: ErrorSerializer})
    def get(self, request, name: str):
        panel = panel_get(name)
        scope = dashboard_scope(request.user, dong_id=request.query_params.get("dong"))
        form = PeriodForm(request.query_params)
        if not form.is_valid():
            errors = {k: [str(e) for e in v] for k, v in form.errors.items()}
            first = next(iter(errors.values()))[0]
            return Response({"detail": first, "errors": errors},
                            status=status.HTTP_400_BAD_REQUEST)
        period = form.period
        table = panel.function(scope, period)
        if table.people:
            # A people table names households: each one shown is a view of its record.
            keys = [c.key for c in table.columns]
            at = keys.index("household") if "household" in keys else None
            access_log_shown(request=request, object_type=f"dashboard_{table.name}",
                             records=[(row[at] if at is not None else "",
                                       row[at] if at is not None else None)
                                      for row in table.rows])
        return Response(TableSerializer({
            "name": table.name, "title": table.title, "note": table.note,
            "period": {**period.as_query(), "label": period.label},
            "dong_ids": scope.dong_ids,
            "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind}
                        for c in table.columns],
            "rows": table.rows, "total": table.total, "is_empty": table.is_empty,
            "people": table.people, "row_count": table.row_count,
        }).data)
