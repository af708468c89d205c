"""Referrals' timeline codes and their words (service links and referrals; see
households.messages)."""

from __future__ import annotations

import re

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from households.history import history_values_register
from households.messages import Template, messages_register
from households.particles import particles_fix
from referrals.models import CloseReason, Concern, DeclineReason, Referral, SharingConsent


class LinkStep:
    """서비스 연계 요청: 기초생활보장 (영등포구청) — one code for every step of a link."""

    STEPS = {
        "requested": _("요청"), "accepted": _("수락"), "started": _("제공 시작"),
        "cancelled": _("취소"),
    }

    def render(self, values: dict) -> str:
        step = values.get("step")
        if step == "declined":
            label = dict(DeclineReason.choices).get(values.get("reason_code"), "")
            said = " — ".join(str(x) for x in (label, values.get("reason", "")) if x)
            what = gettext("거절 — %(reason)s") % {"reason": said}
        elif step == "completed":
            what = gettext("완료 (환가액 %(value)s원)") % {"value": f"{values.get('value') or 0:,}"}
        elif step == "reminded":
            what = gettext("%(days)s 근무일 미응답 — 제공기관에 독촉") % {
                "days": values.get("days")}
        else:
            what = str(self.STEPS.get(step, step))
        return gettext("서비스 연계 %(what)s: %(service)s (%(provider)s)") % {
            "what": what, "service": values.get("service", ""),
            "provider": values.get("provider", "")}

    def example(self) -> dict:
        return {"step": "completed", "value": 120000, "service": "s", "provider": "p"}


def _concerns(codes) -> str:
    labels = dict(Concern.choices)
    return ", ".join(str(labels.get(code, code)) for code in codes or ()) or gettext("분류 없음")


TIMELINE = {
    "service_link": LinkStep(),
    "referral_received": Template(
        _("의뢰 %(ref)s 접수 (%(channel)s, %(urgency)s): %(what)s"),
        {"channel": dict(Referral.Channel.choices), "urgency": dict(Referral.Urgency.choices),
         "what": _concerns}),
    "referral_assigned": Template(_("의뢰 %(ref)s 담당자 지정: %(who)s")),
    "referral_status": Template(_("의뢰 %(ref)s 상태: %(status)s"),
                                {"status": dict(Referral.Status.choices)}),
    "referral_supported": Template(_("의뢰 %(ref)s 상태: %(status)s (%(what)s)"),
                                   {"status": dict(Referral.Status.choices)}),
    "referral_household": Template(_("의뢰 %(ref)s(으)로 가구 등록")),
    "referral_closed": Template(_("의뢰 %(ref)s 종결: %(reason)s"),
                                {"reason": dict(CloseReason.choices)}),
    "merged": Template(_("%(source)s을(를) %(target)s에 병합")),
    "service_link_requested": Template(_("서비스 연계 요청")),
    # 정보 제공 동의 (consent before sharing), its withdrawal and a link sent without it
    "consent_recorded": Template(_("정보 제공 동의 기록: %(method)s (%(date)s)"),
                                 {"method": dict(SharingConsent.Method.choices)}),
    "consent_withdrawn": Template(_("정보 제공 동의 철회: %(note)s")),
    "consent_override": Template(_("동의 없이 연계: %(service)s — 사유: %(reason)s")),
}

messages_register(TIMELINE)


def merged_note_text(note: str) -> str:
    """A merge's closing note ("A-2로 병합", written in the merger's language) read in the
    reader's; any other note as it was typed."""
    found = re.fullmatch(r"(\S+?)(?:으로|로) 병합|Merged into (\S+)", note)
    if found is None:
        return gettext(note)
    return particles_fix(gettext("%(target)s(으)로 병합") % {
        "target": found.group(1) or found.group(2)})


history_values_register({("referral", "close_note"): merged_note_text})
