"""Address keys, name normalisation and 동 hints used to match referrals to households."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from households.addresses import (
    address_key,
    address_key_and_hint,
    dong_hint,
    normalize_name,
)

# Each row: two real-world spellings of the same dwelling, as (address, detail) pairs.
SAME_DWELLING = [
    # 서울/영등포구 prefixes present, absent or spelled differently
    (("서울특별시 영등포구 여의대방로 43", ""), ("여의대방로 43", "")),
    (("서울시 영등포구 국제금융로 10", ""), ("서울 국제금융로 10", "")),
    (("서울 특별시 영등포구 당산로 123", ""), ("영등포구 당산로 123", "")),
    (("서울영등포구영등포로 100", ""), ("서울특별시 영등포구 영등포로 100", "")),
    (("(우)07345 서울특별시 영등포구 국제금융로 10", ""), ("국제금융로 10", "")),
    # 도로명: spacing, branch roads, sub-numbers
    (("여의대방로 43", ""), ("여의대방로43", "")),
    (("여의대방로 43번길 5", ""), ("여의대방로43번길 5", "")),
    (("선유로 9길 10", ""), ("선유로9길 10", "")),
    (("도림로 12-3", ""), ("도림로 12 - 3", "")),
    (("도림로 12-3", ""), ("도림로 12의3", "")),
    (("신길로 43-1", ""), ("신길로 43－1", "")),  # full-width hyphen
    (("대림로 １２３‐４", ""), ("대림로 123-4", "")),  # full-width digits, U+2010
    (("문래로 20–1", ""), ("문래로 20—1", "")),  # en dash vs em dash
    (("양평로 7―2", ""), ("양평로 7~2", "")),  # horizontal bar vs tilde
    (("경인로 775 ﹣ 1", ""), ("경인로 775-1", "")),  # small hyphen-minus
    # 참고항목 in parentheses is dropped
    (("당산로 123 (당산동3가)", ""), ("당산로 123", "")),
    (("여의대방로 43 (여의도동, 한양아파트)", ""), ("여의대방로 43", "")),
    # 지번
    (("여의도동 23-4", ""), ("여의도동 23번지 4호", "")),
    (("여의도동 23-4", ""), ("여의도동 23-4번지", "")),
    (("당산동3가 385", ""), ("당산동 3가 385", "")),
    (("서울 영등포구 영등포동2가 94-5", ""), ("영등포동 2가 94의5", "")),
    (("신길동 산 12", ""), ("신길동 산12", "")),
    (("문래동3가 54-1", "2층"), ("문래동 3가 54-1번지 2층", "")),
    # units: detail vs trailing, dash form, spacing, 제, building names
    (("여의대방로 43", "101동 1203호"), ("여의대방로 43", "101동1203호")),
    (("여의대방로 43", "101동 1203호"), ("여의대방로 43", "101-1203")),
    (("여의대방로 43, 101동 1203호", ""), ("여의대방로 43", "한양아파트 101동 1203호")),
    (
        ("여의대방로 43 (여의도동, 한양아파트)", "한양APT 101동 1203호"),
        ("여의대방로43", "101-1203"),
    ),
    (("국제금융로 10", "제101동 제1203호"), ("국제금융로 10", "101 - 1203")),
    (("대림동 1077-1", "대림아파트 102동 303호"), ("대림동 1077-1", "102동 303호")),
    (("양평동4가 2", "1203호"), ("양평동 4가 2 1203호", "")),
    (("도림동 100", "1203"), ("도림동 100", "1203호")),
    (("신길로 40길 5", "a동 101호"), ("신길로40길 5", "A동101호")),  # Latin case
    # basement / floor / rooftop spellings
    (("영등포로 10", "B01호"), ("영등포로 10", "지하1층")),
    (("영등포로 10", "지하1층"), ("영등포로 10", "지하 1층")),
    (("영등포로 10", "b1"), ("영등포로 10", "반지하")),
    (("영등포로 10", "2층"), ("영등포로 10 2F", "")),
    (("영등포로 10", "3층 301호"), ("영등포로 10", "301호")),
    (("영등포로 10", "빌라 2층"), ("영등포로 10", "2층")),
    (("영등포로 10", "옥탑"), ("영등포로 10", "옥탑방")),
]

# Each row: two addresses that are different dwellings.
DIFFERENT_DWELLING = [
    (("여의대방로 43", ""), ("여의대방로 45", "")),  # building number
    (("도림로 12-3", ""), ("도림로 12-4", "")),  # sub-number
    (("도림로 12-3", ""), ("도림로 12", "")),  # sub-number absent
    (("여의대방로 43번길 5", ""), ("여의대방로 5", "")),  # branch road vs main road
    (("여의도동 23-4", ""), ("여의도동 23-5", "")),  # lot sub-number
    (("여의도동 산 23", ""), ("여의도동 23", "")),  # 산 lot vs ordinary lot
    (("당산동3가 385", ""), ("당산동4가 385", "")),  # different 가
    (("서울 마포구 양화로 45", ""), ("서울 영등포구 양화로 45", "")),  # other 구
    (("마포구 신길로 10", ""), ("신길로 10", "")),  # other 구 vs implied 영등포구
    (("여의대방로 43", "101동 1203호"), ("여의대방로 43", "101동 1204호")),  # 호
    (("여의대방로 43", "101동 1203호"), ("여의대방로 43", "102동 1203호")),  # building 동
    (("여의대방로 43", "101-1203"), ("여의대방로 43", "")),  # unit vs none
    (("영등포로 10", "2층"), ("영등포로 10", "3층")),  # floor
    (("영등포로 10", "반지하"), ("영등포로 10", "옥탑")),  # basement vs rooftop
    (("대림동 10", ""), ("대림로 10", "")),  # lot vs road with the same stem
    (("신길동 100", ""), ("신길로 100", "")),
]


@pytest.mark.parametrize(("left", "right"), SAME_DWELLING)
def test_variant_spellings_share_a_key(left, right):
    key = address_key(*left)
    assert key, "a parseable address must not give an empty key"
    assert key == address_key(*right)


@pytest.mark.parametrize(("left", "right"), DIFFERENT_DWELLING)
def test_different_dwellings_get_different_keys(left, right):
    assert address_key(*left) != address_key(*right)


@pytest.mark.parametrize(
    ("address", "detail", "expected"),
    [
        ("서울특별시 영등포구 여의대방로 43", "101동 1203호", "여의대방로|43|101-1203"),
        ("여의도동 23번지 4호", "", "여의도동|23-4|"),
        ("여의도동 산 23", "", "여의도동|산23|"),
        ("당산동 3가 385", "1203호", "당산동3가|385|1203"),
        ("여의대방로 43번길 5", "", "여의대방로43번길|5|"),
        ("영등포로 10", "3층 301호", "영등포로|10|301"),
        ("영등포로 10", "지하 1층", "영등포로|10|B1"),
        ("영등포로 10", "2층", "영등포로|10|2F"),
        ("영등포로 10", "옥탑", "영등포로|10|RF"),
        ("대림로 10", "101동", "대림로|10|101동"),
        ("서울 마포구 양화로 45", "", "마포구양화로|45|"),
        ("국제금융로 지하 2", "", "국제금융로|지하2|"),
        ("을지로3가 12", "", "을지로3가|12|"),  # a 동 name ending in 로N가 is not a road
    ],
)
def test_key_format(address, detail, expected):
    assert address_key(address, detail) == expected


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (("서울 영등포구 여의도 한양아파트", ""), ("여의도 한양아파트", "")),
        (("여의도  한양아파트", "101동 1203호"), ("여의도한양아파트", "101-1203")),
    ],
)
def test_unparseable_addresses_fall_back_to_compact_text(left, right):
    key = address_key(*left)
    assert key == address_key(*right)
    assert " " not in key and not key.startswith(("서울", "영등포구"))


def test_fallback_key_keeps_distinct_texts_apart():
    assert address_key("여의도 한양아파트") == "여의도한양아파트"
    assert address_key("여의도 한양아파트") != address_key("여의도 삼부아파트")
    assert address_key("여의도 한양아파트", "101동 1203호") == "여의도한양아파트||101-1203"


@pytest.mark.parametrize(
    ("address", "detail"),
    [("", ""), ("   ", ""), (None, ""), ("서울특별시 영등포구", ""), ("", "101동 1203호")],
)
def test_empty_or_prefix_only_address_gives_empty_key(address, detail):
    assert address_key(address, detail) == ""


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("홍 길동", "홍길동"),
        (" 홍길동 ", "홍길동"),
        ("홍\u3000길\t동", "홍길동"),  # ideographic space, tab
        ("홍·길동", "홍길동"),
        ("홍ㆍ길동", "홍길동"),  # Hangul araea used as a middle dot
        ("홍・길동", "홍길동"),
        ("ｊｏｈｎ Smith", "JOHNSMITH"),  # full-width Latin, mixed case
        ("Nguyễn Văn An", "NGUYỄNVĂNAN"),
        ("", ""),
    ],
)
def test_normalize_name(raw, expected):
    assert normalize_name(raw) == expected


def test_normalize_name_keeps_different_names_apart():
    assert normalize_name("홍길동") != normalize_name("홍길순")


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("여의도동 23-4", "여의도동"),
        ("서울특별시 영등포구 여의도동 23번지 4호", "여의도동"),
        ("당산동 3가 385", "당산동3가"),
        ("영등포동2가 94-5", "영등포동2가"),
        ("신길3동 123", "신길3동"),
        ("당산로 123 (당산동3가)", "당산동3가"),
        ("당산로 123 (당산동3가, 삼성아파트)", "당산동3가"),
        ("여의대방로 43 (한양아파트, 여의도동)", "여의도동"),
        ("도림로 12-3 (도림동)", "도림동"),
        ("여의대방로 43", None),
        ("여의대방로 43 (한양아파트)", None),
        ("여의대방로 43 (101동 1203호)", None),
        ("", None),
    ],
)
def test_dong_hint(address, expected):
    assert dong_hint(address) == expected


# Pieces of the addresses above, drawn in any order and spacing: prefixes, road and lot
# names, numbers, 참고항목, units, dashes and stray characters.
_PIECES = [*"""서울특별시 서울 영등포구 마포구 부산광역시 여의대방로 43번길 선유로 9길 여의도동
    당산동 3가 신길3동 산 번지 지하 23 4 101 1203 호 동 층 B1 옥탑 반지하 - － 의 ( ) ,
    한양아파트 제 A 가""".split(), " "]
_ADDRESSES = st.lists(st.sampled_from(_PIECES), max_size=10).map("".join)


@settings(max_examples=400, deadline=None)
@given(address=_ADDRESSES, detail=_ADDRESSES)
def test_key_and_hint_together_are_the_key_and_the_hint(address, detail):
    """The signal stream's one-parse function gives what the two functions give."""
    assert address_key_and_hint(address, detail) == (address_key(address, detail),
                                                     dong_hint(address))


@pytest.mark.parametrize(("address", "detail"), [
    pair for row in SAME_DWELLING + DIFFERENT_DWELLING for pair in row])
def test_key_and_hint_together_on_the_spellings_above(address, detail):
    assert address_key_and_hint(address, detail) == (address_key(address, detail),
                                                     dong_hint(address))



@settings(max_examples=400, deadline=None)
@given(address=_ADDRESSES, detail=_ADDRESSES, other=_ADDRESSES)
def test_what_the_key_remembers_never_changes_another_key(address, detail, other):
    """What is remembered of one address or unit never changes another's key: each pair
    asked twice, before and after the same address with another detail and the same
    detail at another address."""
    def expected(address, detail):
        return address_key(address, detail), dong_hint(address)

    assert address_key_and_hint(address, detail) == expected(address, detail)
    assert address_key_and_hint(address, other) == expected(address, other)
    assert address_key_and_hint(other, detail) == expected(other, detail)
    assert address_key_and_hint(address, detail) == expected(address, detail)
