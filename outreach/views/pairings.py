"""The volunteer's check-in page (안부 확인) for the households they are paired with."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from households import selectors as household_selectors
from households.models import Role, mask_name
from households.redaction import rrn_masked_notify
from outreach import forms
from outreach.selectors.pairings import pairing_for_volunteer, pairings_for_volunteer
from outreach.services.pairings import check_in_log


@login_required
@require_http_methods(["GET", "POST"])
def check_ins(request):
    """The volunteer's phone page: paired households, minimal data, a check-in in seconds."""
    scope = household_selectors.scope_of(request.user)
    if not scope.has(Role.VOLUNTEER):
        raise PermissionDenied(_("자원봉사자만 안부 확인을 기록합니다."))
    pairings = list(pairings_for_volunteer(request.user))
    posted = None
    if request.method == "POST":
        posted_id = request.POST.get("pairing", "")
        posted = forms.CheckInForm(
            request.POST, auto_id=f"p{posted_id if posted_id.isdigit() else 'x'}_%s")
    if posted is not None:
        if posted.is_valid():
            data = posted.cleaned_data
            pairing = pairing_for_volunteer(request.user, data["pairing"])
            try:
                check_in_log(pairing=pairing, by=request.user, kind=data["kind"],
                             wellbeing=data["wellbeing"], concern=data["concern"],
                             concern_category=data["concern_category"],
                             note=data["note"], idempotency_key=data["idempotency_key"],
                             at=data["done_at"])
            except ValidationError as error:
                forms.add_service_errors(posted, error)
            else:
                messages.success(request, _("안부 확인을 기록했습니다. 고맙습니다."))
                rrn_masked_notify(request, posted.rrn_masked)
                # The phone's offline queue asks for JSON (static/js/offline.js).
                if "application/json" in request.headers.get("Accept", ""):
                    return JsonResponse({"ok": True, "redirect": reverse("check_ins")},
                                        status=201)
                return redirect("check_ins")
        elif not any(str(p.pk) == str(request.POST.get("pairing")) for p in pairings):
            raise Http404
    now = timezone.now()
    rows = []
    for pairing in pairings:
        mine = posted is not None and str(request.POST.get("pairing")) == str(pairing.pk)
        due = pairing.due_at()
        rows.append({
            "pairing": pairing,
            "masked_name": mask_name(pairing.head_name),
            "overdue": due < now,
            "due": due,
            "form": posted if mine else forms.CheckInForm(
                initial={"pairing": pairing.pk}, auto_id=f"p{pairing.pk}_%s"),
        })
    return render(request, "outreach/check_ins.html", {"rows": rows},
                  status=400 if posted is not None else 200)
