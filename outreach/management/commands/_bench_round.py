"""The benchmark's synthetic round (all people invented): what a national feed of crisis
information looks like when it reaches one district.

- About 1.2 rows per person, most of them the household's one recurring problem: 85 % of
  households an arrears kind (utilities, health insurance, telecom, maintenance, pension),
  6 % a supply cut-off, 9 % something else (job loss, medical costs, debt, eviction …);
  one row in thirty is another kind. So a few percent of households cross the threshold.
- People are the district's own first (its registry, whose synthetic RRNs are rebuilt
  from households.demo), then people registered elsewhere: a bigger file is a wider
  round, not the same people reported twenty times. Of the district's rows, people with
  an RRN on file come by RRN; the others by name + birth date + address (local sources).
- 2 % are people found at an address in the district where nobody is registered, 1 % are
  rows an agency gets wrong (a bad date, an unknown kind, a short RRN).

Rows are written as CP949 bytes directly: 10 million rows take under a minute.
"""

import random
from datetime import date, timedelta

from django.db import connection

from households.demo import demo_rrn
from households.models import Dong, Household, Person
from outreach.demo_signals import HEADER

ARREARS = ["전기요금 체납", "수도요금 체납", "가스요금 체납", "건강보험료 체납", "관리비 체납",
           "통신비 체납", "국민연금 체납"]
CUTOFFS = ["단전", "단수", "단가스"]
OTHERS = ["금융연체", "실직·고용위기", "과다의료비", "공공임대 임차료 체납", "주거 위기(퇴거)",
          "휴·폐업", "채무조정"]
ROWS_PER_PERSON = 1.2


def _csv(text: str) -> bytes:
    if "," in text or '"' in text:
        text = '"' + text.replace('"', '""') + '"'
    return text.encode("cp949")


def district_people(seed_check: int = 50) -> list[tuple]:
    """(rrn or '', name, birth, road address, detail, phone, household index) of every
    registered person."""
    sql = f"""
        SELECT h.idx, row_number() OVER (PARTITION BY p.household_id ORDER BY p.id) - 1,
               p.name, p.birth_date, p.sex, p.phone, p.rrn_hash, h.road_address,
               h.address_detail
          FROM {Person._meta.db_table} p
          JOIN (SELECT id, road_address, address_detail, registered_here,
                       row_number() OVER (ORDER BY id) - 1 AS idx
                  FROM {Household._meta.db_table}) h ON h.id = p.household_id
         WHERE h.registered_here"""
    from households.rrn import rrn_hash

    people = []
    with connection.cursor() as cursor:
        cursor.execute(sql)
        for index, member, name, birth, sex, phone, hashed, road, detail in cursor:
            rrn = demo_rrn(index, member, birth, sex) if hashed else ""
            if hashed and len(people) < seed_check and rrn_hash(rrn) != hashed:
                raise RuntimeError("the registry was not seeded by households.demo")
            people.append((rrn, name, birth, road, detail, phone, index))
    return people


def write_round(path, *, rows: int, today: date, rng_seed: int, people: list[tuple]) -> dict:
    """Write the file; returns what it holds (rows, district rows, outsiders …)."""
    rng = random.Random(rng_seed)
    dongs = [code for (code,) in Dong.objects.order_by("code").values_list("code")]
    district = people[:]
    rng.shuffle(district)
    persons = max(1, int(rows / ROWS_PER_PERSON))
    district = district[:persons]
    header = ",".join(HEADER).encode("cp949") + b"\r\n"
    dates = [(today - timedelta(days=d)) for d in range(61)]
    dates_iso = [d.isoformat().encode() for d in dates]
    dates_dot = [d.strftime("%Y.%m.%d").encode() for d in dates]
    kinds = {text: _csv(text) for text in ARREARS + CUTOFFS + OTHERS}
    every_kind = list(kinds.values())
    encoded = [(_csv(rrn[:6] + "-" + rrn[6:]) if rrn else b"", _csv(name),
                birth.strftime("%Y%m%d").encode(), _csv(road), _csv(detail), _csv(phone))
               for rrn, name, birth, road, detail, phone, _index in district]
    # A household's arrears are the dwelling's (one electricity bill): its members share
    # their recurring problem.
    problem_of = [index for *_person, index in district]
    counts = {"rows": rows, "district_rows": 0, "outsider_rows": 0, "unregistered_rows": 0,
              "bad_rows": 0, "persons": persons}
    random_ = rng.random
    overdue = "체납".encode("cp949")
    with open(path, "wb") as out:
        out.write(header)
        lines = []
        for _ in range(rows):
            who = rng.randrange(persons)
            home = problem_of[who] if who < len(problem_of) else who
            profile = (home * 2654435761 % 4294967296) / 4294967296  # fixed per household
            group = ARREARS if profile < 0.85 else CUTOFFS if profile < 0.91 else OTHERS
            if random_() < 0.03:
                kind = every_kind[rng.randrange(len(every_kind))]
            else:
                kind = kinds[group[home % len(group)]]
            arrears = overdue in kind
            months = str(rng.randint(1, 8)).encode() if arrears else b""
            amount = _csv(f"{rng.randint(3, 300) * 10000:,}") if arrears else b""
            day = rng.randrange(61)
            roll = random_()
            if roll < 0.01:
                counts["bad_rows"] += 1
                line = [b"", _csv("홍길동"), b"19991340", _csv("영등포로 1"), b"", b"", kind,
                        dates_iso[day], b"", b"", b""]
            elif roll < 0.03:
                counts["unregistered_rows"] += 1
                number = rng.randint(300, 900)
                line = [b"", _csv(f"김{rng.choice('가나다라마')}{rng.choice('바사아자')}"),
                        f"19{rng.randint(40, 99)}{rng.randint(1, 12):02d}"
                        f"{rng.randint(1, 28):02d}".encode(),
                        _csv(f"서울특별시 영등포구 미등록로 {number}"),
                        _csv(f"{rng.randint(1, 5)}층"), rng.choice(dongs).encode(), kind,
                        dates[day].strftime("%Y%m%d").encode(), months, amount, b""]
            elif who < len(encoded):
                counts["district_rows"] += 1
                rrn, name, birth, road, detail, phone = encoded[who]
                if rrn:
                    line = [rrn, name, b"", b"", b"", b"", kind, dates_dot[day], months,
                            amount, phone]
                else:
                    line = [b"", name, birth, road, detail, b"", kind, dates_iso[day], months,
                            amount, b""]
            else:
                counts["outsider_rows"] += 1
                # Registered elsewhere: 외국인 digits 5–8 never collide with the demo's 1–4.
                serial = who % 1_000_000
                born = f"{60 + who % 40:02d}{1 + who % 12:02d}{1 + who % 28:02d}"
                line = [f"{born}-{5 + who % 4}{serial:06d}".encode(),
                        b"", b"", b"", b"", b"", kind, dates_dot[day], months, amount, b""]
            lines.append(b",".join(line))
            if len(lines) >= 20000:
                out.write(b"\r\n".join(lines) + b"\r\n")
                lines = []
        if lines:
            out.write(b"\r\n".join(lines) + b"\r\n")
    return counts
