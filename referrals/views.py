"""Referrals pages."""

from datetime import timedelta

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import get_usage

from households.models import AccessLog, Role
from households.particles import particles_fix
from households.redaction import rrn_masked_notify
from households.selectors import scope_of
from households.services import access_log_write
from referrals import selectors, services
from referrals.forms import (
    GatekeeperPlaceForm,
    PartnerReferralForm,
    PublicReportForm,
    ReceiptStatusForm,
    ServiceCapacityForm,
    ServiceLinkAnswerForm,
    StaffReferralForm,
    VolunteerReferralForm,
    public_report_too_large,
)
from referrals.models import Referral, ServiceCapacity, ServiceLink
from referrals.services import capacity as capacity_services
from referrals.services import gatekeepers as gatekeeper_services
from referrals.services.lifecycle import referral_ladder, referral_next_states

# --- service catalogue and the partner's answers


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
    return render(request, "referrals/partner_links.html", {
        "links": links[:200], "show": show,
        "capacities": [(service, provider, capacity, ServiceCapacityForm(
            prefix=f"c{service.pk}-{provider.pk}", initial=_capacity_initial(capacity)))
            for service, provider, capacity in selectors.partner_services(request.user)],
    })


def _capacity_initial(capacity) -> dict:
    if capacity is None:
        return {"status": ServiceCapacity.Status.OPEN}
    return {"status": capacity.status, "open_slots": capacity.open_slots,
            "waiting_list": capacity.waiting_list}


@login_required
@require_http_methods(["POST"])
def partner_capacity(request, service_id: int, provider_id: int):
    """The provider keeps its own services' capacity; anyone else's is a 404."""
    _require_partner(request.user)
    service, provider = selectors.partner_service_for(request.user, service_id, provider_id)
    form = ServiceCapacityForm(request.POST, prefix=f"c{service.pk}-{provider.pk}")
    if not form.is_valid():
        messages.error(request, _("%(service)s: 여력을 저장하지 못했습니다. %(errors)s") % {
            "service": service.name,
            "errors": " ".join(str(e) for errors in form.errors.values() for e in errors)})
        return redirect("partner_links")
    capacity_services.service_capacity_set(service=service, provider=provider,
                                           user=request.user, **form.cleaned_data)
    messages.success(request, _("%(service)s의 여력을 저장했습니다.") % {"service": service.name})
    return redirect("partner_links")


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
                "decline": lambda: services.service_link_decline(
                    link=link, user=user, reason=data["reason"],
                    reason_code=data["reason_code"]),
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
                rrn_masked_notify(request, form.rrn_masked)
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




PAGE_SIZE = 50


def _wants_json(request) -> bool:
    # The offline-safe form script asks for JSON; without JavaScript the form posts normally.
    return "application/json" in request.headers.get("Accept", "")


