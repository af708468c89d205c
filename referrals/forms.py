"""Forms of referrals pages."""

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from households.addresses import address_key
from households.models import Organization
from households.particles import particles_fix
from households.redaction import RRNRedactingFormMixin
from referrals import selectors
from referrals.models import (
    AGE_BANDS,
    Concern,
    DeclineReason,
    GatekeeperPlace,
    Referral,
    Service,
    ServiceCapacity,
    SharingConsent,
)
from referrals.services import idempotency_key_new
from referrals.services.capacity import capacity_warning

# --- service links


class ProviderSelect(forms.Select):
    """Each provider option carries the ids of the services it offers, so the page can
    offer only the providers of the service chosen (static/js/doorstep.js); without
    JavaScript every provider is listed and the form refuses a mismatch."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-services"] = " ".join(
                str(service.pk) for service in instance.services.all())
        return option


class ServiceLinkRequestForm(RRNRedactingFormMixin, forms.Form):
    service = forms.ModelChoiceField(label=_("서비스"), queryset=Service.objects.none())
    provider = forms.ModelChoiceField(
        label=_("제공기관"), queryset=Organization.objects.none(),
        widget=ProviderSelect(attrs={"data-filter-by": "service"}))
    note = forms.CharField(label=_("요청 내용"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    # Only for holders of referrals.override_consent, when no consent is recorded.
    override_reason = forms.CharField(
        label=_("동의 없이 연계하는 사유"), required=False, max_length=300,
        help_text=_("동의가 기록되지 않은 가구만: 예) 긴급지원, 기다릴 수 없음"))
    # The confirm step before sending to a full or paused service (shown once warned).
    confirm_full = forms.BooleanField(label=_("정원이 찬 줄 알고 보냅니다"), required=False,
                                      label_suffix="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_confirm = False
        # What providers said about their capacity, listed under the form.
        self.capacities = selectors.service_capacities()
        self.fields["service"].queryset = Service.objects.filter(active=True).order_by(
            "sector", "name")
        self.fields["service"].label_from_instance = lambda s: (
            f"{s.name} ({s.get_sector_display()})"
        )
        self.fields["provider"].queryset = Organization.objects.filter(
            active=True, services__isnull=False
        ).distinct().order_by("name").prefetch_related("services")

    def clean(self):
        data = super().clean()
        service, provider = data.get("service"), data.get("provider")
        if service and provider and not service.providers.filter(pk=provider.pk).exists():
            self.add_error("provider", particles_fix(
                _("%(org)s은(는) '%(service)s'을(를) 제공하지 않습니다.")
                % {"org": provider.name, "service": service.name}))
        elif service and provider:
            warning = capacity_warning(self.capacities.get((service.pk, provider.pk)))
            if warning and not data.get("confirm_full"):
                self.needs_confirm = True
                self.add_error(None, warning)
        return data

    @property
    def capacity_notes(self) -> list[ServiceCapacity]:
        """Services not taking requests now, or with slots or a waiting list to know of."""
        return sorted((c for c in self.capacities.values()
                       if not c.takes_requests or c.open_slots is not None or c.waiting_list),
                      key=lambda c: (c.service.name, c.provider.name))


class ServiceCapacityForm(forms.Form):
    """The provider's word on one service: open, paused or full, with slots and a queue."""

    status = forms.ChoiceField(label=_("여력"), choices=ServiceCapacity.Status.choices)
    open_slots = forms.IntegerField(label=_("남은 자리"), required=False, min_value=0,
                                    max_value=100_000)
    waiting_list = forms.IntegerField(label=_("대기 인원"), required=False, min_value=0,
                                      max_value=100_000)


