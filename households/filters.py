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
        value = (value or "").strip()
        if not value:
            return queryset
        key = address_key(value)
        return queryset.filter(
            Q(road_address__icontains=value) | Q(address_key__startswith=key.split("|")[0])
            if "|" in key
            else Q(road_address__icontains=value)
        )
