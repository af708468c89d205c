"""The household's work page (방문·연계·사례 on one page) and its timeline."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from households import selectors as household_selectors
from households.break_glass import break_glass_gate
from households.models import AccessLog
from households.redaction import rrn_masked_notify
from households.services import access_log_write
from households.views import require_records
from outreach import forms
from outreach.selectors import timeline as timeline_selectors
from outreach.selectors.alerts import open_alerts_of
from outreach.selectors.cases import household_cases
from outreach.selectors.pairings import household_pairings
from outreach.selectors.visits import companions_for, household_visits
from outreach.services.cases import case_open
from outreach.services.pairings import pairing_create, pairing_end
from outreach.services.visits import visit_schedule
from referrals import selectors as referral_selectors
from referrals import services as referral_services
from referrals.forms import (
    ConsentRecordForm,
    ConsentWithdrawForm,
    ServiceLinkCancelForm,
    ServiceLinkRequestForm,
)
from referrals.services import consents as consent_services


@login_required
@require_http_methods(["GET", "POST"])
def household_work(request, household_id: int):
    """방문·연계·사례: everything the worker does for one household, on one page."""
    require_records(request.user)
    household = household_selectors.household_detail(request.user, household_id)
    gate = break_glass_gate(request, household)
    if gate is not None:
        return gate
    user = request.user
    action = request.POST.get("action") if request.method == "POST" else None
    alert_id = request.GET.get("alert")
    visit_form = forms.VisitScheduleForm(
        request.POST if action == "schedule_visit" else None,
        volunteers=companions_for(user, household),
        alerts=open_alerts_of(household),
        initial={"alert": alert_id} if alert_id else None,
    )
    link_form = ServiceLinkRequestForm(request.POST if action == "request_link" else None,
                                       initial=_link_initial(request.GET.get("service")))
    cancel_form = ServiceLinkCancelForm(request.POST if action == "cancel_link" else None)
    case_form = forms.CaseOpenForm(request.POST if action == "open_case" else None, user=user,
                                   household=household)
    pairing_form = forms.PairingForm(
        request.POST if action == "pair" else None, household=household
    )
    end_form = forms.PairingEndForm(request.POST if action == "end_pairing" else None)
    consent_form = ConsentRecordForm(request.POST if action == "record_consent" else None,
                                     household=household)
    withdraw_form = ConsentWithdrawForm(request.POST if action == "withdraw_consent" else None)
    if action:
        handlers = {
            "schedule_visit": (
                visit_form,
                lambda d: visit_schedule(
                    household=household,
                    staff=user,
                    scheduled_for=d["scheduled_for"],
                    companion=d["companion"],
                    alert=d["alert"],
                ),
                _("방문을 예약했습니다."),
            ),
            "request_link": (
                link_form,
                lambda d: referral_services.service_link_request(
                    household=household,
                    service=d["service"],
                    provider=d["provider"],
                    requested_by=user,
                    note=d["note"],
                    override_reason=d["override_reason"],
                    capacity_confirmed=d["confirm_full"],
                ),
                _("서비스 연계를 요청했습니다."),
            ),
            "cancel_link": (
                cancel_form,
                lambda d: referral_services.service_link_cancel(
                    link=_household_link(household, d["link"]), user=user, reason=d["reason"]
                ),
                _("서비스 연계를 취소했습니다."),
            ),
            "open_case": (
                case_form,
                lambda d: case_open(
                    household=household, manager=d["manager"], user=user, summary=d["summary"]
                ),
                _("통합사례를 접수했습니다."),
            ),
            "pair": (
                pairing_form,
                lambda d: pairing_create(
                    volunteer=d["volunteer"],
                    household=household,
                    cadence=d["cadence"],
                    grace_days=d["grace_days"],
                    created_by=user,
                ),
                _("결연을 맺었습니다."),
            ),
            "record_consent": (
                consent_form,
                lambda d: consent_services.consent_record(
                    household=household, person=d["person"], method=d["method"],
                    given_on=d["given_on"], recorded_by=user, note=d["note"]),
                _("정보 제공 동의를 기록했습니다."),
            ),
            "withdraw_consent": (
                withdraw_form,
                lambda d: consent_services.consent_withdraw(
                    household=household, user=user, withdrawn_on=d["withdrawn_on"],
                    note=d["note"]),
                _("동의 철회를 기록했습니다. 더 이상 협력기관에 정보가 가지 않습니다."),
            ),
            "end_pairing": (
                end_form,
                lambda d: pairing_end(
                    pairing=_household_pairing(household, d["pairing"]), user=user
                ),
                _("결연을 종료했습니다."),
            ),
        }
        if action not in handlers:
            return render(
                request,
                "errors/error.html",
                {"status": 400, "message": _("알 수 없는 요청입니다.")},
                status=400,
            )
        form, call, done = handlers[action]
        if form.is_valid():
            try:
                call(form.cleaned_data)
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                messages.success(request, done)
                rrn_masked_notify(request, getattr(form, "rrn_masked", 0))
                return redirect("household_work", household_id=household.pk)
    access_log_write(
        request=request,
        action=AccessLog.Action.VIEW,
        object_type="household_work",
        object_id=household.pk,
        household_id=household.pk,
    )
    context = {
        "household": household,
        "members": household_selectors.household_members(household),
        "alerts": open_alerts_of(household),
        "visits": household_visits(household),
        "links": referral_selectors.household_service_links(household),
        "cases": household_cases(household),
        "pairings": household_pairings(household),
        "visit_form": visit_form,
        "link_form": link_form,
        "cancel_form": cancel_form,
        "case_form": case_form,
        "pairing_form": pairing_form,
        "end_form": end_form,
        "consent": referral_selectors.consent_active(household),
        "past_consents": referral_selectors.household_consents(household).filter(
            withdrawn_at__isnull=False),
        "overrides": referral_selectors.household_consent_overrides(household),
        "can_override": user.has_perm(consent_services.OVERRIDE_PERMISSION),
        "consent_form": consent_form,
        "withdraw_form": withdraw_form,
    }
    return render(request, "outreach/household_work.html", context, status=400 if action else 200)


def _link_initial(service_id) -> dict:
    """?service=<id> (from the catalogue's 가구에 연계): that service, and its provider when
    it has only one. Anything else leaves the form empty."""
    if not (service_id or "").isdigit():
        return {}
    service = referral_selectors.service_catalogue().filter(pk=service_id).first()
    if service is None:
        return {}
    providers = list(service.providers.all()[:2])
    return {"service": service.pk, **({"provider": providers[0].pk} if len(providers) == 1
                                      else {})}


def _household_link(household, link_id):
    link = referral_selectors.household_service_links(household).filter(pk=link_id).first()
    if link is None:
        raise ValidationError(_("이 가구의 서비스 연계가 아닙니다."))
    return link


def _household_pairing(household, pairing_id):
    pairing = household_pairings(household).filter(pk=pairing_id).first()
    if pairing is None:
        raise ValidationError(_("이 가구의 결연이 아닙니다."))
    return pairing


@login_required
@require_http_methods(["GET", "POST"])
def household_timeline(request, household_id: int):
    """One chronological page of everything that happened to the household."""
    require_records(request.user)
    household = household_selectors.household_detail(request.user, household_id)
    gate = break_glass_gate(request, household)
    if gate is not None:
        return gate
    events = timeline_selectors.household_timeline(household)
    page = Paginator(events, 300).get_page(request.GET.get("page"))
    access_log_write(
        request=request,
        action=AccessLog.Action.VIEW,
        object_type="household_timeline",
        object_id=household.pk,
        household_id=household.pk,
    )
    return render(
        request,
        "outreach/household_timeline.html",
        {"household": household, "page": page, "query": ""},
    )
