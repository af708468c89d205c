"""Forms of outreach pages: they parse and validate input; services apply the rules."""


from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import BLANK_CHOICE_DASH
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households.models import Dong, Organization
from households.redaction import RRNRedactingFormMixin
from outreach.models import (
    Case,
    CheckIn,
    CrisisLevel,
    FieldDaySetting,
    NeedLevel,
    Pairing,
    RiskModel,
    Visit,
)
from outreach.selectors.cases import CASE_MANAGER_HINT, case_managers_for
from outreach.selectors.inbox import INBOX_STATUSES, SOURCE_ALERT, InboxFilters
from outreach.selectors.pairings import volunteers_of_dong
from outreach.services.cases import case_skip_message
from outreach.services.visits import visit_time_problem
from outreach.signal_kinds import SIGNAL_KINDS
from outreach.templatetags.outreach_tags import alert_origin
from referrals.models import CloseReason, Concern, NeedDomain, Referral, ServiceLink

# --- visits, cases, pairings and check-ins

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def datetime_input():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)


def date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, next to the field it is about."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class VisitScheduleForm(forms.Form):
    """The one visit-scheduling form: the household page (with its open alerts) and the
    inbox row (without) both use it, with the past-date rule of the services."""

    scheduled_for = forms.DateTimeField(
        label=_("방문 일시"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=datetime_input(),
        error_messages={"required": _("방문 일시를 적어 주세요."),
                        "invalid": _("방문 일시 형식이 올바르지 않습니다 (예: 2026-11-25 14:00).")},
    )
    # 2인 1조: an optional volunteer companion from the dongs the worker covers.
    companion = forms.ModelChoiceField(
        label=_("동행 자원봉사자 (2인 1조)"), queryset=get_user_model().objects.none(),
        required=False, empty_label=_("동행 없음"),
        error_messages={"invalid_choice": _("이 동의 봉사자만 동행할 수 있습니다.")},
    )
    alert = forms.ModelChoiceField(
        label=_("관련 발굴 대상"), queryset=None, required=False, empty_label=_("없음"),
    )

    def __init__(self, *args, volunteers, alerts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["companion"].queryset = volunteers
        if alerts is None:
            del self.fields["alert"]
            return
        self.fields["alert"].queryset = alerts
        self.fields["alert"].label_from_instance = lambda alert: _(
            "발굴 #%(id)s (%(origin)s, 기한 %(due)s)"
        ) % {"id": alert.pk, "origin": alert_origin(alert.origin),
             "due": f"{alert.due_on:%Y-%m-%d}"}

    def clean_scheduled_for(self):
        value = self.cleaned_data["scheduled_for"]
        problem = visit_time_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        return value


class VisitRecordForm(RRNRedactingFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("방문 결과"), choices=Visit.Outcome.choices,
                                widget=forms.RadioSelect)
    visited_at = forms.DateTimeField(label=_("방문일시"), widget=datetime_input())
    observations = forms.CharField(label=_("관찰 내용"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 4}))
    crisis_level = forms.ChoiceField(
        label=_("위기 수준"), required=False,
        choices=[("", _("판단 보류"))] + list(CrisisLevel.choices),
    )
    next_attempt_at = forms.DateTimeField(
        label=_("부재 시 다음 방문 (비우면 2일 뒤)"), required=False, widget=datetime_input()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault(
                "visited_at", timezone.localtime().replace(second=0, microsecond=0)
            )
        for domain, label in NeedDomain.choices:
            self.fields[f"need_{domain}_level"] = forms.ChoiceField(
                label=_("%(domain)s 욕구") % {"domain": label}, choices=NeedLevel.choices,
                initial=NeedLevel.NONE, required=False,
            )
            self.fields[f"need_{domain}_note"] = forms.CharField(
                label=_("%(domain)s 메모") % {"domain": label}, required=False, max_length=300,
            )

    def need_rows(self):
        """(domain label, level field, note field) per domain, for the template's table."""
        return [
            (label, self[f"need_{domain}_level"], self[f"need_{domain}_note"])
            for domain, label in NeedDomain.choices
        ]

    def needs(self) -> dict:
        data = self.cleaned_data
        return {
            domain: {"level": data.get(f"need_{domain}_level") or NeedLevel.NONE,
                     "note": data.get(f"need_{domain}_note", "")}
            for domain in NeedDomain.values
        }


class CaseOpenForm(RRNRedactingFormMixin, forms.Form):
    manager = forms.ModelChoiceField(label=_("사례관리자"), queryset=None)
    summary = forms.CharField(label=_("주요 문제"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, household, **kwargs):
        super().__init__(*args, **kwargs)
        managers = case_managers_for(household)
        self.fields["manager"].queryset = managers
        self.fields["manager"].error_messages["invalid_choice"] = CASE_MANAGER_HINT
        if any(person.pk == user.pk for person in managers):
            self.fields["manager"].initial = user.pk


class PairingForm(forms.Form):
    volunteer = forms.ModelChoiceField(label=_("좋은이웃 자원봉사자"), queryset=None)
    cadence = forms.ChoiceField(label=_("안부 확인 주기"), choices=Pairing.Cadence.choices)
    grace_days = forms.IntegerField(label=_("유예 일수"), min_value=0, max_value=30, initial=2)

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers_of_dong(household.dong_id)


class PairingEndForm(forms.Form):
    pairing = forms.IntegerField(widget=forms.HiddenInput)


class CaseAdvanceForm(RRNRedactingFormMixin, forms.Form):
    """Offers only the stage the case may move to now (the service refuses any other)."""

    to_stage = forms.ChoiceField(label=_("다음 단계"), choices=())
    note = forms.CharField(label=_("메모"), required=False, max_length=300)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["to_stage"]
        field.choices = [(stage, Case.Stage(stage).label) for stage in case.advance_stages]
        field.initial = case.advance_stages[0] if case.advance_stages else None
        field.error_messages["invalid_choice"] = case_skip_message(case)


class CaseCloseForm(RRNRedactingFormMixin, forms.Form):
    """The reason starts blank and must be chosen; only reasons the stage allows."""

    reason = forms.ChoiceField(label=_("종결 사유"), choices=(),
                               error_messages={"required": _("종결 사유를 골라 주세요.")})
    note = forms.CharField(label=_("종결 메모"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    follow_up_on = forms.DateField(label=_("사후관리 예정일 (비우면 3개월 뒤)"),
                                   required=False, widget=date_input())

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Case.ClosureReason.choices)
        field = self.fields["reason"]
        field.choices = BLANK_CHOICE_DASH + [(r, labels[r]) for r in case.closure_reasons]
        field.error_messages["invalid_choice"] = _(
            "'%(stage)s' 단계에서는 고를 수 없는 종결 사유입니다. 목록에서 골라 주세요.") % {
            "stage": case.get_stage_display()}


class CaseConferenceForm(RRNRedactingFormMixin, forms.Form):
    held_on = forms.DateField(label=_("회의일"), widget=date_input())
    organizations = forms.ModelMultipleChoiceField(
        label=_("참석 기관"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    decisions = forms.CharField(label=_("결정 사항"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = organizations


class CaseGoalForm(RRNRedactingFormMixin, forms.Form):
    description = forms.CharField(label=_("목표"), max_length=300)
    domain = forms.ChoiceField(label=_("영역"), required=False,
                               choices=[("", "—")] + list(NeedDomain.choices))
    service_links = forms.ModelMultipleChoiceField(
        label=_("연계 서비스"), queryset=ServiceLink.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_links"].queryset = household.service_links.select_related(
            "service", "provider"
        )
        self.fields["service_links"].label_from_instance = lambda link: (
            f"{link.service.name} · {link.provider.name} ({link.get_status_display()})"
        )


class CaseNoteForm(RRNRedactingFormMixin, forms.Form):
    text = forms.CharField(label=_("점검 내용"), widget=forms.Textarea(attrs={"rows": 3}))


class CheckInForm(RRNRedactingFormMixin, forms.Form):
    pairing = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("어떻게 확인했나요"), choices=CheckIn.Kind.choices,
                             widget=forms.RadioSelect)
    wellbeing = forms.TypedChoiceField(
        label=_("안녕하신가요 (1 나쁨 – 5 좋음)"), required=False, coerce=int, empty_value=None,
        choices=[(n, str(n)) for n in range(1, 6)], widget=forms.RadioSelect,
    )
    concern = forms.BooleanField(label=_("걱정돼요 (담당 공무원에게 알림)"), required=False)
    concern_category = forms.ChoiceField(
        label=_("무엇이 걱정되나요?"), required=False,
        choices=[("", _("고르지 않음"))] + Concern.choices,
        error_messages={"invalid_choice": _("걱정되는 점을 목록에서 골라 주세요.")})
    note = forms.CharField(label=_("메모"), required=False, max_length=300)
    # The phone sets one per check-in (static/js/offline.js), so a resend logs once.
    idempotency_key = forms.RegexField(regex=r"^[A-Za-z0-9-]{8,64}$", required=False,
                                       widget=forms.HiddenInput)
    # When it was done, by the phone's clock: a check-in sent later from the queue keeps it.
    done_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("kind") and data["kind"] != CheckIn.Kind.NO_ANSWER \
                and not data.get("wellbeing"):
            self.add_error("wellbeing", _("안녕 정도를 1–5 중에서 골라 주세요."))
        done_at = data.get("done_at")
        if done_at and (done_at > timezone.now() + timedelta(minutes=10)
                        or visit_time_problem(done_at)):
            # A phone clock far off: the server's time is the better guess.
            data["done_at"] = None
        return data




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


class CloseForm(RRNRedactingFormMixin, forms.Form):
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


class ExportForm(RRNRedactingFormMixin, forms.Form):
    reason = forms.CharField(label=_("내보내는 사유"), min_length=4, max_length=300,
                             error_messages={"required": _("내보내는 사유를 적어 주세요."),
                                             "min_length": _("사유를 4자 이상 적어 주세요.")})


# --- risk signals (위기정보): batches, chunks, the risk model ---------------------
ENCODING_CHOICES = [
    ("auto", _("자동 감지")),
    ("cp949", "CP949 / EUC-KR"),
    ("utf-8", "UTF-8"),
    ("utf-8-sig", _("UTF-8 (BOM)")),
]


class SignalUploadForm(forms.Form):
    source = forms.ModelChoiceField(
        label=_("제공 기관"), queryset=Organization.objects.none(), to_field_name="code",
        # Nothing preselected: a file filed under the wrong agency is matched wrongly.
        empty_label=_("기관을 고르세요"),
        error_messages={"required": _("이 파일을 보낸 기관을 고르세요.")},
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


class RiskModelForm(RRNRedactingFormMixin, forms.ModelForm):
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


class ApprovalDecisionForm(RRNRedactingFormMixin, forms.Form):
    """결재: approve, or return to the maker with what to fix."""

    approval = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(label=_("결정"), widget=forms.RadioSelect, choices=[
        ("approved", _("승인")), ("returned", _("반려"))])
    note = forms.CharField(label=_("의견 (반려할 때는 필수)"), required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))


class CasePlanSubmitForm(forms.Form):
    """계획 결재 요청: nothing to fill in; the form carries the service's refusal."""


# --- joint visit days (합동 방문의 날)

class FieldDaySettingForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("요일"), coerce=int,
                                     choices=FieldDaySetting._meta.get_field("weekday").choices)
    part = forms.ChoiceField(label=_("시간대"), choices=FieldDaySetting.Part.choices)
    mask_names_on_paper = forms.BooleanField(
        label=_("인쇄물에는 이름을 가립니다 (종이를 잃어버릴 수 있을 때)"), required=False)


class FieldDayPlanForm(forms.Form):
    """One checkbox and one companion per proposed household (2인 1조)."""

    def __init__(self, *args, proposals, companions, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposals = proposals
        # The dong's volunteers, read once for every row's picker.
        self.companions = {user.pk: user for user in companions}
        choices = [("", _("동행 없음"))] + [(pk, user.get_full_name() or user.get_username())
                                          for pk, user in self.companions.items()]
        for proposal in proposals:
            hid = proposal.household.pk
            self.fields[f"stop_{hid}"] = forms.BooleanField(label=_("방문"), required=False)
            self.fields[f"companion_{hid}"] = forms.TypedChoiceField(
                label=_("동행 자원봉사자"), choices=choices, coerce=int, required=False,
                empty_value=None)

    def rows(self):
        return [(p, self[f"stop_{p.household.pk}"], self[f"companion_{p.household.pk}"])
                for p in self.proposals]

    def clean(self):
        data = super().clean()
        if not any(data.get(f"stop_{p.household.pk}") for p in self.proposals):
            raise forms.ValidationError(_("방문할 가구를 하나 이상 골라 주세요."))
        return data

    def stops(self) -> list[dict]:
        data = self.cleaned_data
        return [{"household": p.household,
                 "companion": self.companions.get(data.get(f"companion_{p.household.pk}")),
                 "reasons": p.reasons}
                for p in self.proposals if data.get(f"stop_{p.household.pk}")]


class VisitSyncForm(VisitRecordForm):
    """A visit recorded on the day's list, perhaps offline: it names the version it
    started from, and the phone gives it an idempotency key."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    idempotency_key = forms.RegexField(regex=r"^[A-Za-z0-9-]{8,64}$", required=False,
                                       widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visited_at"].required = False
        self.fields["visited_at"].widget = forms.HiddenInput()
        del self.fields["next_attempt_at"]

    def values(self) -> dict:
        data = self.cleaned_data
        values = {"outcome": data["outcome"], "observations": data["observations"],
                  "crisis_level": data["crisis_level"]}
        for domain, need in self.needs().items():
            values[f"need_{domain}_level"] = need["level"]
            values[f"need_{domain}_note"] = need["note"]
        return values
