"""Outreach's stored codes and their words: risk factors, timeline entries, rejected lines.

Factors are ``{"code": <signal kind>, "months": 6, "amount": 120000}`` or one of the
combination codes; timeline entries and rejection reasons are codes with values (see
households.messages). Korean particles after a value are chosen when the text is made.
"""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from households.history import history_values_register
from households.messages import Template, message_text, messages_register, value_text
from outreach.models import Approval, ApprovalDecision, Case, CheckIn, CrisisLevel, Pairing, Visit
from outreach.scoring import FACTOR_ALONE, FACTOR_CUTOFFS, FACTOR_ELDERLY, FACTOR_MANY_KINDS
from outreach.signal_kinds import SIGNAL_KINDS, kind_label
from referrals.messages import merged_note_text
from referrals.models import CloseReason

# --- risk factors --------------------------------------------------------------------



class SignalFactor:
    """One signal kind as a factor: "단전 2개월 (12만 원)"."""

    def __init__(self, code: str):
        self.code = code

    def render(self, values: dict) -> str:
        text = kind_label(self.code)
        months, amount = values.get("months"), values.get("amount")
        if months:
            text += gettext(" %(n)s개월") % {"n": months}
        if amount:
            text += gettext(" (%(man)s만 원)") % {"man": f"{max(1, round(amount / 10000)):,}",
                                              "won": f"{amount:,}"}
        return text

    def example(self) -> dict:
        return {"months": 6, "amount": 120000}


def _kinds_text(codes) -> str:
    return "·".join(kind_label(code) for code in codes or ())


FACTORS = {kind.code: SignalFactor(kind.code) for kind in SIGNAL_KINDS}
FACTORS.update({
    FACTOR_ALONE: Template(_("1인 가구")),
    FACTOR_ELDERLY: Template(_("노인 가구")),
    FACTOR_CUTOFFS: Template(_("%(kinds)s 동시"), {"kinds": _kinds_text}),
    FACTOR_MANY_KINDS: Template(_("위기정보 %(n)s종 중복")),
})


# Names of the factors whose words need values (the dashboards group by the name alone).
FACTOR_NAMES = {
    FACTOR_CUTOFFS: _("공급 중단 여러 종 동시"),
    FACTOR_MANY_KINDS: _("위기정보 여러 종 중복"),
}


def factor_label(code: str) -> str:
    """The factor's name without its amounts (the dashboards group by it)."""
    if code in FACTOR_NAMES:
        return str(FACTOR_NAMES[code])
    if code in FACTORS:
        return message_text({"code": code})
    return code


# --- timeline entries ------------------------------------------------------------------

ORIGINS = {
    "risk_model": _("위기정보 발굴"),
    "missed_check_in": _("안부 확인 누락"),
    "follow_up": _("사후관리"),
    "referral": _("의뢰"),
}
UNREACHABLE_NEXT_STEP = _("복지등기 우편 발송, 이웃·통반장 탐문, 관리사무소·임대인 확인")


class Assessment:
    """위기도 72점 (위기) · 단전 2개월 · 1인 가구 — 발굴 대상 등록"""

    def render(self, values: dict) -> str:
        text = gettext("위기도 %(score)s점 (%(level)s)") % {
            "score": values.get("score"),
            "level": dict(CrisisLevel.choices).get(values.get("level"), values.get("level"))}
        if values.get("factors"):
            text += " · " + value_text(values["factors"])
        if values.get("alert") == "updated":
            text += " — " + gettext("발굴 대상 갱신")
        elif values.get("alert") == "opened":
            text += " — " + gettext("발굴 대상 등록")
        if values.get("source"):
            text = gettext("위기정보 반영 (%(source)s): ") % {"source": values["source"]} + text
        return text

    def example(self) -> dict:
        return {"score": 72, "level": "high", "alert": "opened", "source": "x",
                "factors": [{"code": "power_cutoff", "months": 2}, {"code": FACTOR_ALONE}]}


