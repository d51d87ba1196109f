"""The optional online geocoder (geopy), used only when KINDRED_GEOCODER is set.

Every call has a timeout and goes through geopy's RateLimiter; answers (and
misses) are cached under a hash of the normalized query so that no address a
person typed is stored in the cache or written to a log.
"""

import hashlib
import logging
import threading

from django.conf import settings
from django.core.cache import cache

from groups.geocoding.gazetteer import normalize

logger = logging.getLogger(__name__)

_MISS = "miss"
_lock = threading.Lock()
_limited = None


def configured() -> bool:
    return bool(getattr(settings, "KINDRED_GEOCODER", ""))


def query_hash(query: str) -> str:
    return hashlib.sha256(normalize(query).encode()).hexdigest()


def cache_key(query: str) -> str:
    return f"geocode:v1:{query_hash(query)}"


def _geocoder():
    """geopy's geocoder for the configured service, wrapped in a RateLimiter."""
    global _limited
    with _lock:
        if _limited is None:
            from geopy.extra.rate_limiter import RateLimiter
            from geopy.geocoders import get_geocoder_for_service

            service = get_geocoder_for_service(settings.KINDRED_GEOCODER)
            geocoder = service(
                user_agent=settings.KINDRED_GEOCODER_USER_AGENT,
                timeout=settings.KINDRED_GEOCODER_TIMEOUT,
            )
            _limited = RateLimiter(
                geocoder.geocode,
                min_delay_seconds=settings.KINDRED_GEOCODER_MIN_DELAY,
                max_retries=1,
                swallow_exceptions=False,
            )
        return _limited


def reset() -> None:
    """Forget the geocoder built from settings (tests change settings)."""
    global _limited
    with _lock:
        _limited = None


def geocode(query: str) -> tuple[float, float, str] | None:
    key = cache_key(query)
    try:
        cached = cache.get(key)
    except Exception:  # a stopped Redis must not break search
        cached = None
    if cached == _MISS:
        return None
    if cached:
        return tuple(cached)
    from geopy.exc import GeopyError

    country = getattr(settings, "KINDRED_GEOCODER_COUNTRY", "")
    kwargs = {"exactly_one": True}
    if country and settings.KINDRED_GEOCODER == "nominatim":
        kwargs["country_codes"] = country.lower()
    try:
        location = _geocoder()(query, **kwargs)
    except GeopyError as exc:
        # Not cached: the service may be back in a minute.
        logger.warning(
            "online geocoder failed: %s (query hash %s)", type(exc).__name__, query_hash(query)[:12]
        )
        return None
    value = (
        (float(location.latitude), float(location.longitude), "") if location is not None else _MISS
    )
    try:
        cache.set(key, value, settings.KINDRED_GEOCODER_CACHE_SECONDS)
    except Exception:
        logger.warning("geocode cache unavailable")
    return None if value == _MISS else value
