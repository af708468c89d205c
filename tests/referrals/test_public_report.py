"""The public form: no account, honeypot, per-IP rate limit, size limit, receipt status."""

import pytest
from django.urls import reverse

from referrals.models import Referral

pytestmark = pytest.mark.django_db


def report(dongs, **overrides):
    data = {
        "idempotency_key": "0123456789abcdef",
        "dong": dongs["대림2동"].pk,
        "road_address": "디지털로37길 12",
        "address_detail": "",
        "categories": ["mail"],
        "note": "옆집 할머니가 며칠째 안 보여요",
        "contact": "",
        "website": "",
    }
    data.update(overrides)
    return data


def test_public_report_returns_a_receipt_code(client, dongs):
    response = client.post(reverse("public_report"), report(dongs))
    assert response.status_code == 200
    referral = Referral.objects.get()
    assert referral.channel == Referral.Channel.PUBLIC
    assert referral.referred_by is None
    assert referral.receipt_code in response.content.decode()


def test_receipt_code_shows_only_the_status(client, dongs):
    client.post(reverse("public_report"), report(dongs))
    referral = Referral.objects.get()
    referral.status = Referral.Status.VISITING
    referral.save()
    response = client.get(reverse("report_status"), {"code": referral.receipt_code.lower()})
    html = response.content.decode()
    assert response.status_code == 200
    assert "방문" in html
    assert "디지털로" not in html and "할머니" not in html


def test_unknown_receipt_code_is_404_with_a_message(client, demo):
    response = client.get(reverse("report_status"), {"code": "ZZZZ-9999"})
    assert response.status_code == 404
    assert "접수된 제보가 없습니다" in response.content.decode()


def test_honeypot_keeps_nothing(client, dongs):
    response = client.post(reverse("public_report"), report(dongs, website="http://spam"))
    assert response.status_code == 200
    assert Referral.objects.count() == 0


def test_rate_limit_is_429_and_says_when_to_try_again(client, dongs, settings):
    settings.PUBLIC_REPORT_RATE = "5/h"
    for n in range(5):
        response = client.post(reverse("public_report"),
                               report(dongs, idempotency_key=f"key-{n:04d}-abcd"))
        assert response.status_code == 200
    response = client.post(reverse("public_report"), report(dongs, idempotency_key="key-9999"))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "다시 시도해 주세요" in response.content.decode()
    assert Referral.objects.count() == 5


def test_rate_limit_is_per_address(client, dongs, settings):
    settings.PUBLIC_REPORT_RATE = "1/h"
    assert client.post(reverse("public_report"), report(dongs, idempotency_key="aaaa-1111"),
                       REMOTE_ADDR="10.0.0.1").status_code == 200
    assert client.post(reverse("public_report"), report(dongs, idempotency_key="aaaa-2222"),
                       REMOTE_ADDR="10.0.0.2").status_code == 200
    assert client.post(reverse("public_report"), report(dongs, idempotency_key="aaaa-3333"),
                       REMOTE_ADDR="10.0.0.1").status_code == 429


def test_oversized_report_is_413(client, dongs, settings):
    settings.PUBLIC_REPORT_MAX_BYTES = 2000
    response = client.post(reverse("public_report"), report(dongs, note="가" * 3000))
    assert response.status_code == 413
    assert Referral.objects.count() == 0


def test_too_long_note_is_a_field_error(client, dongs):
    response = client.post(reverse("public_report"), report(dongs, note="가" * 1001))
    assert response.status_code == 400
    assert "note" in response.context["form"].errors


def test_public_double_submit_gives_the_same_receipt(client, dongs):
    first = client.post(reverse("public_report"), report(dongs))
    second = client.post(reverse("public_report"), report(dongs))
    assert Referral.objects.count() == 1
    code = Referral.objects.get().receipt_code
    assert code in first.content.decode() and code in second.content.decode()
