"""Referrals pages.

[3/5] adds the referral pages; [4/5] the catalogue and the partner's answer pages below.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from households.models import AccessLog, Role
from households.selectors import scope_of
from households.services import access_log_write
from referrals import selectors, services
from referrals.forms import ServiceLinkAnswerForm
from referrals.models import ServiceLink

# ---------------------------------------------------------------------------
# [4/5] Service catalogue and the partner's answers
# ---------------------------------------------------------------------------


@login_required
def service_catalogue(request):
    """공공·민간 자원 목록 (district admins maintain it in the admin)."""
    if not scope_of(request.user).sees_records:
        raise PermissionDenied(_("서비스 목록을 볼 권한이 없습니다."))
    return render(request, "referrals/service_catalogue.html",
                  {"services": selectors.service_catalogue()})


def _require_partner(user):
    if not scope_of(user).has(Role.PARTNER):
        raise PermissionDenied(_("협력기관 담당자만 볼 수 있습니다."))


@login_required
def partner_links(request):
    """The partner's inbox: only requests addressed to their organization, names masked."""
    _require_partner(request.user)
    links = selectors.service_links_for_partner(request.user).order_by("-requested_at", "-id")
    show = request.GET.get("show", "open")
    if show == "open":
        links = links.filter(status__in=[ServiceLink.Status.REQUESTED,
                                         ServiceLink.Status.ACCEPTED,
                                         ServiceLink.Status.IN_SERVICE])
    return render(request, "referrals/partner_links.html",
                  {"links": links[:200], "show": show})


@login_required
@require_http_methods(["GET", "POST"])
def partner_link_detail(request, link_id: int):
    _require_partner(request.user)
    link = selectors.service_link_for_partner(request.user, link_id)
    form = ServiceLinkAnswerForm(request.POST or None,
                                 initial={"actual_value": link.service.typical_value})
    if request.method == "POST":
        if form.is_valid():
            data, user = form.cleaned_data, request.user
            calls = {
                "accept": lambda: services.service_link_accept(link=link, user=user),
                "decline": lambda: services.service_link_decline(link=link, user=user,
                                                                 reason=data["reason"]),
                "start": lambda: services.service_link_start(link=link, user=user),
                "complete": lambda: services.service_link_complete(
                    link=link, user=user, actual_value=data["actual_value"]),
            }
            try:
                calls[data["answer"]]()
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("답변을 보냈습니다."))
                return redirect("partner_link_detail", link_id=link.pk)
        status = 400
    else:
        status = 200
    # Address and phone are shown only after accepting; every view is logged either way.
    access_log_write(request=request, action=AccessLog.Action.VIEW,
                     object_type="service_link", object_id=link.pk,
                     household_id=link.household_id)
    return render(request, "referrals/partner_link_detail.html",
                  {"link": link, "form": form}, status=status)


# ---------------------------------------------------------------------------
# end [4/5]
# ---------------------------------------------------------------------------
