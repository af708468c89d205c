"""An emergency referral emails the dong's staff and shows a badge in their header."""

import pytest
from django.core import mail
from django.urls import reverse

from referrals.models import Referral

pytestmark = pytest.mark.django_db(transaction=True)


def test_emergency_referral_emails_the_dongs_staff(make_referral, staff1, staff2):
    staff1.email, staff2.email = "staff1@example.org", "staff2@example.org"
    staff1.save()
    staff2.save()
    referral = make_referral(dong="신길1동", urgency=Referral.Urgency.EMERGENCY,
                             subject_name="홍길동")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["staff1@example.org"]
    assert f"R-{referral.pk}" in message.subject
    assert "홍길동" not in message.body


def test_routine_referral_sends_no_email(make_referral, staff1):
    staff1.email = "staff1@example.org"
    staff1.save()
    make_referral(dong="신길1동", urgency=Referral.Urgency.ROUTINE)
    assert mail.outbox == []


def test_badge_counts_new_emergencies_of_my_dongs(client_as, staff1, make_referral):
    make_referral(dong="신길1동", urgency=Referral.Urgency.EMERGENCY)
    make_referral(dong="여의동", urgency=Referral.Urgency.EMERGENCY, road_address="여의대방로 9")
    make_referral(dong="대림2동", urgency=Referral.Urgency.EMERGENCY, road_address="대림로 1")
    make_referral(dong="신길1동", urgency=Referral.Urgency.SOON, road_address="신길로 99")
    response = client_as(staff1).get(reverse("home"))
    html = response.content.decode()
    assert 'class="badge"' in html
    assert '<span class="visually-hidden">새 긴급 의뢰 </span>2</span>' in html
