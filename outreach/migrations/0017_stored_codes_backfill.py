"""Risk factors, rejected lines and timeline entries: from stored Korean sentences to codes
with their values (households.messages), so each reader sees them in their own language.

The shapes below are the sentences the code wrote before (frozen here: a migration must not
follow later code). A sentence that fits none of them stays as written and is shown as it
is. Reversible: the codes are written back as the Korean sentences.
"""

import re

from django.db import migrations

OUTCOMES = {
    "만남": "met",
    "부재": "not_home",
    "거부": "refused",
    "이사": "moved",
    "입원": "hospitalised",
    "사망": "deceased",
}
STAGES = {
    "접수": "intake",
    "욕구 사정": "assessment",
    "계획": "plan",
    "서비스 제공": "service",
    "점검": "monitoring",
    "종결": "closed",
    "사후관리": "follow_up",
}
CASE_CLOSURES = {
    "목표 달성": "goals_met",
    "서비스 거부": "refused",
    "전출": "moved",
    "사망": "deceased",
    "타 기관 이관": "transferred",
    "기타": "other",
}
CADENCES = {"매주": "weekly", "격주": "fortnightly", "매월": "monthly"}
CHECK_IN_KINDS = {"만남": "met", "전화": "phone", "응답 없음": "no_answer"}
LEVELS = {"관심": "low", "주의": "medium", "위기": "high", "긴급": "critical"}
CHANNELS = {
    "자원봉사자": "volunteer",
    "주민 제보": "public",
    "담당 공무원 접수": "staff",
    "협력기관": "partner",
    "경찰": "police",
    "학교": "school",
    "기타": "other",
}
URGENCIES = {"지금 위험": 1, "며칠 안에": 2, "여유 있음": 3}
REFERRAL_STATUSES = {
    "접수": "received",
    "확인 중": "checking",
    "방문": "visiting",
    "지원 연계": "linked",
    "종결": "closed",
}
CLOSE_REASONS = {
    "지원 연계": "supported",
    "통합사례관리 연계": "case_opened",
    "지원 불요": "no_need",
    "비대상": "not_eligible",
    "중복": "duplicate",
    "연락 두절": "no_contact",
    "이사": "moved",
    "장기 입원": "hospitalised",
    "타 기관 처리 중": "other_agency",
    "사망": "deceased",
    "기타": "other",
}
CONCERNS = {
    "끼니 거름": "meals",
    "공과금 미납·단전": "utilities",
    "월세 체납": "rent",
    "질병·장애": "illness",
    "홀로 사는 어르신": "elderly_alone",
    "학대·폭력 의심": "abuse",
    "저장강박·위생": "hoarding",
    "우편물·고지서 쌓임": "mail",
    "연락 두절": "no_contact",
    "실직·폐업": "jobless",
    "자살 위험 언급": "suicide",
    "기타": "other",
}
KINDS = {
    "단전": "power_cutoff",
    "단수": "water_cutoff",
    "단가스": "gas_cutoff",
    "전기요금 체납": "power_arrears",
    "수도요금 체납": "water_arrears",
    "가스요금 체납": "gas_arrears",
    "건강보험료 체납": "health_insurance_arrears",
    "국민연금 체납": "pension_arrears",
    "공공임대 임차료 체납": "public_rent_arrears",
    "관리비 체납": "maintenance_arrears",
    "통신비 체납": "telecom_arrears",
    "금융연체": "loan_delinquency",
    "채무조정": "debt_adjustment",
    "휴·폐업": "business_closure",
    "실직·고용위기": "job_loss",
    "과다의료비": "high_medical_cost",
    "주소득자 사망": "breadwinner_death",
    "복지시설 퇴소": "facility_discharge",
    "자살 고위험": "suicide_risk",
    "정신건강 위기": "mental_health_crisis",
    "재난 피해": "disaster_damage",
    "주거 위기(퇴거)": "eviction",
    "돌봄 필요": "care_need",
}
COLUMNS = {
    "주민등록번호": "rrn",
    "성명": "name",
    "생년월일": "birth_date",
    "주소": "address",
    "상세주소": "address_detail",
    "행정동코드": "dong_code",
    "위기정보": "signal_kind",
    "기준일": "observed_on",
    "체납개월": "months_overdue",
    "금액": "amount",
    "연락처": "phone",
}
ORIGINS = {"risk_model", "missed_check_in", "follow_up", "referral"}
LINK_STEPS = {"요청": "requested", "수락": "accepted", "제공 시작": "started", "취소": "cancelled"}
UNREACHABLE_STEP = "복지등기 우편 발송, 이웃·통반장 탐문, 관리사무소·임대인 확인"