class ConsentRecordForm(RRNRedactingFormMixin, forms.Form):
    """정보 제공 동의: who agreed, how, and when (the worker who records it is the user)."""

    person = forms.ModelChoiceField(label=_("동의한 가구원"), queryset=None, required=False,
                                    empty_label=_("— 고르지 않음 —"))
    method = forms.ChoiceField(label=_("동의 방법"), choices=SharingConsent.Method.choices)
    given_on = forms.DateField(label=_("동의일"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("비고 (보호자 동의: 보호자 이름·관계)"), required=False,
                           max_length=300)

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = household.members.order_by("-is_head", "id")
        self.fields["person"].label_from_instance = lambda p: p.name


class ConsentWithdrawForm(RRNRedactingFormMixin, forms.Form):
    withdrawn_on = forms.DateField(label=_("철회일"),
                                   widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("철회 내용"), max_length=300,
                           error_messages={"required": _("철회 내용을 적어 주세요.")})


class ServiceLinkCancelForm(RRNRedactingFormMixin, forms.Form):
    link = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("취소 사유"), required=False, max_length=300)


class ServiceLinkAnswerForm(RRNRedactingFormMixin, forms.Form):
    """The partner's answer: accept, decline (with a reason), start or complete (with 환가액)."""

    answer = forms.ChoiceField(choices=[("accept", _("수락")), ("decline", _("거절")),
                                        ("start", _("제공 시작")), ("complete", _("완료"))])
    reason_code = forms.ChoiceField(label=_("거절 사유 구분"), choices=DeclineReason.choices,
                                    initial=DeclineReason.NO_CAPACITY, required=False)
    reason = forms.CharField(label=_("거절 사유"), required=False, max_length=300)
    actual_value = forms.IntegerField(label=_("환가액(원)"), required=False, min_value=0,
                                      max_value=10_000_000_000)

    def clean(self):
        data = super().clean()
        data["reason_code"] = data.get("reason_code") or DeclineReason.OTHER
        if (data.get("answer") == "decline" and data["reason_code"] == DeclineReason.OTHER
                and not (data.get("reason") or "").strip()):
            self.add_error("reason", _("거절 사유를 적어 주세요."))
        if data.get("answer") == "complete" and data.get("actual_value") is None:
            self.add_error("actual_value", _("완료하려면 환가액(원)을 적어 주세요."))
        return data




_REGION_TOKEN = re.compile(r"[가-힣]{1,6}(?:특별자치시|특별자치도|광역시|특별시|시|군|구|도)")
_HOME_TOKENS = {"서울", "서울시", "서울특별시"}

YES_NO_UNKNOWN = [("", _("모름")), ("yes", _("예")), ("no", _("아니오"))]


def address_outside_district(address: str, district_name: str) -> bool:
    """'마포구 양화로 1' is outside 영등포구; road names (…로, …길) never count as regions."""
    for token in (address or "").split():
        if token in _HOME_TOKENS or token == district_name:
            continue
        if _REGION_TOKEN.fullmatch(token):
            return True
    return False


def _yes_no(value):
    return {"yes": True, "no": False}.get(value)


