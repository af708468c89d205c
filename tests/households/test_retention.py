"""Retention: households with no activity for RETENTION_YEARS are listed for the auditor,
who approves their anonymisation; the task removes names, contacts and addresses and every
dashboard figure stays the same."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from households.models import Household, Person
from households.tasks import households_anonymise
from outreach.models import RiskAssessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def long_quiet(dongs):
    """Two 여의동 households untouched for six years (the other demo households are new)."""
    households = list(Household.objects.filter(dong=dongs["여의동"]).order_by("id")[:2])
    for household in households:
        household.address_detail = "101호"
        household.save()  # a history row, which anonymisation removes too
    old = timezone.now() - timedelta(days=6 * 366)
    Household.objects.filter(pk__in=[h.pk for h in households]).update(created_at=old,
                                                                        updated_at=old)
    return households


def _figures(api):
    names = [row["name"] for row in api.get("/api/v1/dashboard/").json()]
    return {name: api.get(f"/api/v1/dashboard/{name}/").json() for name in names}


def test_the_auditor_sees_only_long_inactive_households(client_as, auditor1, long_quiet):
    page = client_as(auditor1).get(reverse("retention")).context["page"]
    assert {h.pk for h in page} == {h.pk for h in long_quiet}


def test_anonymisation_removes_names_contacts_addresses_and_keeps_the_figures(
        client_as, api_as, auditor1, admin_user, long_quiet,
        django_capture_on_commit_callbacks):
    api = api_as(admin_user)
    before = _figures(api)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(auditor1).post(reverse("retention"), {
            "household": [h.pk for h in long_quiet]})
    assert response.status_code == 302
    # The task queued at commit: embedded it already ran; with a broker, run it here.
    households_anonymise.apply().get()
    for household in long_quiet:
        household.refresh_from_db()
        assert household.anonymised_at is not None
        assert household.road_address == "(익명 처리)" and household.address_detail == ""
        people = Person.objects.filter(household=household)
        assert people.exists()
        assert all(p.name == "(익명 처리)" and p.phone == "" and not p.rrn_masked
                   for p in people)
        assert not Household.history.filter(id=household.pk).exists()
    assert _figures(api) == before
    assert households_anonymise.apply().get() == 0  # idempotent
    assert not client_as(auditor1).get(reverse("retention")).context["page"].object_list


@pytest.mark.parametrize("username", ["admin", "staff1", "manager1", "volunteer1",
                                      "partner1", "lead1"])
def test_only_the_auditor_approves_anonymisation(client, django_user_model, long_quiet,
                                                 username):
    client.force_login(django_user_model.objects.get(username=username))
    assert client.get(reverse("retention")).status_code == 403
    assert client.post(reverse("retention"), {"household": long_quiet[0].pk}
                       ).status_code == 403
    assert Household.objects.get(pk=long_quiet[0].pk).anonymised_at is None


def test_a_household_assessed_lately_is_active_without_a_timeline_line(
        client_as, auditor1, long_quiet):
    """A round writes timeline lines only for alerts; its other assessments still count."""
    lately, long_ago = long_quiet
    RiskAssessment.objects.create(household=lately, score=10, level="low")
    old = RiskAssessment.objects.create(household=long_ago, score=10, level="low")
    RiskAssessment.objects.filter(pk=old.pk).update(
        assessed_at=timezone.now() - timedelta(days=6 * 366))
    page = client_as(auditor1).get(reverse("retention")).context["page"]
    assert {h.pk for h in page} == {long_ago.pk}
