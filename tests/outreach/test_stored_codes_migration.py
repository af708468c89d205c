"""The data migration that turns stored Korean sentences into codes with values: every old
shape is read back, the English page shows it in English, and going back restores it."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from households.messages import message_text

backfill = importlib.import_module("outreach.migrations.0017_stored_codes_backfill")

OLD_TIMELINE = [
    "위기정보 반영 (한국전력공사): 위기도 72점 (위기) · 단전 2개월 · 1인 가구 — 발굴 대상 등록",
    "위기도 35점 (주의) · 건강보험료 체납 6개월 (48만 원)",
    "발굴 대상 등록 (missed_check_in)",
    "발굴 A-12 담당자 지정: staff1",
    "발굴 A-12 첫 접촉: 지원 결정 기한 2026-03-14",
    "발굴 A-12 지원 연계: 서비스 연계 요청",
    "발굴 A-12 지원 연계: 통합사례 4 접수",
    "발굴 A-12 종결: 지원 불요",
    "R-3를 A-12에 병합",
    "안부 확인 누락: 마지막 확인 2026-02-01",
    "안부 확인 누락: 마지막 확인 없음",
    "가정방문 예정 2026-03-02 14:00",
    "가정방문 예정 2026-03-04 14:00 (2차)",
    "가정방문 2차: 부재",
    "가정방문 3차: 부재 — 연락 두절 (3회 부재). 권고: 복지등기 우편 발송, 이웃·통반장 탐문, "
    "관리사무소·임대인 확인",
    "통합사례 욕구 사정 단계",
    "통합사례 점검 단계: 주 1회 방문",
    "통합사례 종결 단계: 목표 달성",
    "사례회의 2026-03-05",
    "사례 목표: 밀린 월세 해결",
    "점검 기록: 식사 잘 하심",
    "사후관리 예정일 도래 (통합사례 4)",
    "결연 시작: 매주 안부 확인",
    "결연 종료",
    "안부 확인: 전화 (4/5)",
    "안부 확인: 응답 없음",
    "위기정보로 발견된 미등록 거주 후보 (한국전력공사)",
    "서비스 연계 요청: 기초생활보장 (영등포구청)",
    "서비스 연계 거절 — 대상이 아닙니다: 푸드뱅크 (영등포구 푸드뱅크)",
    "서비스 연계 완료 (환가액 120,000원): 푸드뱅크 (영등포구 푸드뱅크)",
    "서비스 연계 3 근무일 미응답 — 제공기관에 독촉: 푸드뱅크 (영등포구 푸드뱅크)",
    "의뢰 R-3 접수 (자원봉사자, 지금 위험): 끼니 거름, 월세 체납",
    "의뢰 R-3 접수 (주민 제보, 여유 있음): 분류 없음",
    "의뢰 R-3 담당자 지정: staff1",
    "의뢰 R-3 상태: 방문",
    "의뢰 R-3로 가구 등록",
    "의뢰 R-3 종결: 중복",
]


@pytest.mark.parametrize("old", OLD_TIMELINE)
def test_every_old_timeline_sentence_becomes_a_code_and_back(old):
    message = backfill.timeline_code(old)
    assert message is not None and message["code"] != "text", old
    assert backfill.timeline_korean(message) == old
    with translation.override("en"):
        english = message_text(message)
    assert english and english != old


def test_a_sentence_of_no_known_shape_is_left_as_written():
    assert backfill.timeline_code("전화 상담: 이웃이 걱정함") is None


def test_factors_and_rejections_become_codes_with_their_values():
    assert backfill.factor_code("건강보험료 체납 6개월 (48만 원)") == {
        "code": "health_insurance_arrears", "months": 6, "amount": 480000}
    assert backfill.factor_code("단전·단수 동시") == {
        "code": "factor_cutoffs_together", "kinds": ["power_cutoff", "water_cutoff"]}
    assert backfill.factor_code("뭔가 다른 것")["code"] == "text"
    assert backfill._first(backfill.REJECTIONS, "기준일 '2025-13-01' 형식 오류 "
                           "(YYYYMMDD, YYYY-MM-DD, YYYY.MM.DD)") == {
        "code": "observed_format", "v": "2025-13-01"}


@pytest.mark.django_db(transaction=True)
def test_the_migration_runs_forwards_and_backwards_on_stored_rows():
    before = [("outreach", "0016_rejection_messages"), ("households", "0007_timeline_messages")]
    after = [("outreach", "0017_stored_codes_backfill")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    District = apps.get_model("households", "District")
    Dong = apps.get_model("households", "Dong")
    Household = apps.get_model("households", "Household")
    dong = Dong.objects.create(district=District.objects.create(name="영등포구", code="11560"),
                               name="여의동", code="1156054000")
    household = Household.objects.create(dong=dong, road_address="여의대방로 1")
    event = apps.get_model("households", "TimelineEvent").objects.create(
        household=household, kind="visit", summary="가정방문 2차: 부재",
        at="2026-03-01T10:00:00+09:00")
    assessment = apps.get_model("outreach", "RiskAssessment").objects.create(
        household=household, score=72, level="high", factors=["단전 2개월", "1인 가구"])

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    apps = executor.loader.project_state(after).apps
    event = apps.get_model("households", "TimelineEvent").objects.get(pk=event.pk)
    assert event.message == {"code": "visit_recorded", "n": 2, "outcome": "not_home"}
    assert event.summary == ""
    assert apps.get_model("outreach", "RiskAssessment").objects.get(
        pk=assessment.pk).factors == [{"code": "power_cutoff", "months": 2},
                                      {"code": "factor_alone"}]

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    assert apps.get_model("households", "TimelineEvent").objects.get(
        pk=event.pk).summary == "가정방문 2차: 부재"
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