class ReferralFormBase(RRNRedactingFormMixin, forms.Form):
    """Fields every referral form shares; subclasses add or drop a few."""

    idempotency_key = forms.RegexField(
        regex=r"^[A-Za-z0-9-]{8,64}$", widget=forms.HiddenInput,
        error_messages={"invalid": _("접수 키가 올바르지 않습니다. 새로고침 후 다시 보내 주세요.")},
    )
    dong = forms.ModelChoiceField(
        label=_("행정동"), queryset=selectors.public_dongs(), empty_label=_("동을 고르세요"),
        error_messages={"invalid_choice": _("고를 수 있는 동이 아닙니다."),
                        "required": _("동을 골라 주세요.")},
    )
    road_address = forms.CharField(
        label=_("주소"), max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off",
                                      "placeholder": _("예: 신길로 123 또는 OO빌라")}),
        error_messages={"required": _("주소를 적어 주세요. 건물 이름이나 근처 장소도 됩니다.")},
    )
    address_detail = forms.CharField(label=_("상세주소 (동·호수)"), max_length=100,
                                     required=False)
    categories = forms.MultipleChoiceField(
        label=_("걱정되는 점"), choices=Concern.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("걱정되는 점을 하나 이상 골라 주세요."),
                        "invalid_choice": _("목록에 없는 항목입니다: %(value)s")},
    )
    note = forms.CharField(label=_("메모"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, dongs=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if dongs is not None:
            self.fields["dong"].queryset = dongs
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", idempotency_key_new())

    def clean(self):
        cleaned = super().clean()
        dong, address = cleaned.get("dong"), cleaned.get("road_address")
        if dong and address:
            district = dong.district.name
            if address_outside_district(address, district):
                self.add_error("road_address", _(
                    "%(district)s 밖의 주소입니다. 해당 지역 주민센터에 알려 주세요."
                ) % {"district": district})
            elif not address_key(address, cleaned.get("address_detail", "")):
                self.add_error("road_address", _("주소를 알아볼 수 없습니다. 다시 적어 주세요."))
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "dong": data["dong"],
            "road_address": data["road_address"],
            "address_detail": data.get("address_detail", ""),
            "categories": data.get("categories", []),
            "note": data.get("note", ""),
            "idempotency_key": data["idempotency_key"],
        }


class VolunteerReferralForm(ReferralFormBase):
    """복지통장·명예사회복지공무원: one screen on a 360 px phone."""

    field_order = ["categories", "urgency", "dong", "road_address", "address_detail", "tong",
                   "ban", "subject_name", "subject_age_band", "subject_sex",
                   "subject_lives_alone", "consent", "note"]

    urgency = forms.TypedChoiceField(
        label=_("얼마나 급한가요?"), choices=Referral.Urgency.choices, coerce=int,
        widget=forms.RadioSelect, initial=Referral.Urgency.SOON,
        error_messages={"required": _("얼마나 급한지 골라 주세요.")},
    )
    tong = forms.IntegerField(label=_("통"), min_value=1, max_value=99, required=False)
    ban = forms.IntegerField(label=_("반"), min_value=1, max_value=99, required=False)
    subject_name = forms.CharField(label=_("이름 (아는 경우)"), max_length=50, required=False)
    subject_age_band = forms.TypedChoiceField(
        label=_("나이 (대략)"), choices=[("", _("모름"))] + AGE_BANDS, coerce=int,
        required=False, empty_value=None,
    )
    subject_sex = forms.ChoiceField(label=_("성별"), required=False,
                                    choices=[("", _("모름"))] + Referral.Sex.choices)
    subject_lives_alone = forms.TypedChoiceField(
        label=_("혼자 사시나요?"), choices=YES_NO_UNKNOWN, coerce=_yes_no, required=False,
        empty_value=None,
    )
    consent = forms.ChoiceField(
        label=_("본인이 이 의뢰를 알고 동의했나요?"), choices=Referral.Consent.choices,
        widget=forms.RadioSelect, initial=Referral.Consent.UNKNOWN,
        error_messages={"required": _("본인 동의 여부를 골라 주세요.")},
    )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            **super().service_kwargs(),
            "urgency": data["urgency"],
            "tong": data.get("tong"),
            "ban": data.get("ban"),
            "subject_name": data.get("subject_name", ""),
            "subject_age_band": data.get("subject_age_band"),
            "subject_sex": data.get("subject_sex", ""),
            "subject_lives_alone": data.get("subject_lives_alone"),
            "consent": data["consent"],
        }


class StaffReferralForm(VolunteerReferralForm):
    """Phone, walk-in and field referrals logged by dong staff."""

    field_order = ["staff_method", "referrer_name", "referrer_contact",
                   *VolunteerReferralForm.field_order]

    staff_method = forms.ChoiceField(label=_("접수 방법"), choices=Referral.StaffMethod.choices,
                                     widget=forms.RadioSelect,
                                     initial=Referral.StaffMethod.PHONE)
    referrer_name = forms.CharField(label=_("제보자 (선택)"), max_length=50, required=False)
    referrer_contact = forms.CharField(label=_("제보자 연락처 (선택)"), max_length=50,
                                       required=False)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            **super().service_kwargs(),
            "staff_method": data["staff_method"],
            "referrer_name": data.get("referrer_name", ""),
            "referrer_contact": data.get("referrer_contact", ""),
        }


