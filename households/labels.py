"""Human labels, in the reader's language, for the codes stored in timeline and access-log rows.

TimelineEvent.kind and AccessLog.object_type are plain strings written by every app; the
pages show them through the `timeline_kind` and `object_type` template filters, never as
the raw code. A code not listed here is shown as it is.
"""

from django.utils.translation import gettext_lazy as _

TIMELINE_KINDS = {
    "signal": _("위기정보"),
    "assessment": _("위기도 평가"),
    "alert": _("발굴"),
    "referral": _("의뢰"),
    "visit": _("방문"),
    "service_link": _("서비스 연계"),
    "case": _("사례관리"),
    "check_in": _("안부 확인"),
    "note": _("메모"),
    "consent": _("정보 제공 동의"),
}

ACCESS_LOG_OBJECT_TYPES = {
    "household": _("가구"),
    "person": _("가구원"),
    "household_list": _("가구 목록"),
    "household_search": _("가구 검색"),
    "household_work": _("가구 방문·연계·사례"),
    "household_timeline": _("가구 타임라인"),
    "household_history": _("가구 변경 이력"),
    "case_history": _("사례관리 변경 이력"),
    "referral_history": _("의뢰 변경 이력"),
    "history": _("변경 이력"),
    "consent_override": _("동의 없이 서비스 연계"),
    "consent_list": _("정보 제공 동의 목록"),
    "approval_list": _("결재함"),
    "retention_list": _("보존기간 경과 가구 목록"),
    "anonymisation": _("익명 처리 승인"),
    "break_glass": _("업무 밖 열람 (사유)"),
    "approval": _("결재"),
    "consent": _("정보 제공 동의"),
    "visit": _("방문"),
    "visit_list": _("방문 목록"),
    "case": _("사례관리"),
    "case_list": _("사례관리 목록"),
    "alert": _("발굴"),
    "referral": _("의뢰"),
    "referral_list": _("의뢰 목록"),
    "service_link": _("서비스 연계"),
    "service_link_list": _("서비스 연계 목록"),
    "pairing_list": _("안부 확인 결연 목록"),
    "check_in_list": _("안부 확인 목록"),
    "inbox": _("처리함"),
    "inbox_list": _("처리함 목록"),
    "signal_batch": _("위기정보 파일"),
    "signal_batch_errors": _("위기정보 파일 오류"),
    "dashboard": _("대시보드"),
    "dashboard_overdue_alerts": _("대시보드: 기한 지난 발굴"),
    "dashboard_discovery_targets": _("대시보드: 발굴 대상"),
}

EXPORT_PREFIX = "export:"


def timeline_kind_label(code: str) -> str:
    return str(TIMELINE_KINDS.get(code, code))


def object_type_label(code: str) -> str:
    """"export:inbox" → "내보내기: 처리함"; an unknown code is returned as it is."""
    code = code or ""
    if code in ACCESS_LOG_OBJECT_TYPES:
        return str(ACCESS_LOG_OBJECT_TYPES[code])
    if code.startswith(EXPORT_PREFIX):
        rest = code[len(EXPORT_PREFIX):]
        return _("내보내기: %(what)s") % {"what": object_type_label(rest)}
    return code
