"""The auditor's month: unusual access per month, a review marked with a note (insert-only),
the review exported, and a reminder when last month is unreviewed (once)."""

from datetime import date, datetime

import pytest
import time_machine
from django.core import mail
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from households.models import AccessLog, AccessReview
from households.tasks import access_review_remind

pytestmark = pytest.mark.django_db


def _log(username, **fields):
    """One access-log row, stamped now (the tests travel in time to set `at`)."""
    return AccessLog.objects.create(username=username, action=fields.pop("action", "view"),
                                    object_type=fields.pop("object_type", "household"),
                                    **fields)


def _at(*args):
    return timezone.make_aware(datetime(*args))


def test_the_month_shows_unusual_access(client_as, auditor1, settings):
    settings.AUDIT_MANY_VIEWS = 3
    with time_machine.travel(_at(2026, 11, 10, 11), tick=False):  # a Tuesday, 11:00
        for _ in range(3):
            _log("manager1", household_id=1)
        _log("admin", object_type="break_glass", household_id=2, reason="민원 처리")
        _log("admin", object_type="consent_override", action="create", reason="긴급")
        _log("staff1", action="export", object_type="export:inbox", reason="보고")
    with time_machine.travel(_at(2026, 11, 10, 23), tick=False):  # 23:00
        _log("staff2", household_id=3)
    with time_machine.travel(_at(2026, 11, 15, 10), tick=False):  # a Sunday
        _log("staff2", household_id=4)
    report = client_as(auditor1).get(reverse("access_month"), {"month": "2026-11"}).context[
        "report"]
    assert report["many_views"] == [{"username": "manager1", "n": 3}]
    assert report["after_hours"] == [{"username": "staff2", "n": 2}]
    assert [e.reason for e in report["break_glass"]] == ["민원 처리"]
    assert [e.reason for e in report["overrides"]] == ["긴급"]
    assert [e.username for e in report["exports"]] == ["staff1"]


def test_a_review_is_written_once_and_never_rewritten(client_as, auditor1):
    client = client_as(auditor1)
    response = client.post(f"{reverse('access_month')}?month=2026-11",
                           {"action": "review", "note": "이상 없음"})
    assert response.status_code == 302
    review = AccessReview.objects.get()
    assert (review.month, review.reviewed_by, review.note) == (date(2026, 11, 1), auditor1,
                                                                "이상 없음")
    review.note = "고침"
    with pytest.raises(ValueError):
        review.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessReview.objects.filter(pk=review.pk).update(note="고침")
    assert AccessReview.objects.get().note == "이상 없음"
    empty = client.post(f"{reverse('access_month')}?month=2026-11",
                        {"action": "review", "note": ""})
    assert empty.status_code == 400 and AccessReview.objects.count() == 1


def test_the_review_is_exported_with_a_reason(client_as, auditor1):
    client = client_as(auditor1)
    client.post(f"{reverse('access_month')}?month=2026-11", {"action": "review",
                                                             "note": "=이상 없음"})
    response = client.post(f"{reverse('access_month')}?month=2026-11", {
        "action": "export", "format": "csv", "reason": "12월 보고"})
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    assert "'=이상 없음" in body
    log = AccessLog.objects.get(action="export")
    assert (log.object_type, log.reason) == ("export:access_review", "12월 보고")


@pytest.mark.parametrize("username", ["admin", "staff1", "manager1", "volunteer1",
                                      "partner1", "lead1"])
def test_only_the_auditor_reviews(client, django_user_model, demo, username):
    client.force_login(django_user_model.objects.get(username=username))
    assert client.get(reverse("access_month")).status_code == 403


def test_the_reminder_comes_once_and_not_after_the_review(auditor1, settings):
    auditor1.email = "privacy@example.org"
    auditor1.save()
    with time_machine.travel(_at(2026, 12, 2, 9, 30), tick=False):
        assert access_review_remind.apply().get() == 1
        assert access_review_remind.apply().get() == 0
    assert len(mail.outbox) == 1 and "2026-11" in mail.outbox[0].subject
    AccessReview.objects.create(month=date(2026, 12, 1), reviewed_by=auditor1, note="확인")
    with time_machine.travel(_at(2027, 1, 2, 9, 30), tick=False):
        assert access_review_remind.apply().get() == 0
    assert len(mail.outbox) == 1
