"""The household list's filters (django-filter), scoped to the user's dongs."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from households.addresses import address_key
from households.models import Dong, Household
from households.selectors import visible_dongs

YES_NO = ((True, _("예")), (False, _("아니오")))


class HouseholdFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("주소 검색"), method="search_address")
    dong = django_filters.ModelChoiceFilter(label=_("행정동"), queryset=Dong.objects.none())
    lives_alone = django_filters.BooleanFilter(label=_("1인 가구"))
    elderly = django_filters.BooleanFilter(label=_("노인 가구"))
    disability = django_filters.BooleanFilter(label=_("장애인 가구"))
    children = django_filters.BooleanFilter(label=_("아동 가구"))
    registered_here = django_filters.BooleanFilter(label=_("주민등록 일치"))

    class Meta:
        model = Household
        fields = ["q", "dong", "lives_alone", "elderly", "disability", "children",
                  "registered_here"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the user's own dongs can be chosen; another dong's id is a form error.
        self.filters["dong"].queryset = visible_dongs(user) if user else Dong.objects.none()

    def search_address(self, queryset, name, value):
        """Free text or any spelling of an address: 여의나루로104 finds "여의나루로 104 3층"."""
        value = (value or "").strip()
        if not value:
            return queryset
        parts = address_key(value).split("|")
        if len(parts) == 3 and parts[1]:
            # Road/lot name and number parsed: match every unit at that building.
            return queryset.filter(
                Q(address_key__startswith=f"{parts[0]}|{parts[1]}|")
                | Q(road_address__icontains=value)
            )
        return queryset.filter(
            Q(road_address__icontains=value) | Q(address_detail__icontains=value)
        )
