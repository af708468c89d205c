"""Template context every page gets: the user's scope and role flags."""

from django.conf import settings

from households.models import Role
from households.selectors import scope_of


def doorstep(request):
    user = getattr(request, "user", None)
    return {
        "scope": scope_of(user) if user is not None else None,
        "Role": Role,
        "DEMO_MODE": settings.DEMO_MODE,
        "OFFLINE_APP": settings.OFFLINE_APP,
    }
