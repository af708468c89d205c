"""Template filters every page uses: masked names, Korean numbers and money."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext

from households.labels import object_type_label, timeline_kind_label
from households.messages import message_text as _message_text
from households.models import mask_name
from households.particles import josa as _josa
from households.particles import particles_fix

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
    return gettext("%(amount)s원") % {
        "amount": number_format(int(amount), force_grouping=True)}


@register.filter
def timeline_kind(code):
    """service_link → 서비스 연계 (or "Service link" in English); unknown codes as they are."""
    return timeline_kind_label(code)


@register.filter
def object_type(code):
    """An access-log object type (household_list, export:inbox …) as a label."""
    return object_type_label(code)


@register.filter
def message_text(stored):
    """A stored message (or a list of them, e.g. risk factors) in the reader's language."""
    return _message_text(stored)


@register.filter
def josa(word, particle):
    """{{ org.name|josa:"은(는)" }} → 푸드뱅크는: the particle its last sound takes."""
    return f"{word}{_josa(word, particle)}"


@register.filter(is_safe=True)
def particles(text):
    """{% filter particles %}{% blocktranslate %}{{ label }}을(를) …{% endblocktranslate %}
    {% endfilter %}: every 을(를)-style pair becomes the form its word takes."""
    return particles_fix(text)


@register.simple_tag
def querystring_page(query, number):
    return f"?{query}&page={number}" if query else f"?page={number}"
