"""Rate limits for abusable endpoints: fixed-window counters in Django's cache.

    from config.ratelimit import rate_limit

    @rate_limit(scope="reminder-signup", rate="5/h")                  # per client address
    @rate_limit(scope="reminder-signup-email", rate="3/d", key=email_key, methods=("POST",))
    def reminder_signup(request): ...

- `key`: "ip" (the client address, see accounts.client_ip), "user" (the signed-in user's
  id, else the address), or a callable `(request) -> str | None` (None: not limited).
  Keys are digested with a keyed hash before they reach the cache: no address, email or
  token is ever stored there.
- `rate`: "<count>/<s|m|h|d>", e.g. "60/m". `settings.KINDRED_RATE_LIMITS` (scope → rate)
  overrides it at request time, so a deployment (or a test) can tune one scope.
- `methods`: which HTTP methods count (default: all).
- `json`: answer 429 as JSON (for the APIs) instead of the friendly HTML page.
- `fail_open`: if the cache is down, let the request through (True, the default: public
  reading must not fail because Redis did) or answer 429 (False: for writes whose abuse
  costs more than a short refusal, e.g. sending email).

Over the limit the view is not called: the answer is 429 with `templates/429.html`
and a Retry-After header. Counting is per window (`cache.add` then `cache.incr`), so a
burst of up to twice the rate can straddle a window boundary; that is accepted.
"""

import functools
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from accounts.client_ip import client_ip, pseudonym

logger = logging.getLogger("kindred.security")

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    count, _, unit = rate.partition("/")
    if not count.isdigit() or unit not in _PERIODS or int(count) < 1:
        raise ValueError(f"rate must look like '10/m'; got {rate!r}")
    return int(count), _PERIODS[unit]


def _identity(request: HttpRequest, key) -> str | None:
    if callable(key):
        return key(request)
    if key == "user" and request.user.is_authenticated:
        return f"user:{request.user.pk}"
    if key in ("ip", "user"):
        return f"ip:{client_ip(request)}"
    raise ValueError(f"key must be 'ip', 'user' or a callable; got {key!r}")


def hit(*, scope: str, identity: str, rate: str, fail_open: bool = True) -> int | None:
    """Count one request; return the seconds to wait if over the limit, else None."""
    limit, period = parse_rate(rate)
    now = int(time.time())
    window = now // period
    cache_key = f"rl:{scope}:{window}:{pseudonym(identity, purpose='ratelimit', length=32)}"
    try:
        cache.add(cache_key, 0, timeout=period + 1)
        count = cache.incr(cache_key)
    except Exception:  # any cache failure: decide by fail_open, never raise into the view
        logger.warning("event=rate_limit_cache_unavailable scope=%s fail_open=%s", scope, fail_open)
        return None if fail_open else period
    if count > limit:
        return (window + 1) * period - now or 1
    return None


def rate_limit(
    *,
    scope: str,
    rate: str,
    key: str | Callable[[HttpRequest], str | None] = "ip",
    methods: tuple[str, ...] | None = None,
    fail_open: bool = True,
    json: bool = False,
):
    parse_rate(rate)  # a malformed rate fails at import, not at the first request

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if methods is None or request.method in methods:
                identity = _identity(request, key)
                if identity is not None:
                    current = getattr(settings, "KINDRED_RATE_LIMITS", {}).get(scope, rate)
                    wait = hit(scope=scope, identity=identity, rate=current, fail_open=fail_open)
                    if wait is not None:
                        logger.info("event=rate_limited scope=%s", scope)
                        if json:
                            return _too_many_json(wait)
                        from config.errors import too_many_requests

                        return too_many_requests(request, retry_after=wait)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _too_many_json(retry_after: int) -> JsonResponse:
    minutes = max(1, -(-retry_after // 60))
    message = _("Too many requests. Please wait %(minutes)s minute(s) and try again.") % {
        "minutes": minutes
    }
    response = JsonResponse({"error": message, "retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response
