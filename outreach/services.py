"""Every write of outreach work, one function per use case."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from households.services import timeline_add
from outreach.models import Visit


@transaction.atomic
def visit_schedule(*, household, staff, scheduled_for, companion=None, alert=None) -> Visit:
    visit = Visit.objects.create(
        household=household, staff=staff, companion=companion, scheduled_for=scheduled_for,
        alert=alert,
    )
    when = timezone.localtime(scheduled_for)
    timeline_add(
        household_id=household.pk, kind="visit", actor=staff, obj=visit,
        summary=_("가정방문 예정 %(when)s") % {"when": f"{when:%Y-%m-%d %H:%M}"},
    )
    return visit
