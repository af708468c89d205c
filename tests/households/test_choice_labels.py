"""Choice labels and form errors read in the reader's language, never as raw codes."""

import pytest
from django.utils import translation

from referrals.models import AGE_BANDS


def test_age_bands_follow_the_readers_language():
    bands = dict(AGE_BANDS)
    with translation.override("ko"):
        assert (str(bands[10]), str(bands[0]), str(bands[90])) == ("10대", "10세 미만", "90세 이상")
    with translation.override("en"):
        assert (str(bands[10]), str(bands[0])) == ("10s", "Under 10")


@pytest.mark.django_db
def test_a_filter_error_names_the_field_by_its_label_not_its_code(client_as, staff1):
    html = client_as(staff1).get("/households/?dong=999999").content.decode()
    assert "행정동: " in html
    assert "<li>dong" not in html and ">dong<" not in html
