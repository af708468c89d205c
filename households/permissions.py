"""Django permissions that come with a role: a user holds them through a Membership, so
``user.has_perm("referrals.override_consent")`` is true for a district admin or a team
lead without a group to keep in step (permissions given in the admin still count)."""

from django.contrib.auth.backends import BaseBackend

from households.models import Role
from households.selectors import scope_of

# Which roles hold which permission. Codes only (households never imports the higher apps).
ROLE_PERMISSIONS = {
    # Send a service link without the person's recorded consent, with a reason.
    "referrals.override_consent": frozenset({Role.DISTRICT_ADMIN, Role.TEAM_LEAD}),
}


class RolePermissionBackend(BaseBackend):
    """Grants ROLE_PERMISSIONS to the holders of those roles; authenticates nobody."""

    def has_perm(self, user_obj, perm, obj=None):
        roles = ROLE_PERMISSIONS.get(perm)
        if not roles or not getattr(user_obj, "is_active", False):
            return False
        return bool(scope_of(user_obj).roles & roles)
