from django import forms
from django.utils.translation import gettext_lazy as _

from households.models import Organization
from outreach.models import RiskModel
from outreach.signal_kinds import SIGNAL_KINDS

ENCODING_CHOICES = [
    ("auto", _("자동 감지")),
    ("cp949", "CP949 / EUC-KR"),
    ("utf-8", "UTF-8"),
    ("utf-8-sig", _("UTF-8 (BOM)")),
]


class SignalUploadForm(forms.Form):
    source = forms.ModelChoiceField(
        label=_("제공 기관"), queryset=Organization.objects.none(), to_field_name="code",
        empty_label=None,
    )
    file = forms.FileField(label=_("파일 (CSV 또는 XLSX)"))
    encoding = forms.ChoiceField(label=_("문자 인코딩"), choices=ENCODING_CHOICES,
                                 initial="auto")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = Organization.objects.filter(
            active=True, code__isnull=False,
            kind__in=[Organization.Kind.PUBLIC, Organization.Kind.UTILITY,
                      Organization.Kind.HEALTH],
        ).order_by("name")
        self.fields["file"].widget.attrs["accept"] = ".csv,.tsv,.txt,.xlsx"


MODEL_FIELDS = [
    "threshold", "level_medium", "level_high", "level_critical", "half_life_days",
    "month_factor", "amount_factor", "bonus_alone_cutoff", "bonus_two_cutoffs",
    "bonus_elderly", "bonus_many_kinds",
]


class RiskModelForm(forms.ModelForm):
    """The model's numbers plus one weight field per signal kind (weight_<code>)."""

    note = forms.CharField(label=_("변경 사유"), max_length=200, required=False)

    class Meta:
        model = RiskModel
        fields = MODEL_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        weights = (self.instance.weights if self.instance else None) or {}
        for kind in SIGNAL_KINDS:
            self.fields[f"weight_{kind.code}"] = forms.IntegerField(
                label=kind.label, min_value=0, max_value=100,
                initial=weights.get(kind.code, kind.weight),
            )
        for name in ("threshold", "level_medium", "level_high", "level_critical"):
            self.fields[name].max_value = 100
            self.fields[name].widget.attrs["max"] = 100

    def weight_fields(self):
        return [self[f"weight_{kind.code}"] for kind in SIGNAL_KINDS]

    def model_fields(self):
        return [self[name] for name in MODEL_FIELDS]

    def clean(self):
        data = super().clean()
        levels = [data.get(n) for n in ("level_medium", "level_high", "level_critical")]
        if None not in levels and not levels[0] <= levels[1] <= levels[2]:
            raise forms.ValidationError(_("주의 ≤ 위기 ≤ 긴급 기준 순서여야 합니다."))
        for name in ("threshold", "level_critical"):
            if data.get(name) is not None and data[name] > 100:
                self.add_error(name, _("100 이하여야 합니다."))
        return data

    def model_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in MODEL_FIELDS}
        data["weights"] = {kind.code: self.cleaned_data[f"weight_{kind.code}"]
                           for kind in SIGNAL_KINDS}
        return data