TIMELINE = {
    "assessment_scored": Assessment(),
    "alert_opened": Template(_("발굴 대상 등록 (%(origin)s)"), {"origin": ORIGINS}),
    "alert_assigned": Template(_("발굴 A-%(id)s 담당자 지정: %(who)s")),
    "alert_contacted": Template(_("발굴 A-%(id)s 첫 접촉: 지원 결정 기한 %(due)s")),
    "alert_supported": Template(_("발굴 A-%(id)s 지원 연계")),
    "alert_supported_by": Template(_("발굴 A-%(id)s 지원 연계: %(what)s")),
    "alert_closed": Template(_("발굴 A-%(id)s 종결: %(reason)s"),
                             {"reason": dict(CloseReason.choices)}),
    "check_in_missed": Template(_("안부 확인 누락: 마지막 확인 %(last)s")),
    "check_in_missed_never": Template(_("안부 확인 누락: 확인 기록 없음")),
    "visit_scheduled": Template(_("가정방문 예정 %(when)s")),
    "visit_scheduled_retry": Template(_("가정방문 예정 %(when)s (%(n)s차)")),
    "visit_recorded": Template(_("가정방문 %(n)s차: %(outcome)s"),
                               {"outcome": dict(Visit.Outcome.choices)}),
    "visit_chosen": Template(_("가정방문 %(n)s차 기록을 두 기록 중에서 골라 고침")),
    "visit_chosen_outcome": Template(
        _("가정방문 %(n)s차 기록을 두 기록 중에서 골라 고침 — 결과 %(before)s → %(after)s"),
        {"before": dict(Visit.Outcome.choices), "after": dict(Visit.Outcome.choices)}),
    "visit_unreachable": Template(
        _("가정방문 %(n)s차: %(outcome)s — 연락 두절 (%(n)s회 부재). 권고: %(step)s"),
        {"outcome": dict(Visit.Outcome.choices), "step": lambda _v: str(UNREACHABLE_NEXT_STEP)}),
    "case_stage": Template(_("통합사례 %(stage)s 단계"), {"stage": dict(Case.Stage.choices)}),
    "case_stage_note": Template(_("통합사례 %(stage)s 단계: %(note)s"),
                                {"stage": dict(Case.Stage.choices)}),
    "case_closed": Template(_("통합사례 %(stage)s 단계: %(reason)s"),
                            {"stage": dict(Case.Stage.choices),
                             "reason": dict(Case.ClosureReason.choices)}),
    "case_opened": Template(_("통합사례 %(id)s 접수")),
    "case_conference": Template(_("사례회의 %(date)s")),
    "case_goal": Template(_("사례 목표: %(goal)s")),
    "case_note": Template(_("점검 기록: %(text)s")),
    "case_follow_up_due": Template(_("사후관리 예정일 도래 (통합사례 %(id)s)")),
    "pairing_started": Template(_("결연 시작: %(cadence)s 안부 확인"),
                                {"cadence": dict(Pairing.Cadence.choices)}),
    "pairing_ended": Template(_("결연 종료")),
    "check_in_logged": Template(_("안부 확인: %(kind)s"), {"kind": dict(CheckIn.Kind.choices)}),
    "check_in_logged_wellbeing": Template(_("안부 확인: %(kind)s (%(wellbeing)s/5)"),
                                          {"kind": dict(CheckIn.Kind.choices)}),
    "candidate_found": Template(_("위기정보로 발견된 미등록 거주 후보 (%(source)s)")),
    # 결재 (maker-checker) of a case's plan or closure
    "approval_requested": Template(_("%(what)s 결재 요청"),
                                   {"what": dict(Approval.Kind.choices)}),
    "approval_decided": Template(_("%(what)s 결재 %(decision)s"),
                                 {"what": dict(Approval.Kind.choices),
                                  "decision": dict(ApprovalDecision.Decision.choices)}),
    "approval_decided_note": Template(_("%(what)s 결재 %(decision)s: %(note)s"),
                                      {"what": dict(Approval.Kind.choices),
                                       "decision": dict(ApprovalDecision.Decision.choices)}),
}

# --- rejected lines of an agency file --------------------------------------------------

COLUMN_LABELS = {
    "rrn": _("주민등록번호"), "name": _("성명"), "birth_date": _("생년월일"), "address": _("주소"),
    "address_detail": _("상세주소"), "dong_code": _("행정동코드"), "signal_kind": _("위기정보"),
    "observed_on": _("기준일"), "months_overdue": _("체납개월"), "amount": _("금액"),
    "phone": _("연락처"),
}


def column_label(code: str) -> str:
    """A rejected line's column in the reader's language; a legacy (Korean) name as it is."""
    return str(COLUMN_LABELS.get(code, code))


REJECTIONS = {
    "line_too_long": Template(_("줄이 너무 깁니다 (최대 %(kb)s KB)")),
    "undecodable": Template(_("%(enc)s 문자로 읽을 수 없는 바이트가 있습니다")),
    "csv_unreadable": Template(_("CSV로 읽을 수 없는 줄입니다")),
    "cell_too_long": Template(_("칸 하나가 너무 깁니다 (최대 %(n)s자)")),
    "kind_empty": Template(_("위기정보가 비어 있습니다")),
    "kind_unknown": Template(_("알 수 없는 위기정보 '%(v)s'")),
    "observed_empty": Template(_("기준일이 비어 있습니다")),
    "observed_format": Template(_("기준일 '%(v)s' 형식 오류 (YYYYMMDD, YYYY-MM-DD, YYYY.MM.DD)")),
    "observed_future": Template(_("기준일 '%(v)s'이(가) 미래입니다")),
    "rrn_length": Template(_("주민등록번호는 13자리 숫자여야 합니다 (예: 900101-1234567).")),
    "rrn_gender_digit": Template(_("주민등록번호 뒷자리 첫 숫자는 1~8이어야 합니다.")),
    "birth_format": Template(_("생년월일 '%(v)s' 형식 오류 (YYYYMMDD)")),
    "identity_missing": Template(_("주민등록번호, 또는 성명·생년월일·주소가 모두 있어야 합니다")),
    "not_a_number": Template(_("'%(v)s'은(는) 0 이상의 숫자가 아닙니다")),
    "months_too_big": Template(_("체납개월 '%(v)s'이(가) 너무 큽니다")),
    "dong_code_format": Template(_("행정동코드 '%(v)s'은(는) 10자리 숫자여야 합니다")),
    "sheet_damaged": Template(_("시트의 %(line)s행부터 파일이 손상되어 읽을 수 없습니다. "
                                "이 행부터 다시 보내 주세요.")),
    "too_many_rows": Template(_("한 파일은 %(n)s행까지 받습니다. 이 행부터는 읽지 않았으니 "
                                "나누어 보내 주세요.")),
}

messages_register(FACTORS)
messages_register(TIMELINE)
messages_register(REJECTIONS)
# Field history (households.history): an alert's origin is a code; a merge's note is a
# sentence the system wrote.
history_values_register({
    ("discoveryalert", "origin"): lambda code: str(ORIGINS.get(code, code)),
    ("discoveryalert", "close_reason"): lambda code: str(dict(CloseReason.choices).get(code, code)),
    ("discoveryalert", "close_note"): merged_note_text,
})
