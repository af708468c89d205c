"""Korean particles follow the last sound of the word before them (tossi), in messages,
stored timeline entries and templates: no more "R-1가", "v2을(를)", "푸드뱅크은(는)"."""

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

from households.messages import message_text
from households.particles import josa, particles_fix
from referrals import services


@pytest.mark.parametrize("text,expected", [
    ("의뢰 R-1이(가) 접수되었습니다.", "의뢰 R-1이 접수되었습니다."),
    ("위험도 모델 v2을(를) 저장했습니다.", "위험도 모델 v2를 저장했습니다."),
    ("영등포구 푸드뱅크은(는) 제공하지 않습니다.", "영등포구 푸드뱅크는 제공하지 않습니다."),
    ("기초생활보장을(를)", "기초생활보장을"),
    ("A-3을(를) R-12에 병합", "A-3을 R-12에 병합"),
    ("'서비스 거부'(으)로 종결", "'서비스 거부'로 종결"),
    ("'목표 달성'(으)로 종결", "'목표 달성'으로 종결"),
    ("staff1(으)로 지정", "staff1로 지정"),
    ("사과와(과) 배", "사과와 배"),
    ("기준일 '20301340'이(가) 미래입니다", "기준일 '20301340'이 미래입니다"),
    ("Referral R-1 has been received.", "Referral R-1 has been received."),
])
def test_the_pair_becomes_the_form_the_word_takes(text, expected):
    assert particles_fix(text) == expected


def test_josa_picks_one_particle_for_a_word():
    assert (josa("푸드뱅크", "은(는)"), josa("복지관", "은(는)"), josa("집", "(으)로")) == (
        "는", "은", "으로")


def test_a_stored_merge_entry_reads_with_the_right_particle():
    assert message_text({"code": "merged", "source": "R-3", "target": "A-12"}) == (
        "R-3을 A-12에 병합")
    assert message_text({"code": "merged", "source": "R-2", "target": "A-12"}) == (
        "R-2를 A-12에 병합")


def test_the_template_filters_choose_particles():
    html = Template('{% load doorstep %}{{ org|josa:"은(는)" }} · '
                    '{% filter particles %}{{ label }}을(를) 합칩니다{% endfilter %}').render(
        Context({"org": "영등포구 푸드뱅크", "label": "R-3"}))
    assert html == "영등포구 푸드뱅크는 · R-3을 합칩니다"


@pytest.mark.django_db
def test_a_provider_refusal_names_the_food_bank_with_its_particle(staff1, catalogue, food_bank,
                                                                  yeouido_household):
    with pytest.raises(ValidationError) as error:
        services.service_link_request(household=yeouido_household,
                                      service=catalogue["에너지바우처"], provider=food_bank,
                                      requested_by=staff1)
    text = " ".join(error.value.messages)
    assert f"{food_bank.name}는 '에너지바우처'를 제공하지 않습니다." in text
