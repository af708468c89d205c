"""Break the glass: opening the full record of a household outside one's current work
first asks for a reason (a short list plus free text); the access-log rows carry it.

A reason holds for that household for settings.BREAK_GLASS_MINUTES in the session."""

import time

from django import forms
from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from households import selectors
from households.models import AccessLog
from households.redaction import RRNRedactingFormMixin
from households.services import access_log_write

SESSION_KEY = "break_glass"

REASONS = [
    ("emergency", _("긴급 상황 대응")),
    ("case_conference", _("사례회의·통합사례관리 검토")),
    ("cover", _("담당자 부재 중 대행")),
    ("supervision", _("업무 점검·감독")),
    ("complaint", _("민원·이의 처리")),
    ("other", _("기타 (아래에 적어 주세요)")),
]


class BreakGlassForm(RRNRedactingFormMixin, forms.Form):
    reason = forms.ChoiceField(label=_("여는 사유"), choices=REASONS, widget=forms.RadioSelect,
                               error_messages={"required": _("여는 사유를 골라 주세요.")})
    detail = forms.CharField(label=_("구체적인 내용"), required=False, max_length=200)

    def clean(self):
        data = super().clean()
        if data.get("reason") == "other" and len((data.get("detail") or "").strip()) < 2:
            self.add_error("detail", _("기타 사유는 내용을 적어 주세요."))
        return data

    @property
    def reason_text(self) -> str:
        label = str(dict(REASONS)[self.cleaned_data["reason"]])
        detail = (self.cleaned_data.get("detail") or "").strip()
        return f"[긴급열람] {label}: {detail}" if detail else f"[긴급열람] {label}"


def _grants(request) -> dict:
    grants = request.session.get(SESSION_KEY) or {}
    now = time.time()
    return {k: v for k, v in grants.items() if v.get("until", 0) > now}


def break_glass_gate(request, household):
    """None when the user may see the record now (own work, or a reason given in this
    session); otherwise the reason page (200), or a refusal of a post without one (400).
    A reason given is written to the access log and carried by the rows that follow."""
    user = request.user
    if selectors.household_in_current_work(user, household):
        return None
    grant = _grants(request).get(str(household.pk))
    if grant is not None:
        request.break_glass_reason = grant["reason"]
        return None
    posted = request.method == "POST" and request.POST.get("action") == "break_glass"
    form = BreakGlassForm(request.POST if posted else None)
    if posted and form.is_valid():
        reason = form.reason_text
        grants = _grants(request)
        grants[str(household.pk)] = {
            "reason": reason, "until": time.time() + settings.BREAK_GLASS_MINUTES * 60}
        request.session[SESSION_KEY] = grants
        access_log_write(request=request, action=AccessLog.Action.VIEW,
                         object_type="break_glass", object_id=household.pk,
                         household_id=household.pk, reason=reason)
        return redirect(request.get_full_path())
    return render(request, "households/break_glass.html",
                  {"household_id": household.pk, "dong": household.dong, "form": form},
                  status=400 if posted else 200)
