"""An alert's life (PRODUCT.md flow 8): received → assigned → contacted → in support →
closed or merged, each move guarded, and the inbox telling the truth about it."""

import importlib
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from outreach.models import DiscoveryAlert, Visit
from outreach.selectors.inbox import InboxFilters, inbox_items_for
from outreach.services.alerts import (
    ALERT_TRANSITIONS,
    alert_assign,
    alert_close,
    alert_contact,
    alert_merge,
    alert_open,
    alert_support,
)
from outreach.services.cases import case_open
from outreach.services.visits import visit_record, visit_schedule
from referrals.models import CloseReason, Referral
from referrals.services import service_link_request

pytestmark = pytest.mark.django_db

Stage, Status = DiscoveryAlert.Stage, DiscoveryAlert.Status


@pytest.fixture
def emergency_alert(singil_household, open_alert):
    """A 신길1동 household whose risk score says 긴급: first contact within 3 days."""
    return open_alert(singil_household, level="critical", score=92)


def _met(alert, staff, when=None):
    when = when or timezone.now()
    visit = visit_schedule(household=alert.household, staff=staff, scheduled_for=when,
                           alert=alert)
    return visit_record(visit=visit, user=staff, outcome=Visit.Outcome.MET, visited_at=when)


def _fresh(alert):
    return DiscoveryAlert.objects.get(pk=alert.pk)


def _row(staff, alert):
    (item,) = [i for i in inbox_items_for(staff).items if i.key == f"alert:{alert.pk}"]
    return item


# --- each move ---------------------------------------------------------------------

def test_a_new_alert_is_received(singil_household):
    alert = alert_open(household=singil_household, origin="risk_model")
    assert (alert.status, alert.stage, alert.state) == ("open", "received", "received")
    assert alert.awaits_first_contact


def test_assigning_a_received_alert_moves_it_to_checking(staff1, emergency_alert):
    alert_assign(alert=emergency_alert, assignee=staff1, actor=staff1)
    alert = _fresh(emergency_alert)
    assert alert.stage == Stage.ASSIGNED and alert.assigned_to == staff1
    assert alert.state_label == "확인 중"


def test_handing_a_contacted_alert_to_someone_else_keeps_its_stage(staff1, admin_user,
                                                                   emergency_alert):
    _met(emergency_alert, staff1)
    alert_assign(alert=_fresh(emergency_alert), assignee=admin_user, actor=staff1)
    alert = _fresh(emergency_alert)
    assert alert.stage == Stage.CONTACTED and alert.assigned_to == admin_user


def test_a_met_visit_stamps_first_contact_and_starts_the_decision_clock(
        staff1, emergency_alert, settings):
    settings.ALERT_DECIDE_DAYS = 10
    met_at = timezone.now() - timedelta(hours=2)
    _met(emergency_alert, staff1, met_at)
    alert = _fresh(emergency_alert)
    assert alert.stage == Stage.CONTACTED and alert.status == Status.OPEN
    assert alert.first_contact_at == met_at
    assert alert.decide_by == timezone.localtime(met_at).date() + timedelta(days=10)
    assert not alert.awaits_first_contact


def test_a_not_home_visit_leaves_the_alert_waiting_for_first_contact(staff1, emergency_alert):
    visit = visit_schedule(household=emergency_alert.household, staff=staff1,
                           scheduled_for=timezone.now(), alert=emergency_alert)
    visit_record(visit=visit, user=staff1, outcome=Visit.Outcome.NOT_HOME)
    alert = _fresh(emergency_alert)
    assert alert.stage == Stage.RECEIVED and alert.first_contact_at is None


def test_a_second_meeting_keeps_the_first_contact(staff1, emergency_alert):
    first = timezone.now() - timedelta(days=2)
    _met(emergency_alert, staff1, first)
    _met(emergency_alert, staff1)
    alert = _fresh(emergency_alert)
    assert alert.stage == Stage.CONTACTED and alert.first_contact_at == first


def test_a_service_link_moves_the_household_alert_to_support(staff1, emergency_alert,
                                                             catalogue, food_bank, consent_for):
    _met(emergency_alert, staff1)
    consent_for(emergency_alert.household, staff1)
    # referrals knows nothing of alerts: the household_supported hook carries the news.
    service_link_request(household=emergency_alert.household,
                         service=catalogue["푸드뱅크·푸드마켓"], provider=food_bank,
                         requested_by=staff1)
    alert = _fresh(emergency_alert)
    assert alert.stage == Stage.SUPPORTING and alert.state_label == "지원 연계"


def test_opening_a_case_moves_the_household_alert_to_support(staff1, manager1,
                                                             emergency_alert):
    case_open(household=emergency_alert.household, manager=manager1, user=staff1)
    assert _fresh(emergency_alert).stage == Stage.SUPPORTING