def _inverse(table: dict) -> dict:
    return {code: label for label, code in table.items()}


def _regex(template: str):
    """ "발굴 A-%(id)s 종결: %(reason)s" → a regex with a named group per placeholder."""
    seen, out = set(), []
    for part in re.split(r"(%\(\w+\)s)", template):
        name = re.fullmatch(r"%\((\w+)\)s", part)
        if not name:
            out.append(re.escape(part))
        elif name[1] in seen:
            out.append(f"(?P={name[1]})")
        else:
            seen.add(name[1])
            out.append(f"(?P<{name[1]}>.+?)")
    return re.compile("^" + "".join(out) + "$", re.S)


class Shape:
    """One old sentence shape ↔ one code; ``tables`` turn Korean labels back into codes."""

    def __init__(self, code, template, tables=None, ints=()):
        self.code, self.template, self.tables, self.ints = code, template, tables or {}, ints
        self.regex = _regex(template)

    def parse(self, text):
        match = self.regex.match(text)
        if not match:
            return None
        values = {}
        for name, value in match.groupdict().items():
            if name in self.tables:
                if value not in self.tables[name]:
                    return None
                value = self.tables[name][value]
            elif name in self.ints:
                value = int(value.replace(",", ""))
            values[name] = value
        return {"code": self.code, **values}

    def korean(self, message):
        values = {}
        for name, value in message.items():
            table = self.tables.get(name)
            values[name] = _inverse(table).get(value, value) if table else value
        return self.template % values


# --- risk factors ----------------------------------------------------------------------

_FACTOR = re.compile(r"^(?P<label>.+?)(?: (?P<months>\d+)개월)?(?: \((?P<man>[\d,]+)만 원\))?$")


def factor_code(text):
    if not isinstance(text, str):
        return text
    if text == "1인 가구":
        return {"code": "factor_alone"}
    if text == "노인 가구":
        return {"code": "factor_elderly"}
    together = re.fullmatch(r"(.+) 동시", text)
    if together and all(k in KINDS for k in together[1].split("·")):
        return {
            "code": "factor_cutoffs_together",
            "kinds": [KINDS[k] for k in together[1].split("·")],
        }
    many = re.fullmatch(r"위기정보 (\d+)종 중복", text)
    if many:
        return {"code": "factor_many_kinds", "n": int(many[1])}
    match = _FACTOR.match(text)
    if match and match["label"] in KINDS:
        factor = {"code": KINDS[match["label"]]}
        if match["months"]:
            factor["months"] = int(match["months"])
        if match["man"]:
            factor["amount"] = int(match["man"].replace(",", "")) * 10000
        return factor
    return {"code": "text", "text": text}


def factor_korean(factor):
    if not isinstance(factor, dict):
        return factor
    code = factor.get("code")
    kinds = _inverse(KINDS)
    if code == "text":
        return factor.get("text", "")
    if code == "factor_alone":
        return "1인 가구"
    if code == "factor_elderly":
        return "노인 가구"
    if code == "factor_cutoffs_together":
        return "·".join(kinds.get(k, k) for k in factor.get("kinds", ())) + " 동시"
    if code == "factor_many_kinds":
        return f"위기정보 {factor.get('n')}종 중복"
    text = kinds.get(code, code)
    if factor.get("months"):
        text += f" {factor['months']}개월"
    if factor.get("amount"):
        text += f" ({max(1, round(factor['amount'] / 10000)):,}만 원)"
    return text


# --- rejected lines ----------------------------------------------------------------------

