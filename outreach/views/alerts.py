"""Discovery-alert pages: the alert list and the jump from an alert to its visit form."""


from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from households.selectors import scope_of
from households.views import require_records
from outreach.selectors.alerts import alert_for, alert_list_for
from outreach.views.signal_batches import PAGE_SIZE


@login_required
def alert_schedule_visit(request, alert_id: int):
    """From a DiscoveryAlert (the inbox links here) to the visit form of its household."""
    require_records(request.user)
    alert = alert_for(request.user, alert_id)
    return redirect(f"{reverse('household_work', args=[alert.household_id])}"
                    f"?alert={alert.pk}#h-visit")



@login_required
def alert_list(request):
    """발굴 대상 of the user's dongs (the inbox will fold this in)."""
    if not scope_of(request.user).sees_records:
        raise PermissionDenied(_("발굴 대상을 볼 권한이 없습니다."))
    page = Paginator(alert_list_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "outreach/alert_list.html", {"page": page, "query": ""})
