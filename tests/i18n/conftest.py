"""A small demo district with a record in every state, for the page crawls."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from households.demo import seed_registry
from households.models import AccessLog, Household, Organization
from households.services import access_log_write
from outreach.demo import seed_outreach_work
from outreach.demo_signals import signal_rows, write_csv
from outreach.models import Case, CheckIn, DiscoveryAlert, Pairing, SignalBatch, Visit
from outreach.selectors.inbox import inbox_item
from outreach.services import alerts, approvals, cases, pairings, visits
from outreach.services.inbox import inbox_item_merge
from outreach.services.signal_batches import signal_batch_receive
from referrals import services as referral_services
from referrals.models import CloseReason, Referral, Service
from referrals.services import consents as consent_services

# Free text typed in this fixture is English, so that what remains Korean on an English
# page is the interface (or people's names and addresses, which are stripped).
NOTE = "Typed note"


def _household(dong_short_name: str, n: int = 0) -> Household:
    return Household.objects.filter(dong__short_name=dong_short_name).order_by("id")[n]


def _visits(household, staff, *, alert=None):
    now = timezone.now()
    scheduled = visits.visit_schedule(household=household, staff=staff, alert=alert,
                                      scheduled_for=now + timedelta(days=1))
    met = visits.visit_schedule(household=household, staff=staff, alert=alert,
                                scheduled_for=now - timedelta(hours=6))
    visits.visit_record(visit=met, user=staff, outcome=Visit.Outcome.MET,
                        visited_at=now - timedelta(hours=5), observations=NOTE,
                        crisis_level="high",
                        needs={"food": {"level": "urgent", "note": NOTE},
                               "housing": {"level": "some", "note": ""}})
    return scheduled


def _unreachable(household, staff):
    now = timezone.now()
    visit = visits.visit_schedule(household=household, staff=staff,
                                  scheduled_for=now - timedelta(hours=12))
    for hours in (11, 10, 9, 8):
        visit = visits.visit_record(visit=visit, user=staff, outcome=Visit.Outcome.NOT_HOME,
                                    visited_at=now - timedelta(hours=hours))
        if visit.unreachable:
            return
        visit = Visit.objects.filter(previous_attempt=visit).first()
        if visit is None:
            return


def _links(household, staff):
    # partner1 answers for the food bank: its links show on the partner's pages.
    provider = Organization.objects.get(code="ydp-foodbank")
    service = Service.objects.filter(providers=provider).first()
    # Sent on the person's consent (정보 제공 동의), recorded first.
    consent_services.consent_record(household=household, person=household.members.first(),
                                    method="written", given_on=timezone.localdate(),
                                    recorded_by=staff, note=NOTE)
    make = lambda: referral_services.service_link_request(  # noqa: E731
        household=household, service=service, provider=provider, requested_by=staff,
        note=NOTE)
    make()  # requested
    referral_services.service_link_accept(link=make(), user=staff)
    referral_services.service_link_decline(link=make(), user=staff, reason=NOTE)
    referral_services.service_link_start(
        link=referral_services.service_link_accept(link=make(), user=staff), user=staff)
    referral_services.service_link_complete(
        link=referral_services.service_link_accept(link=make(), user=staff), user=staff,
        actual_value=120000)
    referral_services.service_link_cancel(link=make(), user=staff, reason=NOTE)


def _cases(household, closed_household, staff, manager, lead):
    case = cases.case_open(household=household, manager=manager, user=staff, summary=NOTE)
    cases.case_advance(case=case, user=staff, to_stage=Case.Stage.ASSESSMENT, note=NOTE)
    cases.case_advance(case=case, user=staff, to_stage=Case.Stage.PLAN)
    cases.case_goal_add(case=case, user=staff, description=NOTE, domain="food")
    cases.case_conference_add(case=case, user=staff, held_on=timezone.localdate(),
                              decisions=NOTE)
    cases.case_note_add(case=case, user=staff, text=NOTE)
    # 결재: the plan waits for the team lead (lead1); another case's closure was returned.
    approvals.case_plan_submit(case=case, user=staff)
    other = cases.case_open(household=closed_household, manager=manager, user=staff)
    cases.case_close(case=other, user=staff, reason=Case.ClosureReason.MOVED, note=NOTE)
    returned = cases.case_open(household=closed_household, manager=manager, user=staff,
                               summary=NOTE)
    asked = approvals.case_closure_submit(case=returned, user=staff,
                                          reason=Case.ClosureReason.MOVED, note=NOTE)
    approvals.approval_decide(approval=asked, user=lead, decision="returned", note=NOTE)


def _override(household, admin, lead):
    """A link sent without consent, on a district admin's reason; a withdrawn consent."""
    provider = Organization.objects.get(code="ydp-foodbank")
    service = Service.objects.filter(providers=provider).first()
    referral_services.service_link_request(household=household, service=service,
                                           provider=provider, requested_by=admin, note=NOTE,
                                           override_reason=NOTE)
    consent_services.consent_record(household=household, person=None, method="verbal",
                                    given_on=timezone.localdate(), recorded_by=lead)
    consent_services.consent_withdraw(household=household, user=lead,
                                      withdrawn_on=timezone.localdate(), note=NOTE)


