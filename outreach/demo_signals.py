"""Synthetic agency files for the demo, the tests and the benchmark (all people invented).

Rows are drawn from the demo district's own people (regenerated from the seed, so their
RRNs are known), plus people living at addresses where nobody is registered, plus rows
an agency would get wrong.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta

from households.demo import demo_rrn, household_and_people
from households.models import Dong, Household

HEADER = ["주민등록번호", "성명", "생년월일", "주소", "상세주소", "행정동코드", "위기정보",
          "기준일",
          "체납개월", "금액", "연락처"]
KIND_LABELS = ["단전", "단수", "단가스", "전기요금 체납", "건강보험료 체납", "관리비 체납",
               "통신비 체납",
               "금융연체", "실직·고용위기", "공공임대 임차료 체납", "과다의료비", "주거 위기(퇴거)"]


def demo_people(seed: int, limit: int | None = None):
    """(name, birth_date, road_address, address_detail, rrn or '', phone) for the demo
    district's registered people, regenerated from the seed in household order."""
    dongs = list(Dong.objects.order_by("code"))
    today = date(2026, 1, 1)  # households.demo generates with this fixed date
    households = Household.objects.order_by("id").values_list("registered_here", flat=True)
    if limit is not None:
        households = households[:limit]
    for index, registered_here in enumerate(households.iterator(chunk_size=10000)):
        rng = random.Random(seed * 1_000_003 + index)
        household, people = household_and_people(rng, index, dongs[index % len(dongs)], today)
        if not registered_here:
            continue
        for member, person in enumerate(people):
            rrn = (demo_rrn(index, member, person.birth_date, person.sex)
                   if person.rrn_hash else "")
            yield (person.name, person.birth_date, household.road_address,
                   household.address_detail, rrn, person.phone)


def signal_rows(*, seed: int, rows: int, observed: date, people_limit=None,
                unregistered_share=0.05, bad_share=0.01, rng_seed=11):
    """Yield ``rows`` rows (lists of strings, HEADER order)."""
    rng = random.Random(rng_seed)
    people = list(demo_people(seed, limit=people_limit))
    dongs = list(Dong.objects.order_by("code").values_list("code", "short_name"))
    for n in range(rows):
        kind = KIND_LABELS[n % len(KIND_LABELS)] if rng.random() < 0.5 else rng.choice(
            KIND_LABELS[:4])
        when = observed - timedelta(days=rng.randint(0, 60))
        months = str(rng.randint(1, 8)) if "체납" in kind else ""
        amount = f"{rng.randint(3, 300) * 10000:,}" if months else ""
        roll = rng.random()
        if roll < bad_share:
            yield ["", "홍길동", "19991340", "영등포로 1", "", "", kind, when.isoformat(), "",
                   "", ""]
            continue
        if roll < bad_share + unregistered_share:
            code, short = rng.choice(dongs)
            number = rng.randint(300, 900)
            yield ["", f"김{rng.choice('가나다라마')}{rng.choice('바사아자')}",
                   f"19{rng.randint(40, 99)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}",
                   f"서울특별시 영등포구 미등록로 {number}", f"{rng.randint(1, 5)}층", code, kind,
                   when.strftime("%Y%m%d"), months, amount, ""]
            continue
        name, birth, road_address, detail, rrn, phone = people[rng.randrange(len(people))]
        if rrn and rng.random() < 0.8:
            yield [f"{rrn[:6]}-{rrn[6:]}", name, "", "", "", "", kind,
                   when.strftime("%Y.%m.%d"), months, amount, phone]
        else:
            yield ["", name, birth.strftime("%Y%m%d"), road_address, detail, "", kind,
                   when.isoformat(), months, amount, ""]


def write_csv(path, rows, *, encoding="cp949", delimiter=","):
    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(HEADER)
        count = 0
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def write_xlsx(path, rows):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("위기정보")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
