"""Risk-signal pages: batches and uploads, progress, rejected lines, the risk-model editor."""


from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from households import services as household_services
from households.exports import csv_response
from households.models import AccessLog
from households.particles import particles_fix
from outreach.forms import (
    RiskModelForm,
    SignalUploadForm,
)
from outreach.models import SignalBatch
from outreach.selectors import signal_batches as signal_batch_selectors
from outreach.selectors.assessments import (
    risk_model_current,
    risk_model_preview,
    risk_model_versions,
)
from outreach.selectors.signal_batches import can_manage_signals, signal_batches_for
from outreach.services.assessments import risk_model_save
from outreach.services.signal_batches import signal_batch_receive
from outreach.signal_files import FileRejected
from outreach.signal_kinds import SIGNAL_KINDS

# --- risk signals (위기정보): batches, chunks, the risk model ---------------------
PAGE_SIZE = 50


def _require_admin(user):
    if not can_manage_signals(user):
        raise PermissionDenied(_("위기정보 관리는 구 관리자만 할 수 있습니다."))


@login_required
@require_http_methods(["GET", "POST"])
def signal_batch_list(request):
    _require_admin(request.user)
    status = 200
    if request.method == "POST":
        form = SignalUploadForm(request.POST, request.FILES)
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.SIGNAL_UPLOAD_MAX_BYTES + 64 * 1024:
            # Refuse before reading the body: nothing is stored.
            form = SignalUploadForm(request.POST)
            # The file was refused, not forgotten: no "this field is required" beside it.
            form.full_clean()
            form.errors.pop("file", None)
            form.add_error(
                None,
                _("파일이 너무 큽니다 (최대 %(mb)s MB).")
                % {"mb": settings.SIGNAL_UPLOAD_MAX_BYTES // (1024 * 1024)},
            )
            status = 413
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch, created = signal_batch_receive(
                    source=form.cleaned_data["source"],
                    fileobj=upload,
                    filename=upload.name,
                    channel=SignalBatch.Channel.UPLOAD,
                    user=request.user,
                    encoding=form.cleaned_data["encoding"],
                )
            except FileRejected as exc:
                form.add_error("file", exc.message)
                status = exc.status
            else:
                if not created:
                    messages.info(
                        request,
                        _("같은 파일이 이미 접수되어 있습니다 (#%(id)s). 다시 처리하지 않습니다.")
                        % {"id": batch.pk},
                    )
                return redirect("signal_batch_detail", batch_id=batch.pk)
        else:
            status = 400
    else:
        form = SignalUploadForm()
    page = Paginator(signal_batches_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    running = signal_batch_selectors.signal_batches_running(request.user)
    progress = signal_batch_selectors.signal_batches_progress(running)
    return render(
        request,
        "outreach/signal_batch_list.html",
        {
            "form": form,
            "page": page,
            "running": [(batch, progress[batch.pk]) for batch in running],
            "on": "list",
            "query": "",
            "max_mb": settings.SIGNAL_UPLOAD_MAX_BYTES // (1024 * 1024),
        },
        status=status,
    )


def _batch(request, batch_id) -> SignalBatch:
    _require_admin(request.user)
    return get_object_or_404(signal_batches_for(request.user), pk=batch_id)


def _rejections_context(request, batch: SignalBatch) -> dict:
    # The rejected lines quote an agency file about people: showing them is a view to log.
    household_services.access_log_write(request=request, action=AccessLog.Action.VIEW,
                                        object_type="signal_batch", object_id=batch.pk)
    return {
        "rejections": list(signal_batch_selectors.signal_rejections(batch, limit=100)),
        "rejection_total": batch.rejections.count(),
    }


@login_required
def signal_batch_detail(request, batch_id: int):
    batch = _batch(request, batch_id)
    return render(
        request,
        "outreach/signal_batch_detail.html",
        {
            "batch": batch,
            "progress": signal_batch_selectors.signal_batch_progress(batch),
            "on": "detail",
            **_rejections_context(request, batch),
        },
    )


@login_required
def signal_batch_progress(request, batch_id: int):
    """The progress card alone, polled by htmx while the batch runs (the page itself shows
    the same figures on a plain reload). ``seen``: the phase the page's live region last
    said (progress["announced"]); a change is said there once. ``on``: the page polling (detail or
    list); the detail page gets its rejected lines when the batch finishes."""
    batch = _batch(request, batch_id)
    on = request.GET.get("on") if request.GET.get("on") in ("detail", "list") else "detail"
    seen = request.GET.get("seen", "")
    progress = signal_batch_selectors.signal_batch_progress(batch)
    context = {
        "batch": batch, "on": on, "progress": progress,
        "announce": bool(request.htmx) and seen in SignalBatch.Status.values
        and seen != progress["announced"],
        "rejected_oob": bool(request.htmx) and batch.finished and on == "detail",
    }
    if context["rejected_oob"]:
        context.update(_rejections_context(request, batch))
    return render(request, "outreach/signal_progress_poll.html", context)


@login_required
def signal_batch_errors(request, batch_id: int):
    """The rejected lines as CSV (UTF-8 with BOM, so Excel opens it in Korean)."""
    batch = _batch(request, batch_id)
    household_services.access_log_write(
        request=request,
        action=AccessLog.Action.DOWNLOAD,
        object_type="signal_batch_errors",
        object_id=batch.pk,
    )
    return csv_response(
        f"signal-batch-{batch.pk}-errors.csv", [_("행"), _("열"), _("사유"), _("사유 코드")],
        ((r["line"], r["column_label"], r["reason"], r["code"])
         for r in signal_batch_selectors.signal_rejections(batch)))


@login_required
@require_http_methods(["GET", "POST"])
def risk_model_edit(request):
    _require_admin(request.user)
    current = risk_model_current()
    preview = None
    status = 200
    if request.method == "POST":
        form = RiskModelForm(request.POST, instance=None)
        if form.is_valid():
            data = form.model_data()
            if request.POST.get("action") == "save":
                model = risk_model_save(
                    user=request.user, data=data, note=form.cleaned_data.get("note", "")
                )
                messages.success(
                    request,
                    particles_fix(_("위험도 모델 v%(v)s을(를) 저장했습니다. 다른 구 관리자가 "
                                    "결재함에서 승인하면 적용되고 재평가를 시작합니다.")
                                  % {"v": model.version}),
                )
                return redirect("risk_model_edit")
            preview = risk_model_preview(data)
        else:
            status = 400
    else:
        form = RiskModelForm(instance=current)
    return render(
        request,
        "outreach/risk_model.html",
        {
            "form": form,
            "current": current,
            "preview": preview,
            "versions": risk_model_versions(),
            "kinds": SIGNAL_KINDS,
        },
        status=status,
    )
