"""Inbox API: the triage queue of the caller's dongs, most urgent first."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from households.selectors import scope_of, visible_dongs
from households.services import access_log_shown
from outreach.forms import InboxFilterForm
from outreach.selectors.inbox import INBOX_STATUSES, inbox_items_for
from outreach.serializers import (
    InboxItemSerializer,
    InboxPageSerializer,
)
from referrals.models import Concern, Referral


@extend_schema(
    tags=["inbox"],
    parameters=[
        OpenApiParameter("dong", int, description="Dong id (one of the caller's)"),
        OpenApiParameter("source", str, enum=["alert", *Referral.Channel.values]),
        OpenApiParameter("category", str, enum=Concern.values),
        OpenApiParameter("status", str, enum=[v for v, _ in INBOX_STATUSES]),
        OpenApiParameter("mine", bool),
        OpenApiParameter("page", int),
    ],
    responses=InboxPageSerializer,
)
class InboxItemListApi(GenericAPIView):
    """The triage queue: open alerts and referrals of the caller's dongs, most urgent first."""

    serializer_class = InboxItemSerializer
    pagination_class = None
    filter_backends = []
    PAGE_SIZE = 50

    def get(self, request):
        if not scope_of(request.user).sees_records:
            raise PermissionDenied("처리함은 동 복지담당과 사례관리사만 볼 수 있습니다.")
        form = InboxFilterForm(request.query_params or None, dongs=visible_dongs(request.user))
        if form.is_bound and not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        try:
            number = int(request.query_params.get("page") or 1)
        except ValueError as error:
            raise ValidationError({"page": ["page는 숫자입니다."]}) from error
        page = inbox_items_for(request.user, form.filters(), page=number,
                               per_page=self.PAGE_SIZE)
        access_log_shown(request=request, object_type="inbox_list",
                         records=[(item.key, item.household_id) for item in page.items])
        return Response({
            "count": page.count, "page": page.number, "num_pages": page.num_pages,
            "results": InboxItemSerializer(page.items, many=True).data,
        })
