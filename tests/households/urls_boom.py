"""A URLconf with a view that raises, to test what the error page and the logs show."""

from django.urls import path
from django.views.decorators.csrf import csrf_exempt


def boom(request):
    rrn = request.POST.get("rrn")  # noqa: F841 — a local the error page would show
    raise RuntimeError(f"cannot match {request.POST.get('rrn')}")


urlpatterns = [path("boom/", csrf_exempt(boom))]
