"""Who may call the record APIs of outreach, and the access-log row each view writes."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied

from households import selectors as household_selectors
from households.models import AccessLog
from households.services import access_log_write


def sees_records(user) -> bool:
    return household_selectors.scope_of(user).sees_records


def require_records(user):
    if not sees_records(user):
        raise PermissionDenied(_("가구 기록을 볼 권한이 없습니다."))


def log_view(request, object_type, obj, household_id):
    access_log_write(request=request, action=AccessLog.Action.VIEW, object_type=object_type,
                     object_id=obj.pk, household_id=household_id)
