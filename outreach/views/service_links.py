"""From the service catalogue to a household: pick one of the worker's households, then
request the service on its work page with the service (and a sole provider) filled in."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from households import selectors as household_selectors
from households.filters import HouseholdFilter
from households.models import AccessLog
from households.services import access_log_write
from households.views import require_records
from referrals import selectors as referral_selectors

PICK_PAGE_SIZE = 20


def _refused(request, status: int, message: str):
    return render(request, "errors/error.html", {"status": status, "message": message},
                  status=status)


@login_required
@require_GET
def service_link_pick(request, service_id: int):
    """가구에 연계: the households offered are only those the worker may see (the one
    scoping selector); a household outside it, by a forged id, is refused with 404."""
    require_records(request.user)
    service = get_object_or_404(referral_selectors.service_catalogue(), pk=service_id)
    chosen = request.GET.get("household")
    if chosen is not None:
        if not chosen.isdigit():
            return _refused(request, 400, _("가구 번호가 올바르지 않습니다."))
        try:
            household = household_selectors.household_detail(request.user, int(chosen))
        except Http404:
            return _refused(request, 404, _("담당 범위 밖의 가구이거나 없는 가구입니다. "
                                            "이 가구에는 서비스를 연계할 수 없습니다."))
        url = reverse("household_work", args=[household.pk])
        return redirect(f"{url}?{urlencode({'service': service.pk})}#link-form")
    household_filter = HouseholdFilter(
        request.GET or None, queryset=household_selectors.household_list(request.user),
        user=request.user,
    )
    searched = bool((request.GET.get("q") or "").strip() or request.GET.get("dong"))
    page = None
    if searched:
        # A search of the registry is a look at personal data: the auditor sees who searched.
        access_log_write(request=request, action=AccessLog.Action.VIEW,
                         object_type="household_search")
        page = Paginator(household_filter.qs, PICK_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "outreach/service_link_pick.html", {
        "service": service, "filter": household_filter, "page": page,
        "query": query.urlencode(),
    })
