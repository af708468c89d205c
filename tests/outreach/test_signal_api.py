"""POST/GET /api/v1/signal-batches/ with an agency feed's token."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from households.models import Organization
from outreach.models import SignalBatch
from tests.factories import AgencyFeedUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed(demo):
    user = get_user_model().objects.get(username="feed-ssis")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api


def post(api, path, **extra):
    with path.open("rb") as f:
        return api.post("/api/v1/signal-batches/", {"file": f, **extra}, format="multipart")


def test_an_agency_token_pushes_a_file_and_follows_its_batch(
        feed, story_file, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(feed, story_file("utf-8-sig"))
    assert response.status_code == 201, response.content
    assert response.json()["source"] == "ssis"
    detail = feed.get(f"/api/v1/signal-batches/{response.json()['id']}/").json()
    assert detail["status"] == "done"
    assert (detail["accepted"], detail["rejected"], detail["alerts_opened"]) == (6, 5, 2)
    assert detail["errors"][0] == {"line": 8, "column": "birth_date", "column_label": "생년월일",
                                   "code": "birth_format", "values": {"v": "19991340"},
                                   "reason": "생년월일 '19991340' 형식 오류 (YYYYMMDD)"}


def test_the_same_file_twice_answers_200_with_the_existing_batch(feed, story_file):
    first = post(feed, story_file("cp949"))
    again = post(feed, story_file("cp949"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert SignalBatch.objects.count() == 1


def test_another_agencys_batch_is_not_there(feed, story_file, demo):
    kepco_feed = AgencyFeedUserFactory(username="feed-kepco",
                                       membership__organization=Organization.objects.get(
                                           code="kepco"))
    other = APIClient()
    other.force_authenticate(kepco_feed)
    batch_id = post(other, story_file("cp949")).json()["id"]
    assert feed.get(f"/api/v1/signal-batches/{batch_id}/").status_code == 404
    assert feed.get("/api/v1/signal-batches/").json()["results"] == []


def test_a_feed_cannot_send_as_another_organisation(feed, story_file):
    response = post(feed, story_file("cp949"), source="kepco")
    assert response.status_code == 400
    assert not SignalBatch.objects.exists()


def test_staff_may_not_use_the_feed(api_as, staff1, story_file):
    assert post(api_as(staff1), story_file("cp949")).status_code == 403


def test_a_non_csv_file_is_400_with_a_message(feed, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x00\x01\x02binary")
    response = post(feed, path)
    assert response.status_code == 400
    assert "CSV 또는 XLSX" in response.json()["detail"]


def test_too_large_is_413(feed, story_file, settings):
    settings.SIGNAL_UPLOAD_MAX_BYTES = 50
    assert post(feed, story_file("cp949")).status_code == 413
    assert not SignalBatch.objects.exists()


def test_the_list_query_count_does_not_grow(feed, story_file, django_assert_max_num_queries):
    post(feed, story_file("cp949"))
    post(feed, story_file("xlsx"))
    with django_assert_max_num_queries(8):
        assert feed.get("/api/v1/signal-batches/").status_code == 200