def test_a_meeting_after_support_stamps_first_contact_but_does_not_move_back(
        staff1, manager1, emergency_alert):
    case_open(household=emergency_alert.household, manager=manager1, user=staff1)
    _met(emergency_alert, staff1)
    alert = _fresh(emergency_alert)
    assert alert.stage == Stage.SUPPORTING and alert.first_contact_at is not None


def test_closing_needs_a_reason_and_keeps_how_far_the_alert_got(staff1, emergency_alert):
    _met(emergency_alert, staff1)
    with pytest.raises(ValidationError):
        alert_close(alert=_fresh(emergency_alert), reason="", actor=staff1)
    alert_close(alert=_fresh(emergency_alert), reason=CloseReason.NO_NEED, actor=staff1)
    alert = _fresh(emergency_alert)
    assert (alert.status, alert.stage, alert.state) == ("closed", "contacted", "closed")
    assert alert.close_reason == CloseReason.NO_NEED and alert.closed_at


def test_merging_puts_the_alert_in_merged(staff1, emergency_alert, make_referral):
    referral = make_referral(dong="신길1동")
    target = next(i for i in inbox_items_for(staff1).items if i.key == f"referral:{referral.pk}")
    alert_merge(alert=_fresh(emergency_alert), target=target, actor=staff1)
    assert _fresh(emergency_alert).state == Status.MERGED


def test_closed_and_merged_alerts_leave_room_for_a_new_one(staff1, emergency_alert):
    alert_close(alert=_fresh(emergency_alert), reason=CloseReason.NO_NEED, actor=staff1)
    again = alert_open(household=emergency_alert.household, origin="risk_model")
    assert again.pk != emergency_alert.pk and again.stage == Stage.RECEIVED


# --- illegal moves -------------------------------------------------------------------

def test_the_transitions_never_go_back_nor_leave_closed_or_merged():
    order = [Stage.RECEIVED, Stage.ASSIGNED, Stage.CONTACTED, Stage.SUPPORTING]
    for i, state in enumerate(order):
        assert not ALERT_TRANSITIONS[state] & set(order[:i + 1])
    assert ALERT_TRANSITIONS[Status.CLOSED] == ALERT_TRANSITIONS[Status.MERGED] == set()


def test_contacting_an_alert_twice_is_refused(staff1, emergency_alert):
    alert_contact(alert=emergency_alert, actor=staff1)
    with pytest.raises(ValidationError, match="연락함"):
        alert_contact(alert=_fresh(emergency_alert), actor=staff1)


def test_a_supported_alert_cannot_go_back_to_contacted(staff1, manager1, emergency_alert):
    case_open(household=emergency_alert.household, manager=manager1, user=staff1)
    with pytest.raises(ValidationError, match="지원 연계"):
        alert_contact(alert=_fresh(emergency_alert), actor=staff1)
    with pytest.raises(ValidationError):
        alert_support(alert=_fresh(emergency_alert), actor=staff1)


@pytest.mark.parametrize("ending", ["close", "merge"])
@pytest.mark.parametrize("move", ["assign", "contact", "support", "close"])
def test_nothing_moves_a_closed_or_merged_alert(staff1, emergency_alert, make_referral,
                                                ending, move):
    if ending == "close":
        alert_close(alert=emergency_alert, reason=CloseReason.NO_NEED, actor=staff1)
    else:
        referral = make_referral(dong="신길1동")
        target = next(i for i in inbox_items_for(staff1).items
                      if i.key == f"referral:{referral.pk}")
        alert_merge(alert=emergency_alert, target=target, actor=staff1)
    alert = _fresh(emergency_alert)
    before = (alert.status, alert.stage)
    with pytest.raises(ValidationError):
        {
            "assign": lambda: alert_assign(alert=alert, assignee=staff1, actor=staff1),
            "contact": lambda: alert_contact(alert=alert, actor=staff1),
            "support": lambda: alert_support(alert=alert, actor=staff1),
            "close": lambda: alert_close(alert=alert, reason=CloseReason.NO_NEED,
                                         actor=staff1),
        }[move]()
    alert = _fresh(emergency_alert)
    assert (alert.status, alert.stage) == before


# --- the inbox ---------------------------------------------------------------------------

def test_before_contact_the_inbox_shows_the_first_contact_due_date(staff1, emergency_alert):
    item = _row(staff1, emergency_alert)
    assert item.status_label == "접수"
    assert item.next_step == "first_contact" and item.next_due_on == emergency_alert.due_on
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        item = _row(staff1, emergency_alert)
        assert item.overdue


