"""Template filters of the outreach pages: alert origins, levels and due dates in words."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

# DiscoveryAlert.origin is free text shared by several apps; these are the known ones.
ALERT_ORIGINS = {
    "risk_model": _("위기정보"),
    "check_in": _("이웃의 걱정"),
    "missed_check_in": _("안부 확인 누락"),
    "follow_up": _("사후관리"),
}


@register.filter
def alert_origin(origin):
    return ALERT_ORIGINS.get(origin, origin)
