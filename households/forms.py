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
