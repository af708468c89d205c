"""The district's service catalogue (서비스 목록) for the demo and a new district."""

from django.db import transaction

from households.models import Organization
from referrals.models import Service

# The district's catalogue: real Korean programmes and who provides them in 영등포구.
# (name, sector, provider kind, need domain, typical 환가액 KRW, provider org codes, description)
CATALOGUE_ORGANIZATIONS = [
    ("ydp-employment", "서울남부고용센터", Organization.Kind.PUBLIC),
    ("ydp-suicide", "영등포구 자살예방센터", Organization.Kind.HEALTH),
    ("nps", "국민연금공단 영등포지사", Organization.Kind.PUBLIC),
    ("energy", "한국에너지공단", Organization.Kind.PUBLIC),
    ("ydp-elderly", "영등포노인종합복지관", Organization.Kind.WELFARE_CENTRE),
    ("ydp-housing", "영등포구 주거복지센터", Organization.Kind.OTHER),
    ("ydp-council", "영등포구 지역사회보장협의체", Organization.Kind.OTHER),
    ("klac", "대한법률구조공단 서울남부지부", Organization.Kind.PUBLIC),
]

CATALOGUE = [
    ("기초생활보장 생계급여", "public", "public", "income", 820_000, ["ydp-office"],
     "기준 중위소득 32% 이하 가구의 생계비 지원 (1인 가구 월액 기준)"),
    ("기초생활보장 의료급여", "public", "public", "health", 300_000, ["ydp-office"],
     "기준 중위소득 40% 이하 가구의 의료비 지원"),
    ("기초생활보장 주거급여", "public", "public", "housing", 341_000, ["ydp-office", "lh"],
     "기준 중위소득 48% 이하 가구의 임차료·수선비 지원"),
    ("기초생활보장 교육급여", "public", "public", "income", 487_000, ["ydp-office"],
     "기준 중위소득 50% 이하 가구 학생의 교육활동지원비"),
    ("긴급복지지원 생계지원", "public", "public", "income", 730_500, ["ydp-office"],
     "위기 상황 가구에 1개월 생계비 우선 지원 (긴급지원: 3일 내 첫 접촉)"),
    ("긴급복지지원 의료지원", "public", "public", "health", 3_000_000, ["ydp-office"],
     "위기 상황의 의료비 1회 300만원 이내"),
    ("긴급복지지원 주거지원", "public", "public", "housing", 401_000, ["ydp-office"],
     "위기 상황 가구의 임시 거소 제공"),
    ("차상위 본인부담경감", "public", "public", "health", 150_000, ["ydp-office", "nhis"],
     "차상위계층 의료비 본인부담 경감"),
    ("에너지바우처", "public", "public", "housing", 295_200, ["ydp-office", "energy"],
     "취약계층의 냉·난방 에너지 비용 지원 (연간)"),
    ("노인맞춤돌봄서비스", "public", "welfare_centre", "care", 300_000,
     ["ydp-elderly", "ydp-welfare"], "돌봄이 필요한 65세 이상 노인의 안부 확인·생활 지원"),
    ("국민취업지원제도", "public", "public", "employment", 3_000_000, ["ydp-employment"],
     "취업지원서비스와 구직촉진수당 (월 50만원 × 6개월)"),
    ("장애인활동지원", "public", "public", "care", 1_500_000, ["nps", "ydp-office"],
     "장애인의 신체·가사 활동 지원 (월 환산)"),
    ("정신건강복지센터 사례관리", "public", "health", "health", 0, ["ydp-mental"],
     "정신건강 상담·사례관리"),
    ("자살예방센터 위기상담", "public", "health", "safety", 0, ["ydp-suicide"],
     "자살 위기 상담과 위기 개입"),
    ("푸드뱅크·푸드마켓", "private", "food_bank", "food", 100_000, ["ydp-foodbank"],
     "기부 식품·생필품 지원 (월 환산)"),
    ("주거환경개선", "private", "other", "housing", 2_000_000, ["ydp-housing", "ydp-welfare"],
     "도배·장판·단열·집수리"),
    ("후원 결연", "private", "other", "income", 200_000, ["ydp-council", "ydp-welfare"],
     "지역사회보장협의체 정기 후원 결연 (월액)"),
    ("무료 법률상담", "public", "public", "safety", 150_000, ["klac"],
     "채무·임대차·가족 문제 법률상담"),
    ("밑반찬 배달", "private", "welfare_centre", "food", 80_000, ["ydp-welfare", "ydp-foodbank"],
     "거동이 불편한 1인 가구 밑반찬 배달 (월 환산)"),
]


@transaction.atomic
def service_catalogue_seed(district=None) -> int:
    """Create the demo district's catalogue (idempotent); returns how many services are new."""
    for code, name, kind in CATALOGUE_ORGANIZATIONS:
        Organization.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "district": district}
        )
    orgs = {o.code: o for o in Organization.objects.filter(code__isnull=False)}
    created_count = 0
    for name, sector, kind, domain, value, provider_codes, description in CATALOGUE:
        service, created = Service.objects.get_or_create(
            name=name,
            defaults={"sector": sector, "provider_kind": kind, "domain": domain,
                      "typical_value": value, "description": description},
        )
        created_count += created
        service.providers.add(*[orgs[c] for c in provider_codes if c in orgs])
    return created_count
