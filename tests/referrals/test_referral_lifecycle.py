"""A referral's life as its sender reads it (PRODUCT.md flow 8): 접수 → 확인 중 → 방문 →
지원 연계 → 종결, moved by what happens to it and never backwards."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from outreach.models import Visit
from outreach.services.cases import case_open
from outreach.services.visits import visit_record, visit_schedule
from referrals.models import CloseReason, Referral
from referrals.services import referral_assign, referral_close, service_link_request
from referrals.services.lifecycle import REFERRAL_TRANSITIONS, referral_move

pytestmark = pytest.mark.django_db
R = Referral.Status


@pytest.fixture
def kims_referral(make_referral, volunteer1, singil_household):
    """volunteer1 worries about a 신길1동 neighbour whose household staff know."""
    return make_referral(referred_by=volunteer1, household=singil_household,
                         road_address=singil_household.road_address)


def _fresh(referral):
    return Referral.objects.get(pk=referral.pk)


def _visit(household, staff, outcome, when=None):
    when = when or timezone.now()
    visit = visit_schedule(household=household, staff=staff, scheduled_for=when)
    return visit_record(visit=visit, user=staff, outcome=outcome, visited_at=when)


def test_a_new_referral_is_received(kims_referral):
    assert kims_referral.status == R.RECEIVED


def test_assigning_it_makes_it_checking(kims_referral, staff1):
    referral_assign(referral=kims_referral, assignee=staff1, actor=staff1)
    assert _fresh(kims_referral).status == R.CHECKING


def test_booking_a_visit_is_not_a_visit(client_as, staff1, kims_referral, tomorrow_10am):
    client_as(staff1).post(reverse("inbox_action", args=["referral", kims_referral.pk, "visit"]),
                           {"scheduled_for": tomorrow_10am.strftime("%Y-%m-%dT%H:%M")})
    referral = _fresh(kims_referral)
    assert referral.status == R.CHECKING and referral.first_contact_at is None


def test_a_recorded_visit_nobody_answered_shows_visiting_without_first_contact(
        kims_referral, staff1, singil_household):
    _visit(singil_household, staff1, Visit.Outcome.NOT_HOME)
    referral = _fresh(kims_referral)
    assert referral.status == R.VISITING and referral.first_contact_at is None


def test_meeting_the_household_stamps_first_contact(kims_referral, staff1, singil_household):
    visit = _visit(singil_household, staff1, Visit.Outcome.MET)
    referral = _fresh(kims_referral)
    assert referral.status == R.VISITING
    assert referral.first_contact_at == visit.visited_at


def test_a_service_link_makes_it_linked(kims_referral, staff1, singil_household, catalogue,
                                         food_bank, consent_for):
    consent_for(singil_household, staff1)
    service_link_request(household=singil_household, service=catalogue["푸드뱅크·푸드마켓"],
                         provider=food_bank, requested_by=staff1)
    assert _fresh(kims_referral).status == R.LINKED


def test_a_case_makes_it_linked(kims_referral, staff1, manager1, singil_household):
    _visit(singil_household, staff1, Visit.Outcome.MET)
    case_open(household=singil_household, manager=manager1, user=staff1)
    assert _fresh(kims_referral).status == R.LINKED


def test_a_later_visit_does_not_take_a_linked_referral_back(kims_referral, staff1,
                                                            singil_household, catalogue,
                                                            food_bank, consent_for):
    consent_for(singil_household, staff1)
    service_link_request(household=singil_household, service=catalogue["푸드뱅크·푸드마켓"],
                         provider=food_bank, requested_by=staff1)
    _visit(singil_household, staff1, Visit.Outcome.MET)
    referral = _fresh(kims_referral)
    assert referral.status == R.LINKED and referral.first_contact_at is not None


def test_a_closed_referral_stays_closed_whatever_happens_next(kims_referral, staff1,
                                                              singil_household):
    referral_close(referral=kims_referral, reason=CloseReason.NO_NEED, actor=staff1)
    _visit(singil_household, staff1, Visit.Outcome.MET)
    assert _fresh(kims_referral).status == R.CLOSED


def test_no_move_goes_backwards(kims_referral):
    for state, ahead in REFERRAL_TRANSITIONS.items():
        behind = {s for s in R.values if s != state} - {str(s) for s in ahead}
        for to in behind:
            kims_referral.status = state
            with pytest.raises(ValidationError):
                referral_move(kims_referral, to)


def test_the_status_form_offers_only_the_states_ahead(client_as, staff1, kims_referral,
                                                      singil_household):
    _visit(singil_household, staff1, Visit.Outcome.NOT_HOME)
    page = client_as(staff1).get(reverse("referral_detail", args=[kims_referral.pk]))
    assert [v for v, _label in page.context["status_choices"]] == [R.LINKED]
    response = client_as(staff1).post(reverse("referral_detail", args=[kims_referral.pk]),
                                      {"status": R.CHECKING}, follow=True)
    assert "바꿀 수 없는 상태입니다" in response.content.decode()
    assert _fresh(kims_referral).status == R.VISITING


def test_the_volunteer_sees_where_their_referral_stands(client_as, volunteer1, kims_referral,
                                                        staff1, singil_household):
    _visit(singil_household, staff1, Visit.Outcome.MET)
    html = client_as(volunteer1).get(reverse("my_referrals")).content.decode()
    assert 'class="ladder-done">확인 중' in html
    assert 'class="ladder-current" aria-current="step">방문' in html
    assert 'class="ladder-ahead">지원 연계' in html


def test_the_migration_gives_open_referrals_the_state_their_history_shows(
        make_referral, staff1, dongs, catalogue, food_bank, consent_for):
    from households.models import Household

    homes = list(Household.objects.select_related("dong").order_by("id")[:6])

    def referral_at(home):
        return make_referral(dong=home.dong.short_name, household=home,
                             road_address=home.road_address)

    received, held, booked, visited, linked, closed = (referral_at(h) for h in homes)
    Referral.objects.filter(pk__in=[held.pk, booked.pk]).update(assigned_to=staff1)
    visit_schedule(household=booked.household, staff=staff1, scheduled_for=timezone.now())
    met = _visit(visited.household, staff1, Visit.Outcome.MET)
    consent_for(linked.household, staff1)
    service_link_request(household=linked.household, service=catalogue["푸드뱅크·푸드마켓"],
                         provider=food_bank, requested_by=staff1)
    Referral.objects.filter(pk=closed.pk).update(status="closed")
    # As the rows stood before: booking a visit said 방문, nothing else moved them.
    Referral.objects.exclude(pk=closed.pk).update(status="received", first_contact_at=None)
    Referral.objects.filter(pk=booked.pk).update(status="visiting",
                                                 first_contact_at=timezone.now())

    migration = importlib.import_module("outreach.migrations.0013_referral_states_backfill")
    migration.states_forward(django_apps, None)

    states = dict(Referral.objects.values_list("pk", "status"))
    assert states[received.pk] == "received" and states[held.pk] == "checking"
    assert states[booked.pk] == "checking" and states[visited.pk] == "visiting"
    assert states[linked.pk] == "linked" and states[closed.pk] == "closed"
    assert _fresh(visited).first_contact_at == met.visited_at


def test_an_anonymous_reporter_sees_the_same_steps(client, make_referral, staff1,
                                                   singil_household):
    referral = make_referral(channel=Referral.Channel.PUBLIC, household=singil_household,
                             road_address=singil_household.road_address)
    _visit(singil_household, staff1, Visit.Outcome.NOT_HOME)
    html = client.get(reverse("report_status"), {"code": referral.receipt_code}).content.decode()
    assert 'class="ladder-current" aria-current="step">방문' in html