REJECTIONS = [
    Shape(code, template)
    for code, template in [
        ("line_too_long", "줄이 너무 깁니다 (최대 %(kb)s KB)"),
        ("undecodable", "%(enc)s 문자로 읽을 수 없는 바이트가 있습니다"),
        ("csv_unreadable", "CSV로 읽을 수 없는 줄입니다"),
        ("cell_too_long", "칸 하나가 너무 깁니다 (최대 %(n)s자)"),
        ("kind_empty", "위기정보가 비어 있습니다"),
        ("kind_unknown", "알 수 없는 위기정보 '%(v)s'"),
        ("observed_empty", "기준일이 비어 있습니다"),
        ("observed_format", "기준일 '%(v)s' 형식 오류 (YYYYMMDD, YYYY-MM-DD, YYYY.MM.DD)"),
        ("observed_future", "기준일 '%(v)s'이(가) 미래입니다"),
        ("rrn_length", "주민등록번호는 13자리 숫자여야 합니다 (예: 900101-1234567)."),
        ("rrn_gender_digit", "주민등록번호 뒷자리 첫 숫자는 1~8이어야 합니다."),
        ("birth_format", "생년월일 '%(v)s' 형식 오류 (YYYYMMDD)"),
        ("identity_missing", "주민등록번호, 또는 성명·생년월일·주소가 모두 있어야 합니다"),
        ("not_a_number", "'%(v)s'은(는) 0 이상의 숫자가 아닙니다"),
        ("months_too_big", "체납개월 '%(v)s'이(가) 너무 큽니다"),
        ("dong_code_format", "행정동코드 '%(v)s'은(는) 10자리 숫자여야 합니다"),
        (
            "sheet_damaged",
            "시트의 %(line)s행부터 파일이 손상되어 읽을 수 없습니다. 이 행부터 다시 보내 주세요.",
        ),
        (
            "too_many_rows",
            "한 파일은 %(n)s행까지 받습니다. 이 행부터는 읽지 않았으니 나누어 보내 주세요.",
        ),
    ]
]


def _first(shapes, text):
    for shape in shapes:
        message = shape.parse(text)
        if message is not None:
            return message
    return None


def _korean(shapes, message):
    for shape in shapes:
        if shape.code == message.get("code"):
            return shape.korean({k: v for k, v in message.items() if k != "code"})
    return message.get("text", "")


# --- timeline entries --------------------------------------------------------------------

TIMELINE = [
    Shape("alert_opened", "발굴 대상 등록 (%(origin)s)", {"origin": {o: o for o in ORIGINS}}),
    Shape("alert_assigned", "발굴 A-%(id)s 담당자 지정: %(who)s", ints=("id",)),
    Shape("alert_contacted", "발굴 A-%(id)s 첫 접촉: 지원 결정 기한 %(due)s", ints=("id",)),
    Shape("alert_supported", "발굴 A-%(id)s 지원 연계", ints=("id",)),
    Shape("alert_closed", "발굴 A-%(id)s 종결: %(reason)s", {"reason": CLOSE_REASONS}, ("id",)),
    Shape("merged", "%(source)s를 %(target)s에 병합"),
    Shape("check_in_missed_never", "안부 확인 누락: 마지막 확인 없음"),
    Shape("check_in_missed", "안부 확인 누락: 마지막 확인 %(last)s"),
    Shape("visit_scheduled_retry", "가정방문 예정 %(when)s (%(n)s차)", ints=("n",)),
    Shape("visit_scheduled", "가정방문 예정 %(when)s"),
    Shape(
        "visit_unreachable",
        "가정방문 %(n)s차: %(outcome)s — 연락 두절 (%(n)s회 부재). 권고: %(step)s",
        {"outcome": OUTCOMES, "step": {UNREACHABLE_STEP: "unreachable"}},
        ("n",),
    ),
    Shape("visit_recorded", "가정방문 %(n)s차: %(outcome)s", {"outcome": OUTCOMES}, ("n",)),
    Shape(
        "case_closed",
        "통합사례 %(stage)s 단계: %(reason)s",
        {"stage": {"종결": "closed"}, "reason": CASE_CLOSURES},
    ),
    Shape("case_stage_note", "통합사례 %(stage)s 단계: %(note)s", {"stage": STAGES}),
    Shape("case_stage", "통합사례 %(stage)s 단계", {"stage": STAGES}),
    Shape("case_conference", "사례회의 %(date)s"),
    Shape("case_goal", "사례 목표: %(goal)s"),
    Shape("case_note", "점검 기록: %(text)s"),
    Shape("case_follow_up_due", "사후관리 예정일 도래 (통합사례 %(id)s)", ints=("id",)),
    Shape("pairing_started", "결연 시작: %(cadence)s 안부 확인", {"cadence": CADENCES}),
    Shape("pairing_ended", "결연 종료"),
    Shape(
        "check_in_logged_wellbeing",
        "안부 확인: %(kind)s (%(wellbeing)s/5)",
        {"kind": CHECK_IN_KINDS},
        ("wellbeing",),
    ),
    Shape("check_in_logged", "안부 확인: %(kind)s", {"kind": CHECK_IN_KINDS}),
    Shape("candidate_found", "위기정보로 발견된 미등록 거주 후보 (%(source)s)"),
    Shape("referral_assigned", "의뢰 %(ref)s 담당자 지정: %(who)s"),
    Shape("referral_status", "의뢰 %(ref)s 상태: %(status)s", {"status": REFERRAL_STATUSES}),
    Shape("referral_household", "의뢰 %(ref)s로 가구 등록"),
    Shape("referral_closed", "의뢰 %(ref)s 종결: %(reason)s", {"reason": CLOSE_REASONS}),
]
_SUPPORTED_BY = _regex("발굴 A-%(id)s 지원 연계: %(what)s")
_CASE_OPENED = _regex("통합사례 %(id)s 접수")
_LINK = _regex("서비스 연계 %(what)s: %(service)s (%(provider)s)")
_REFERRAL = _regex("의뢰 %(ref)s 접수 (%(channel)s, %(urgency)s): %(what)s")
_ASSESSMENT = re.compile(
    r"^(?:위기정보 반영 \((?P<source>.*?)\): )?위기도 (?P<score>\d+)점 \((?P<level>[^)]+)\)"
    r"(?P<factors>(?: · .+?)*)(?: — (?P<alert>발굴 대상 갱신|발굴 대상 등록))?$"
)


