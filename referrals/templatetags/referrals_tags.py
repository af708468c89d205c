"""Template tags of referrals: the open-emergency badge in the header."""

from django import template

from referrals.selectors import open_emergency_count

register = template.Library()


@register.simple_tag(takes_context=True)
def emergency_badge(context) -> int:
    """New emergency referrals of the user's dongs, for the header badge: one COUNT query."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    cached = getattr(request, "_emergency_badge", None)
    if cached is None:
        cached = request._emergency_badge = open_emergency_count(user)
    return cached
