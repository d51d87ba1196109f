"""Security events on the `kindred.security` logger, with no personal data.

A line names the event, the user's id (never an email or name) and a keyed digest of
the client address. Passwords, emails, tokens and raw addresses never reach a log.
The receivers are connected in `AccountsConfig.ready()`: logging is the one side effect
that belongs on a signal, since logins happen in Django's and django-axes' code.
"""

import logging

from django.http import HttpRequest

from accounts.client_ip import ip_pseudonym, pseudonym

logger = logging.getLogger("kindred.security")


def security_event(
    event: str, *, request: HttpRequest | None = None, user_id=None, **fields
) -> None:
    parts = [f"event={event}"]
    if user_id is not None:
        parts.append(f"user={user_id}")
    if request is not None:
        parts.append(f"ip={ip_pseudonym(request)}")
    parts += [f"{key}={value}" for key, value in sorted(fields.items())]
    logger.info(" ".join(parts))


# --- django-axes hooks (settings AXES_*_CALLABLE) -------------------------------------------


def axes_username(request, credentials) -> str | None:
    """Axes counts failures by this value and stores it: a digest of the lower-cased
    email, so the lockout table holds no address and Carla@ and carla@ count together."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = getattr(request, "POST", {}).get("username")
    if not username:
        return None
    return pseudonym(str(username).strip().lower(), purpose="login", length=32)


def axes_client_str(username, ip_address, user_agent, path_info, request) -> str:
    return f"ip={ip_pseudonym(request)}" if request is not None else "ip=unknown"


# --- receivers ------------------------------------------------------------------------------


def on_user_logged_in(sender, request, user, **kwargs):
    security_event("login_succeeded", request=request, user_id=user.pk)


def on_user_logged_out(sender, request, user, **kwargs):
    security_event("logout", request=request, user_id=getattr(user, "pk", None))


def on_user_login_failed(sender, credentials, request=None, **kwargs):
    security_event("login_failed", request=request)


def on_user_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    security_event("login_locked_out", request=request)
