"""The crisis-information kinds (위기정보) agencies send, modelled on the national list.

Each kind has a code (what the API and English headers use), a Korean label (what
Korean files use) and a default weight for RiskModel v1.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class SignalKind:
    code: str
    label: str
    weight: int
    # cutoff (단전·단수·단가스), arrears, income, health, housing, safety …
    family: str


SIGNAL_KINDS = [
    SignalKind("power_cutoff", _("단전"), 30, "cutoff"),
    SignalKind("water_cutoff", _("단수"), 30, "cutoff"),
    SignalKind("gas_cutoff", _("단가스"), 25, "cutoff"),
    SignalKind("power_arrears", _("전기요금 체납"), 12, "arrears"),
    SignalKind("water_arrears", _("수도요금 체납"), 12, "arrears"),
    SignalKind("gas_arrears", _("가스요금 체납"), 10, "arrears"),
    SignalKind("health_insurance_arrears", _("건강보험료 체납"), 15, "arrears"),
    SignalKind("pension_arrears", _("국민연금 체납"), 8, "arrears"),
    SignalKind("public_rent_arrears", _("공공임대 임차료 체납"), 20, "arrears"),
    SignalKind("maintenance_arrears", _("관리비 체납"), 12, "arrears"),
    SignalKind("telecom_arrears", _("통신비 체납"), 8, "arrears"),
    SignalKind("loan_delinquency", _("금융연체"), 12, "income"),
    SignalKind("debt_adjustment", _("채무조정"), 10, "income"),
    SignalKind("business_closure", _("휴·폐업"), 15, "income"),
    SignalKind("job_loss", _("실직·고용위기"), 20, "income"),
    SignalKind("high_medical_cost", _("과다의료비"), 18, "health"),
    SignalKind("breadwinner_death", _("주소득자 사망"), 30, "income"),
    SignalKind("facility_discharge", _("복지시설 퇴소"), 20, "housing"),
    SignalKind("suicide_risk", _("자살 고위험"), 45, "safety"),
    SignalKind("mental_health_crisis", _("정신건강 위기"), 30, "health"),
    SignalKind("disaster_damage", _("재난 피해"), 25, "housing"),
    SignalKind("eviction", _("주거 위기(퇴거)"), 30, "housing"),
    SignalKind("care_need", _("돌봄 필요"), 15, "health"),
]
KINDS_BY_CODE = {kind.code: kind for kind in SIGNAL_KINDS}
KIND_ORDER = {kind.code: n for n, kind in enumerate(SIGNAL_KINDS)}
KIND_CHOICES = [(kind.code, kind.label) for kind in SIGNAL_KINDS]
CUTOFF_KINDS = frozenset(kind.code for kind in SIGNAL_KINDS if kind.family == "cutoff")
DEFAULT_WEIGHTS = {kind.code: kind.weight for kind in SIGNAL_KINDS}

_LABEL_NOISE = re.compile(r"[\s·ㆍ・.,()\[\]_\-]")


def _label_key(text: str) -> str:
    return _LABEL_NOISE.sub("", str(text)).lower()


def _lookup() -> dict[str, str]:
    table = {}
    for kind in SIGNAL_KINDS:
        table[_label_key(kind.code)] = kind.code
        # Labels are lazy; the Korean source string is what files carry.
        table[_label_key(kind.label._args[0] if hasattr(kind.label, "_args") else kind.label)] = (
            kind.code
        )
    # Common spellings seen in agency files.
    extra = {
        "단전예정": "power_cutoff", "전기단전": "power_cutoff", "단수예정": "water_cutoff",
        "가스단절": "gas_cutoff", "가스공급중단": "gas_cutoff", "전기료체납": "power_arrears",
        "건보료체납": "health_insurance_arrears", "임대료체납": "public_rent_arrears",
        "휴폐업": "business_closure", "실직": "job_loss", "고용위기": "job_loss",
        "퇴거": "eviction", "주거위기": "eviction", "금융연체자": "loan_delinquency",
    }
    table.update({_label_key(k): v for k, v in extra.items()})
    return table


_KIND_LOOKUP = _lookup()


def kind_code(text: str) -> str | None:
    """The kind code for a code or Korean label as written in a file, else None."""
    return _KIND_LOOKUP.get(_label_key(text or ""))


def kind_label(code: str) -> str:
    kind = KINDS_BY_CODE.get(code)
    return str(kind.label) if kind else code
