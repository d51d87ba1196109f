"""The client's address, and the only form in which it may leave the request: a digest."""

import hashlib
import hmac

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or, behind `KINDRED_TRUSTED_PROXY_COUNT` proxies, the address the
    outermost trusted proxy saw (entries further left in X-Forwarded-For can be forged)."""
    proxies = settings.KINDRED_TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    # None, not a placeholder: django-axes stores this in an inet column on PostgreSQL.
    return request.META.get("REMOTE_ADDR") or None


def pseudonym(value: str, *, purpose: str, length: int = 16) -> str:
    """A keyed, truncated digest: stable enough to correlate, useless to reverse."""
    key = f"kindred:{purpose}:{settings.SECRET_KEY}".encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:length]


def ip_pseudonym(request: HttpRequest) -> str:
    return pseudonym(client_ip(request) or "unknown", purpose="ip", length=12)
