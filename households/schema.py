"""The OpenAPI schema says every answer an operation can give, refusals included."""

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

# DRF's refusals carry one message: {"detail": "…"} (403, 404).
Refusal = inline_serializer("Refusal", fields={"detail": serializers.CharField()})

# A 400 names each field (or "detail", "non_field_errors") with its messages; a body that
# cannot be parsed answers {"detail": "…"}.
INVALID_INPUT = {
    "type": "object",
    "additionalProperties": {"oneOf": [{"type": "array", "items": {}}, {"type": "string"}]},
    "description": "입력 오류: 항목 → 오류 메시지 (field → messages)",
}


def _blank_in_model(field) -> bool:
    """A read-only choice field of a ModelSerializer whose model field may be blank."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source:
        return False
    try:
        return model._meta.get_field(field.source).blank
    except FieldDoesNotExist:
        return False


class DoorstepAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus:

    - the refusals every operation can give: 403 (not allowed or not signed in); 404 (an
      id in the path or the body out of reach, or a page past the end); 400 where the
      caller sends input (a body or query parameters);
    - "" among the values of a read-only choice whose model field may be blank (DRF drops
      allow_blank from read-only fields, so the enum would say "" is never sent)."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        where = {parameter["in"] for parameter in operation.get("parameters", [])}
        body = "requestBody" in operation
        responses = operation["responses"]
        refusal = {"application/json": {"schema": self.resolve_serializer(
            Refusal, "response").ref}}
        responses.setdefault("403", {"description": "권한이 없습니다 (not allowed)",
                                     "content": refusal})
        if "path" in where or "query" in where or body:
            responses.setdefault("404", {
                "description": "없거나 볼 수 없는 기록 (not found or out of reach)",
                "content": refusal})
        if "query" in where or body:
            responses.setdefault("400", {
                "description": "입력 오류 (invalid input)",
                "content": {"application/json": {"schema": INVALID_INPUT}}})
        return operation

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if (isinstance(field, serializers.ChoiceField) and field.read_only
                and not field.allow_blank and _blank_in_model(field)):
            field.allow_blank = True
        return super()._map_serializer_field(field, direction, bypass_extensions)
