"""The household timeline: one page, one access-log row, queries that do not grow."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from households.models import AccessLog, TimelineEvent
from outreach.models import RiskAssessment
from outreach.selectors.timeline import household_timeline
from outreach.services.cases import case_open
from outreach.services.visits import visit_schedule

pytestmark = pytest.mark.django_db

link = importlib.import_module("outreach.migrations.0032_assessment_lines_linked")


def _fill(household, actor, n):
    now = timezone.now()
    TimelineEvent.objects.bulk_create([
        TimelineEvent(household=household, at=now - timedelta(hours=i), kind="signal",
                      actor=actor, summary=f"위기정보 {i}")
        for i in range(n)
    ])


def test_hundreds_of_events_render_in_a_fixed_number_of_queries(
        client_as, staff1, yeouido_household, django_assert_max_num_queries):
    visit_schedule(household=yeouido_household, staff=staff1,
                            scheduled_for=timezone.now())
    case_open(household=yeouido_household, manager=staff1, user=staff1)
    _fill(yeouido_household, staff1, 298)
    client = client_as(staff1)
    with django_assert_max_num_queries(12):
        response = client.get(f"/households/{yeouido_household.pk}/timeline/")
    assert response.status_code == 200
    assert response.content.decode().count("<li class=\"timeline-") == 300


def test_the_timeline_is_newest_first_and_links_the_records(client_as, staff1,
                                                            yeouido_household):
    visit = visit_schedule(household=yeouido_household, staff=staff1,
                                    scheduled_for=timezone.now())
    case = case_open(household=yeouido_household, manager=staff1, user=staff1)
    page = client_as(staff1).get(f"/households/{yeouido_household.pk}/timeline/")
    html = page.content.decode()
    assert html.index(f"/cases/{case.pk}/") < html.index(f"/visits/{visit.pk}/")


def test_viewing_the_timeline_writes_one_access_log_row(client_as, staff1, yeouido_household):
    _fill(yeouido_household, staff1, 5)
    client_as(staff1).get(f"/households/{yeouido_household.pk}/timeline/")
    rows = AccessLog.objects.filter(object_type="household_timeline")
    assert rows.count() == 1
    assert rows.get().household_id == yeouido_household.pk


def test_staff_of_another_dong_gets_404(client_as, staff2, yeouido_household):
    response = client_as(staff2).get(f"/households/{yeouido_household.pk}/timeline/")
    assert response.status_code == 404
    assert not AccessLog.objects.filter(object_type="household_timeline").exists()


def test_assessments_without_a_line_are_read_into_the_timeline_in_time_order(
        client_as, staff1, yeouido_household):
    """A round writes lines only for alerts opened or updated; the other assessments (and
    those of rescoring, with no batch) show in their place, each once."""
    now = timezone.now()
    told = RiskAssessment.objects.create(household=yeouido_household, score=80,
                                         level="critical", factors=[])
    quiet = RiskAssessment.objects.create(household=yeouido_household, score=12, level="low",
                                          factors=[{"code": "power_cutoff", "months": 2}])
    RiskAssessment.objects.filter(pk=told.pk).update(assessed_at=now - timedelta(days=60))
    RiskAssessment.objects.filter(pk=quiet.pk).update(assessed_at=now - timedelta(days=1))
    TimelineEvent.objects.create(
        household=yeouido_household, at=now - timedelta(days=60), kind="assessment",
        message={"code": "assessment_scored", "score": 80, "level": "critical",
                 "factors": [], "alert": "opened", "source": ""},
        object_type="riskassessment", object_id=str(told.pk))
    _fill(yeouido_household, staff1, 1)  # a line of now
    html = client_as(staff1).get(f"/households/{yeouido_household.pk}/timeline/")
    html = html.content.decode()
    assert html.count("<li class=\"timeline-") == 3
    assert html.count("위기도 80점") == 1 and html.count("위기도 12점 (관심) · 단전 2개월") == 1
    assert html.index("위기정보 0") < html.index("위기도 12점") < html.index("위기도 80점")


def test_assessment_lines_written_before_are_linked_to_their_assessments(yeouido_household):
    """Migration 0032: a line without an id points at the assessment nearest in time, so
    the timeline does not tell it twice; a line no assessment is near stays as it was."""
    now = timezone.now()
    near = RiskAssessment.objects.create(household=yeouido_household, score=30, level="low")
    older = RiskAssessment.objects.create(household=yeouido_household, score=31, level="low")
    RiskAssessment.objects.filter(pk=near.pk).update(assessed_at=now)
    RiskAssessment.objects.filter(pk=older.pk).update(assessed_at=now - timedelta(days=30))
    message = {"code": "assessment_scored", "score": 30, "level": "low", "factors": [],
               "alert": "", "source": ""}
    linked = TimelineEvent.objects.create(household=yeouido_household, kind="assessment",
                                          at=now + timedelta(seconds=2), message=message)
    alone = TimelineEvent.objects.create(household=yeouido_household, kind="assessment",
                                         at=now - timedelta(days=10), message=message)
    link.link(django_apps, None)
    linked.refresh_from_db()
    alone.refresh_from_db()
    assert (linked.object_type, linked.object_id) == ("riskassessment", str(near.pk))
    assert (alone.object_type, alone.object_id) == ("", "")
    assert [line.object_id for line in household_timeline(yeouido_household)] == [
        str(near.pk), "", str(older.pk)]
