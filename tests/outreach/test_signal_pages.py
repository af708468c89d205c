"""The upload page, progress, error report, the risk model page and the alerts list."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from households.models import AccessLog
from outreach.models import DiscoveryAlert, RiskModel, SignalBatch
from outreach.selectors.assessments import risk_model_current
from outreach.services.approvals import approval_decide

pytestmark = pytest.mark.django_db


def upload(client, path, *, source="ssis", encoding="auto", name=None):
    data = {"source": source, "encoding": encoding,
            "file": SimpleUploadedFile(name or path.name, path.read_bytes())}
    return client.post(reverse("signal_batch_list"), data)


@pytest.fixture
def uploaded(client_as, admin_user, story_file, django_capture_on_commit_callbacks):
    client = client_as(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, story_file("cp949"))
    assert response.status_code == 302
    return client, SignalBatch.objects.get()


def test_an_admin_upload_is_processed_and_shows_its_counts(uploaded):
    client, batch = uploaded
    batch.refresh_from_db()
    assert batch.status == "done" and batch.channel == "upload"
    page = client.get(reverse("signal_batch_detail", args=[batch.pk])).content.decode()
    assert 'data-count="accepted">6<' in page
    assert "알 수 없는 위기정보 &#x27;외계인 침공&#x27;" in page


def test_the_error_report_lists_every_rejected_line_and_is_logged(uploaded):
    client, batch = uploaded
    response = client.get(reverse("signal_batch_errors", args=[batch.pk]))
    body = response.content.decode("utf-8-sig").splitlines()
    assert body[0] == "행,열,사유,사유 코드"
    assert [line.split(",")[0] for line in body[1:]] == ["8", "9", "10", "11", "12"]
    logged = AccessLog.objects.filter(object_type="signal_batch_errors", action="download")
    assert logged.count() == 1


def test_progress_answers_htmx_with_the_rejected_lines_when_finished(uploaded):
    """No reload of the whole page (focus and the live region would be lost): the last
    answer stops polling and brings the rejected lines in place."""
    client, batch = uploaded
    response = client.get(reverse("signal_batch_progress", args=[batch.pk]),
                          {"on": "detail", "seen": "scoring"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "HX-Refresh" not in response and "hx-trigger" not in page
    assert f'id="batch-{batch.pk}-rejected" aria-labelledby="rejected" hx-swap-oob="true"' in page
    assert "알 수 없는 위기정보 &#x27;외계인 침공&#x27;" in page


def test_staff_cannot_upload(client_as, staff1, story_file):
    response = upload(client_as(staff1), story_file("cp949"))
    assert response.status_code == 403
    assert not SignalBatch.objects.exists()


def test_an_empty_file_is_refused_and_nothing_stored(client_as, admin_user, tmp_path, settings):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    response = upload(client_as(admin_user), path)
    # Django's own form check catches the empty upload first.
    assert response.status_code == 400
    assert not SignalBatch.objects.exists()


def test_unknown_columns_are_refused_with_the_accepted_names(client_as, admin_user, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("이름,사유\n김영희,단전\n", encoding="cp949")
    response = upload(client_as(admin_user), path)
    assert response.status_code == 400
    page = response.content.decode()
    assert "알 수 없는 열: 이름, 사유" in page and "위기정보/signal_kind" in page
    assert not SignalBatch.objects.exists()


def test_a_file_over_the_limit_is_413_and_the_form_keeps_the_choices(client_as, admin_user,
                                                                      story_file, settings):
    settings.SIGNAL_UPLOAD_MAX_BYTES = 100
    response = upload(client_as(admin_user), story_file("cp949"), source="kepco",
                      encoding="cp949")
    assert response.status_code == 413
    assert '<option value="kepco" selected>' in response.content.decode()
    assert not SignalBatch.objects.exists()


def test_a_file_over_the_limit_says_only_that_it_is_too_large(client_as, admin_user,
                                                              story_file, settings):
    settings.SIGNAL_UPLOAD_MAX_BYTES = 100
    path = story_file("cp949")
    path.write_bytes(path.read_bytes() * 400)  # well past the limit: refused unread
    response = upload(client_as(admin_user), path, source="kepco")
    page = response.content.decode()
    assert response.status_code == 413 and "파일이 너무 큽니다" in page
    assert "필수 항목" not in page


def test_the_batch_list_query_count_does_not_grow(client_as, admin_user, story_file, tmp_path,
                                                  django_assert_max_num_queries,
                                                  django_capture_on_commit_callbacks):
    client = client_as(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            path = tmp_path / f"f{n}.csv"
            path.write_text(f"주민등록번호,위기정보,기준일\n450101-2345678,단전,2025010{n + 1}\n",
                            encoding="utf-8")
            upload(client, path)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("signal_batch_list")).status_code == 200


# --- the risk model ------------------------------------------------------------------

def model_form(model: RiskModel, **changes):
    data = {name: getattr(model, name) for name in (
        "threshold", "level_medium", "level_high", "level_critical", "half_life_days",
        "month_factor", "amount_factor", "bonus_alone_cutoff", "bonus_two_cutoffs",
        "bonus_elderly", "bonus_many_kinds")}
    data.update({f"weight_{code}": weight for code, weight in model.weights.items()})
    data.update(changes)
    return data


def test_what_if_preview_counts_alerts_without_saving(uploaded):
    client, _batch = uploaded
    model = risk_model_current()
    response = client.post(reverse("risk_model_edit"),
                           {**model_form(model, threshold=20), "action": "preview"})
    page = response.content.decode()
    assert 'data-preview="now-alerts">2<' in page
    assert 'data-preview="edited-alerts">3<' in page
    assert RiskModel.objects.count() == 1


def test_saving_the_model_makes_a_new_version_and_rescores(uploaded,
                                                           django_capture_on_commit_callbacks,
                                                           people):
    client, _batch = uploaded
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("risk_model_edit"), {
            **model_form(risk_model_current(), threshold=20, note="임계값 완화"),
            "action": "save"})
    assert response.status_code == 302
    # In effect only once a second district admin approves it (maker-checker).
    assert risk_model_current().version == 1
    version = RiskModel.objects.get(version=2)
    with django_capture_on_commit_callbacks(execute=True):
        approval_decide(approval=version.approvals.get(), decision="approved",
                        user=get_user_model().objects.get(username="admin2"))
    assert risk_model_current().version == 2
    assert DiscoveryAlert.objects.filter(status="open").count() == 3
    assert people["singil"].risk_assessments.order_by("-id").first().model_version == 2


def test_levels_out_of_order_are_refused_and_the_form_keeps_the_values(client_as, admin_user):
    response = client_as(admin_user).post(reverse("risk_model_edit"), {
        **model_form(risk_model_current(), level_medium=80, level_high=50), "action": "save"})
    assert response.status_code == 400
    assert "주의 ≤ 위기 ≤ 긴급" in response.content.decode()
    assert 'value="80"' in response.content.decode()
    assert RiskModel.objects.count() == 1


def test_staff_cannot_edit_the_model(client_as, staff1):
    assert client_as(staff1).get(reverse("risk_model_edit")).status_code == 403


# --- alerts --------------------------------------------------------------------------

def test_staff_see_the_alerts_of_their_dongs_with_factors_and_masked_names(uploaded, client_as,
                                                                          staff1, staff2):
    page = client_as(staff1).get(reverse("alert_list")).content.decode()
    assert "김*희" in page and "단전 2개월 · 단수" in page
    assert "김영희" not in page
    assert "미등록 거주" in page  # 이민수's candidate household in 여의동
    other = client_as(staff2).get(reverse("alert_list")).content.decode()
    assert "김*희" not in other


def test_volunteers_do_not_see_alerts(client_as, volunteer1):
    assert client_as(volunteer1).get(reverse("alert_list")).status_code == 403


def test_the_alert_list_query_count_does_not_grow(uploaded, client_as, admin_user,
                                                  django_assert_max_num_queries):
    client = client_as(admin_user)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("alert_list")).status_code == 200


def test_no_agency_is_preselected_and_one_must_be_chosen(client_as, admin_user, story_file):
    client = client_as(admin_user)
    page = client.get(reverse("signal_batch_list")).content.decode()
    assert '<option value="" selected>' in page
    response = upload(client, story_file("cp949"), source="")
    assert response.status_code == 400
    assert "이 파일을 보낸 기관을 고르세요." in response.content.decode()
    assert not SignalBatch.objects.exists()