def test_after_met_the_row_says_contacted_and_is_never_overdue_for_first_contact(
        client_as, staff1, emergency_alert, settings):
    settings.ALERT_DECIDE_DAYS = 14
    _met(emergency_alert, staff1)
    decide_by = timezone.localdate() + timedelta(days=14)
    item = _row(staff1, emergency_alert)
    assert item.status == "contacted" and item.status_label == "연락함"
    assert item.next_step == "decide" and item.next_due_on == decide_by
    assert not item.overdue
    # Past the 3-day first-contact deadline: still not overdue; the decision is still ahead.
    with time_machine.travel(timezone.now() + timedelta(days=5)):
        item = _row(staff1, emergency_alert)
        assert not item.overdue and not item.decision_overdue
        html = client_as(staff1).get(reverse("inbox")).content.decode()
        row = html[html.index(f'id="item-alert-{emergency_alert.pk}"'):]
        row = row[:row.index("</tr>")]
        assert "연락함" in row and "지원 결정" in row
        assert f"{decide_by:%m.%d}까지" in row
        assert "data-overdue" not in row and 'class="overdue' not in html
    # Past the decision date too: the decision is late, first contact still is not.
    with time_machine.travel(timezone.now() + timedelta(days=20)):
        item = _row(staff1, emergency_alert)
        assert not item.overdue and item.decision_overdue


def test_a_supported_alert_shows_support_under_way_with_no_deadline(staff1, manager1,
                                                                    emergency_alert):
    case_open(household=emergency_alert.household, manager=manager1, user=staff1)
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        item = _row(staff1, emergency_alert)
    assert item.status_label == "지원 연계" and item.next_step == "support"
    assert item.next_due_on is None and not item.overdue and not item.decision_overdue


def test_the_status_filter_finds_alerts_by_their_stage(staff1, emergency_alert,
                                                       yeouido_household, open_alert):
    waiting = open_alert(yeouido_household)
    _met(emergency_alert, staff1)

    def keys(status):
        page = inbox_items_for(staff1, InboxFilters(status=status, source="alert"))
        return {item.key for item in page.items}

    assert keys("contacted") == {f"alert:{emergency_alert.pk}"}
    assert keys("received") == {f"alert:{waiting.pk}"}
    assert keys("visiting") == set()


def test_a_visited_referral_is_not_overdue_for_first_contact(staff1, make_referral,
                                                              client_as, tomorrow_10am):
    referral = make_referral(urgency=1)
    client_as(staff1).post(reverse("inbox_action", args=["referral", referral.pk, "visit"]),
                           {"scheduled_for": tomorrow_10am.strftime("%Y-%m-%dT%H:%M")})
    referral.refresh_from_db()
    visit_record(visit=Visit.objects.get(household_id=referral.household_id), user=staff1,
                 outcome=Visit.Outcome.MET, visited_at=timezone.now())
    referral.refresh_from_db()
    assert referral.status == Referral.Status.VISITING
    with time_machine.travel(timezone.now() + timedelta(days=5)):
        (item,) = [i for i in inbox_items_for(staff1).items
                   if i.key == f"referral:{referral.pk}"]
        assert item.status_label == "방문" and item.next_step == "decide"
        assert not item.overdue


def test_the_inbox_api_says_what_is_due_next(api_as, staff1, emergency_alert):
    _met(emergency_alert, staff1)
    with time_machine.travel(timezone.now() + timedelta(days=5)):
        body = api_as(staff1).get("/api/v1/inbox/", {"source": "alert"}).json()
    (row,) = [r for r in body["results"] if r["id"] == emergency_alert.pk]
    assert row["status"] == "contacted" and row["status_label"] == "연락함"
    assert row["overdue"] is False and row["next_step"] == "decide"
    assert row["next_due_on"] == f"{_fresh(emergency_alert).decide_by:%Y-%m-%d}"


# --- the data migration ------------------------------------------------------------------

def test_the_migration_gives_existing_alerts_the_stage_their_history_shows(
        staff1, open_alert, catalogue, food_bank, settings, consent_for):
    from households.models import Household

    settings.ALERT_DECIDE_DAYS = 14
    h = list(Household.objects.order_by("id")[:5])
    received, assigned, contacted, linked, closed = (open_alert(x) for x in h)
    contact_at = timezone.now() - timedelta(days=1)
    DiscoveryAlert.objects.filter(pk=assigned.pk).update(assigned_to=staff1)
    DiscoveryAlert.objects.filter(pk__in=[contacted.pk, closed.pk]).update(
        assigned_to=staff1, first_contact_at=contact_at)
    consent_for(linked.household, staff1)
    service_link_request(household=linked.household, service=catalogue["푸드뱅크·푸드마켓"],
                         provider=food_bank, requested_by=staff1)
    DiscoveryAlert.objects.filter(pk=closed.pk).update(status="closed")
    # As the rows stood before the stages existed.
    DiscoveryAlert.objects.update(stage="received", decide_by=None)

    migration = importlib.import_module("outreach.migrations.0008_alert_stage_backfill")
    migration.stages_forward(django_apps, None)

    stages = dict(DiscoveryAlert.objects.values_list("pk", "stage"))
    assert stages[received.pk] == "received" and stages[assigned.pk] == "assigned"
    assert stages[contacted.pk] == "contacted" and stages[linked.pk] == "supporting"
    assert stages[closed.pk] == "contacted"
    assert _fresh(contacted).decide_by == timezone.localtime(contact_at).date() + timedelta(
        days=14)
    assert _fresh(closed).decide_by is None
