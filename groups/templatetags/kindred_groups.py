"""Template helpers for directory pages: vocabulary labels and distances."""

from django import template
from django.conf import settings
from django.utils.translation import gettext as _

from groups.vocabularies import ALL

register = template.Library()


@register.filter
def label(code: str, vocabulary: str) -> str:
    """`{{ group.cost|label:"cost" }}` -> "Free"."""
    try:
        return ALL[vocabulary].label(code)
    except KeyError:
        return code


@register.filter
def labels(codes, vocabulary: str) -> list[tuple[str, str]]:
    return [(code, label(code, vocabulary)) for code in codes]


@register.simple_tag
def distance_text(value) -> str:
    if value is None:
        return ""
    if settings.KINDRED_DISTANCE_UNIT == "mi":
        return _("%(distance).1f miles away") % {"distance": value}
    return _("%(distance).1f km away") % {"distance": value}