def _link_step(what):
    if what in LINK_STEPS:
        return {"step": LINK_STEPS[what]}
    if what.startswith("거절 — "):
        return {"step": "declined", "reason": what[len("거절 — ") :]}
    done = re.fullmatch(r"완료 \(환가액 ([\d,]+)원\)", what)
    if done:
        return {"step": "completed", "value": int(done[1].replace(",", ""))}
    late = re.fullmatch(r"(\d+) 근무일 미응답 — 제공기관에 독촉", what)
    if late:
        return {"step": "reminded", "days": int(late[1])}
    return None


def timeline_code(text):
    """The message for an old sentence, or None when it fits no shape."""
    found = _first(TIMELINE, text)
    if found is not None:
        return found
    match = _SUPPORTED_BY.match(text)
    if match:
        what = match["what"]
        case = _CASE_OPENED.match(what)
        nested = (
            {"code": "service_link_requested"}
            if what == "서비스 연계 요청"
            else {"code": "case_opened", "id": int(case["id"])}
            if case and case["id"].isdigit()
            else {"code": "text", "text": what}
        )
        if match["id"].isdigit():
            return {"code": "alert_supported_by", "id": int(match["id"]), "what": nested}
    match = _LINK.match(text)
    if match and (step := _link_step(match["what"])):
        return {
            "code": "service_link",
            **step,
            "service": match["service"],
            "provider": match["provider"],
        }
    match = _REFERRAL.match(text)
    if match and match["channel"] in CHANNELS and match["urgency"] in URGENCIES:
        labels = [] if match["what"] == "분류 없음" else match["what"].split(", ")
        if all(label in CONCERNS for label in labels):
            return {
                "code": "referral_received",
                "ref": match["ref"],
                "channel": CHANNELS[match["channel"]],
                "urgency": URGENCIES[match["urgency"]],
                "what": [CONCERNS[label] for label in labels],
            }
    match = _ASSESSMENT.match(text)
    if match and match["level"] in LEVELS:
        factors = [f for f in match["factors"].split(" · ") if f]
        return {
            "code": "assessment_scored",
            "score": int(match["score"]),
            "level": LEVELS[match["level"]],
            "factors": [factor_code(f) for f in factors],
            "alert": {"발굴 대상 갱신": "updated", "발굴 대상 등록": "opened"}.get(
                match["alert"] or "", ""
            ),
            "source": match["source"] or "",
        }
    return None


