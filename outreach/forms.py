from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households.models import Dong
from outreach.selectors import INBOX_STATUSES, SOURCE_ALERT, InboxFilters
from referrals.models import CloseReason, Concern, Referral


class InboxFilterForm(forms.Form):
    dong = forms.ModelChoiceField(label=_("행정동"), queryset=Dong.objects.none(),
                                  required=False, empty_label=_("전체"),
                                  error_messages={"invalid_choice": _("담당 동이 아닙니다.")})
    source = forms.ChoiceField(
        label=_("경로"), required=False,
        choices=[("", _("전체")), (SOURCE_ALERT, _("위기정보 발굴"))] + Referral.Channel.choices,
    )
    category = forms.ChoiceField(label=_("걱정되는 점"), required=False,
                                 choices=[("", _("전체"))] + Concern.choices)
    status = forms.ChoiceField(label=_("상태"), required=False,
                               choices=[("", _("전체"))] + INBOX_STATUSES)
    mine = forms.BooleanField(label=_("내 담당만"), required=False)

    def __init__(self, *args, dongs=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if dongs is not None:
            self.fields["dong"].queryset = dongs

    def filters(self) -> InboxFilters:
        if not self.is_bound or not self.is_valid():
            return InboxFilters()
        data = self.cleaned_data
        return InboxFilters(
            dong_ids=[data["dong"].pk] if data.get("dong") else [],
            source=data.get("source") or "", category=data.get("category") or "",
            status=data.get("status") or "", mine=bool(data.get("mine")),
        )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("담당자"), queryset=None,
        error_messages={"invalid_choice": _("지정할 수 없는 담당자입니다."),
                        "required": _("담당자를 골라 주세요.")},
    )

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff


class BulkAssignForm(AssignForm):
    items = forms.MultipleChoiceField(label=_("항목"), choices=(), error_messages={
        "required": _("담당자를 지정할 항목을 하나 이상 골라 주세요.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Item keys are checked against the user's queue by the view (404 for others).
        self.fields["items"].choices = [(v, v) for v in self.data.getlist("items")] \
            if hasattr(self.data, "getlist") else []


class VisitForm(forms.Form):
    scheduled_for = forms.DateTimeField(
        label=_("방문 일시"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": _("방문 일시를 적어 주세요."),
                        "invalid": _("방문 일시 형식이 올바르지 않습니다 (예: 2026-11-25 14:00).")},
    )

    def clean_scheduled_for(self):
        value = self.cleaned_data["scheduled_for"]
        if value < timezone.now() - timedelta(days=1):
            raise forms.ValidationError(_("지난 날짜로는 방문을 잡을 수 없습니다."))
        return value


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("종결 사유"), choices=[("", _("사유 선택"))]
                               + CloseReason.choices,
                               error_messages={"required": _("종결 사유를 골라 주세요."),
                                               "invalid_choice": _("목록에 없는 사유입니다.")})
    note = forms.CharField(label=_("메모"), required=False, max_length=1000,
                           widget=forms.TextInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == CloseReason.OTHER and not cleaned.get("note", "").strip():
            self.add_error("note", _("'기타' 사유는 메모에 내용을 적어 주세요."))
        return cleaned


class MergeForm(forms.Form):
    target = forms.CharField(label=_("남길 항목 (예: R-12, A-5)"), max_length=20,
                             error_messages={"required": _("병합해 남길 항목을 골라 주세요.")})


class ExportForm(forms.Form):
    reason = forms.CharField(label=_("내보내는 사유"), min_length=4, max_length=300,
                             error_messages={"required": _("내보내는 사유를 적어 주세요."),
                                             "min_length": _("사유를 4자 이상 적어 주세요.")})
