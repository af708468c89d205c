"""Template context from referrals: the header's count of new emergency referrals."""

from django.utils.functional import SimpleLazyObject

from referrals.selectors import open_emergency_count


def emergencies(request):
    """``emergencies``: new emergency referrals of the user's dongs, counted (one COUNT
    query) only when a template reads it, at most once per request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"emergencies": 0}
    return {"emergencies": SimpleLazyObject(lambda: open_emergency_count(user))}