def _referrals(dong, volunteer, staff):
    def submit(**extra):
        referral, _created = referral_services.referral_submit(
            channel=Referral.Channel.VOLUNTEER, dong=dong, referred_by=volunteer,
            road_address="서울 영등포구 신길로 41", categories=["meals", "rent"], note=NOTE,
            subject_age_band=70, **extra)
        return referral

    submit(urgency=Referral.Urgency.EMERGENCY)
    checking = submit()
    referral_services.referral_assign(referral=checking, assignee=staff, actor=staff)
    visiting = submit(address_detail="101")
    referral_services.referral_status_set(referral=visiting, status=Referral.Status.VISITING,
                                          actor=staff)
    linked = submit(address_detail="102")
    referral_services.referral_status_set(referral=linked, status=Referral.Status.LINKED,
                                          actor=staff)
    closed = submit(address_detail="103")
    referral_services.referral_close(referral=closed, reason=CloseReason.NO_NEED, note=NOTE,
                                     actor=staff)
    referral_services.referral_merge(source=submit(address_detail="104"), target=checking,
                                     actor=staff)
    referral_services.referral_submit(channel=Referral.Channel.PUBLIC, dong=dong,
                                      road_address="서울 영등포구 신길로 43",
                                      categories=["mail"], note=NOTE)


def _alerts(staff, households):
    received, assigned, contacted, closed, merged = (
        alerts.alert_open(household=h, origin="risk_model") for h in households)
    alerts.alert_assign(alert=assigned, assignee=staff, actor=staff)
    alerts.alert_contact(alert=alerts.alert_assign(alert=contacted, assignee=staff,
                                                   actor=staff), actor=staff)
    alerts.alert_close(alert=closed, reason=CloseReason.NO_NEED, note=NOTE, actor=staff)
    return received


def _signals(tmp_path: Path):
    path = tmp_path / "demo-signals.csv"
    write_csv(path, signal_rows(seed=3, rows=120, observed=timezone.localdate(),
                                people_limit=60, unregistered_share=0.1, bad_share=0.1))
    with path.open("rb") as f:
        batch, _created = signal_batch_receive(
            source=Organization.objects.get(code="ssis"), fileobj=f, filename=path.name,
            channel=SignalBatch.Channel.COMMAND)
    return batch


@pytest.fixture
def every_state(db, settings, tmp_path, django_capture_on_commit_callbacks):
    """영등포구 with records in every state: alerts from a signal file with rejected lines,
    alerts in each stage, referrals in each status, visits (booked, met, unreachable),
    service links in each status (on a consent, one on an override), cases (open with a
    plan waiting for 결재, closed, a closure returned), a pairing with check-ins, an export
    in the access log."""
    from config.celery import app

    settings.MEDIA_ROOT = str(tmp_path / "media")
    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            demo = seed_registry(households=72, seed=5)
            seed_outreach_work(demo["district"])
            batch = _signals(tmp_path)
        from django.contrib.auth import get_user_model

        users = {u.username: u for u in get_user_model().objects.all()}
        staff, manager = users["staff1"], users["manager1"]
        with django_capture_on_commit_callbacks(execute=True):
            yeoui = [_household("여의동", n) for n in range(4)]
            singil = [_household("신길1동", n) for n in range(4)]
            received = _alerts(staff, [*yeoui[:3], singil[0], singil[1]])
            merged_into = DiscoveryAlert.objects.filter(status="open").exclude(
                pk=received.pk).filter(household__dong=received.household.dong).first()
            if merged_into:
                inbox_item_merge(item=inbox_item(staff, "alert", received.pk),
                                 target=inbox_item(staff, "alert", merged_into.pk), actor=staff)
            _visits(yeoui[0], staff)
            _unreachable(yeoui[1], staff)
            _links(yeoui[2], staff)
            _cases(yeoui[3], singil[2], staff, manager, users["lead1"])
            _override(yeoui[1], users["admin"], users["lead1"])
            _referrals(singil[0].dong, users["volunteer1"], staff)
            pairing = Pairing.objects.get(volunteer=users["volunteer1"])
            volunteer = users["volunteer1"]
            pairings.check_in_log(pairing=pairing, by=volunteer, kind=CheckIn.Kind.MET,
                                  wellbeing=4, note=NOTE)
            pairings.check_in_log(pairing=pairing, by=volunteer, kind=CheckIn.Kind.NO_ANSWER)
            pairings.check_in_log(pairing=pairing, by=volunteer, kind=CheckIn.Kind.PHONE,
                                  wellbeing=2, concern=True, note=NOTE)
            access_log_write(request=None, user=staff, action=AccessLog.Action.EXPORT,
                             object_type="export:inbox", object_id="17", reason=NOTE)
        yield {"users": users, "batch": batch, "demo": demo}
    finally:
        app.conf.task_always_eager = eager
