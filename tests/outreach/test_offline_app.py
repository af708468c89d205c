"""The installable web app's server side: the service worker keeps only the three field
pages, signing out clears the device, and a check-in sent twice from the queue logs once."""

import json
import re

import pytest
from django.contrib.staticfiles import finders

from outreach.models import CheckIn
from tests.factories import PairingFactory

pytestmark = [pytest.mark.django_db, pytest.mark.offline_app]


def test_the_service_worker_covers_the_site_and_keeps_only_the_field_pages(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    pages = json.loads(re.search(r"var PAGES = (\[.*?\]);", body).group(1))
    assert pages == ["/volunteer/refer/", "/check-ins/", "/visits/day/"]
    assets = json.loads(re.search(r"var ASSETS = (\[.*?\]);", body).group(1))
    assert all(a.startswith("/static/") or a == "/jsi18n/" for a in assets)
    # Hand-written and short, as promised in the README.
    assert len(body.splitlines()) < 200


def test_the_manifest_names_the_app_in_korean_with_its_icons():
    manifest = json.loads(open(finders.find("manifest.webmanifest"), encoding="utf-8").read())
    assert manifest["short_name"] == "도어스텝" and manifest["lang"] == "ko"
    assert manifest["theme_color"] and manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        assert finders.find(f"icons/{icon['src'].split('/')[-1]}")


def test_signing_out_tells_the_browser_to_clear_the_device(client_as, volunteer1):
    client = client_as(volunteer1)
    response = client.post("/logout/")
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_pages_load_the_offline_script_without_inline_code(client_as, volunteer1):
    page = client_as(volunteer1).get("/check-ins/").content.decode()
    assert 'src="/static/js/offline.js" data-sw="/sw.js"' in page
    assert 'rel="manifest"' in page
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None


def test_a_check_in_sent_twice_from_the_queue_is_logged_once(client_as, volunteer1, dongs):
    from households.models import Household

    pairing = PairingFactory(volunteer=volunteer1,
                             household=Household.objects.filter(dong=dongs["신길1동"]).first())
    client = client_as(volunteer1)
    data = {"pairing": pairing.pk, "kind": "met", "wellbeing": "4", "note": "잘 지내세요",
            "idempotency_key": "0f6c1f9e-8b1d-4a57-9a56-3f1b7a1e2c3d"}
    first = client.post("/check-ins/", data, HTTP_ACCEPT="application/json")
    again = client.post("/check-ins/", data, HTTP_ACCEPT="application/json")
    assert first.status_code == again.status_code == 201
    assert first.json()["redirect"] == "/check-ins/"
    assert CheckIn.objects.filter(pairing=pairing).count() == 1


def test_a_check_in_sent_later_keeps_the_time_it_was_done(client_as, volunteer1, dongs):
    from datetime import timedelta

    from django.utils import timezone

    from households.models import Household

    pairing = PairingFactory(volunteer=volunteer1,
                             household=Household.objects.filter(dong=dongs["신길1동"]).first())
    done = timezone.localtime().replace(second=0, microsecond=0) - timedelta(hours=3)
    client_as(volunteer1).post("/check-ins/", {
        "pairing": pairing.pk, "kind": "phone", "wellbeing": "3",
        "done_at": done.strftime("%Y-%m-%dT%H:%M"),
        "idempotency_key": "1f6c1f9e-8b1d-4a57-9a56-3f1b7a1e2c3d"},
        HTTP_ACCEPT="application/json")
    assert CheckIn.objects.get(pairing=pairing).at == done
