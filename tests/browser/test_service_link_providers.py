"""The service-link form on a household's work page offers only the providers of the
chosen service (the server still refuses a mismatch without JavaScript)."""

import pytest

from households.models import Organization
from referrals.models import Service
from tests.browser.steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_choosing_a_service_leaves_only_its_providers(live_server, demo, dongs, page,
                                                      screenshot, catalogue):
    providers = Organization.objects.filter(active=True, services__isnull=False).distinct()
    service = next(s for s in Service.objects.filter(active=True).prefetch_related("providers")
                   if 0 < s.providers.count() < providers.count())
    household = dongs["여의동"].households.first()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, "staff1")
    page.goto(f"{live_server.url}/households/{household.pk}/work/")
    provider = page.locator("select[name=provider]")
    offered = "Array.from(document.querySelector('select[name=provider]').options)" \
              ".filter(o => o.value && !o.disabled).map(o => o.value)"
    assert len(page.evaluate(offered)) == providers.count()
    page.locator("select[name=service]").select_option(str(service.pk))
    expected = sorted(str(pk) for pk in service.providers.values_list("pk", flat=True))
    assert sorted(page.evaluate(offered)) == expected
    assert provider.is_visible()
    screenshot(page, "service-link-providers")
