"""The demo district: 영등포구 with its 18 real 행정동 and synthetic households.

Every person here is invented. Generation is deterministic per (seed, index),
so a second run adds nothing and a larger --households only tops up.
"""

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_noop

from households.addresses import address_key, normalize_name
from households.boundaries import features_read
from households.models import District, Dong, Household, Membership, Organization, Person, Role
from households.rrn import rrn_hash, rrn_mask
from households.services import district_boundaries_load

DISTRICT_CODE, DISTRICT_NAME = "11560", "영등포구"
DONGS_CSV = Path(settings.BASE_DIR) / "households" / "data" / "yeongdeungpo_dongs.csv"
DONGS_GEOJSON = Path(settings.BASE_DIR) / "households" / "data" / "yeongdeungpo_dongs.geojson"
# Shown under the map wherever it is drawn (households/data/README.md); stored in Korean
# and shown in the reader's language (the map looks the stored text up in the catalogue).
DONGS_GEOJSON_ATTRIBUTION = gettext_noop(
    "경계: 통계청(KOSTAT) 2013 센서스용 행정구역경계(단순화), southkorea/seoul-maps "
    "프로젝트 제공, Apache-2.0 라이선스"
)

# Road names people in each dong actually live on (approximate, for plausible addresses).
DONG_ROADS = {
    "영등포본동": ["영등포로", "영신로", "버드나루로"],
    "영등포동": ["영등포로", "영중로", "경인로"],
    "여의동": ["여의대방로", "국제금융로", "여의나루로"],
    "당산1동": ["당산로", "영신로", "당산로41길"],
    "당산2동": ["당산로", "양평로", "국회대로"],
    "도림동": ["도림로", "도신로", "도영로"],
    "문래동": ["문래로", "도림로", "경인로"],
    "양평1동": ["양평로", "선유로", "양산로"],
    "양평2동": ["양평로", "선유로", "선유동1로"],
    "신길1동": ["신길로", "영등포로", "신풍로"],
    "신길3동": ["신길로", "가마산로", "영등포로62길"],
    "신길4동": ["신길로", "여의대방로", "신길로40길"],
    "신길5동": ["가마산로", "영등포로", "신풍로"],
    "신길6동": ["가마산로", "신길로", "신길로28길"],
    "신길7동": ["여의대방로", "신길로", "여의대방로43길"],
    "대림1동": ["대림로", "도림로", "대림로25길"],
    "대림2동": ["대림로", "디지털로", "디지털로37길"],
    "대림3동": ["대림로", "시흥대로", "시흥대로185길"],
}

# Weighted roughly like the census: 김, 이, 박 are a third of Koreans.
SURNAMES = "김" * 21 + "이" * 15 + "박" * 8 + "최" * 5 + "정" * 5
SURNAMES += "강조윤장임한오서신권황안송류전홍"
GIVEN = "민서지현우영수진성준호은정혜경숙자순옥희철동석재상태훈유하연윤아"

