"""Free text people type is redacted on the way in (PRODUCT §4: no plain RRN in any note).

Three pieces, for every app's forms, serializers and views:

- ``RRNRedactingFormMixin``: put it first in a form's bases; every free-text field
  (``CharField`` and its subclasses, not choices) comes out of cleaning with each
  resident registration number masked, and ``form.rrn_masked`` counts them.
- ``RRNRedactingSerializerMixin``: the same for a DRF serializer
  (``serializer.rrn_masked`` after ``is_valid()``).
- ``rrn_masked_notify(request, masked)`` on a page, ``rrn_masked_mark(response, masked)``
  on an API response: the writer is told a number was masked.
"""

from django import forms
from django.contrib import messages
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from households.rrn import rrn_redact_text

RRN_MASKED_NOTE = _("주민등록번호로 보이는 숫자를 가려서 저장했습니다.")
# An API client reads the count of masked numbers in this header.
RRN_MASKED_HEADER = "X-RRN-Masked"


def _redact_field(value, max_length):
    if not isinstance(value, str):
        return value, 0
    text, masked = rrn_redact_text(value)
    # "9001011234567" masks to 14 characters; the column still has to hold it.
    if masked and max_length:
        text = text[:max_length]
    return text, masked


class RRNRedactingFormMixin:
    """Masks RRNs in every free-text field after cleaning, before a ModelForm builds
    its instance. Fields that take an RRN on purpose (to hash it) go in
    ``rrn_redact_exclude``."""

    rrn_redact_exclude: tuple[str, ...] = ("rrn",)
    rrn_masked = 0

    def _post_clean(self):
        self.rrn_masked = 0
        for name, field in self.fields.items():
            if (name in self.rrn_redact_exclude or name not in self.cleaned_data
                    or not isinstance(field, forms.CharField)):
                continue
            self.cleaned_data[name], masked = _redact_field(self.cleaned_data[name],
                                                            field.max_length)
            self.rrn_masked += masked
        super()._post_clean()


class RRNRedactingSerializerMixin:
    """Masks RRNs in every free-text field of the validated data."""

    rrn_redact_exclude: tuple[str, ...] = ("rrn",)
    rrn_masked = 0

    def run_validation(self, data=serializers.empty):
        value = super().run_validation(data)
        self.rrn_masked = 0
        if not isinstance(value, dict):
            return value
        for name, field in self.fields.items():
            key = field.source if field.source and field.source != "*" else name
            if (name in self.rrn_redact_exclude or key not in value
                    or not isinstance(field, serializers.CharField)):
                continue
            value[key], masked = _redact_field(value[key], field.max_length)
            self.rrn_masked += masked
        return value


def rrn_masked_notify(request, masked: int) -> None:
    """Tell the writer on the next page that a number in what they typed was masked."""
    if masked:
        messages.info(request, RRN_MASKED_NOTE, fail_silently=True)


def rrn_masked_mark(response, masked: int):
    """The API's note to the writer: a header with how many numbers were masked."""
    if masked:
        response[RRN_MASKED_HEADER] = str(masked)
    return response
