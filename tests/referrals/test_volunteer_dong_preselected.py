"""The volunteer's referral form opens on the volunteer's own dong (one tap less on a phone),
and any other dong of the district can still be chosen."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _dong_options(html):
    select = re.search(r'<select name="dong"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="(\d*)"( selected)?>([^<]*)', select)


def test_the_page_arrives_with_the_volunteers_dong_selected(client_as, volunteer1, dongs):
    html = client_as(volunteer1).get(reverse("volunteer_refer")).content.decode()
    options = _dong_options(html)
    assert [name for _value, chosen, name in options if chosen] == ["신길1동"]
    assert len(options) > 2
