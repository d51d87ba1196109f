"""Links for sharing a group: the canonical address, never a tracking parameter."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def canonical_url(path: str) -> str:
    """The public address of `path` on this deployment (KINDRED_SITE_URL + path)."""
    return settings.SITE_URL.rstrip("/") + path