ORGANIZATIONS = [
    ("ssis", "한국사회보장정보원", Organization.Kind.PUBLIC),
    ("kepco", "한국전력공사 영등포지사", Organization.Kind.UTILITY),
    ("nhis", "국민건강보험공단 영등포남부지사", Organization.Kind.HEALTH),
    ("water", "서울시 영등포수도사업소", Organization.Kind.UTILITY),
    ("gas", "서울도시가스 영등포고객센터", Organization.Kind.UTILITY),
    ("lh", "한국토지주택공사 서울지역본부", Organization.Kind.PUBLIC),
    ("ydp-foodbank", "영등포구 푸드뱅크", Organization.Kind.FOOD_BANK),
    ("ydp-welfare", "영등포종합사회복지관", Organization.Kind.WELFARE_CENTRE),
    ("ydp-police", "영등포경찰서", Organization.Kind.POLICE),
    ("ydp-mental", "영등포구 정신건강복지센터", Organization.Kind.HEALTH),
    ("ydp-office", "영등포구청 복지정책과", Organization.Kind.PUBLIC),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    what: str


DEMO_LOGINS = [
    DemoLogin("admin", Role.DISTRICT_ADMIN, "구 관리자: 구 전체, 사용자·기관 관리, 접속기록"),
    DemoLogin("staff1", Role.DONG_STAFF, "동 복지담당: 여의동, 신길1동"),
    DemoLogin("lead1", Role.TEAM_LEAD, "동 복지팀장: 여의동, 신길1동 사례 계획·종결 결재"),
    DemoLogin("admin2", Role.DISTRICT_ADMIN, "두 번째 구 관리자: 위험도 모델 새 버전 승인"),
    DemoLogin("manager1", Role.CASE_MANAGER, "통합사례관리사: 구 전체 사례"),
    DemoLogin("volunteer1", Role.VOLUNTEER, "복지통장: 신길1동 이웃 제보"),
    DemoLogin("partner1", Role.PARTNER, "협력기관: 영등포구 푸드뱅크"),
    DemoLogin("auditor1", Role.AUDITOR, "개인정보 보호책임자: 접속기록"),
]


def demo_rrn(household_index: int, member_index: int, birth_date: date, sex: str) -> str:
    """The synthetic RRN of a demo person; unique per (household, member)."""
    century_digit = {("M", 19): "1", ("F", 19): "2", ("M", 20): "3", ("F", 20): "4"}
    first = century_digit[(sex, birth_date.year // 100)]
    serial = (household_index * 4 + member_index) % 1_000_000
    return f"{birth_date:%y%m%d}{first}{serial:06d}"


def seed_district() -> tuple[District, list[Dong]]:
    district, _ = District.objects.get_or_create(
        code=DISTRICT_CODE, defaults={"name": DISTRICT_NAME}
    )
    dongs = []
    with DONGS_CSV.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            dong, _ = Dong.objects.get_or_create(
                code=row["행정동코드"],
                defaults={"district": district, "name": row["행정동명"], "short_name": row["약칭"]},
            )
            dongs.append(dong)
    return district, dongs


def seed_boundaries(district: District) -> int:
    """The 18 dongs' outlines for the district map (KOSTAT 2013, via seoul-maps)."""
    match = district_boundaries_load(
        district=district, features=features_read(DONGS_GEOJSON.read_bytes()),
        attribution=DONGS_GEOJSON_ATTRIBUTION,
    )
    return len(match.matched)


def seed_organizations(district: District) -> dict[str, Organization]:
    orgs = {}
    for code, name, kind in ORGANIZATIONS:
        orgs[code], _ = Organization.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "district": district}
        )
    return orgs


def seed_users(district: District, dongs: list[Dong], orgs: dict[str, Organization]):
    by_short = {d.short_name: d for d in dongs}
    User = get_user_model()
    plan = {
        "admin": [dict(role=Role.DISTRICT_ADMIN, district=district)],
        "staff1": [dict(role=Role.DONG_STAFF, dong=by_short["여의동"]),
                   dict(role=Role.DONG_STAFF, dong=by_short["신길1동"])],
        "staff2": [dict(role=Role.DONG_STAFF, dong=by_short["대림2동"])],
        "lead1": [dict(role=Role.TEAM_LEAD, dong=by_short["여의동"]),
                  dict(role=Role.TEAM_LEAD, dong=by_short["신길1동"])],
        "admin2": [dict(role=Role.DISTRICT_ADMIN, district=district)],
        "manager1": [dict(role=Role.CASE_MANAGER, district=district)],
        "volunteer1": [dict(role=Role.VOLUNTEER, dong=by_short["신길1동"], group="복지통장")],
        "partner1": [dict(role=Role.PARTNER, organization=orgs["ydp-foodbank"])],
        "auditor1": [dict(role=Role.AUDITOR, district=district)],
        "feed-ssis": [dict(role=Role.AGENCY_FEED, organization=orgs["ssis"])],
    }
    for username, memberships in plan.items():
        user, created = User.objects.get_or_create(username=username)
        if created:
            if settings.DEMO_MODE:
                user.set_password(settings.DEMO_PASSWORD)
            else:
                user.set_unusable_password()
            if username == "admin":
                user.is_staff = user.is_superuser = True
            user.save()
        for m in memberships:
            Membership.objects.get_or_create(user=user, **m)


def household_and_people(rng: random.Random, index: int, dong: Dong, today: date):
    road = rng.choice(DONG_ROADS.get(dong.short_name, ["영등포로"]))
    main_no = rng.randint(1, 220)
    sub_no = rng.choice([None, None, rng.randint(1, 30)])
    number = f"{main_no}-{sub_no}" if sub_no else str(main_no)
    road_address = f"서울특별시 영등포구 {road} {number}"
    detail = rng.choice([
        "",
        f"{rng.randint(1, 5)}층",
        f"{rng.randint(1, 15)}{rng.randint(1, 8):02d}호",
        f"{rng.randint(101, 112)}동 {rng.randint(1, 20)}{rng.randint(1, 6):02d}호",
    ])
    elderly = rng.random() < 0.33
    lives_alone = rng.random() < (0.45 if elderly else 0.25)
    size = 1 if lives_alone else rng.choice([2, 2, 3, 3, 4])
    children = (not lives_alone) and (not elderly) and rng.random() < 0.45
    household = Household(
        dong=dong, road_address=road_address, address_detail=detail,
        address_key=address_key(road_address, detail),
        tong=rng.randint(1, 30), ban=rng.randint(1, 8),
        lives_alone=lives_alone, elderly=elderly, disability=rng.random() < 0.06,
        children=children, registered_here=rng.random() > 0.03,
    )
    surname = rng.choice(SURNAMES)
    people = []
    for member in range(size):
        if member == 0:
            age = rng.randint(65, 92) if elderly else rng.randint(24, 64)
        elif children and member >= 2:
            age = rng.randint(1, 17)
        else:
            age = rng.randint(20, 90) if elderly else rng.randint(20, 64)
        birth = today - timedelta(days=age * 365 + rng.randint(0, 364))
        sex = rng.choice("FM")
        name = (surname if member == 0 or member >= 2 else rng.choice(SURNAMES)) + \
            rng.choice(GIVEN) + rng.choice(GIVEN)
        person = Person(
            name=name, name_key=normalize_name(name), birth_date=birth, sex=sex,
            phone=f"010-{rng.randint(2000, 9999)}-{rng.randint(0, 9999):04d}" if age >= 15 else "",
            is_head=member == 0,
        )
        if rng.random() < 0.7:
            rrn = demo_rrn(index, member, birth, sex)
            person.rrn_hash, person.rrn_masked = rrn_hash(rrn), rrn_mask(rrn)
        people.append(person)
    return household, people


def seed_households(district: District, dongs: list[Dong], target: int, seed: int,
                    batch_size: int = 5000, progress=None) -> int:
    """Top the district up to ``target`` households; returns how many were added."""
    existing = Household.objects.filter(dong__district=district).count()
    if existing >= target:
        return 0
    today = date(2026, 1, 1)  # fixed, so the same seed gives the same people every year
    added = 0
    for start in range(existing, target, batch_size):
        stop = min(start + batch_size, target)
        households, people_per_household = [], []
        for index in range(start, stop):
            rng = random.Random(seed * 1_000_003 + index)
            dong = dongs[index % len(dongs)]
            household, people = household_and_people(rng, index, dong, today)
            households.append(household)
            people_per_household.append(people)
        with transaction.atomic():
            Household.objects.bulk_create(households, batch_size=batch_size)
            members = []
            for household, people in zip(households, people_per_household, strict=True):
                for person in people:
                    person.household_id = household.pk
                    members.append(person)
            Person.objects.bulk_create(members, batch_size=batch_size)
        added += len(households)
        if progress:
            progress(existing + added, target)
    return added


def seed_registry(households: int, seed: int, progress=None) -> dict:
    district, dongs = seed_district()
    seed_boundaries(district)
    orgs = seed_organizations(district)
    seed_users(district, dongs, orgs)
    added = seed_households(district, dongs, households, seed, progress=progress)
    return {"district": district, "dongs": dongs, "organizations": orgs,
            "households_added": added}