def _intake(request, *, form_class, channel, template, extra_context=None, dongs=None,
            initial=None, service_extra=None, success=None):
    """GET shows the form; POST takes the referral in once per idempotency key."""
    status = 200
    if request.method == "POST":
        form = form_class(request.POST, dongs=dongs)
        if form.is_valid():
            try:
                referral, created = services.referral_submit(
                    channel=channel, referred_by=request.user, request=request,
                    **form.service_kwargs(), **(service_extra or {}),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                url = success(referral) if success else reverse("my_referrals")
                rrn_masked_notify(request, form.rrn_masked)
                if created:
                    messages.success(request, particles_fix(
                        _("의뢰 %(ref)s이(가) 접수되었습니다.") % {"ref": str(referral)}))
                else:
                    messages.info(request, _("이미 접수된 의뢰입니다 (%(ref)s).")
                                  % {"ref": str(referral)})
                if _wants_json(request):
                    return JsonResponse(
                        {"ok": True, "id": referral.pk, "created": created,
                         "status": referral.get_status_display(), "redirect": url},
                        status=201 if created else 200,
                    )
                return redirect(url)
        if _wants_json(request):
            return JsonResponse({"ok": False, "errors": form.errors.get_json_data()},
                                status=400)
        status = 400
    else:
        form = form_class(dongs=dongs, initial=initial or {})
    return render(request, template, {"form": form, **(extra_context or {})}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_refer(request):
    scope = scope_of(request.user)
    if not scope.has(Role.VOLUNTEER):
        raise PermissionDenied(_("자원봉사자만 이 양식을 쓸 수 있습니다."))
    own = sorted(scope.volunteer_dong_ids)
    return _intake(
        request, form_class=VolunteerReferralForm, channel=Referral.Channel.VOLUNTEER,
        template="referrals/refer_form.html", dongs=selectors.referral_dongs(request.user),
        initial={"dong": own[0] if own else None},
        extra_context={"heading": _("이웃 의뢰하기"), "offline": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_new(request):
    """Staff log phone / walk-in / field referrals; partners and police refer here."""
    scope = scope_of(request.user)
    dongs = selectors.referral_dongs(request.user)
    if scope.sees_records:
        return _intake(
            request, form_class=StaffReferralForm, channel=Referral.Channel.STAFF,
            template="referrals/refer_form.html", dongs=dongs,
            extra_context={"heading": _("전화·내방·현장 의뢰 접수"), "offline": False},
            success=lambda referral: reverse("inbox"),
        )
    if scope.has(Role.PARTNER):
        organization = selectors.organization_of(request.user)
        return _intake(
            request, form_class=PartnerReferralForm, channel=services.partner_channel(organization),
            template="referrals/refer_form.html", dongs=dongs,
            service_extra={"organization": organization},
            extra_context={"heading": _("기관 의뢰"), "offline": True},
        )
    raise PermissionDenied(_("의뢰를 등록할 권한이 없습니다."))


@login_required
def my_referrals(request):
    """Volunteers and partners: each referral's status only, never case details."""
    page = Paginator(selectors.my_referrals(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for referral in page:
        referral.ladder = referral_ladder(referral)
    return render(request, "referrals/my_referrals.html", {"page": page, "query": ""})


@login_required
@require_http_methods(["GET", "POST"])
def referral_detail(request, referral_id: int):
    referral = selectors.referral_detail(request.user, referral_id)
    access_log_write(request=request, action=AccessLog.Action.VIEW, object_type="referral",
                     object_id=referral.pk, household_id=referral.household_id)
    if request.method == "POST":
        status = request.POST.get("status", "")
        if status not in referral_next_states(referral):
            messages.error(request, _("바꿀 수 없는 상태입니다."))
            return redirect("referral_detail", referral.pk)
        services.referral_status_set(referral=referral, status=status, actor=request.user)
        messages.success(request, _("상태를 바꿨습니다."))
        return redirect("referral_detail", referral.pk)
    # Only the states ahead of this one: a referral's life never goes back.
    return render(request, "referrals/referral_detail.html", {
        "referral": referral,
        "status_choices": [(v, Referral.Status(v).label)
                           for v in referral_next_states(referral)],
        "ladder": referral_ladder(referral),
    })


@login_required
def referral_history(request, referral_id: int):
    """변경 이력 of one referral: the same scope as its page."""
    referral = selectors.referral_detail(request.user, referral_id)
    access_log_write(request=request, action=AccessLog.Action.VIEW,
                     object_type="referral_history", object_id=referral.pk,
                     household_id=referral.household_id)
    page = Paginator(selectors.referral_history(referral), 100).get_page(request.GET.get("page"))
    return render(request, "households/history.html", {
        "page": page, "query": "", "title": _("변경 이력: 의뢰 %(ref)s") % {"ref": referral},
        "back_url": reverse("referral_detail", args=[referral.pk]), "back_label": _("의뢰")})


# --- the public form (no account) --------------------------------------------------

def _limited(request, *, group: str, rate: str):
    """None when under the per-IP limit, else a 429 page saying when to try again."""
    usage = get_usage(request, group=group, key="ip", rate=rate, method=request.method,
                      increment=True)
    if usage is None or not usage["should_limit"]:
        return None
    seconds = max(int(usage["time_left"]), 60)
    retry_at = timezone.localtime() + timedelta(seconds=seconds)
    response = render(request, "referrals/rate_limited.html", {
        "minutes": (seconds + 59) // 60, "retry_at": retry_at,
    }, status=429)
    response["Retry-After"] = str(seconds)
    return response


@require_http_methods(["GET", "POST"])
def public_report(request):
    if request.method == "GET":
        # A memo pad's QR code opens the form with the place's code; a revoked or unknown
        # code opens the ordinary form.
        place = selectors.gatekeeper_place_by_code(request.GET.get("place"))
        initial = {"place": place.code, "dong": place.dong_id} if place else {}
        return render(request, "referrals/public_report.html",
                      {"form": PublicReportForm(initial=initial), "place": place})
    if public_report_too_large(request):
        return render(request, "errors/error.html", {
            "status": 413, "message": _("보낸 내용이 너무 깁니다. 줄여서 다시 보내 주세요."),
        }, status=413)
    limited = _limited(request, group="public-report", rate=settings.PUBLIC_REPORT_RATE)
    if limited:
        return limited
    form = PublicReportForm(request.POST)
    if form.is_bot:
        # Say thank you and keep nothing: a bot learns nothing from the answer.
        return render(request, "referrals/public_done.html", {"referral": None})
    place = selectors.gatekeeper_place_by_code(form.place_code)
    if not form.is_valid():
        return render(request, "referrals/public_report.html", {"form": form, "place": place},
                      status=400)
    try:
        referral, _created = services.referral_submit(
            channel=Referral.Channel.PUBLIC, request=request, gatekeeper_place=place,
            **form.service_kwargs()
        )
    except ValidationError as error:
        form.add_error(None, error)
        return render(request, "referrals/public_report.html", {"form": form, "place": place},
                      status=400)
    rrn_masked_notify(request, form.rrn_masked)
    return render(request, "referrals/public_done.html", {"referral": referral})


@require_http_methods(["GET"])
def report_status(request):
    """Anyone with a receipt code sees that report's status, and nothing else."""
    form = ReceiptStatusForm(request.GET or None)
    referral, status = None, 200
    if form.is_bound:
        limited = _limited(request, group="public-report-status",
                           rate=settings.PUBLIC_REPORT_STATUS_RATE)
        if limited:
            return limited
        if form.is_valid():
            referral = selectors.referral_by_receipt(form.cleaned_data["code"])
            if referral is None:
                form.add_error("code", _("그 접수번호로 접수된 제보가 없습니다."))
                status = 404
        else:
            status = 400
    return render(request, "referrals/report_status.html",
                  {"form": form, "referral": referral,
                   "ladder": referral_ladder(referral) if referral else []}, status=status)


# --- gatekeeper places: register, revoke, print the memo pad and the poster ------------

PRINT_SIZES = {"memo": "A6", "poster": "A4"}


def _require_gatekeeper_keeper(user):
    if not selectors.gatekeeper_dong_ids(user):
        raise PermissionDenied(_("게이트키퍼 장소는 구 관리자와 동 복지담당만 관리합니다."))


def gatekeeper_report_url(request, place) -> str:
    """The public form's address carrying the place's code: what the QR code holds."""
    return request.build_absolute_uri(f"{reverse('public_report')}?place={place.code}")


def qr_svg(url: str) -> str:
    """The QR code as inline SVG (segno, no external service), scaled by CSS."""
    # segno writes the SVG itself; the URL inside it is our own, built from the code.
    return mark_safe(segno.make(url, error="m").svg_inline(
        scale=4, omitsize=True, svgclass="qr", lineclass="qr-line"))


@login_required
@require_http_methods(["GET", "POST"])
def gatekeeper_places(request):
    """게이트키퍼 장소: the dong's places with their last report; register a new one."""
    _require_gatekeeper_keeper(request.user)
    dongs = selectors.gatekeeper_dongs(request.user)
    form = GatekeeperPlaceForm(request.POST or None, dongs=dongs,
                               initial={"dong": dongs.first()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                place = gatekeeper_services.gatekeeper_place_register(
                    registered_by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("%(place)s을(를) 등록했습니다. 메모지와 포스터를 "
                                            "인쇄해 전해 주세요.") % {"place": str(place)})
                return redirect("gatekeeper_places")
        status = 400
    return render(request, "referrals/gatekeeper_places.html", {
        "places": selectors.gatekeeper_places_for(request.user), "form": form,
    }, status=status)


@login_required
@require_http_methods(["POST"])
def gatekeeper_place_revoke(request, place_id: int):
    place = selectors.gatekeeper_place_for(request.user, place_id)
    gatekeeper_services.gatekeeper_place_revoke(place=place, revoked_by=request.user)
    messages.success(request, _("%(place)s의 코드를 회수했습니다. 이 코드로 오는 제보는 일반 "
                                "주민 제보로 접수됩니다.") % {"place": str(place)})
    return redirect("gatekeeper_places")


@login_required
def gatekeeper_place_print(request, place_id: int, size: str):
    """The memo-pad sheet (A6) or the poster (A4), with the QR code to the public form."""
    if size not in PRINT_SIZES:
        raise Http404(_("메모지(memo) 또는 포스터(poster)만 인쇄할 수 있습니다."))
    place = selectors.gatekeeper_place_for(request.user, place_id)
    if place.revoked:
        raise Http404(_("회수된 장소는 인쇄할 수 없습니다."))
    url = gatekeeper_report_url(request, place)
    return render(request, "referrals/gatekeeper_print.html", {
        "place": place, "size": size, "paper": PRINT_SIZES[size], "report_url": url,
        "qr": qr_svg(url),
    })
