"""Visits recorded on the day's list without a signal: an edit applies only to the version
it started from; a record changed on the server meanwhile is never overwritten, the worker
chooses field by field, and a resend writes nothing twice."""

import pytest
from django.utils import timezone

from households.models import TimelineEvent
from outreach.models import Visit
from outreach.services.visit_sync import APPLIED, CONFLICT, visit_sync
from outreach.services.visits import visit_record
from tests.factories import VisitFactory

pytestmark = pytest.mark.django_db

KEY = "5a0c8f0e-2f4b-4a57-9a56-3f1b7a1e2c3d"


@pytest.fixture
def planned_visit(singil_household, staff1):
    return VisitFactory(household=singil_household, staff=staff1,
                        scheduled_for=timezone.now())


def phone_record(visit, **changes):
    data = {"version": visit.version, "idempotency_key": KEY, "outcome": "met",
            "observations": "냉장고가 비어 있음", "crisis_level": "high",
            "need_food_level": "high", "need_food_note": ""}
    data.update(changes)
    return data


def test_an_offline_record_from_the_current_version_is_applied_once(planned_visit, staff1,
                                                                   client_as):
    client = client_as(staff1)
    url = f"/visits/{planned_visit.pk}/sync/"
    data = phone_record(planned_visit)
    first = client.post(url, data, HTTP_ACCEPT="application/json")
    again = client.post(url, data, HTTP_ACCEPT="application/json")

    assert first.status_code == 201 and again.status_code == 200
    visit = Visit.objects.get(pk=planned_visit.pk)
    assert visit.outcome == "met" and visit.version == 2
    assert visit.needs.get().domain == "food"
    assert TimelineEvent.objects.filter(object_type="visit", object_id=str(visit.pk),
                                        message__code="visit_recorded",
                                        message__outcome="met").count() == 1


def test_a_record_changed_meanwhile_is_not_overwritten(planned_visit, staff1, manager1,
                                                      client_as):
    phone = phone_record(planned_visit)                 # made offline from version 1
    visit_record(visit=planned_visit, user=manager1, outcome="met",   # another session
                 observations="이웃이 식사를 챙김", crisis_level="medium")

    response = client_as(staff1).post(f"/visits/{planned_visit.pk}/sync/", phone)

    assert response.status_code == 409
    body = response.content.decode()
    # Both versions side by side, the differing fields to choose.
    assert "냉장고가 비어 있음" in body and "이웃이 식사를 챙김" in body
    assert 'name="observations" value="냉장고가 비어 있음"' in body
    assert 'name="observations" value="이웃이 식사를 챙김"' in body
    assert 'name="version" value="2"' in body
    visit = Visit.objects.get(pk=planned_visit.pk)
    assert visit.observations == "이웃이 식사를 챙김" and visit.crisis_level == "medium"
    assert visit.version == 2 and not visit.needs.exists()


def test_the_worker_chooses_field_by_field_and_both_writes_survive(planned_visit, staff1,
                                                                  manager1, client_as):
    phone = phone_record(planned_visit)
    visit_record(visit=planned_visit, user=manager1, outcome="met",
                 observations="이웃이 식사를 챙김", crisis_level="medium")
    client = client_as(staff1)
    assert client.post(f"/visits/{planned_visit.pk}/sync/", phone).status_code == 409

    # Mine for the observations and the food need, the server's crisis level.
    chosen = phone_record(planned_visit, version=2, crisis_level="medium",
                          idempotency_key="9b1e8f0e-2f4b-4a57-9a56-3f1b7a1e2c3d")
    response = client.post(f"/visits/{planned_visit.pk}/sync/", chosen)

    assert response.status_code == 302
    visit = Visit.objects.get(pk=planned_visit.pk)
    assert (visit.observations, visit.crisis_level, visit.version) == (
        "냉장고가 비어 있음", "medium", 3)
    assert visit.needs.get().level == "high"
    # The other session's record is on the timeline too: nothing vanished.
    lines = [event.text for event in
             TimelineEvent.objects.filter(object_type="visit", object_id=str(visit.pk))]
    assert any("두 기록 중에서 골라" in line for line in lines)


def test_a_choice_made_on_a_stale_copy_is_a_conflict_again(planned_visit, staff1, manager1):
    phone = {k: v for k, v in phone_record(planned_visit).items() if k.startswith(("outcome",
             "observations", "crisis_level", "need_"))}
    visit_record(visit=planned_visit, user=manager1, outcome="met", observations="A")
    first = visit_sync(visit_id=planned_visit.pk, user=staff1, base_version=1, values=phone)
    assert first.status == CONFLICT and first.server["observations"] == "A"
    applied = visit_sync(visit_id=planned_visit.pk, user=staff1, base_version=2,
                         values={**phone, "observations": "B"})
    assert applied.status == APPLIED
    late = visit_sync(visit_id=planned_visit.pk, user=manager1, base_version=2,
                      values={**phone, "observations": "C"})
    assert late.status == CONFLICT
    assert Visit.objects.get(pk=planned_visit.pk).observations == "B"


def test_other_dongs_staff_cannot_sync_a_visit(planned_visit, staff2, client_as):
    response = client_as(staff2).post(f"/visits/{planned_visit.pk}/sync/",
                                      phone_record(planned_visit))
    assert response.status_code == 404
    assert Visit.objects.get(pk=planned_visit.pk).version == 1