class PartnerReferralForm(VolunteerReferralForm):
    """복지관, 경찰, 학교 … through their login."""

    field_order = ["referrer_name", "referrer_contact", *VolunteerReferralForm.field_order]

    referrer_name = forms.CharField(label=_("담당자"), max_length=50, required=False)
    referrer_contact = forms.CharField(label=_("담당자 연락처"), max_length=50, required=False)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            **super().service_kwargs(),
            "referrer_name": data.get("referrer_name", ""),
            "referrer_contact": data.get("referrer_contact", ""),
        }


class PublicReportForm(ReferralFormBase):
    """관교동 1004 style: any resident, no account, plain words."""

    field_order = ["dong", "road_address", "address_detail", "categories", "note", "urgent",
                   "contact", "website"]

    categories = forms.MultipleChoiceField(
        label=_("어떤 점이 걱정되나요? (해당되는 것 모두)"), choices=Concern.choices,
        widget=forms.CheckboxSelectMultiple, required=False,
        error_messages={"invalid_choice": _("목록에 없는 항목입니다: %(value)s")},
    )
    note = forms.CharField(
        label=_("무슨 일인지 적어 주세요"), max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("어떤 점이 걱정되는지 한두 줄 적어 주세요.")},
    )
    urgent = forms.BooleanField(label=_("지금 위험해 보여요"), required=False)
    contact = forms.CharField(label=_("연락받을 번호 (선택)"), max_length=50, required=False)
    # The code of the gatekeeper place whose memo pad or poster opened the form. Never a
    # reason to refuse a report: whatever arrives here is looked up, and anything unknown
    # makes an ordinary public report.
    place = forms.CharField(required=False, widget=forms.HiddenInput)
    # Honeypot: hidden from people by CSS and from screen readers; bots fill it in.
    website = forms.CharField(label=_("이 칸은 비워 두세요"), required=False, max_length=200,
                              widget=forms.TextInput(attrs={"autocomplete": "off",
                                                            "tabindex": "-1"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dong"].label = _("어느 동인가요?")
        self.fields["road_address"].label = _("어디인가요? (주소 또는 건물 이름)")

    @property
    def is_bot(self) -> bool:
        return bool((self.data.get("website") or "").strip())

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            **super().service_kwargs(),
            "urgency": Referral.Urgency.EMERGENCY if data.get("urgent")
            else Referral.Urgency.SOON,
            "referrer_contact": data.get("contact", ""),
        }

    @property
    def place_code(self) -> str:
        """The memo pad's code as sent (checked by the selector, never trusted)."""
        return (self.data.get("place") or "")[:32]


class ReceiptStatusForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    code = forms.RegexField(
        label=_("접수번호"), regex=r"^\s*[A-Za-z0-9]{4}-?[A-Za-z0-9]{4}\s*$",
        error_messages={"invalid": _("접수번호는 'ABCD-2345'처럼 8자리입니다."),
                        "required": _("접수번호를 적어 주세요.")},
    )


def public_report_too_large(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.PUBLIC_REPORT_MAX_BYTES


# --- gatekeeper places


class GatekeeperPlaceForm(RRNRedactingFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("유형"), choices=GatekeeperPlace.Kind.choices,
                             error_messages={"required": _("유형을 골라 주세요."),
                                             "invalid_choice": _("목록에 없는 유형입니다.")})
    name = forms.CharField(label=_("장소 이름"), max_length=100,
                           error_messages={"required": _("장소 이름을 적어 주세요.")})
    road_address = forms.CharField(label=_("주소"), max_length=200,
                                   error_messages={"required": _("주소를 적어 주세요.")})
    dong = forms.ModelChoiceField(
        label=_("행정동"), queryset=GatekeeperPlace.objects.none(),
        error_messages={"invalid_choice": _("고를 수 있는 동이 아닙니다."),
                        "required": _("동을 골라 주세요.")})

    def __init__(self, *args, dongs, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["dong"].queryset = dongs
