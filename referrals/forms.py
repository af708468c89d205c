"""Forms of referrals pages.

[3/5] adds the referral forms; [4/5] the service-link forms below.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from households.models import Organization
from referrals.models import Service

# ---------------------------------------------------------------------------
# [4/5] Service links
# ---------------------------------------------------------------------------


class ServiceLinkRequestForm(forms.Form):
    service = forms.ModelChoiceField(label=_("서비스"), queryset=Service.objects.none())
    provider = forms.ModelChoiceField(label=_("제공기관"), queryset=Organization.objects.none())
    note = forms.CharField(label=_("요청 내용"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(active=True).order_by(
            "sector", "name")
        self.fields["service"].label_from_instance = lambda s: (
            f"{s.name} ({s.get_sector_display()})"
        )
        self.fields["provider"].queryset = Organization.objects.filter(
            active=True, services__isnull=False
        ).distinct().order_by("name")

    def clean(self):
        data = super().clean()
        service, provider = data.get("service"), data.get("provider")
        if service and provider and not service.providers.filter(pk=provider.pk).exists():
            self.add_error("provider", _("%(org)s은(는) '%(service)s'을(를) 제공하지 않습니다.")
                           % {"org": provider.name, "service": service.name})
        return data


class ServiceLinkCancelForm(forms.Form):
    link = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("취소 사유"), required=False, max_length=300)


class ServiceLinkAnswerForm(forms.Form):
    """The partner's answer: accept, decline (with a reason), start or complete (with 환가액)."""

    answer = forms.ChoiceField(choices=[("accept", _("수락")), ("decline", _("거절")),
                                        ("start", _("제공 시작")), ("complete", _("완료"))])
    reason = forms.CharField(label=_("거절 사유"), required=False, max_length=300)
    actual_value = forms.IntegerField(label=_("환가액(원)"), required=False, min_value=0,
                                      max_value=10_000_000_000)

    def clean(self):
        data = super().clean()
        if data.get("answer") == "decline" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("거절 사유를 적어 주세요."))
        if data.get("answer") == "complete" and data.get("actual_value") is None:
            self.add_error("actual_value", _("완료하려면 환가액(원)을 적어 주세요."))
        return data


# ---------------------------------------------------------------------------
# end [4/5]
# ---------------------------------------------------------------------------
