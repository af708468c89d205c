"""The household's make-up is labelled so it cannot be read as the head's own traits: a
"아동" tag right after the head's name read as if the head were a child."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(singil_household):
    """A 신길1동 household with children and an older member."""
    singil_household.children = True
    singil_household.elderly = True
    singil_household.lives_alone = False
    singil_household.save()
    return singil_household


def _tags(html):
    return re.findall(r'<span class="tag">([^<]*)</span>', html)


def test_the_tags_say_who_lives_in_the_household(family):
    assert "아동 있는 가구" in family.flags and "노인 있는 가구" in family.flags
    assert not {"아동", "노인", "장애", "1인"} & set(family.flags)


def test_the_work_page_names_the_head_and_the_make_up_apart(client_as, staff1, family):
    html = client_as(staff1).get(reverse("household_work", args=[family.pk])).content.decode()
    head = family.members.order_by("-is_head", "id").first()
    assert f"세대주 {head.name} · " in html
    assert "가구 구성:" in html
    assert "아동 있는 가구" in _tags(html) and "아동" not in _tags(html)


def test_the_record_and_the_list_label_the_make_up(client_as, staff1, family):
    detail = client_as(staff1).get(reverse("household_detail", args=[family.pk]))
    listing = client_as(staff1).get(reverse("household_list"), {"dong": family.dong_id})
    for html in (detail.content.decode(), listing.content.decode()):
        assert "가구 구성" in html and "아동 있는 가구" in _tags(html)