def timeline_korean(message):
    code = message.get("code")
    if code == "alert_supported_by":
        what = message.get("what") or {}
        inner = (
            "서비스 연계 요청"
            if what.get("code") == "service_link_requested"
            else f"통합사례 {what.get('id')} 접수"
            if what.get("code") == "case_opened"
            else what.get("text", "")
        )
        return f"발굴 A-{message.get('id')} 지원 연계: {inner}"
    if code == "service_link":
        step = message.get("step")
        what = (
            f"거절 — {message.get('reason', '')}"
            if step == "declined"
            else f"완료 (환가액 {message.get('value') or 0:,}원)"
            if step == "completed"
            else f"{message.get('days')} 근무일 미응답 — 제공기관에 독촉"
            if step == "reminded"
            else _inverse(LINK_STEPS).get(step, step)
        )
        return f"서비스 연계 {what}: {message.get('service')} ({message.get('provider')})"
    if code == "referral_received":
        concerns = _inverse(CONCERNS)
        what = ", ".join(concerns.get(c, c) for c in message.get("what") or ()) or "분류 없음"
        return (
            f"의뢰 {message.get('ref')} 접수 ({_inverse(CHANNELS).get(message.get('channel'))}"
            f", {_inverse(URGENCIES).get(message.get('urgency'))}): {what}"
        )
    if code == "assessment_scored":
        text = f"위기도 {message.get('score')}점 ({_inverse(LEVELS).get(message.get('level'))})"
        if message.get("factors"):
            text += " · " + " · ".join(factor_korean(f) for f in message["factors"])
        alert = {"updated": " — 발굴 대상 갱신", "opened": " — 발굴 대상 등록"}
        text += alert.get(message.get("alert"), "")
        if message.get("source"):
            text = f"위기정보 반영 ({message['source']}): " + text
        return text
    if code == "check_in_missed_never":
        return "안부 확인 누락: 마지막 확인 없음"
    return _korean(TIMELINE, message)[:300]


# --- the passes --------------------------------------------------------------------------

BATCH = 2000


def _each(queryset, fields, change):
    """Walk the table in id order and save what ``change`` changed, BATCH rows at a time."""
    model = queryset.model
    pending = []
    for row in queryset.order_by("id").iterator(chunk_size=BATCH):
        if change(row):
            pending.append(row)
        if len(pending) >= BATCH:
            model.objects.bulk_update(pending, fields)
            pending = []
    if pending:
        model.objects.bulk_update(pending, fields)


def forwards(apps, schema_editor):
    def factors(row):
        if any(isinstance(f, str) for f in row.factors or ()):
            row.factors = [factor_code(f) for f in row.factors]
            return True
        return False

    def rejection(row):
        changed = False
        if row.column in COLUMNS:
            row.column, changed = COLUMNS[row.column], True
        if row.reason and not row.message:
            message = _first(REJECTIONS, row.reason)
            if message is not None:
                row.message, row.reason, changed = message, "", True
        return changed

    def timeline(row):
        if row.message or not row.summary:
            return False
        message = timeline_code(row.summary)
        if message is None:
            return False
        row.message, row.summary = message, ""
        return True

    _each(apps.get_model("outreach", "RiskAssessment").objects.all(), ["factors"], factors)
    _each(
        apps.get_model("outreach", "SignalRejection").objects.all(),
        ["column", "reason", "message"],
        rejection,
    )
    _each(
        apps.get_model("households", "TimelineEvent").objects.exclude(summary=""),
        ["summary", "message"],
        timeline,
    )


def backwards(apps, schema_editor):
    columns = _inverse(COLUMNS)

    def factors(row):
        if any(isinstance(f, dict) for f in row.factors or ()):
            row.factors = [factor_korean(f) for f in row.factors]
            return True
        return False

    def rejection(row):
        row.column = columns.get(row.column, row.column)
        if row.message:
            row.reason, row.message = _korean(REJECTIONS, row.message)[:300], {}
        return True

    def timeline(row):
        if not row.message:
            return False
        row.summary, row.message = timeline_korean(row.message)[:300], {}
        return True

    _each(apps.get_model("outreach", "RiskAssessment").objects.all(), ["factors"], factors)
    _each(
        apps.get_model("outreach", "SignalRejection").objects.all(),
        ["column", "reason", "message"],
        rejection,
    )
    _each(
        apps.get_model("households", "TimelineEvent").objects.all(),
        ["summary", "message"],
        timeline,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0007_timeline_messages"),
        ("referrals", "0006_referral_pairing"),
        ("outreach", "0016_rejection_messages"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=True)]
