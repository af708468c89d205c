"""Dashboard forms: the period picker (months) and the discovery-target editor."""

import re
from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households.particles import particles_fix
from outreach.dashboards.base import Period

MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
MAX_MONTHS = 60
YEARS = (2000, 2100)


def _month(value: str, label) -> date:
    match = MONTH.match(value.strip())
    if not match:
        raise forms.ValidationError(particles_fix(
            _("%(label)s '%(value)s'은(는) 올바른 월이 아닙니다. 2026-03처럼 연-월로 적어 주세요.")
            % {"label": label, "value": value[:20]}))
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        raise forms.ValidationError(
            _("%(label)s '%(value)s': 월은 1에서 12 사이여야 합니다."),
            params={"label": label, "value": value},
        )
    if not YEARS[0] <= year <= YEARS[1]:
        raise forms.ValidationError(
            _("%(label)s '%(value)s': 연도는 %(lo)d년에서 %(hi)d년 사이여야 합니다."),
            params={"label": label, "value": value, "lo": YEARS[0], "hi": YEARS[1]},
        )
    return date(year, month, 1)


class PeriodForm(forms.Form):
    """기간: whole months from start to end, or one calendar year."""

    start = forms.CharField(label=_("시작 월"), required=False, max_length=7,
                            widget=forms.TextInput(attrs={"type": "month",
                                                          "placeholder": "2026-01"}))
    end = forms.CharField(label=_("종료 월"), required=False, max_length=7,
                          widget=forms.TextInput(attrs={"type": "month",
                                                        "placeholder": "2026-03"}))
    year = forms.IntegerField(label=_("또는 연도"), required=False,
                              error_messages={"invalid": _("연도는 숫자로 적어 주세요.")})

    def clean_start(self):
        value = self.cleaned_data.get("start") or ""
        return _month(value, _("시작 월")) if value.strip() else None

    def clean_end(self):
        value = self.cleaned_data.get("end") or ""
        return _month(value, _("종료 월")) if value.strip() else None

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year is not None and not YEARS[0] <= year <= YEARS[1]:
            raise forms.ValidationError(
                _("연도 %(year)s: %(lo)d년에서 %(hi)d년 사이여야 합니다."),
                params={"year": year, "lo": YEARS[0], "hi": YEARS[1]},
            )
        return year

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        start, end, year = data.get("start"), data.get("end"), data.get("year")
        if year and not (start or end):
            data["period"] = Period.year(year)
            return data
        default = Period.default(timezone.localdate())
        start = start or (end.replace(month=1) if end else default.start)
        end = end or (default.end if start <= default.end else start)
        if end < start:
            raise forms.ValidationError(
                _("종료 월(%(end)s)이 시작 월(%(start)s)보다 앞섭니다. 기간을 다시 골라 주세요."),
                params={"start": f"{start:%Y-%m}", "end": f"{end:%Y-%m}"},
            )
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        if months > MAX_MONTHS:
            raise forms.ValidationError(
                _("기간은 최대 %(max)d개월까지 볼 수 있습니다 (선택: %(n)d개월)."),
                params={"max": MAX_MONTHS, "n": months},
            )
        data["period"] = Period(start, end)
        return data

    @property
    def period(self) -> Period:
        return self.cleaned_data["period"]


class TargetsYearForm(forms.Form):
    year = forms.IntegerField(label=_("연도"), min_value=YEARS[0], max_value=YEARS[1],
                              error_messages={
                                  "invalid": _("연도는 숫자로 적어 주세요."),
                                  "min_value": _("연도는 %(limit_value)s년 이후여야 합니다."),
                                  "max_value": _("연도는 %(limit_value)s년 이전이어야 합니다."),
                              })


class TargetForm(forms.Form):
    """One dong's target for the year; blank means "use the default"."""

    target = forms.IntegerField(label=_("목표(가구)"), required=False, min_value=0,
                                max_value=100000,
                                error_messages={
                                    "invalid": _("목표는 0 이상의 정수로 적어 주세요."),
                                    "min_value": _("목표는 0 이상이어야 합니다."),
                                    "max_value": _("목표가 너무 큽니다 (최대 100,000)."),
                                })
