"""Sign-up rate limits per address and per client IP, in the cache.

Cache keys are keyed hashes, never the address or IP itself. If the cache is
unreachable (Redis down), the limiter lets the request through: the database
limit on unconfirmed requests per address (see services) still holds.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache

from groups.reminders.addresses import keyed_hash

log = logging.getLogger("kindred.reminders")
WINDOW_SECONDS = 3600


def _hit(key: str, limit: int) -> bool:
    """Count one attempt in this hour's window; True while within `limit`."""
    window = int(time.time() // WINDOW_SECONDS)
    full_key = f"reminders:rl:{key}:{window}"
    try:
        cache.add(full_key, 0, timeout=WINDOW_SECONDS + 60)
        count = cache.incr(full_key)
    except Exception as exc:  # any cache failure: fail open, the DB limit still applies
        log.warning("reminder rate limit cache unavailable: %s", exc.__class__.__name__)
        return True
    return count <= limit


def signup_allowed(*, address_key: str, client_ip: str) -> bool:
    ip_ok = _hit(
        "ip:" + keyed_hash(client_ip or "-", purpose="ip"),
        settings.REMINDERS_SIGNUPS_PER_IP_PER_HOUR,
    )
    address_ok = _hit("addr:" + address_key, settings.REMINDERS_SIGNUPS_PER_ADDRESS_PER_HOUR)
    return ip_ok and address_ok
