"""Template filters every page uses: masked names, Korean numbers and money."""

from django import template
from django.utils.formats import number_format

from households.models import mask_name

register = template.Library()


@register.filter
def masked(name):
    """홍길동 → 홍*동 for lists."""
    return mask_name(name or "")


@register.filter
def krw(amount):
    """1234000 → 1,234,000원 (Korean convention: the unit after the number)."""
    if amount in (None, ""):
        return ""
    return f"{number_format(int(amount), force_grouping=True)}원"


@register.simple_tag
def querystring_page(query, number):
    return f"?{query}&page={number}" if query else f"?page={number}"
