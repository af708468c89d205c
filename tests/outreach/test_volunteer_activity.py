"""The volunteer activity panel counts the referrals volunteers sent (Referral.referred_by),
by each volunteer's group, beside the visits they joined and the check-ins they logged."""

import pytest

from outreach.dashboards.base import dashboard_scope
from outreach.dashboards.panels.work import panel_volunteer_activity
from outreach.dashboards.rollups import dashboard_rollup_refresh
from referrals.models import Referral
from tests.fixtures.dashboard import kst

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_by(make_referral):
    def send(user, *, at, n=1, dong="신길1동", channel=Referral.Channel.VOLUNTEER):
        made = [make_referral(dong=dong, road_address=f"신길로 {100 + i}", channel=channel,
                              referred_by=user) for i in range(n)]
        # created_at is auto_now_add: put them where the story says.
        Referral.objects.filter(pk__in=[r.pk for r in made]).update(created_at=at)
        dashboard_rollup_refresh()  # written past the services
        return made

    return send


def _row(table, group):
    return next(row for row in table.rows if row[0] == group)


def test_a_volunteer_who_sent_five_referrals_shows_five(admin_user, district, period,
                                                        volunteer1, sent_by):
    sent_by(volunteer1, at=kst(2026, 2, 20), n=5)
    table = panel_volunteer_activity(dashboard_scope(admin_user), period)
    # 복지통장 (volunteer1): 2 visits joined (fixture story), 5 referrals sent.
    assert _row(table, "복지통장") == ["복지통장", 1, 2, 5, 0]
    assert _row(table, "좋은이웃들")[3] == 0
    assert table.total[3] == 5


def test_referrals_outside_the_period_or_sent_by_staff_are_not_counted(
        admin_user, district, period, volunteer1, staff1, sent_by):
    sent_by(volunteer1, at=kst(2026, 4, 2), n=2)  # April: after the period
    sent_by(staff1, at=kst(2026, 2, 3), n=3, channel=Referral.Channel.STAFF)
    table = panel_volunteer_activity(dashboard_scope(admin_user), period)
    assert _row(table, "복지통장")[3] == 0
    assert table.total[3] == 0


def test_dong_staff_count_only_their_dongs_referrals(staff2, district, period, volunteer1,
                                                     sent_by):
    sent_by(volunteer1, at=kst(2026, 3, 3), n=2)  # 신길1동: not staff2's dong
    table = panel_volunteer_activity(dashboard_scope(staff2), period)
    assert all(row[3] == 0 for row in table.rows)


def test_the_panel_no_longer_says_it_waits_for_features(admin_user, district, period):
    table = panel_volunteer_activity(dashboard_scope(admin_user), period)
    assert "설치되면" not in table.note
