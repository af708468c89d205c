"""Forms of the households pages: the access-log filter."""

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households.models import AccessLog


class AccessLogFilterForm(forms.Form):
    username = forms.CharField(label=_("사용자"), required=False, max_length=150)
    household = forms.IntegerField(label=_("가구 번호"), required=False, min_value=1)
    action = forms.ChoiceField(
        label=_("행위"), required=False, choices=[("", _("전체"))] + AccessLog.Action.choices
    )
    date_from = forms.DateField(label=_("시작일"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("종료일"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("시작일이 종료일보다 늦습니다."))
        return data

    def apply(self, entries):
        data = self.cleaned_data
        tz = timezone.get_current_timezone()
        if data.get("username"):
            entries = entries.filter(username=data["username"])
        if data.get("household"):
            entries = entries.filter(household_id=data["household"])
        if data.get("action"):
            entries = entries.filter(action=data["action"])
        if data.get("date_from"):
            entries = entries.filter(at__gte=datetime.combine(data["date_from"], time.min, tz))
        if data.get("date_to"):
            end = datetime.combine(data["date_to"] + timedelta(days=1), time.min, tz)
            entries = entries.filter(at__lt=end)
        return entries


class HistoryExportForm(forms.Form):
    """The auditor's change history of a period, as CSV, with the reason it is taken out."""

    MAX_DAYS = 93

    date_from = forms.DateField(label=_("시작일"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("종료일"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        label=_("내보내는 사유"), max_length=300, min_length=2,
        error_messages={"required": _("내보내는 사유를 적어 주세요."),
                        "min_length": _("사유를 두 글자 이상 적어 주세요.")},
        help_text=_("예: 3월 정기 점검"),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if start > end:
                raise forms.ValidationError(_("시작일이 종료일보다 늦습니다."))
            if (end - start).days >= self.MAX_DAYS:
                raise forms.ValidationError(
                    _("한 번에 %(days)s일까지 내보낼 수 있습니다.") % {"days": self.MAX_DAYS})
        if data.get("reason"):
            data["reason"] = " ".join(data["reason"].split())
        return data

    @property
    def period(self) -> tuple[datetime, datetime]:
        tz = timezone.get_current_timezone()
        data = self.cleaned_data
        return (datetime.combine(data["date_from"], time.min, tz),
                datetime.combine(data["date_to"] + timedelta(days=1), time.min, tz))


class AccessMonthForm(forms.Form):
    """Which month the auditor looks at (YYYY-MM)."""

    month = forms.DateField(label=_("월"), input_formats=["%Y-%m"], required=False,
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))


class AccessReviewForm(forms.Form):
    note = forms.CharField(label=_("점검 의견"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": _("점검 의견을 적어 주세요.")})
