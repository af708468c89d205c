"""The installable web app without a signal: after one visit online, volunteer1 opens
/volunteer/refer/ with the phone offline (the service worker's copy), sends a referral that
waits on the phone with its idempotency key, and exactly one referral arrives once the
connection returns; signing out takes the copies and the queue off the phone."""

import pytest
from django.core.signals import request_started
from playwright.sync_api import expect

from referrals.models import Referral
from tests.browser.steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.offline_app,
              pytest.mark.django_db(transaction=True)]


def test_volunteer_refers_with_no_connection_and_one_referral_arrives(live_server, dongs,
                                                                       page, screenshot):
    base = live_server.url
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, base, "volunteer1")
    page.goto(f"{base}/volunteer/refer/")
    # The service worker took the pages it keeps while online.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    cached = page.evaluate("""async () => {
        const names = await caches.keys();
        const cache = await caches.open(names.find(n => n.startsWith('doorstep-offline-')));
        return (await cache.keys()).map(r => new URL(r.url).pathname);
    }""")
    assert "/volunteer/refer/" in cached and "/check-ins/" in cached
    assert "/visits/week/" not in cached and not any(p.startswith("/households/")
                                                    for p in cached)

    # No signal. Playwright 1.65's offline emulation also covers the service worker's own
    # fetches in Chromium (checked here: the server sees no request for the page while
    # offline), so the page below can only have come from the worker's copy.
    reached = []

    def note(sender, environ, **kwargs):
        reached.append(environ["PATH_INFO"])

    request_started.connect(note)
    page.context.set_offline(True)
    try:
        response = page.goto(f"{base}/volunteer/refer/")
    finally:
        request_started.disconnect(note)
    assert reached == [], reached
    assert response is not None and response.from_service_worker
    expect(page.get_by_role("heading", name="이웃 의뢰하기")).to_be_visible()
    page.get_by_label("끼니 거름").check()
    page.get_by_label("주소", exact=True).fill("신길로 77")
    page.get_by_label("메모").fill("문 앞에 신문이 쌓여 있어요")
    page.get_by_role("button", name="의뢰 보내기").click()
    notice = page.locator("[data-offline-notice]")
    expect(notice).to_contain_text("1건")
    expect(notice).to_contain_text("연결되면 자동으로 보냅니다")
    queued = page.evaluate("JSON.parse(localStorage.getItem('doorstep-draft-queue'))")
    assert len(queued) == 1 and dict(queued[0]["fields"])["idempotency_key"]
    assert Referral.objects.count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "offline-referral-waiting-360")

    page.context.set_offline(False)
    expect(page.get_by_role("heading", name="내 의뢰")).to_be_visible(timeout=20000)
    page.wait_for_timeout(1500)
    referral = Referral.objects.get()
    assert referral.referred_by.username == "volunteer1" and "신문" in referral.note
    assert page.evaluate("localStorage.getItem('doorstep-draft-queue')") is None

    # Signing out leaves nothing of it on the phone.
    page.get_by_role("button", name="로그아웃").click()
    page.wait_for_url(f"{base}/**")
    expect(page.get_by_label("아이디")).to_be_visible()
    left = page.evaluate(
        "async () => (await caches.keys()).filter(n => n.startsWith('doorstep-'))")
    assert left == []


def test_volunteer_logs_a_check_in_with_no_connection_and_it_arrives_once(
        live_server, dongs, volunteer1, page, screenshot):
    from households.models import Household
    from outreach.models import CheckIn
    from tests.factories import PairingFactory

    pairing = PairingFactory(volunteer=volunteer1,
                             household=Household.objects.filter(dong=dongs["신길1동"]).first())
    base = live_server.url
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, base, "volunteer1")
    page.goto(f"{base}/check-ins/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    page.wait_for_function("""async () => {
        const names = await caches.keys();
        const name = names.find(n => n.startsWith('doorstep-offline-'));
        return !!name && !!(await (await caches.open(name)).match('/check-ins/'));
    }""", timeout=15000)

    page.context.set_offline(True)
    response = page.goto(f"{base}/check-ins/")
    assert response is not None and response.from_service_worker
    card = page.locator("section.check-in")
    card.get_by_role("radio", name="만남").check()
    card.get_by_role("radio", name="4").check()
    card.get_by_label("메모").fill("건강해 보이심")
    card.get_by_role("button", name="저장").click()
    expect(page.locator("[data-queue-notice]")).to_contain_text("1건")
    assert CheckIn.objects.count() == 0
    screenshot(page, "offline-check-in-waiting-360")

    page.context.set_offline(False)
    expect(page.locator("[data-queue-notice]")).to_be_hidden(timeout=20000)
    page.wait_for_timeout(1000)
    check_in = CheckIn.objects.get()
    assert check_in.pairing == pairing and check_in.note == "건강해 보이심"
    assert check_in.idempotency_key
